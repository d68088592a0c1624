"""Certificates' daily job: refresher enrollments before certificates expire."""

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
