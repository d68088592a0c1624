"""Shared pieces of the route x role x scope matrix (see test_policy_matrix.py).

Adding a route without a row here fails `test_every_route_is_in_the_matrix`, so no view
escapes the policy. "own" is the signed-in person's organization (for an auditor: an
organization in their jurisdiction; for learner pages: their own progress), "other" is
one they have nothing to do with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trainer.extensions import db

ROLES = ("anonymous", "learner", "manager", "auditor", "admin")
LOGIN = 302  # visitors are sent to the sign-in page


@dataclass
class World:
    own_org: Any
    other_org: Any
    own_staff: Any
    other_staff: Any
    users: dict[str, Any]
    own_progress: Any
    other_progress: Any
    own_cert: Any
    other_cert: Any


def _world(make) -> World:
    own = make.org(name="Own Hotel")
    other = make.org(name="Other Hotel", jurisdiction="california")
    learner = make.user(own)
    other_learner = make.user(other)
    own_staff = make.user(own, email=None)
    other_staff = make.user(other, email=None)
    users = {
        "learner": learner,
        "manager": make.user(own, role="manager"),
        "auditor": make.user(role="auditor"),
        "admin": make.user(role="admin"),
    }
    from trainer.learning import services as learning

    own_enrollment = learning.enrollments_of(learner)[0]
    other_enrollment = learning.enrollments_of(other_learner)[0]
    return World(
        own,
        other,
        own_staff,
        other_staff,
        users,
        own_enrollment.modules[0],
        other_enrollment.modules[0],
        _certificate(own_enrollment, "T-1"),
        _certificate(other_enrollment, "T-2"),
    )


def _certificate(enrollment, serial: str):
    """A stored certificate row (its PDF bytes are a stand-in; rendering is tested apart)."""
    import hashlib

    from trainer.certificates.models import Certificate, CertificateFile
    from trainer.timeutil import utcnow

    pdf = b"%PDF-1.7 matrix " + serial.encode()
    user = enrollment.user
    cert = Certificate(
        serial=serial,
        verification_code=f"code{serial}",
        enrollment_id=enrollment.id,
        user_id=user.id,
        organization_id=user.organization_id,
        track_id=enrollment.track_id,
        jurisdiction=user.organization.jurisdiction,
        language="en",
        holder_name=user.full_name,
        organization_name=user.organization.name,
        track_title="Hotel",
        modules=[],
        total_minutes=40,
        completed_at=utcnow(),
        expires_on=None,
        expiry_rule={"rule": None},
        legal_reference="",
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pdf_size=len(pdf),
    )
    db.session.add(cert)
    db.session.flush()
    db.session.add(CertificateFile(certificate_id=cert.id, data=pdf))
    db.session.commit()
    return cert


def cert_id(w: World, scope: str) -> int:
    return (w.own_cert if scope == "own" else w.other_cert).id


def cert_code(w: World, scope: str) -> str:
    return (w.own_cert if scope == "own" else w.other_cert).verification_code


UrlFn = Callable[[World, str], str]


def org_id(w: World, scope: str) -> int:
    return (w.own_org if scope == "own" else w.other_org).id


def staff_id(w: World, scope: str) -> int:
    return (w.own_staff if scope == "own" else w.other_staff).id


def progress_id(w: World, scope: str) -> int:
    return (w.own_progress if scope == "own" else w.other_progress).id


def same(code: int) -> tuple[int, int]:
    return (code, code)
