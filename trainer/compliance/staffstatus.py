"""Each person's training status, judged for many people at once, and the staff list."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select

from trainer.auth.models import Role, User
from trainer.certificates.models import Certificate
from trainer.compliance.jurisdictions import all_rules
from trainer.compliance.rules import (
    DIRECT,
    DueResult,
    Rule,
    StaffStatus,
    UnknownJurisdictionError,
    compute_due,
    counting_rules,
    rules_for,
)
from trainer.core.folding import fold
from trainer.extensions import db
from trainer.learning.models import Enrollment, ModuleProgress
from trainer.orgs.models import Organization
from trainer.timeutil import local_date

# --------------------------------------------------------------------------- statuses
#
# Pages, exports and reminders judge many people at once. They load the facts in one
# query (`staff_facts`): each person with the completion date of their latest certificate
# that is neither revoked nor superseded (valid or expired: an expired one is what makes
# the status `expired`) and whether an open enrollment has a started module. The pure
# `compute_due` then decides each status in Python, so the number of queries does not
# grow with the number of people.

#: Roles whose holders are staff of an organization (managers are employees too).
STAFF_ROLES: tuple[str, ...] = (Role.LEARNER.value, Role.MANAGER.value)

STATUS_ORDER: tuple[StaffStatus, ...] = (
    StaffStatus.OVERDUE,
    StaffStatus.EXPIRED,
    StaffStatus.DUE_SOON,
    StaffStatus.NOT_STARTED,
    StaffStatus.IN_PROGRESS,
    StaffStatus.COMPLIANT,
    StaffStatus.NOT_COVERED,
)
STATUS_LABELS: dict[str, object] = {
    StaffStatus.OVERDUE.value: _l("Overdue"),
    StaffStatus.EXPIRED.value: _l("Expired"),
    StaffStatus.DUE_SOON.value: _l("Due soon"),
    StaffStatus.NOT_STARTED.value: _l("Not started"),
    StaffStatus.IN_PROGRESS.value: _l("In progress"),
    StaffStatus.COMPLIANT.value: _l("Compliant"),
    StaffStatus.NOT_COVERED.value: _l("Not covered"),
}
#: Statuses that mean the person is late (the law's deadline has passed).
LATE = frozenset({StaffStatus.OVERDUE, StaffStatus.EXPIRED})


@dataclass(frozen=True)
class StaffRow:
    """One person's facts and the status the rules give them."""

    user_id: int
    first_name: str
    last_name: str
    email: str | None
    job_role: str
    hire_date: date | None
    language: str
    role: str
    active: bool
    deactivated_at: datetime | None
    organization_id: int
    completed_on: date | None
    in_progress: bool
    due: DueResult

    @property
    def full_name(self) -> str:
        """First and last name as the person gave them."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def status(self) -> StaffStatus:
        """The person's status."""
        return self.due.status

    @property
    def trained(self) -> bool:
        """True when the person holds a certificate that is still current."""
        return self.completed_on is not None and self.due.status in (
            StaffStatus.COMPLIANT,
            StaffStatus.DUE_SOON,
        )


def _latest_completion() -> Any:
    """Per person (correlated): completion time of their latest current certificate."""
    return (
        select(func.max(Certificate.completed_at))
        .where(Certificate.user_id == User.id, Certificate.is_current)
        .correlate(User)
        .scalar_subquery()
    )


def _has_started() -> Any:
    """Per person (correlated): an open enrollment has a started module."""
    return (
        select(ModuleProgress.id)
        .join(Enrollment, Enrollment.id == ModuleProgress.enrollment_id)
        .where(
            Enrollment.user_id == User.id,
            Enrollment.completed_at.is_(None),
            ModuleProgress.started_at.is_not(None),
        )
        .correlate(User)
        .exists()
    )


def latest_table() -> Any:
    """Per person with one: completion time of their latest current certificate (a table)."""
    return (
        select(
            Certificate.user_id.label("user_id"),
            func.max(Certificate.completed_at).label("completed_at"),
        )
        .where(Certificate.is_current)
        .group_by(Certificate.user_id)
        .subquery("latest")
    )


def started_table() -> Any:
    """The people with an open enrollment in which a module has been started (a table)."""
    return (
        select(Enrollment.user_id.label("user_id"))
        .join(ModuleProgress, ModuleProgress.enrollment_id == Enrollment.id)
        .where(Enrollment.completed_at.is_(None), ModuleProgress.started_at.is_not(None))
        .group_by(Enrollment.user_id)
        .subquery("started")
    )


def staff_facts(
    *conditions: ColumnElement[bool], detail: bool = True, ordered: bool = True, wide: bool = False
) -> Select[Any]:
    """One query for the staff matching `conditions` (on User and Organization columns).

    Each row holds the person's organization id, job role, hire date, employment type and
    age-at-hire answer, their organization's kind, jurisdiction and rooms, the completion
    time of their latest current certificate (`latest_completed_at`) and whether training
    has begun (`in_progress`); with `detail`, also their name, email, language, role and
    whether they are still on staff. Ordered by organization and name unless `ordered` is
    False.

    For a few people (one organization) each fact is looked up per person through its
    index; with `wide`, for many (a jurisdiction), the facts of everyone are gathered
    first and joined, which the database does in one pass.
    """
    if wide:
        latest, started = latest_table(), started_table()
        completed: Any = latest.c.completed_at
        in_progress: Any = started.c.user_id.is_not(None)
    else:
        completed, in_progress = _latest_completion(), _has_started()
    columns: list[Any] = [
        User.id,
        User.organization_id,
        User.job_role,
        User.hire_date,
        User.employment,
        User.under_16_at_hire,
        Organization.kind.label("org_kind"),
        Organization.jurisdiction.label("org_jurisdiction"),
        Organization.rooms.label("org_rooms"),
        completed.label("latest_completed_at"),
        in_progress.label("in_progress"),
    ]
    if detail:
        columns += [
            User.first_name,
            User.last_name,
            User.email,
            User.language,
            User.role,
            User.active,
            User.deactivated_at,
        ]
    query = select(*columns).join(Organization, Organization.id == User.organization_id)
    if wide:
        query = query.outerjoin(latest, latest.c.user_id == User.id).outerjoin(
            started, started.c.user_id == User.id
        )
    query = query.where(User.role.in_(STAFF_ROLES), *conditions)
    if ordered:
        query = query.order_by(User.organization_id, User.last_name, User.first_name, User.id)
    return query


class Judge:
    """Decides statuses for rows of `staff_facts` with the rules in force `today`.

    `compute_due` is pure and, by its definition, reads the hire date and the in-progress
    flag only when there is no completion; results are kept per distinct input, so a
    city of staff hired and trained on a few hundred distinct days costs a few hundred
    computations, not one per person.
    """

    def __init__(self, today: date, due_soon_days: int | None = None) -> None:
        self.today = today
        self.due_soon_days = (
            int(current_app.config["DUE_SOON_DAYS"]) if due_soon_days is None else due_soon_days
        )
        self._rules: dict[str, list[Rule]] = {}
        self._thresholds: dict[str, tuple[int, ...]] = {}
        self._counting: dict[tuple[Any, ...], tuple[int, list[Rule]]] = {}
        self._sets: dict[tuple[str, ...], tuple[int, list[Rule]]] = {}
        self._results: dict[tuple[Any, ...], DueResult] = {}
        self._known = all_rules()

    def rules(self, jurisdiction: str) -> list[Rule]:
        """The rules of a jurisdiction (with its `also` rules), looked up once."""
        found = self._rules.get(jurisdiction)
        if found is None:
            try:
                found = rules_for(jurisdiction, self._known)
            except UnknownJurisdictionError:
                found = []
            self._rules[jurisdiction] = found
        return found

    def due(
        self,
        jurisdiction: str,
        org_kind: str,
        job_role: str,
        hire_date: date | None,
        completed_on: date | None,
        in_progress: bool,
        *,
        rooms: int | None = None,
        employment: str = DIRECT,
        under_16_at_hire: bool = False,
    ) -> DueResult:
        """The status and due date of one person (see `compute_due`)."""
        # Rooms matter only against the thresholds of the jurisdiction's rules, so hotels of
        # 40 and of 400 rooms share one entry.
        thresholds = self._thresholds.get(jurisdiction)
        if thresholds is None:
            thresholds = tuple(
                sorted(
                    {
                        r.rooms_more_than
                        for r in self.rules(jurisdiction)
                        if r.uses_rooms() and r.rooms_more_than is not None
                    }
                )
            )
            self._thresholds[jurisdiction] = thresholds
        size = None if rooms is None else tuple(rooms > limit for limit in thresholds)
        scope = (jurisdiction, org_kind, job_role, size, employment, under_16_at_hire)
        found = self._counting.get(scope)
        if found is None:
            rules = counting_rules(
                self.rules(jurisdiction),
                org_kind=org_kind,
                job_role=job_role,
                rooms=rooms,
                employment=employment,
                under_16_at_hire=under_16_at_hire,
            )
            ids = tuple(rule.id for rule in rules)
            found = self._sets.setdefault(ids, (len(self._sets), rules))
            self._counting[scope] = found
        number, counting = found
        hired = hire_date or self.today
        key = (number, completed_on) if completed_on else (number, None, hired, in_progress)
        result = self._results.get(key)
        if result is None:
            result = compute_due(
                counting,
                org_kind=org_kind,
                job_role=job_role,
                hire_date=hired,
                completed_on=completed_on,
                in_progress=in_progress,
                today=self.today,
                due_soon_days=self.due_soon_days,
                rooms=rooms,
                employment=employment,
                under_16_at_hire=under_16_at_hire,
            )
            self._results[key] = result
        return result

    def facts_due(self, facts: Any) -> tuple[DueResult, date | None]:
        """The status of a `staff_facts` row, and the date of its latest completion."""
        completed_at = facts.latest_completed_at
        completed_on = local_date(completed_at) if completed_at is not None else None
        due = self.due(
            facts.org_jurisdiction,
            facts.org_kind,
            facts.job_role or "other",
            facts.hire_date,
            completed_on,
            bool(facts.in_progress),
            rooms=facts.org_rooms,
            employment=facts.employment or DIRECT,
            under_16_at_hire=bool(facts.under_16_at_hire),
        )
        return due, completed_on

    def row(self, facts: Any) -> StaffRow:
        """Judge one detailed row of `staff_facts`."""
        due, completed_on = self.facts_due(facts)
        return StaffRow(
            user_id=facts.id,
            first_name=facts.first_name,
            last_name=facts.last_name,
            email=facts.email,
            job_role=facts.job_role or "other",
            hire_date=facts.hire_date,
            language=facts.language,
            role=facts.role,
            active=facts.active,
            deactivated_at=facts.deactivated_at,
            organization_id=facts.organization_id,
            completed_on=completed_on,
            in_progress=bool(facts.in_progress),
            due=due,
        )


def staff_rows(org: Organization, today: date, *, include_former: bool = False) -> list[StaffRow]:
    """Every staff member of the organization with their status (one query)."""
    conditions: list[ColumnElement[bool]] = [User.organization_id == org.id]
    if not include_former:
        conditions.append(User.active.is_(True))
    judge = Judge(today)
    return [judge.row(facts) for facts in db.session.execute(staff_facts(*conditions))]


def iter_staff_rows(
    conditions: Sequence[ColumnElement[bool]], today: date, *, batch: int = 1000
) -> Iterator[StaffRow]:
    """Stream judged staff rows for large exports (rows are fetched `batch` at a time)."""
    judge = Judge(today)
    result = db.session.execute(
        staff_facts(*conditions, wide=True).execution_options(yield_per=batch, stream_results=True)
    )
    for facts in result:
        yield judge.row(facts)


def person_row(user: User, today: date) -> StaffRow | None:
    """One person's status row (also for former staff); None if they are not staff."""
    facts = db.session.execute(staff_facts(User.id == user.id)).first()
    return Judge(today).row(facts) if facts is not None else None


def status_counts(rows: Iterable[StaffRow]) -> dict[str, int]:
    """How many people are in each status, in the display order (zeros included)."""
    counts = {status.value: 0 for status in STATUS_ORDER}
    for row in rows:
        counts[row.status.value] += 1
    return counts


# --------------------------------------------------------------------------- listing

SORTS: tuple[str, ...] = ("name", "status", "due")


@dataclass(frozen=True)
class StaffFilter:
    """What the staff list shows: filters, search, sort and page."""

    status: str | None = None
    job_role: str | None = None
    q: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1


def _name_key(row: StaffRow) -> tuple[str, str, int]:
    return (row.last_name.casefold(), row.first_name.casefold(), row.user_id)


def filter_rows(rows: Iterable[StaffRow], filters: StaffFilter) -> list[StaffRow]:
    """Apply the status and job role filters, the name/email search and the sort."""
    needle = fold(filters.q)
    chosen = [
        row
        for row in rows
        if (not filters.status or row.status.value == filters.status)
        and (not filters.job_role or row.job_role == filters.job_role)
        and (
            not needle
            or needle in fold(row.full_name)
            or needle in fold(f"{row.last_name} {row.first_name}")
            or needle in (row.email or "").casefold()
        )
    ]
    chosen.sort(key=_name_key)
    # Equal keys keep the name order, in either direction (sorting is stable).
    if filters.sort == "status":
        rank = {status: index for index, status in enumerate(STATUS_ORDER)}
        chosen.sort(key=lambda row: rank[row.status], reverse=filters.descending)
    elif filters.sort == "due":
        chosen.sort(
            key=lambda row: (row.due.due_date is None, row.due.due_date or date.min),
            reverse=filters.descending,
        )
    elif filters.descending:
        chosen.reverse()
    return chosen
