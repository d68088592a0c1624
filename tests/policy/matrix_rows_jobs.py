"""Matrix rows for job progress pages: only the person who started the job sees it."""

from __future__ import annotations

from flask import current_app

from tests.support.matrix import LOGIN, UrlFn, World, same
from trainer.extensions import db


def job_id(w: World, scope: str) -> int:
    """A finished job with a file: the own organization's manager's, or another's."""
    from trainer.jobs import progress
    from trainer.jobs.models import JobRun, JobState

    owner = w.users["manager"] if scope == "own" else w.other_staff
    run = JobRun(
        kind="certificate_zip",
        owner_id=owner.id,
        organization_id=owner.organization_id,
        state=JobState.DONE,
        percent=100,
        errors=[],
        result_name="certificates.zip",
    )
    db.session.add(run)
    db.session.flush()
    path = progress.new_result_path(run.id, ".zip")
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    run.result_path = path.relative_to(current_app.config["JOBS_RESULT_FOLDER"]).as_posix()
    db.session.commit()
    return run.id


# Only the job's owner (here the own organization's manager) sees it; everyone else,
# admins included, gets 404.
OWNER_ONLY = {
    "anonymous": same(LOGIN),
    "learner": same(404),
    "manager": (200, 404),
    "auditor": same(404),
    "admin": same(404),
}

MATRIX: dict[str, tuple[str, UrlFn, dict[str, tuple[int, int]]]] = {
    "jobs.show": ("GET", lambda w, s: f"/jobs/{job_id(w, s)}", OWNER_ONLY),
    "jobs.download": ("GET", lambda w, s: f"/jobs/{job_id(w, s)}/download", OWNER_ONLY),
}
