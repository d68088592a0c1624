"""`flask reminders send`: mail through a real SMTP server, once per threshold, in the
recipient's language, with the right links."""

from __future__ import annotations

from datetime import date, timedelta
from email.header import decode_header, make_header

import pytest
from babel.dates import format_date
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import func, select

from tests.compliance.crafting import certify, days
from tests.support.mailbox import free_port
from trainer import timeutil
from trainer.compliance.models import ReminderDelivery
from trainer.compliance.reminders import threshold_for, week_start
from trainer.extensions import db
from trainer.mail.models import MailStatus, OutboxMail

BASE = timeutil.today()
DUE = BASE + timedelta(days=20)  # Ana, hired ten days ago, is due 30 days after hire


@pytest.fixture
def staff(make):
    org = make.org(name="Reminder Inn")
    manager = make.user(org, role="manager", first_name="Mina", email="mina@example.test")
    certify(manager, days(-10))
    ana = make.user(
        org, first_name="Ana", language="es", email="ana@example.test", hire_date=days(-10)
    )
    ben = make.user(org, first_name="Ben", email=None, hire_date=days(-10))
    cal = make.user(org, first_name="Cal", email="cal@example.test", hire_date=days(-700))
    cal_cert = certify(cal, days(-320))  # expires in about 45 days
    return manager, ana, ben, cal, cal_cert


def _send(runner, day: date):
    result = runner.invoke(args=["reminders", "send", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _subject(mail) -> str:
    return str(make_header(decode_header(mail["Subject"])))


def _to(mailbox, address: str) -> list:
    return [m for m in mailbox.messages if m["To"] == address]


def test_thresholds_are_sent_once_each(runner, mailbox, staff):
    _manager, ana, *_ = staff
    _send(runner, DUE - timedelta(days=20))
    assert _to(mailbox, ana.email) == []  # 20 days left: nothing yet

    _send(runner, DUE - timedelta(days=14))
    assert len(_to(mailbox, ana.email)) == 1
    output = _send(runner, DUE - timedelta(days=14))  # cron ran twice
    assert "0 sent" in output and len(_to(mailbox, ana.email)) == 1
    _send(runner, DUE - timedelta(days=10))
    assert len(_to(mailbox, ana.email)) == 1  # the 14-day mail covers this day

    _send(runner, DUE - timedelta(days=7))
    _send(runner, DUE - timedelta(days=1))
    _send(runner, DUE + timedelta(days=1))
    _send(runner, DUE + timedelta(days=2))
    mails = _to(mailbox, ana.email)
    assert len(mails) == 4
    keys = db.session.execute(
        select(ReminderDelivery.kind, ReminderDelivery.threshold, ReminderDelivery.due_date)
        .where(ReminderDelivery.recipient_id == ana.id)
        .order_by(ReminderDelivery.id)
    ).all()
    assert [tuple(k) for k in keys] == [
        ("due", 14, DUE),
        ("due", 7, DUE),
        ("due", 1, DUE),
        ("overdue", 0, DUE),
    ]


def test_learner_mail_is_in_their_language_with_the_link(runner, mailbox, staff):
    _manager, ana, *_ = staff
    _send(runner, DUE - timedelta(days=7))
    (mail,) = _to(mailbox, ana.email)
    body = mailbox.body(mail)
    english = "Your anti-trafficking training is due in 7 days"
    with force_locale("es"):
        spanish = ngettext(
            "Your anti-trafficking training is due in %(num)d day",
            "Your anti-trafficking training is due in %(num)d days",
            7,
        )
        greeting = gettext("Hello %(name)s,", name="Ana")
    assert spanish != english and _subject(mail) == spanish
    assert body.startswith(greeting)
    assert format_date(DUE, "long", locale="es") in body  # e.g. "14 de diciembre de 2026"
    assert "http://localhost/learn/" in body

    _send(runner, DUE + timedelta(days=3))
    overdue = _to(mailbox, ana.email)[-1]
    with force_locale("es"):
        assert _subject(overdue) == gettext("Your anti-trafficking training is overdue")
    assert format_date(DUE, "long", locale="es") in mailbox.body(overdue)


def test_weekly_digest_names_late_expiring_and_unreachable_staff(runner, mailbox, staff):
    manager, _ana, ben, cal, cal_cert = staff
    _send(runner, BASE)
    (digest,) = _to(mailbox, manager.email)
    body = mailbox.body(digest)
    assert "Reminder Inn" in _subject(digest)
    # Ben has no email address and is due: the manager must tell him
    assert "Ben Test" in body and "no email address" in body
    assert "http://localhost/orgs/staff" in body
    # Cal's certificate expires within 60 days
    assert cal_cert.serial in body and "Cal Test" in body
    assert "http://localhost/compliance/" in body

    _send(runner, BASE)
    assert len(_to(mailbox, manager.email)) == 1  # once a week
    later = BASE + timedelta(days=28)  # another week: Ana and Ben are now late
    _send(runner, later)
    digests = _to(mailbox, manager.email)
    assert len(digests) == 2
    body = mailbox.body(digests[-1])
    assert "Overdue or expired (2)" in body
    assert f"http://localhost/compliance/people/{ben.id}" in body
    assert "http://localhost/compliance/?status=overdue" in body
    assert cal.id


def test_a_mail_that_could_not_be_sent_is_kept_and_sent_later(app, runner, mailbox, staff):
    _manager, ana, *_ = staff
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    try:
        _send(runner, DUE - timedelta(days=7))
    finally:
        app.config["MAIL_PORT"] = port
    # the reminder is recorded (never sent twice) and its message waits in the outbox
    assert db.session.scalar(select(func.count(ReminderDelivery.id))) == 2
    waiting = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == ana.email)).one()
    assert waiting.status == MailStatus.PENDING and waiting.attempts == 1 and waiting.last_error
    assert _to(mailbox, ana.email) == []
    # its retry time comes; the sweep sends it, and a second run sends nothing new
    waiting.next_attempt_at = waiting.next_attempt_at - timedelta(hours=1)
    db.session.commit()
    assert runner.invoke(args=["mail", "sweep"]).exit_code == 0
    _send(runner, DUE - timedelta(days=7))
    assert len(_to(mailbox, ana.email)) == 1


def test_dry_run_sends_nothing(runner, mailbox, staff):
    result = runner.invoke(
        args=["reminders", "send", "--dry-run", "--today", (DUE - timedelta(days=1)).isoformat()]
    )
    assert result.exit_code == 0 and "ana@example.test" in result.output
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count(ReminderDelivery.id))) == 0


def test_bad_date_is_refused(runner, staff):
    result = runner.invoke(args=["reminders", "send", "--today", "next tuesday"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(30, None), (15, None), (14, 14), (8, 14), (7, 7), (2, 7), (1, 1), (0, 1), (-1, None)],
)
def test_threshold_for(days_left, threshold):
    assert threshold_for(days_left) == threshold


def test_week_start_is_monday():
    assert week_start(date(2026, 3, 5)) == date(2026, 3, 2)
    assert week_start(date(2026, 3, 2)) == date(2026, 3, 2)


def test_a_concurrent_run_that_sent_first_wins(runner, mailbox, staff, monkeypatch):
    """Two runs plan the same mail; the unique key lets only the first one send it."""
    _manager, ana, *_ = staff
    day = DUE - timedelta(days=7)
    db.session.add(
        ReminderDelivery(
            recipient_id=ana.id, kind="due", due_date=DUE, threshold=7, organization_id=None
        )
    )
    db.session.commit()
    monkeypatch.setattr("trainer.compliance.reminders._sent_keys", lambda planned: set())
    output = _send(runner, day)
    assert "1 already sent" in output
    assert _to(mailbox, ana.email) == []
