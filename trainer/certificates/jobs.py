"""Certificates' jobs: rendering an issued certificate's PDF, and the daily renewals."""

from __future__ import annotations

from datetime import date

from flask import current_app

from trainer.certificates import services
from trainer.extensions import db


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
