"""Who may manage whom: every staff action x every kind of target, for managers and admins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.web import csrf_token, login
from trainer.auth import services as auth
from trainer.auth.models import Role, User
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.policy import StaffAction, may_manage


@dataclass
class Cast:
    org: Any
    manager: Any
    targets: dict[str, Any]


@pytest.fixture
def cast(make) -> Cast:
    """A hotel with its manager, and one person of every kind the manager might act on."""
    org = make.org(name="Own Hotel")
    other = make.org(name="Other Hotel")
    manager = make.user(org, role="manager")
    targets = {
        "learner": make.user(org),
        "learner_elsewhere": make.user(other),
        "fellow_manager": make.user(org, role="manager"),
        "self": manager,
        "auditor": make.user(role="auditor"),
        # an admin account attached to the hotel must not fall under its manager
        "admin_of_hotel": make.user(org, role="admin"),
    }
    for person in (manager, targets["fellow_manager"]):  # managers take the training too
        learning.enroll(person, learning.tracks_for(person)[0])
    db.session.commit()
    return Cast(org, manager, targets)


#: What a manager may do to each kind of target: every action allowed only on a learner
#: of their own organization (except role changes, which are for admins).
MANAGER_MAY = {"learner"}


@pytest.mark.parametrize("action", list(StaffAction))
@pytest.mark.parametrize(
    "target",
    ["learner", "learner_elsewhere", "fellow_manager", "self", "auditor", "admin_of_hotel"],
)
def test_policy_manager(cast, action, target):
    want = target in MANAGER_MAY and action != StaffAction.CHANGE_ROLE
    assert may_manage(cast.manager, cast.targets[target], action) is want


@pytest.mark.parametrize("action", list(StaffAction))
def test_policy_admin_never_raises_or_locks_out_itself(make, action):
    admin = make.user(role="admin")
    other_admin = make.user(role="admin")
    learner = make.user(make.org())
    assert may_manage(admin, other_admin, action) is (action != StaffAction.ACCESS_CODE)
    assert may_manage(admin, learner, action) is True
    on_self = action not in (
        StaffAction.CHANGE_ROLE,
        StaffAction.DEACTIVATE,
        StaffAction.EXTRA_ROUND,
        StaffAction.ACCESS_CODE,
    )
    assert may_manage(admin, admin, action) is on_self


@pytest.mark.parametrize("action", list(StaffAction))
def test_policy_auditors_and_learners_manage_nobody(make, action):
    org = make.org()
    learner = make.user(org)
    for actor in (make.user(role="auditor"), make.user(org)):
        assert may_manage(actor, learner, action) is False


def _requests(person: Any) -> dict[StaffAction, tuple[str, str, dict[str, str]]]:
    """The HTTP request behind each action, aimed at `person`."""
    progress = None
    if person.role == Role.LEARNER or person.role == Role.MANAGER:
        enrollments = learning.enrollments_of(person)
        progress = enrollments[0].modules[0] if enrollments else None
    return {
        StaffAction.EDIT: ("POST", f"/orgs/staff/{person.id}/edit", _staff_form(person)),
        StaffAction.INVITE: ("POST", f"/orgs/staff/{person.id}/invite", {}),
        StaffAction.ACCESS_CODE: (
            "POST",
            f"/orgs/staff/{person.id}/access-code",
            {"action": "issue"},
        ),
        # (confirmed: without "confirm", deactivating only shows a confirmation page)
        StaffAction.DEACTIVATE: (
            "POST",
            f"/orgs/staff/{person.id}/active",
            {"active": "0", "confirm": "yes"},
        ),
        StaffAction.EXTRA_ROUND: (
            "POST",
            f"/learn/progress/{progress.id if progress else 2**31 - 1}/extra-round",
            {},
        ),
        StaffAction.ASSIGN: ("POST", f"/learn/assign/{person.id}", {"track": "1"}),
        StaffAction.CHANGE_ROLE: ("POST", f"/auth/users/{person.id}/role", {"role": "admin"}),
    }


def _staff_form(person: Any) -> dict[str, str]:
    return {
        "first_name": "Changed",
        "last_name": person.last_name or "X",
        "email": "taken-over@example.test",
        "job_role": "front_desk",
        "hire_date": "2026-01-05",
        "language": "en",
        "extra_time_percent": "0",
    }


def _state(person_id: int) -> tuple:
    db.session.expire_all()
    person = db.session.get(User, person_id)
    return (
        person.email,
        person.first_name,
        person.role,
        person.active,
        person.access_code_digest,
        person.security_stamp,
    )


@pytest.mark.parametrize("action", list(StaffAction))
@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("learner_elsewhere", 404),
        ("fellow_manager", 403),
        ("self", 403),
        ("auditor", 404),
        ("admin_of_hotel", 403),
    ],
)
def test_manager_cannot_act_on_anyone_but_own_learners(app, client, cast, action, target, status):
    """Each refused action changes nothing about the person (no takeover of an admin)."""
    person = cast.targets[target]
    login(client, cast.manager)
    method, url, data = _requests(person)[action]
    before = _state(person.id)
    data = {**data, "csrf_token": csrf_token(client, "/orgs/staff")}
    response = client.open(url, method=method, data=data)
    if action == StaffAction.CHANGE_ROLE:
        status = 403  # the role change needs the admin's permission first
    if action == StaffAction.EXTRA_ROUND and target in ("auditor", "admin_of_hotel"):
        status = 404  # they have no training progress to point at
    assert response.status_code == status, (action, target, response.status_code)
    assert _state(person.id) == before


def test_manager_acts_on_own_learner(app, client, cast, mailbox):
    person = cast.targets["learner"]
    login(client, cast.manager)
    requests = _requests(person)
    for action in (
        StaffAction.EDIT,
        StaffAction.INVITE,
        StaffAction.ACCESS_CODE,
        StaffAction.DEACTIVATE,
    ):
        method, url, data = requests[action]
        token = csrf_token(client, "/orgs/staff")
        response = client.open(url, method=method, data={**data, "csrf_token": token})
        assert response.status_code in (200, 302), (action, response.status_code)
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.first_name == "Changed" and not person.active
    assert person.access_code_digest is not None


def test_admin_cannot_change_own_role_or_deactivate_self(app, client, make):
    admin = make.user(role="admin", organization_id=make.org().id)
    login(client, admin)
    token = csrf_token(client, "/auth/users")
    assert (
        client.post(
            f"/auth/users/{admin.id}/role", data={"role": "learner", "csrf_token": token}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/orgs/staff/{admin.id}/active", data={"active": "0", "csrf_token": token}
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"
    assert db.session.get(User, admin.id).active


def test_access_codes_sign_in_learners_only(app, client, make):
    """A code left on an account that became a manager no longer signs anyone in."""
    org = make.org()
    admin = make.user(role="admin")
    person = make.user(org, email=None, password_hash=None)
    code = auth.issue_access_code(person, actor=admin)
    db.session.commit()
    person.role = Role.MANAGER.value  # as if changed outside the role-change service
    db.session.commit()
    token = csrf_token(client, "/auth/code")
    response = client.post("/auth/code", data={"code": code, "csrf_token": token})
    assert response.status_code == 200 and "not valid" in response.text
    # and the role-change service revokes the code outright
    person.role = Role.LEARNER.value
    db.session.commit()
    auth.change_role(person, Role.MANAGER, actor=admin)
    db.session.commit()
    assert db.session.get(User, person.id).access_code_digest is None
    with pytest.raises(ValueError, match="learners only"):
        auth.issue_access_code(db.session.get(User, person.id), actor=admin)


def test_manager_cannot_print_a_sheet_for_a_manager(app, client, cast):
    login(client, cast.manager)
    sheet = client.post(
        f"/orgs/staff/{cast.targets['fellow_manager'].id}/access-code",
        data={"action": "issue", "csrf_token": csrf_token(client, "/orgs/staff")},
    )
    assert sheet.status_code == 403
    assert not re.search(r'class="sheet-code"', sheet.text)
