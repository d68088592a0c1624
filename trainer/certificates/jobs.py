"""Certificates' jobs: rendering an issued certificate's PDF, and the daily renewals."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _

from trainer.certificates import services
from trainer.extensions import db
from trainer.jobs import progress


def daily_renewals(day: str) -> str:
    """Re-enroll holders whose certificate expires soon (safe to run twice)."""
    created = services.renew_due(
        date.fromisoformat(day), int(current_app.config["RENEWAL_LEAD_DAYS"])
    )
    db.session.commit()
    return f"renewal: {len(created)} refresher enrollment(s) created"


def render_certificate(cert_id: int) -> str:
    """Render and store the PDF of a newly issued certificate (once, however often run)."""
    from trainer.certificates.models import Certificate

    cert = db.session.get(Certificate, cert_id)
    if cert is None:
        return "missing"
    rendered = services.ensure_rendered(cert)
    db.session.commit()
    return "rendered" if rendered else "already rendered"


#: The kind of the job record of a certificate ZIP.
ZIP_KIND = "certificate_zip"


def build_certificate_zip(job_id: int, cert_ids: list[int], filename: str) -> str:
    """Write the ZIP of these certificates to a file for its owner's progress page."""
    if not progress.claim(job_id):
        return "already run"
    total = len(cert_ids)
    target = progress.new_result_path(job_id, ".zip")
    partial = target.with_suffix(".part")

    def written(count: int) -> None:
        if count % 25 == 0:
            progress.update(job_id, count, total, stage="writing")

    try:
        with partial.open("wb") as out:
            count = services.write_zip(services.certificates_by_id(cert_ids), out, on_entry=written)
        partial.replace(target)
    except Exception:
        partial.unlink(missing_ok=True)
        progress.fail(
            job_id,
            [
                {
                    "row": 0,
                    "column": "",
                    "message": _("The file could not be built. Please try again."),
                }
            ],
        )
        raise
    finally:
        db.session.rollback()
    progress.finish(job_id, rows_done=count, result=target, filename=filename)
    return f"zipped {count}"
