"""What a manager should do next: who is late, the list in order of urgency, reminders.

The dashboard leads with this: how many staff are late (overdue or expired), how many of
them a reminder mail can reach, how many have no way to sign in yet (their access sheets
are the remedy), and the staff list sorted so that the most urgent come first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from trainer.compliance import reminders, services
from trainer.compliance.models import ReminderDelivery
from trainer.compliance.rules import StaffStatus
from trainer.compliance.services import StaffFilter, StaffRow
from trainer.extensions import db
from trainer.mail import send_after_commit
from trainer.orgs import sheets
from trainer.orgs.models import Organization

#: The pseudo-status of the staff filter that stands for "overdue or expired".
LATE = "late"
#: The sort that puts the most urgent first (the dashboard's default).
URGENCY = "urgency"
#: The kind of a reminder a manager sends from the dashboard (keyed by the day it is sent,
#: so a second click, a reload or a second manager the same day sends nothing twice).
MANUAL = "manual"

_GROUPS: dict[StaffStatus, int] = {
    StaffStatus.OVERDUE: 0,
    StaffStatus.EXPIRED: 0,
    StaffStatus.DUE_SOON: 1,
    StaffStatus.NOT_STARTED: 1,
    StaffStatus.IN_PROGRESS: 2,
    StaffStatus.COMPLIANT: 3,
    StaffStatus.NOT_COVERED: 4,
}


def urgency_key(row: StaffRow) -> tuple[int, bool, date, str, str, int]:
    """Late first (longest late first), then due soonest, in progress, certified, others."""
    due = row.due.due_date
    return (
        _GROUPS[row.status],
        due is None,
        due or date.max,
        row.last_name.casefold(),
        row.first_name.casefold(),
        row.user_id,
    )


def filter_rows(rows: Iterable[StaffRow], filters: StaffFilter) -> list[StaffRow]:
    """The staff list: the services' filters and sorts plus `late` and `urgency`."""
    pool = list(rows)
    if filters.status == LATE:
        pool = [row for row in pool if row.status in services.LATE]
        filters = replace(filters, status=None)
    if filters.sort != URGENCY:
        return services.filter_rows(pool, filters)
    chosen = services.filter_rows(pool, replace(filters, sort="name", descending=False))
    chosen.sort(key=urgency_key, reverse=filters.descending)
    return chosen


def describe(row: StaffRow, today: date) -> str:
    """The status in words, with its date: "12 days late", "Due in 5 days", "Certified"."""
    due = row.due.due_date
    status = row.status
    if status is StaffStatus.NOT_COVERED:
        return _("No training required for this job role")
    if due is None:
        return _("Certified; no refresher is required")
    days = (due - today).days
    if status is StaffStatus.OVERDUE:
        return ngettext("%(num)d day late", "%(num)d days late", -days)
    if status is StaffStatus.EXPIRED:
        return ngettext(
            "Certificate expired %(num)d day ago", "Certificate expired %(num)d days ago", -days
        )
    if status is StaffStatus.COMPLIANT:
        return _("Certified until %(date)s", date=format_date(due, "long"))
    if days == 0:
        return _("Due today")
    if status is StaffStatus.DUE_SOON and row.due.reason == "refresher":
        return ngettext(
            "Certificate expires in %(num)d day", "Certificate expires in %(num)d days", days
        )
    return ngettext("Due in %(num)d day", "Due in %(num)d days", days)


@dataclass(frozen=True)
class Attention:
    """The numbers the dashboard leads with."""

    late: int
    late_with_email: int
    late_without_email: int
    due_soon: int
    without_sign_in: int
    total: int

    @property
    def all_clear(self) -> bool:
        """True when nobody is late or due soon."""
        return not self.late and not self.due_soon


def attention(org: Organization, rows: Sequence[StaffRow]) -> Attention:
    """Count who needs action in `rows` (the organization's current staff)."""
    late = [row for row in rows if row.status in services.LATE]
    with_email = sum(1 for row in late if row.email)
    return Attention(
        late=len(late),
        late_with_email=with_email,
        late_without_email=len(late) - with_email,
        due_soon=sum(1 for row in rows if row.status is StaffStatus.DUE_SOON),
        without_sign_in=len(sheets.without_sign_in(org)),
        total=len(rows),
    )


def reminder_targets(rows: Iterable[StaffRow]) -> list[StaffRow]:
    """The late staff a reminder mail reaches (active, with an email), most urgent first."""
    return sorted(
        (row for row in rows if row.status in services.LATE and row.email and row.active),
        key=urgency_key,
    )


def _reminded_on(user_ids: Sequence[int], day: date) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(ReminderDelivery.recipient_id).where(
                ReminderDelivery.recipient_id.in_(user_ids),
                ReminderDelivery.kind == MANUAL,
                ReminderDelivery.due_date == day,
            )
        )
    )


@dataclass(frozen=True)
class Sent:
    """What sending reminders did: how many went out, how many were sent earlier today."""

    sent: int
    already: int


def send_reminders(org: Organization, today: date) -> Sent:
    """Mail the overdue reminder to every late staff member with an email (flushed).

    Each mail is recorded and queued on the session: it leaves when the caller commits.
    Someone already reminded this way today is skipped.
    """
    targets = reminder_targets(services.staff_rows(org, today))
    done = _reminded_on([row.user_id for row in targets], today)
    sent = 0
    for row in targets:
        if row.user_id in done:
            continue
        reminder = reminders.overdue_reminder(row, today)
        subject, body = reminders.render(reminder, today)
        db.session.add(
            ReminderDelivery(
                recipient_id=row.user_id,
                kind=MANUAL,
                due_date=today,
                threshold=0,
                organization_id=org.id,
            )
        )
        send_after_commit(reminder.email, subject, body, language=reminder.language)
        sent += 1
    db.session.flush()
    return Sent(sent=sent, already=len(done))


@dataclass(frozen=True)
class AnnualCounts:
    """What an annual certification certifies, counted before the manager attests."""

    trained: int
    overdue: int
    pending: int
    not_covered: int

    @property
    def covered(self) -> int:
        """Employees a rule covers (the certification lists them)."""
        return self.trained + self.overdue + self.pending


def annual_counts(rows: Iterable[StaffRow]) -> AnnualCounts:
    """Trained (current certificate), overdue or expired, not yet trained but on time, and
    not covered, among the organization's current staff."""
    trained = overdue = pending = not_covered = 0
    for row in rows:
        if row.status is StaffStatus.NOT_COVERED:
            not_covered += 1
        elif row.status in services.LATE:
            overdue += 1
        elif row.trained:
            trained += 1
        else:
            pending += 1
    return AnnualCounts(trained, overdue, pending, not_covered)
