"""Rules about people kept by the services (the views only ask): unique e-mail addresses,
no change to one's own role or active state."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.support.web import csrf_token, login
from trainer.auth import services as auth
from trainer.auth.models import Role, User
from trainer.extensions import db
from trainer.orgs import services


def _data(email: str | None) -> services.StaffData:
    return services.StaffData(
        first_name="Ana",
        last_name="Ruiz",
        email=email,
        job_role="housekeeping",
        hire_date=date(2026, 1, 5),
    )


def test_a_taken_email_is_refused_by_the_unique_index_whatever_its_case(app, make) -> None:
    org = make.org()
    admin = make.user(role="admin")
    make.user(org, email="taken@example.test")
    with pytest.raises(services.EmailTaken):
        services.add_staff(org, _data("TAKEN@example.test"), actor=admin)
    db.session.rollback()
    assert (
        db.session.scalar(select(func.count()).select_from(User).where(User.first_name == "Ana"))
        == 0
    )


def test_an_edit_to_a_taken_email_is_refused(app, make) -> None:
    org = make.org()
    admin = make.user(role="admin")
    make.user(org, email="taken@example.test")
    person = make.user(org, email="mine@example.test")
    with pytest.raises(services.EmailTaken):
        services.update_staff(person, _data("Taken@Example.test"), actor=admin)
    db.session.rollback()
    assert db.session.get(User, person.id).email == "mine@example.test"


def test_the_form_says_the_email_is_taken_and_adds_nobody(app, client, make) -> None:
    org = make.org()
    manager = make.user(org, role="manager")
    make.user(org, email="taken@example.test")
    login(client, manager)
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post(
        "/orgs/staff/new",
        data={
            "csrf_token": csrf_token(client, "/orgs/staff/new"),
            "first_name": "Ana",
            "last_name": "Ruiz",
            "email": "Taken@example.test",
            "job_role": "housekeeping",
            "hire_date": "2026-01-05",
            "language": "en",
            "extra_time_percent": "0",
            "employment": "direct",
        },
    )
    assert response.status_code == 200
    assert "Another account already uses this email." in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_nobody_deactivates_their_own_account(app, make) -> None:
    admin = make.user(make.org(), role="admin")
    with pytest.raises(auth.NotOnOneself):
        services.set_staff_active(admin, False, actor=admin)
    assert admin.active


def test_nobody_changes_their_own_role(app, make) -> None:
    admin = make.user(role="admin")
    with pytest.raises(auth.NotOnOneself):
        auth.change_role(admin, Role.LEARNER, actor=admin)
    assert admin.role == Role.ADMIN


def test_an_admin_changes_someone_elses_role(app, make) -> None:
    admin = make.user(role="admin")
    other = make.user(role="auditor")
    change = auth.change_role(other, Role.ADMIN, actor=admin)
    assert (change.old, change.new) == ("auditor", "admin")
