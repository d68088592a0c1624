"""The staff import of a large file, run by a job and followed on its progress page."""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from trainer.auth import services as auth_services
from trainer.auth.models import User
from trainer.extensions import db
from trainer.jobs import progress
from trainer.jobs.models import JobRun
from trainer.mail import send_after_commit
from trainer.orgs import imports
from trainer.orgs.models import Organization

#: The kind of the job record (its progress page's title).
KIND = "staff_import"


def _link(endpoint: str, **values: object) -> str:
    """An absolute link from PUBLIC_BASE_URL (a job has no request to take it from)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def send_invitation(user: User, link: str | None = None) -> None:
    """Write the invitation mail to the outbox (it leaves once the import commits)."""
    token = auth_services.make_token(user, "invite")
    with force_locale(user.language or "en"):
        send_after_commit(
            user.email or "",
            _("You are invited to your anti-trafficking training"),
            render_template(
                "orgs/mail_invitation.txt",
                user=user,
                link=link or _link("auth.accept_invitation", token=token),
            ),
            language=user.language,
        )


def import_staff_file(job_id: int) -> str:
    """Check the stored file, then import every row in one transaction, or none.

    Progress is reported every PROGRESS_EVERY rows: checking counts for the first half
    of the bar, importing for the second. A second run of the same job does nothing.
    """
    if not progress.claim(job_id):
        return "already run"
    run = db.session.get(JobRun, job_id)
    assert run is not None and run.organization_id is not None
    org = db.session.get(Organization, run.organization_id)
    actor = db.session.get(User, run.owner_id)
    assert org is not None and actor is not None
    raw = run.input_data or b""
    total = max(imports.count_rows(raw), 1)
    # SQLite lets one connection write at a time: while the import's transaction is open,
    # progress (written by another connection) would wait for it. There the bar moves
    # while checking and jumps at the end.
    live_import = db.engine.dialect.name != "sqlite"

    def checked(rows: int) -> None:
        progress.update(job_id, rows, total, stage="checking", percent=rows * 50 // total)

    def imported(rows: int) -> None:
        progress.update(job_id, rows, total, stage="importing", percent=50 + rows * 50 // total)

    try:
        with force_locale(actor.language or "en"):
            progress.update(job_id, 0, total, stage="checking", percent=0)
            result = imports.parse_staff_csv(
                raw, org, max_bytes=current_app.config["STAFF_IMPORT_MAX_BYTES"], on_row=checked
            )
            if not result.ok:
                db.session.rollback()
                progress.fail(job_id, [asdict(error) for error in result.errors])
                return f"rejected: {len(result.errors)} problem(s)"
            if live_import:
                imported(0)
            users = imports.import_staff(
                org, result.rows, actor=actor, on_row=imported if live_import else None
            )
            for user in users:
                if user.email:
                    send_invitation(user)
            progress.finish_in_transaction(job_id, rows_done=len(users))
            db.session.commit()
    except Exception:
        db.session.rollback()
        with force_locale(actor.language or "en"):
            message = _("The import stopped unexpectedly; nothing was imported. Please try again.")
        progress.fail(job_id, [{"row": 0, "column": "", "message": message}])
        raise
    return f"imported {len(users)}"
