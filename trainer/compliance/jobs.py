"""Compliance's jobs: the daily reminder mails (queued by the scheduler, or run by the
CLI), and the records package built for its owner's progress page."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from trainer.auth.models import User
from trainer.compliance import exports, reminders
from trainer.extensions import db
from trainer.jobs import progress
from trainer.orgs.models import Organization

#: The kind of the job record of a records package.
RECORDS_KIND = "records_package"


def send_reminders(on: date) -> tuple[int, int]:
    """Record and queue every reminder due on `on`; returns (sent, already sent).

    Each reminder commits on its own, so a run stopped half way resumes where it was;
    one recorded by another run at the same moment is skipped.
    """
    sent = skipped = 0
    for reminder in reminders.plan(on):
        try:
            reminders.deliver(reminder, on)
        except IntegrityError:  # another run sent it first
            db.session.rollback()
            skipped += 1
            continue
        db.session.commit()
        sent += 1
    return sent, skipped


def daily_reminders(day: str) -> str:
    """The scheduler's entry point."""
    sent, skipped = send_reminders(date.fromisoformat(day))
    return f"reminders: {sent} sent, {skipped} already sent"


def build_records_package(job_id: int, org_id: int, day: str) -> str:
    """Write the organization's records package (as of `day`) to a file for the job's
    owner, then offer it on the job's page."""
    if not progress.claim(job_id):
        return "already run"
    run = progress.get(job_id)
    org = db.session.get(Organization, org_id)
    actor = db.session.get(User, run.owner_id) if run is not None else None
    if org is None or actor is None:
        progress.fail(job_id, [])
        return "missing"
    target = progress.new_result_path(job_id, ".zip")
    partial = target.with_suffix(".part")

    def written(count: int, total: int) -> None:
        if count % 25 == 0:
            progress.update(job_id, count, total, stage="writing")

    try:
        with force_locale(actor.language or "en"), partial.open("w+b") as out:
            package = exports.records_package(
                org, date.fromisoformat(day), actor=actor, out=out, on_progress=written
            )
        partial.replace(target)
        db.session.commit()  # the export's audit event
    except Exception:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        with force_locale(actor.language or "en"):
            message = _("The file could not be built. Please try again.")
        progress.fail(job_id, [{"row": 0, "column": "", "message": message}])
        raise
    progress.finish(
        job_id,
        rows_done=package.certificates,
        result=target,
        filename=f"records-{org.id}-{day}.zip",
    )
    return f"records package: {package.people} people, {package.certificates} certificates"
