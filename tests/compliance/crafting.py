"""Build staff in a known compliance status for the compliance tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from trainer import timeutil
from trainer.auth.models import User
from trainer.certificates.models import Certificate, CertificateFile
from trainer.compliance.rules import add_months
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import Enrollment


def at(day: date) -> datetime:
    """Noon UTC on a day."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def certify(
    user: Any,
    completed_on: date,
    *,
    expires_on: date | None = None,
    serial: str | None = None,
    revoked: bool = False,
) -> Certificate:
    """Give a person a stored certificate completed on that day (default: one year valid)."""
    enrollments = learning.enrollments_of(user)
    if enrollments:
        enrollment = enrollments[0]
    else:  # managers are not enrolled automatically
        enrollment = learning.enroll(user, learning.tracks_for(user)[0])
    enrollment.completed_at = enrollment.completed_at or at(completed_on)
    reissue = len(
        db.session.scalars(
            select(Certificate.id).where(Certificate.enrollment_id == enrollment.id)
        ).all()
    )
    number = db.session.scalar(select(Certificate.id).order_by(Certificate.id.desc())) or 0
    serial = serial or f"HTX-{completed_on.year}-{number + 1:06d}"
    pdf = b"%PDF-1.7 test certificate " + serial.encode()
    cert = Certificate(
        serial=serial,
        verification_code=f"code-{serial}",
        enrollment_id=enrollment.id,
        reissue=reissue,
        user_id=user.id,
        organization_id=user.organization_id,
        track_id=enrollment.track_id,
        jurisdiction=user.organization.jurisdiction,
        language=user.language,
        holder_name=user.full_name,
        organization_name=user.organization.name,
        track_title="Hotel employee training",
        modules=[],
        total_minutes=40,
        completed_at=at(completed_on),
        issued_at=at(completed_on),
        expires_on=expires_on if expires_on is not None else add_months(completed_on, 12),
        expiry_rule={"rule": None},
        legal_reference="",
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pdf_size=len(pdf),
        revoked_at=at(completed_on) if revoked else None,
        revoked_reason="test" if revoked else None,
    )
    db.session.add(cert)
    db.session.flush()
    db.session.add(CertificateFile(certificate_id=cert.id, data=pdf))
    db.session.commit()
    return cert


def start_training(user: Any) -> None:
    """Mark the first module of the person's open enrollment as started."""
    enrollment = learning.enrollments_of(user)[0]
    enrollment.modules[0].started_at = at(timeutil.today())
    db.session.commit()


def bulk_staff(org: Any, count: int, *, hire_date: date, prefix: str = "Bulk") -> list[int]:
    """Insert `count` learners at once (no enrollments); returns their ids."""
    db.session.execute(
        insert(User),
        [
            {
                "email": f"{prefix.lower()}{index}.{org.id}@example.test",
                "first_name": f"{prefix}{index:03d}",
                "last_name": "Staff",
                "role": "learner",
                "organization_id": org.id,
                "job_role": "housekeeping",
                "hire_date": hire_date,
                "language": "en",
                "active": True,
                "extra_time_percent": 0,
                "created_at": at(hire_date),
            }
            for index in range(count)
        ],
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(User.id).where(
                User.organization_id == org.id, User.first_name.like(f"{prefix}%")
            )
        )
    )


def enrollment_of(user: Any) -> Enrollment:
    """The person's first enrollment."""
    return learning.enrollments_of(user)[0]


def days(n: int) -> date:
    """Today plus `n` days."""
    return timeutil.today() + timedelta(days=n)
