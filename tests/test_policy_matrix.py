"""Every route x every role x own/other organization, with the expected status code.

Adding a route without a row here fails `test_every_route_is_in_the_matrix`, so no view
escapes the policy. "own" is the signed-in person's organization (for an auditor: an
organization in their jurisdiction; for learner pages: their own progress), "other" is
one they have nothing to do with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import login
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


# endpoint: (method, url, {role: (own, other)})
MATRIX: dict[str, tuple[str, UrlFn, dict[str, tuple[int, int]]]] = {
    "core.index": (
        "GET",
        lambda w, s: "/",
        {
            "anonymous": same(200),
            "learner": same(302),
            "manager": same(302),
            "auditor": same(302),
            "admin": same(302),
        },
    ),
    "core.healthz": ("GET", lambda w, s: "/healthz", {r: same(200) for r in ROLES}),
    "core.set_language": ("POST", lambda w, s: "/language", {r: same(302) for r in ROLES}),
    "static": ("GET", lambda w, s: "/static/css/app.css", {r: same(200) for r in ROLES}),
    "auth.login": (
        "GET",
        lambda w, s: "/auth/login",
        {"anonymous": same(200), **{r: same(302) for r in ROLES[1:]}},
    ),
    "auth.code_login": ("GET", lambda w, s: "/auth/code", {r: same(200) for r in ROLES}),
    "auth.logout": ("POST", lambda w, s: "/auth/logout", {r: same(302) for r in ROLES}),
    "auth.reset_request": ("GET", lambda w, s: "/auth/reset", {r: same(200) for r in ROLES}),
    "auth.reset": ("GET", lambda w, s: "/auth/reset/not-a-token", {r: same(302) for r in ROLES}),
    "auth.accept_invitation": (
        "GET",
        lambda w, s: "/auth/invitation/not-a-token",
        {r: same(302) for r in ROLES},
    ),
    "auth.user_list": (
        "GET",
        lambda w, s: "/auth/users",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "auth.change_role": (
        "POST",
        lambda w, s: f"/auth/users/{staff_id(w, s)}/role",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(400),
        },
    ),
    "orgs.org_list": (
        "GET",
        lambda w, s: "/orgs/",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(302),
            "auditor": same(200),
            "admin": same(200),
        },
    ),
    "orgs.org_new": (
        "GET",
        lambda w, s: "/orgs/new",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.org_edit": (
        "GET",
        lambda w, s: f"/orgs/{org_id(w, s)}/edit",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_list": (
        "GET",
        lambda w, s: f"/orgs/staff?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(200),
            "auditor": (200, 404),
            "admin": same(200),
        },
    ),
    "orgs.staff_new": (
        "GET",
        lambda w, s: f"/orgs/staff/new?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(200),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_edit": (
        "GET",
        lambda w, s: f"/orgs/staff/{staff_id(w, s)}/edit",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (200, 404),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_active": (
        "POST",
        lambda w, s: f"/orgs/staff/{staff_id(w, s)}/active",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (302, 404),
            "auditor": same(403),
            "admin": same(302),
        },
    ),
    "orgs.staff_invite": (
        "POST",
        lambda w, s: f"/orgs/staff/{staff_id(w, s)}/invite",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (400, 404),
            "auditor": same(403),
            "admin": same(400),
        },
    ),
    "orgs.staff_access_code": (
        "POST",
        lambda w, s: f"/orgs/staff/{staff_id(w, s)}/access-code",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (200, 404),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_import": (
        "GET",
        lambda w, s: f"/orgs/staff/import?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(200),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "audit.log": (
        "GET",
        lambda w, s: "/audit/",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(200),
            "admin": same(200),
        },
    ),
    "catalog.admin_modules": (
        "GET",
        lambda w, s: "/catalog/",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "catalog.preview": (
        "GET",
        lambda w, s: f"/catalog/version/{w.own_progress.module.current_version_id}?lang=es",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
}

LEARNER_ONLY = {
    "anonymous": same(LOGIN),
    "learner": (200, 404),
    "manager": same(404),
    "auditor": same(403),
    "admin": same(403),
}
LEARNER_POST = {
    "anonymous": same(LOGIN),
    "learner": (302, 404),
    "manager": same(404),
    "auditor": same(403),
    "admin": same(403),
}
MATRIX.update(
    {
        "learning.home": (
            "GET",
            lambda w, s: "/learn/",
            {
                "anonymous": same(LOGIN),
                "learner": same(200),
                "manager": same(200),
                "auditor": same(403),
                "admin": same(403),
            },
        ),
        "learning.module": ("GET", lambda w, s: f"/learn/m/{progress_id(w, s)}", LEARNER_ONLY),
        "learning.start_pre": (
            "POST",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/pre",
            LEARNER_POST,
        ),
        "learning.lesson": (
            "GET",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/lesson/welcome",
            {**LEARNER_ONLY, "learner": (302, 404)},
        ),
        "learning.complete_lesson": (
            "POST",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/lesson/welcome",
            {**LEARNER_POST, "learner": (400, 404)},
        ),
        "learning.attest": (
            "GET",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/attest",
            {**LEARNER_ONLY, "learner": (404, 404)},
        ),
        "learning.document": (
            "GET",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/document/x",
            {**LEARNER_ONLY, "learner": (404, 404)},
        ),
        "learning.start_post": (
            "POST",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/post",
            LEARNER_POST,
        ),
        "learning.attempt": (
            "GET",
            lambda w, s: f"/learn/attempt/{999 if s == 'other' else 998}",
            {**LEARNER_ONLY, "learner": (404, 404)},
        ),
        "learning.save_answer": (
            "POST",
            lambda w, s: "/learn/attempt/999/answer",
            {**LEARNER_POST, "learner": same(404)},
        ),
        "learning.submit": (
            "POST",
            lambda w, s: "/learn/attempt/999",
            {**LEARNER_POST, "learner": same(404)},
        ),
        "learning.result": (
            "GET",
            lambda w, s: "/learn/attempt/999/result",
            {**LEARNER_ONLY, "learner": same(404)},
        ),
    }
)


STAFF_CERT = {
    "anonymous": same(LOGIN),
    "learner": same(403),
    "manager": (200, 404),
    "auditor": (200, 404),
    "admin": same(200),
}
ADMIN_ONLY_POST = {
    "anonymous": same(LOGIN),
    "learner": same(403),
    "manager": same(403),
    "auditor": same(403),
    "admin": same(302),
}
MATRIX.update(
    {
        "certificates.verify": (
            "GET",
            lambda w, s: f"/verify/{cert_code(w, s)}",
            {r: same(200) for r in ROLES},
        ),
        "certificates.verify_json": (
            "GET",
            lambda w, s: f"/verify/{cert_code(w, s)}.json",
            {r: same(200) for r in ROLES},
        ),
        "certificates.mine": (
            "GET",
            lambda w, s: "/certificates/mine",
            {
                "anonymous": same(LOGIN),
                "learner": same(200),
                "manager": same(200),
                "auditor": same(403),
                "admin": same(403),
            },
        ),
        "certificates.download": (
            "GET",
            lambda w, s: f"/certificates/{cert_id(w, s)}/download",
            {**STAFF_CERT, "learner": (200, 404)},
        ),
        "certificates.detail": ("GET", lambda w, s: f"/certificates/{cert_id(w, s)}", STAFF_CERT),
        "certificates.org_list": (
            "GET",
            lambda w, s: f"/certificates/org?org={org_id(w, s)}",
            {
                "anonymous": same(LOGIN),
                "learner": same(403),
                "manager": same(200),
                "auditor": (200, 404),
                "admin": same(200),
            },
        ),
        "certificates.org_zip": (
            "POST",
            lambda w, s: f"/certificates/org/zip?org={org_id(w, s)}",
            {
                "anonymous": same(LOGIN),
                "learner": same(403),
                "manager": same(200),
                "auditor": (200, 404),
                "admin": same(200),
            },
        ),
        "certificates.search": (
            "GET",
            lambda w, s: "/certificates/search?q=T",
            {
                "anonymous": same(LOGIN),
                "learner": same(403),
                "manager": same(403),
                "auditor": same(200),
                "admin": same(200),
            },
        ),
        "certificates.revoke": (
            "POST",
            lambda w, s: f"/certificates/{cert_id(w, s)}/revoke",
            ADMIN_ONLY_POST,
        ),
        "certificates.reissue": (
            "POST",
            lambda w, s: f"/certificates/{cert_id(w, s)}/reissue",
            ADMIN_ONLY_POST,
        ),
    }
)


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "add these routes to the matrix"
    assert set(MATRIX) - endpoints == set(), "these matrix rows name no route"


def test_every_view_declares_its_policy(app):
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        assert getattr(view, "permission", None), f"{endpoint} declares no permission"


CASES = [
    (endpoint, role, scope) for endpoint in MATRIX for role in ROLES for scope in ("own", "other")
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), CASES)
def test_matrix(app, client, make, endpoint, role, scope):
    world = _world(make)
    if role != "anonymous":
        login(client, world.users[role])
    method, url_fn, expected = MATRIX[endpoint]
    url = url_fn(world, scope)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.open(url, method=method)
        response.close()
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
        db.session.rollback()
    own, other = expected[role]
    want = own if scope == "own" else other
    assert response.status_code == want, (endpoint, role, scope, url, response.status_code)
