"""Extended time: a manager or admin gives a learner more time before an idle sign-out.

Lesson pacing is a minimum reading time, so extended time never lengthens it.
"""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from tests.support.web import csrf_token, login
from trainer.audit.models import AuditEvent
from trainer.auth.models import User
from trainer.extensions import db
from trainer.learning import services as learning


def _form(person, **changes):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email or "",
        "job_role": person.job_role,
        "hire_date": person.hire_date.isoformat(),
        "language": person.language,
        "extra_time_percent": "0",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_manager_or_admin_gives_extended_time(client, make, role):
    org = make.org()
    staff = make.user(org)
    boss = make.user(org if role == "manager" else None, role=role)
    login(client, boss)
    url = f"/orgs/staff/{staff.id}/edit"
    page = client.get(url)
    assert 'name="extra_time_percent"' in page.text
    token = csrf_token(client, url)
    response = client.post(url, data={**_form(staff, extra_time_percent="50"), "csrf_token": token})
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert db.session.get(User, staff.id).extra_time_percent == 50
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.updated")).one()
    assert json.loads(event.details) == {"fields": ["extra_time_percent"]}
    assert '<option selected value="50">' in client.get(url).text


@pytest.mark.parametrize("value", ["300", "-25", "abc", ""])
def test_extended_time_outside_the_choices_is_refused(client, make, value):
    org = make.org()
    staff = make.user(org, extra_time_percent=25)
    login(client, make.user(org, role="manager"))
    url = f"/orgs/staff/{staff.id}/edit"
    token = csrf_token(client, url)
    response = client.post(
        url, data={**_form(staff, extra_time_percent=value), "csrf_token": token}
    )
    assert response.status_code == 200
    assert "error-summary" in response.text
    db.session.expire_all()
    assert db.session.get(User, staff.id).extra_time_percent == 25


def _idle_for(client, seconds: float) -> int:
    with client.session_transaction() as session:
        session["seen"] = int(time.time() - seconds)
    return client.get("/learn/").status_code


@pytest.mark.parametrize(
    ("percent", "idle_factor", "signed_in"),
    [
        (0, 0.95, True),
        (0, 1.05, False),
        (50, 1.45, True),
        (50, 1.55, False),
        (100, 1.95, True),
        (100, 2.05, False),
    ],
)
def test_extended_time_lengthens_the_idle_sign_out(
    client, make, app, percent, idle_factor, signed_in
):
    user = make.user(make.org(), extra_time_percent=percent)
    login(client, user)
    base = app.config["IDLE_TIMEOUT_MINUTES"] * 60
    status = _idle_for(client, base * idle_factor)
    assert status == (200 if signed_in else 302)


def test_extended_time_never_lengthens_lesson_pacing(make):
    org = make.org()
    plain = make.user(org)
    extended = make.user(org, extra_time_percent=100)
    enrollment = learning.enrollments_of(plain)[0]
    version = learning.version_for(enrollment.modules[0])
    for lesson in version.lessons:
        assert learning.lesson_minimum(version, lesson, extended) == learning.lesson_minimum(
            version, lesson, plain
        )
