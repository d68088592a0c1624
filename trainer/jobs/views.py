"""A job's progress page and its finished file, for the person who started it only."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_file
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from trainer.jobs import progress
from trainer.jobs.models import JobRun
from trainer.policy import Permission, own_or_404, requires

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

#: What each kind of job is called on its page.
KINDS = {
    "staff_import": _l("Staff import"),
    "records_package": _l("Records package"),
    "certificate_zip": _l("Certificates (ZIP)"),
}
STAGES = {
    "checking": _l("Checking the rows"),
    "importing": _l("Importing"),
    "writing": _l("Writing the file"),
}


def _own_run(job_id: int) -> JobRun:
    return own_or_404(progress.get(job_id), lambda run: run.owner_id)


@bp.get("/<int:job_id>")
@requires(Permission.SIGNED_IN)
def show(job_id: int) -> str:
    """How far the job got, its errors, and its file when ready (refreshes while it runs)."""
    run = _own_run(job_id)
    return render_template(
        "jobs/show.html",
        run=run,
        kind=KINDS.get(run.kind, run.kind),
        stage=STAGES.get(run.stage, ""),
        ready=progress.result_file(run) is not None,
    )


@bp.get("/<int:job_id>/download")
@requires(Permission.SIGNED_IN)
def download(job_id: int) -> Response:
    """The file the job built."""
    run = _own_run(job_id)
    path = progress.result_file(run)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=run.result_name or path.name)
