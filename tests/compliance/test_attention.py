"""The dashboard leads with what to do: who is late, the urgent first, reminders to send."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.compliance.crafting import certify, days, start_training
from tests.compliance.test_dashboard import _names
from tests.support.web import csrf_token, login
from trainer.compliance import attention, services
from trainer.compliance.models import ReminderDelivery
from trainer.compliance.rules import add_months
from trainer.extensions import db


@pytest.fixture
def hotel(make):
    """A California hotel with one person per status (as the dashboard tests use)."""
    org = make.org(name="Pacific Inn", jurisdiction="california")
    manager = make.user(
        org, role="manager", job_role="management", first_name="Mara", email="mara@example.test"
    )
    people = {
        "not_covered": manager,
        "not_started": make.user(org, first_name="Nina", hire_date=days(-10)),
        "in_progress": make.user(org, first_name="Ivan", hire_date=days(-10)),
        "due_soon": make.user(
            org, first_name="Dora", job_role="housekeeping", hire_date=days(-170)
        ),
        "overdue": make.user(
            org,
            first_name="Otto",
            job_role="housekeeping",
            hire_date=days(-200),
            email=None,
            password_hash=None,
        ),
        "late2": make.user(
            org, first_name="Lola", job_role="housekeeping", hire_date=days(-300), language="es"
        ),
        "compliant": make.user(org, first_name="Cleo", job_role="bell_valet", hire_date=days(-400)),
        "expired": make.user(org, first_name="Ezra", job_role="driver", hire_date=days(-1000)),
    }
    start_training(people["in_progress"])
    certify(people["compliant"], days(-100), expires_on=add_months(days(-100), 24))
    certify(people["expired"], days(-800), expires_on=add_months(days(-800), 24))
    return org, manager, people


def test_urgency_sort_puts_late_first_then_due_soonest_then_in_progress_then_certified(hotel):
    org, _manager, _people = hotel
    rows = services.staff_rows(org, date.today())
    ordered = [
        row.first_name for row in attention.filter_rows(rows, services.StaffFilter(sort="urgency"))
    ]
    late = [r for r in rows if r.status in services.LATE]
    late_first = [r.first_name for r in sorted(late, key=lambda r: r.due.due_date)]
    assert ordered[: len(late)] == late_first  # the longest late at the top
    assert set(late_first) == {"Otto", "Lola", "Ezra"}
    rest = ordered[len(late) :]
    dora_due = next(r for r in rows if r.first_name == "Dora").due.due_date
    nina_due = next(r for r in rows if r.first_name == "Nina").due.due_date
    first_two = ["Dora", "Nina"] if dora_due <= nina_due else ["Nina", "Dora"]
    assert rest == [*first_two, "Ivan", "Cleo", "Mara"]


def test_the_dashboard_sorts_by_urgency_unless_asked_otherwise(client, hotel):
    _org, manager, _people = hotel
    login(client, manager)
    names = _names(client.get("/compliance/").text)
    assert names[-2:] == ["Cleo Test", "Mara Test"]
    assert set(names[:3]) == {"Otto Test", "Lola Test", "Ezra Test"}
    by_name = _names(client.get("/compliance/?sort=name").text)
    assert by_name == sorted(by_name, key=lambda n: n.split()[0])


def test_the_late_filter_shows_overdue_and_expired(client, hotel):
    _org, manager, _people = hotel
    login(client, manager)
    page = client.get("/compliance/?status=late")
    assert sorted(_names(page.text)) == ["Ezra Test", "Lola Test", "Otto Test"]
    assert "the defaults were used instead" not in page.text


def test_the_dashboard_leads_with_what_to_do(client, hotel):
    _org, manager, _people = hotel
    login(client, manager)
    page = client.get("/compliance/")
    text = page.text
    todo = text.index("3 staff are overdue")
    assert todo < text.index('id="list-h"')  # before the list
    assert "1 of them has no email address" in text
    assert 'href="/compliance/reminders"' in text and "Send reminders (2 with email)" in text
    assert 'href="/compliance/?status=late"' in text
    # Otto has no email and no code: the batch of access sheets is one click away
    assert 'action="/orgs/staff/access-sheets"' in text
    # the rule is said once, not on every row
    assert "Due dates follow:" in text and '<th scope="col">Rule</th>' not in text
    # status in words, with a count in the right plural
    assert "days late" in text or "day late" in text


def test_an_auditor_sees_the_summary_but_no_actions(client, make, hotel):
    org, _manager, _people = hotel
    login(client, make.user(role="auditor", jurisdiction="california"))
    page = client.get(f"/compliance/?org={org.id}")
    assert "3 staff are overdue" in page.text
    assert "/compliance/reminders" not in page.text and "access-sheets" not in page.text
    assert client.get(f"/compliance/reminders?org={org.id}").status_code == 403


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("overdue", "days late"),
        ("expired", "Certificate expired"),
        ("compliant", "Certified until"),
        ("not_covered", "No training required"),
        ("in_progress", "Due in"),
    ],
)
def test_status_in_words(hotel, status, words):
    org, _manager, people = hotel
    rows = {r.user_id: r for r in services.staff_rows(org, date.today())}
    assert words in attention.describe(rows[people[status].id], date.today())


def test_reminders_are_confirmed_then_mailed_once_a_day(client, mailbox, hotel):
    _org, manager, people = hotel
    login(client, manager)
    confirm = client.get("/compliance/reminders")
    assert confirm.status_code == 200
    assert "Lola Test" in confirm.text and "Ezra Test" in confirm.text
    assert "Otto Test" not in confirm.text  # no email
    assert not mailbox.messages  # the page itself sends nothing

    token = csrf_token(client, "/compliance/reminders")
    sent = client.post("/compliance/reminders", data={"csrf_token": token})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/compliance/")
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == sorted([people["late2"].email, people["expired"].email])
    lola = next(m for m in mailbox.messages if m["To"] == people["late2"].email)
    assert lola["Content-Language"] == "es"
    assert (
        db.session.scalar(
            select(func.count(ReminderDelivery.id)).where(ReminderDelivery.kind == "manual")
        )
        == 2
    )

    again = client.post("/compliance/reminders", data={"csrf_token": token}, follow_redirects=True)
    assert len(mailbox.messages) == 2  # a second click the same day sends nothing
    assert "already reminded today" in again.text


def test_reminders_without_csrf_send_nothing(client, mailbox, hotel):
    _org, manager, _people = hotel
    login(client, manager)
    response = client.post("/compliance/reminders", data={})
    assert response.status_code == 400
    assert not mailbox.messages
    assert db.session.scalar(select(func.count(ReminderDelivery.id))) == 0
