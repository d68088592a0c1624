"""Reminder mails: learners before and after their due date, managers once a week.

`plan` works out what should go out today; `deliver` records one reminder (its unique
key: recipient, kind, due date, threshold) and sends it. The command that calls them
commits after each mail, so running it twice, or again after a crash, sends nothing twice.

- Learners with an email get "due in 14, 7, 1 days" (the smallest threshold reached, so
  a learner first seen 5 days before gets the 7-day mail, never the 14-day one after it)
  and one "overdue" mail per missed due date.
- Managers get a weekly digest (keyed by the week's Monday): staff who are overdue or
  expired, certificates that expire within 60 days, and the staff without an email
  address who are due, since no reminder reaches them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from trainer.auth.models import Role, User
from trainer.certificates.models import Certificate
from trainer.compliance import services
from trainer.compliance.models import ReminderDelivery
from trainer.compliance.rules import StaffStatus
from trainer.compliance.services import StaffRow
from trainer.core.vocabulary import supported_language
from trainer.extensions import db
from trainer.mail import send_after_commit
from trainer.orgs.models import Organization
from trainer.timeutil import local_date

THRESHOLDS: tuple[int, ...] = (14, 7, 1)
EXPIRING_WITHIN_DAYS = 60
DIGEST_LIST_LIMIT = 100
DUE, OVERDUE, DIGEST = "due", "overdue", "digest"
_OPEN = frozenset(
    {
        StaffStatus.NOT_STARTED,
        StaffStatus.IN_PROGRESS,
        StaffStatus.DUE_SOON,
        StaffStatus.COMPLIANT,
    }
)
_NEEDS_ACTION = frozenset({StaffStatus.DUE_SOON, StaffStatus.OVERDUE, StaffStatus.EXPIRED})


@dataclass(frozen=True)
class Reminder:
    """One mail to send, with its unique key and what its template needs."""

    recipient_id: int
    organization_id: int | None
    email: str
    language: str
    kind: str
    due_date: date
    threshold: int
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> tuple[int, str, date, int]:
        """The key that makes the mail go out once."""
        return (self.recipient_id, self.kind, self.due_date, self.threshold)


def threshold_for(days_left: int) -> int | None:
    """The smallest reminder threshold reached `days_left` days before a due date."""
    if days_left < 0:
        return None
    reached = [t for t in THRESHOLDS if days_left <= t]
    return min(reached) if reached else None


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in (the key of a weekly digest)."""
    return day - timedelta(days=day.weekday())


def link(endpoint: str, **values: Any) -> str:
    """An absolute link to a page, from PUBLIC_BASE_URL (no request needed)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def learner_reminders(rows: Iterable[StaffRow], today: date) -> Iterator[Reminder]:
    """The due and overdue reminders that staff with an email have reached today."""
    for row in rows:
        if not row.email or not row.active or row.due.due_date is None:
            continue
        due = row.due.due_date
        if row.status in services.LATE:
            yield _learner(row, OVERDUE, 0, today)
        elif row.status in _OPEN:
            threshold = threshold_for((due - today).days)
            if threshold is not None:
                yield _learner(row, DUE, threshold, today)


def overdue_reminder(row: StaffRow, today: date) -> Reminder:
    """The overdue mail for a late staff member (with an email), as the daily run sends it."""
    return _learner(row, OVERDUE, 0, today)


def _learner(row: StaffRow, kind: str, threshold: int, today: date) -> Reminder:
    due = row.due.due_date
    assert due is not None
    return Reminder(
        recipient_id=row.user_id,
        organization_id=row.organization_id,
        email=row.email or "",
        language=row.language,
        kind=kind,
        due_date=due,
        threshold=threshold,
        context={
            "name": row.first_name,
            "days": (due - today).days,
            "refresher": row.due.reason == "refresher",
            "citation": row.due.citation or "",
        },
    )


def _expiring(today: date) -> dict[int, list[Certificate]]:
    """Current certificates of active staff expiring within 60 days, by organization."""
    staff = select(User.id).where(User.active.is_(True), User.role.in_(services.STAFF_ROLES))
    found: dict[int, list[Certificate]] = {}
    for cert in db.session.scalars(
        select(Certificate)
        .where(
            Certificate.user_id.in_(staff),
            Certificate.is_current,
            Certificate.expires_on >= today,
            Certificate.expires_on <= today + timedelta(days=EXPIRING_WITHIN_DAYS),
        )
        .order_by(Certificate.expires_on, Certificate.holder_name)
    ):
        if cert.organization_id is not None:
            found.setdefault(cert.organization_id, []).append(cert)
    return found


def digests(rows: Sequence[StaffRow], today: date) -> list[Reminder]:
    """A weekly digest per manager with an email, for organizations with news."""
    by_org: dict[int, list[StaffRow]] = {}
    for row in rows:
        by_org.setdefault(row.organization_id, []).append(row)
    latest = {row.user_id: row.completed_on for row in rows}
    expiring = _expiring(today)
    managers = db.session.execute(
        select(User.id, User.email, User.first_name, User.language, User.organization_id)
        .join(Organization, Organization.id == User.organization_id)
        .where(
            User.role == Role.MANAGER.value,
            User.active.is_(True),
            User.email.is_not(None),
            Organization.active.is_(True),
        )
        .order_by(User.id)
    ).all()
    names = dict(db.session.execute(select(Organization.id, Organization.name)).all())
    monday = week_start(today)
    result = []
    for manager in managers:
        staff = by_org.get(manager.organization_id, [])
        late = [r for r in staff if r.status in services.LATE]
        unreachable = [r for r in staff if not r.email and r.status in _NEEDS_ACTION]
        certs = [
            c
            for c in expiring.get(manager.organization_id, [])
            if latest.get(c.user_id) == local_date(c.completed_at)
        ]
        if not (late or unreachable or certs):
            continue
        result.append(
            Reminder(
                recipient_id=manager.id,
                organization_id=manager.organization_id,
                email=manager.email,
                language=manager.language,
                kind=DIGEST,
                due_date=monday,
                threshold=0,
                context={
                    "name": manager.first_name,
                    "org_name": names.get(manager.organization_id, ""),
                    "late": late,
                    "unreachable": unreachable,
                    "expiring": certs,
                },
            )
        )
    return result


def _sent_keys(reminders: Sequence[Reminder]) -> set[tuple[int, str, date, int]]:
    """The keys among `reminders` that were already delivered."""
    keys = [r.key for r in reminders]
    sent: set[tuple[int, str, date, int]] = set()
    columns = (
        ReminderDelivery.recipient_id,
        ReminderDelivery.kind,
        ReminderDelivery.due_date,
        ReminderDelivery.threshold,
    )
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        recipients = {key[0] for key in chunk}
        for row in db.session.execute(
            select(*columns).where(ReminderDelivery.recipient_id.in_(recipients))
        ):
            sent.add(tuple(row))  # type: ignore[arg-type]
    return sent


def plan(today: date) -> list[Reminder]:
    """Every reminder due today that has not been delivered yet."""
    conditions = [User.active.is_(True), Organization.active.is_(True)]
    rows = list(services.iter_staff_rows(conditions, today))
    planned = [*learner_reminders(rows, today), *digests(rows, today)]
    sent = _sent_keys(planned)
    return [r for r in planned if r.key not in sent]


def render(reminder: Reminder, today: date) -> tuple[str, str]:
    """Subject and body of a reminder, in the recipient's language."""
    language = supported_language(reminder.language)
    with force_locale(language):
        when = format_date(reminder.due_date, "long")
        if reminder.kind == DIGEST:
            context = reminder.context
            subject = _("Weekly training digest: %(org)s", org=context["org_name"])
            body = render_template(
                "compliance/mail_digest.txt",
                **context,
                limit=DIGEST_LIST_LIMIT,
                labels=services.STATUS_LABELS,
                dashboard=link("compliance.dashboard"),
                overdue_link=link("compliance.dashboard", status="overdue"),
                person_link=lambda user_id: link("compliance.person", user_id=user_id),
                access_sheets=link("orgs.staff_list"),
                format_date=format_date,
                today=today,
            )
        elif reminder.kind == OVERDUE:
            subject = _("Your anti-trafficking training is overdue")
            body = render_template(
                "compliance/mail_overdue.txt",
                **reminder.context,
                when=when,
                home=link("learning.home"),
            )
        else:
            days = reminder.context["days"]
            subject = ngettext(
                "Your anti-trafficking training is due in %(num)d day",
                "Your anti-trafficking training is due in %(num)d days",
                days,
            )
            if days == 0:
                subject = _("Your anti-trafficking training is due today")
            body = render_template(
                "compliance/mail_due.txt",
                **reminder.context,
                when=when,
                home=link("learning.home"),
            )
    return subject, body


def deliver(reminder: Reminder, today: date) -> None:
    """Record the reminder and put its message in the outbox (both flushed).

    The caller commits after each delivery (the message leaves after that commit, and its
    sending is retried from the outbox), and rolls back on IntegrityError, raised when
    another run recorded the same reminder first.
    """
    subject, body = render(reminder, today)
    db.session.add(
        ReminderDelivery(
            recipient_id=reminder.recipient_id,
            kind=reminder.kind,
            due_date=reminder.due_date,
            threshold=reminder.threshold,
            organization_id=reminder.organization_id,
        )
    )
    db.session.flush()
    send_after_commit(reminder.email, subject, body, language=reminder.language)
