"""The jurisdiction rules as they apply to an organization and a person.

Every page, report and reminder asks these functions, so one rule set decides everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select

from trainer.auth.models import Role, User
from trainer.certificates.models import Certificate
from trainer.certificates.services import JurisdictionFacts
from trainer.compliance.rules import (
    DIRECT,
    EMPLOYMENT_TYPES,
    JOB_ROLES,
    Contact,
    DueResult,
    Rule,
    StaffStatus,
    UnknownJurisdictionError,
    annual_certification_due,
    certificate_expiry,
    compute_due,
    counting_rules,
    merged_contacts,
    rules_for,
)
from trainer.core.contacts import (
    EMERGENCY,
    WORKPLACE,
    ContactLine,
    ContactsBox,
    parse_phone,
    tel_uri,
)
from trainer.core.folding import fold
from trainer.core.text import localized
from trainer.extensions import db
from trainer.learning.models import Enrollment, ModuleProgress
from trainer.orgs.models import Organization
from trainer.timeutil import local_date

T = TypeVar("T")


def all_rules() -> dict[str, Rule]:
    """Every jurisdiction rule loaded at start-up, by id."""
    return current_app.extensions["trainer.jurisdictions"]


def org_rules(org: Organization) -> list[Rule]:
    """The organization's jurisdiction and every rule set it also falls under."""
    try:
        return rules_for(org.jurisdiction, all_rules())
    except UnknownJurisdictionError:
        return []


def primary_rule(org: Organization) -> Rule | None:
    """The organization's own jurisdiction rule (names the serial prefix and the law)."""
    rules = org_rules(org)
    return rules[0] if rules else None


def rules_counting_for(user: User) -> list[Rule]:
    """The rules that actually cover this person (organization, job role, exemptions)."""
    org = user.organization
    if org is None:
        return []
    return counting_rules(
        org_rules(org),
        org_kind=org.kind,
        job_role=user.job_role or "other",
        rooms=org.rooms,
        employment=user.employment or DIRECT,
        under_16_at_hire=bool(user.under_16_at_hire),
    )


def minimum_minutes_for(user: User) -> int:
    """The longest minimum training time any covering rule asks (0 when none)."""
    return max((r.minimum_minutes or 0 for r in rules_counting_for(user)), default=0)


def first_due_date(user: User) -> date | None:
    """The strictest deadline for a new hire's first training, if any rule covers them."""
    rules = rules_counting_for(user)
    if not rules or user.hire_date is None:
        return None
    return min(rule.first_due(user.hire_date) for rule in rules)


def expiry_for(user: User, completed_on: date) -> tuple[date | None, Rule | None]:
    """When a certificate completed on that day expires, and the rule that says so."""
    return certificate_expiry(rules_counting_for(user), completed_on)


def certificate_facts(user: User, completed_on: date) -> JurisdictionFacts:
    """The jurisdiction facts a certificate carries: expiry, its rule, serial prefix, law."""
    org = user.organization
    primary = primary_rule(org) if org else None
    expires_on, rule = expiry_for(user, completed_on)
    info: dict[str, Any] = {"rule": None}
    if rule is not None and rule.refresher is not None:
        info = {
            "rule": rule.id,
            "citation": rule.citation,
            "amount": rule.refresher.amount,
            "unit": rule.refresher.unit.value,
        }
    return JurisdictionFacts(
        expires_on=expires_on,
        expiry_rule=info,
        serial_prefix=primary.serial_prefix if primary else None,
        reference=primary.citation if primary else "",
    )


def due_for(user: User, *, completed_on: date | None, in_progress: bool, today: date) -> DueResult:
    """The person's compliance status and due date (the one service every page uses)."""
    org = user.organization
    return compute_due(
        org_rules(org) if org else [],
        org_kind=org.kind if org else "",
        job_role=user.job_role or "other",
        hire_date=user.hire_date or today,
        completed_on=completed_on,
        in_progress=in_progress,
        today=today,
        due_soon_days=int(current_app.config["DUE_SOON_DAYS"]),
        rooms=org.rooms if org else None,
        employment=user.employment or DIRECT,
        under_16_at_hire=bool(user.under_16_at_hire),
    )


def _rule_contact_line(contact: Contact, language: str) -> ContactLine:
    """A rule file's contact in `language` (an unconfirmed one never carries a number)."""
    phone = None if contact.unconfirmed else contact.phone
    return ContactLine(
        label=localized(contact.label, language),
        kind=contact.kind,
        phone=phone,
        tel=tel_uri(phone) if phone else None,
        text=None if contact.unconfirmed else contact.text,
        text_keyword=None if contact.unconfirmed else contact.text_keyword,
        note=localized(contact.note, language),
        where=localized(contact.where, language) if contact.unconfirmed else "",
        unconfirmed=contact.unconfirmed,
        source=contact.source,
    )


def contacts_box(jurisdiction: str, language: str, org: Organization | None = None) -> ContactsBox:
    """The contacts a lesson shows, in `language`.

    The jurisdiction's (with its `also` rules) and the organization's own: emergency
    lines first, then the workplace's, then the police and the hotlines.
    """
    try:
        rules = rules_for(jurisdiction, all_rules())
    except UnknownJurisdictionError:
        rules = []
    lines = [_rule_contact_line(contact, language) for contact in merged_contacts(rules)]
    workplace: list[ContactLine] = []
    if org is not None:
        for own in org.contacts:
            number = parse_phone(own.phone)
            workplace.append(
                ContactLine(
                    label=own.label,
                    kind=WORKPLACE,
                    phone=number.shown if number else own.phone,
                    tel=number.tel if number else None,
                    note=own.note,
                )
            )
    return ContactsBox(
        emergency=tuple(line for line in lines if line.kind == EMERGENCY),
        workplace=tuple(workplace),
        others=tuple(line for line in lines if line.kind != EMERGENCY),
        workplace_name=org.name if org is not None else "",
    )


def contacts_for_learner(user: User, language: str) -> ContactsBox | None:
    """The contacts box for a learner's lessons (None when they have no organization)."""
    org = user.organization
    if org is None:
        return None
    return contacts_box(org.jurisdiction, language, org)


def rooms_prompt(org: Organization) -> list[Rule]:
    """The rules whose reach depends on a room count this organization has not recorded.

    Until the count is recorded, the organization counts as governed by them (no one is
    left out by a missing number); pages show these rules to ask for the count.
    """
    if org.rooms is not None:
        return []
    return [rule for rule in org_rules(org) if rule.uses_rooms() and rule.applies_to(org.kind)]


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
        .where(
            Certificate.user_id == User.id,
            Certificate.revoked_at.is_(None),
            Certificate.superseded_by_id.is_(None),
        )
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


def _latest_table() -> Any:
    """Per person with one: completion time of their latest current certificate (a table)."""
    return (
        select(
            Certificate.user_id.label("user_id"),
            func.max(Certificate.completed_at).label("completed_at"),
        )
        .where(Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None))
        .group_by(Certificate.user_id)
        .subquery("latest")
    )


def _started_table() -> Any:
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
        latest, started = _latest_table(), _started_table()
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
PAGE_SIZE = 50


@dataclass(frozen=True)
class StaffFilter:
    """What the staff list shows: filters, search, sort and page."""

    status: str | None = None
    job_role: str | None = None
    q: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list."""

    items: list[T]
    number: int
    pages: int
    total: int
    size: int

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown (0 when the list is empty)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        """1-based position of the last item shown."""
        return self.first_index + len(self.items) - 1 if self.items else 0


def paginate(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> Page[T]:
    """Cut out one page; a page past the end shows the last page, below 1 the first."""
    pages = max(1, math.ceil(len(items) / size))
    number = min(max(1, page), pages)
    start = (number - 1) * size
    return Page(list(items[start : start + size]), number, pages, len(items), size)


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


# --------------------------------------------------------------------------- counting in SQL
#
# The city view counts statuses for every organization of a jurisdiction (30,000 people
# for 500 hotels). Rather than bring every person into Python, the rules are turned into
# dates: for one set of counting rules and `today`, the status of a person with a
# completion depends only on whether it falls before two cut-off dates, and without one
# only on where the hire date falls against two others (every due date is a
# non-decreasing function of those dates, so each status covers one stretch of days).
# The cut-offs are found by asking `compute_due` itself (a binary search over days), and
# the database then counts people per organization and status with plain comparisons.

_FAR = timedelta(days=365 * 200)


def _first_day(holds: Callable[[date], bool], low: date, high: date) -> date:
    """The first day in [low, high] on which a condition that stays true once true holds.

    `high + 1 day` when it never holds, `low` when it always does.
    """
    if holds(low):
        return low
    if not holds(high):
        return high + timedelta(days=1)
    while (high - low).days > 1:
        middle = low + timedelta(days=(high - low).days // 2)
        if holds(middle):
            high = middle
        else:
            low = middle
    return high


@dataclass(frozen=True)
class Cutoffs:
    """The days that split the statuses of one set of counting rules, as of a day.

    With a completion: before `expired_before` the person is expired; from
    `compliant_from` on, compliant; in between, due soon. Without one, by hire date:
    before `overdue_before`, overdue; from `waiting_from` on, not started or in progress;
    in between, due soon.
    """

    expired_before: date
    compliant_from: date
    overdue_before: date
    waiting_from: date


@dataclass(frozen=True)
class _Facet:
    """One combination of the facts, besides the job role, that decide which rules count.

    `condition` selects the people it describes in SQL; `rooms`, `employment` and
    `under_16` are values standing for all of them when the rules are asked in Python.
    """

    condition: ColumnElement[bool] | None
    rooms: int | None = None
    employment: str = DIRECT
    under_16: bool = False


def _facets(rules: Sequence[Rule], org_kind: str) -> list[_Facet]:
    """Split people by the facts these rules read: room counts, employment, age at hire.

    A fact no rule reads is not split on, so the usual case stays one facet.
    """
    governing = [rule for rule in rules if rule.org_kinds and org_kind in rule.org_kinds]
    thresholds = sorted({r.rooms_more_than for r in governing if r.rooms_more_than is not None})
    rooms: list[tuple[ColumnElement[bool] | None, int | None]] = [(None, None)]
    if thresholds:
        rooms = [(Organization.rooms.is_(None), None)]
        low: int | None = None
        for limit in thresholds:
            upper = Organization.rooms <= limit
            rooms.append((upper if low is None else and_(Organization.rooms > low, upper), limit))
            low = limit
        rooms.append((Organization.rooms > thresholds[-1], thresholds[-1] + 1))
    employments: list[tuple[ColumnElement[bool] | None, str]] = [(None, DIRECT)]
    if any(rule.uses_employment() for rule in governing):
        employments = [(User.employment == kind, kind) for kind in EMPLOYMENT_TYPES]
    ages: list[tuple[ColumnElement[bool] | None, bool]] = [(None, False)]
    if any(rule.uses_age_at_hire() for rule in governing):
        ages = [(User.under_16_at_hire.is_(False), False), (User.under_16_at_hire.is_(True), True)]
    facets = []
    for room_condition, room_value in rooms:
        for employment_condition, employment in employments:
            for age_condition, young in ages:
                parts = [
                    c
                    for c in (room_condition, employment_condition, age_condition)
                    if c is not None
                ]
                facets.append(
                    _Facet(and_(*parts) if parts else None, room_value, employment, young)
                )
    return facets


def cutoffs_for(
    rules: Sequence[Rule],
    org_kind: str,
    job_role: str,
    judge: Judge,
    facet: _Facet | None = None,
) -> Cutoffs:
    """The cut-off days of these counting rules, found with `compute_due` itself."""
    facet = facet or _Facet(None)

    def status(completed_on: date | None, hired: date) -> StaffStatus:
        return compute_due(
            rules,
            org_kind=org_kind,
            job_role=job_role,
            hire_date=hired,
            completed_on=completed_on,
            in_progress=False,
            today=judge.today,
            due_soon_days=judge.due_soon_days,
            rooms=facet.rooms,
            employment=facet.employment,
            under_16_at_hire=facet.under_16,
        ).status

    today = judge.today
    low, high = today - _FAR, today + _FAR
    late = (StaffStatus.OVERDUE, StaffStatus.EXPIRED)
    return Cutoffs(
        expired_before=_first_day(lambda d: status(d, d) not in late, low, high),
        compliant_from=_first_day(lambda d: status(d, d) is StaffStatus.COMPLIANT, low, high),
        overdue_before=_first_day(lambda d: status(None, d) not in late, low, high),
        waiting_from=_first_day(
            lambda d: status(None, d) not in (*late, StaffStatus.DUE_SOON), low, high
        ),
    )


#: Status codes the SQL count returns; a refresher that is due soon is told apart because
#: the person still holds a current certificate (they count as trained).
_REFRESHER_DUE_SOON = "due_soon_refresher"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _status_case(
    judge: Judge, scopes: Iterable[tuple[str, str]], completed: Any, started: Any
) -> Any:
    """A SQL CASE giving each person's status code from the cut-offs of their rules."""
    role = func.coalesce(func.nullif(User.job_role, ""), "other")
    specific: list[tuple[Cutoffs | None, ColumnElement[bool]]] = []
    general: list[tuple[Cutoffs | None, ColumnElement[bool]]] = []
    known: dict[tuple[str, ...], Cutoffs] = {}  # cut-offs depend only on the counting rules

    def cutoffs(counting: list[Rule], org_kind: str, job_role: str, facet: _Facet) -> Cutoffs:
        ids = tuple(rule.id for rule in counting)
        if ids not in known:
            known[ids] = cutoffs_for(counting, org_kind, job_role, judge, facet)
        return known[ids]

    for jurisdiction, org_kind in sorted(set(scopes)):
        rules = judge.rules(jurisdiction)
        place = and_(Organization.jurisdiction == jurisdiction, Organization.kind == org_kind)
        # Facets that give everyone the same cut-offs share their branches.
        plans: dict[tuple[Any, ...], list[ColumnElement[bool] | None]] = {}
        for facet in _facets(rules, org_kind):
            facts: dict[str, Any] = {
                "rooms": facet.rooms,
                "employment": facet.employment,
                "under_16_at_hire": facet.under_16,
            }
            # Rules covering every role decide for any role not named by a rule.
            anyone = counting_rules(rules, org_kind=org_kind, job_role="", **facts)
            by_cutoffs: dict[Cutoffs | None, list[str]] = {}
            for job_role in JOB_ROLES:
                counting = counting_rules(rules, org_kind=org_kind, job_role=job_role, **facts)
                if [r.id for r in counting] != [r.id for r in anyone]:
                    found = cutoffs(counting, org_kind, job_role, facet) if counting else None
                    by_cutoffs.setdefault(found, []).append(job_role)
            overall = cutoffs(anyone, org_kind, "", facet) if anyone else None
            plan = (tuple((k, tuple(v)) for k, v in by_cutoffs.items()), overall)
            plans.setdefault(plan, []).append(facet.condition)
        for (by_role, overall), conditions in plans.items():
            if not by_role and overall is None:
                continue  # nobody covered: the CASE's default says so
            where = place  # one plan for every facet: the facts do not matter here
            if len(plans) > 1 and all(condition is not None for condition in conditions):
                where = and_(place, or_(*[c for c in conditions if c is not None]))
            for found, roles in by_role:
                specific.append((found, and_(where, role.in_(roles))))
            if overall is not None:
                general.append((overall, where))
    hired = func.coalesce(User.hire_date, judge.today)
    branches: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = []
    for found, condition in [*specific, *general]:
        if found is None:
            branches.append((condition, literal(StaffStatus.NOT_COVERED.value)))
            continue
        with_completion = case(
            (completed < _midnight(found.expired_before), StaffStatus.EXPIRED.value),
            (completed < _midnight(found.compliant_from), _REFRESHER_DUE_SOON),
            else_=StaffStatus.COMPLIANT.value,
        )
        without = case(
            (hired < found.overdue_before, StaffStatus.OVERDUE.value),
            (hired < found.waiting_from, StaffStatus.DUE_SOON.value),
            (started.is_not(None), StaffStatus.IN_PROGRESS.value),
            else_=StaffStatus.NOT_STARTED.value,
        )
        branches.append((condition, case((completed.is_not(None), with_completion), else_=without)))
    if not branches:
        return literal(StaffStatus.NOT_COVERED.value)
    return case(*branches, else_=StaffStatus.NOT_COVERED.value)


def status_counts_by_org(
    conditions: Sequence[ColumnElement[bool]], scopes: Iterable[tuple[str, str]], judge: Judge
) -> list[tuple[int, str, int]]:
    """(organization id, status code, people) for the active staff matching `conditions`.

    `scopes` lists the (jurisdiction, organization kind) pairs present. One query.
    """
    completed, started = _latest_table(), _started_table()
    status = _status_case(judge, scopes, completed.c.completed_at, started.c.user_id)
    people = (
        select(User.organization_id.label("org_id"), status.label("status"))
        .join(Organization, Organization.id == User.organization_id)
        .outerjoin(completed, completed.c.user_id == User.id)
        .outerjoin(started, started.c.user_id == User.id)
        .where(User.role.in_(STAFF_ROLES), *conditions)
        .subquery("people")
    )
    query = select(people.c.org_id, people.c.status, func.count()).group_by(
        people.c.org_id, people.c.status
    )
    return [(org_id, code, count) for org_id, code, count in db.session.execute(query)]


# --------------------------------------------------------------------------- city view


@dataclass
class OrgSummary:
    """An organization's numbers for the city's overview."""

    id: int
    name: str
    address: str
    permit_number: str | None
    kind: str
    jurisdiction: str
    counts: dict[str, int] = field(default_factory=dict)
    staff: int = 0
    covered: int = 0
    trained: int = 0
    certification_due: date | None = None
    certification_required: bool = False
    certified_at: datetime | None = None
    last_certified_at: datetime | None = None

    @property
    def rate(self) -> float | None:
        """Share of covered staff holding a current certificate, in percent."""
        return round(100 * self.trained / self.covered, 1) if self.covered else None

    @property
    def late(self) -> int:
        """Covered staff who are overdue or whose certificate expired."""
        return self.counts.get(StaffStatus.OVERDUE.value, 0) + self.counts.get(
            StaffStatus.EXPIRED.value, 0
        )

    @property
    def certified(self) -> bool:
        """True when the year's annual certification was filed."""
        return self.certified_at is not None

    @property
    def missing_certification(self) -> bool:
        """True when the rules ask for the year's certification and none was filed."""
        return self.certification_required and not self.certified


def org_summaries(jurisdiction: str | None, year: int, today: date) -> list[OrgSummary]:
    """Every active organization (of a jurisdiction, or all) with its staff numbers.

    A fixed number of queries: the organizations, the status counts of all of them
    (counted by the database, see `status_counts_by_org`), the annual reports.
    """
    org_query = select(Organization).where(Organization.active.is_(True))
    staff_conditions: list[ColumnElement[bool]] = [
        User.active.is_(True),
        Organization.active.is_(True),
    ]
    if jurisdiction is not None:
        org_query = org_query.where(Organization.jurisdiction == jurisdiction)
        staff_conditions.append(Organization.jurisdiction == jurisdiction)
    judge = Judge(today)
    summaries: dict[int, OrgSummary] = {}
    for org in db.session.scalars(org_query.order_by(Organization.name, Organization.id)):
        rules = judge.rules(org.jurisdiction)
        due = annual_certification_due(
            [rule for rule in rules if rule.applies_to(org.kind, org.rooms)], year
        )
        summaries[org.id] = OrgSummary(
            id=org.id,
            name=org.name,
            address=org.address,
            permit_number=org.permit_number,
            kind=org.kind,
            jurisdiction=org.jurisdiction,
            counts={status.value: 0 for status in STATUS_ORDER},
            certification_due=due,
            certification_required=due is not None,
        )
    scopes = {(s.jurisdiction, s.kind) for s in summaries.values()}
    for org_id, code, count in status_counts_by_org(staff_conditions, scopes, judge):
        summary = summaries.get(org_id)
        if summary is None:
            continue
        status = StaffStatus.DUE_SOON.value if code == _REFRESHER_DUE_SOON else code
        summary.staff += count
        summary.counts[status] += count
        if status != StaffStatus.NOT_COVERED.value:
            summary.covered += count
        if code in (StaffStatus.COMPLIANT.value, _REFRESHER_DUE_SOON):
            summary.trained += count
    _attach_reports(summaries, year)
    return list(summaries.values())


def _attach_reports(summaries: dict[int, OrgSummary], year: int) -> None:
    """Fill in each organization's filing for `year` and its latest filing of any year."""
    if not summaries:
        return
    from trainer.compliance.models import AnnualReport

    rows = db.session.execute(
        select(
            AnnualReport.organization_id,
            AnnualReport.year,
            func.max(AnnualReport.attested_at).label("attested_at"),
        ).group_by(AnnualReport.organization_id, AnnualReport.year)
    )
    for org_id, report_year, attested_at in rows:
        summary = summaries.get(org_id)
        if summary is None:
            continue
        if report_year == year:
            summary.certified_at = attested_at
        if summary.last_certified_at is None or attested_at > summary.last_certified_at:
            summary.last_certified_at = attested_at


ORG_SORTS: tuple[str, ...] = ("name", "rate", "late", "certified")


@dataclass(frozen=True)
class OrgFilter:
    """What the city's overview shows."""

    q: str = ""
    certified: str | None = None  # "yes", "no" or None for all
    sort: str = "name"
    descending: bool = False
    page: int = 1


def filter_orgs(summaries: Iterable[OrgSummary], filters: OrgFilter) -> list[OrgSummary]:
    """Search by name or permit, keep certified or not-certified ones, and sort."""
    needle = filters.q.strip().casefold()
    chosen = [
        s
        for s in summaries
        if (
            not needle
            or needle in s.name.casefold()
            or needle in (s.permit_number or "").casefold()
        )
        and (
            filters.certified is None
            or (filters.certified == "no" and s.missing_certification)
            or (filters.certified == "yes" and s.certified)
        )
    ]
    chosen.sort(key=lambda s: (s.name.casefold(), s.id))
    # Equal keys keep the name order, in either direction (sorting is stable).
    keys: dict[str, Callable[[OrgSummary], Any]] = {
        "rate": lambda s: (s.rate is None, s.rate if s.rate is not None else 0.0),
        "late": lambda s: s.late,
        "certified": lambda s: (not s.missing_certification, s.certified_at is not None),
    }
    if filters.sort in keys:
        chosen.sort(key=keys[filters.sort], reverse=filters.descending)
    elif filters.descending:
        chosen.reverse()
    return chosen


@dataclass(frozen=True)
class CityTotals:
    """Totals over the organizations shown in the city's overview."""

    organizations: int
    staff: int
    covered: int
    trained: int
    late: int
    required: int
    missing: int

    @property
    def rate(self) -> float | None:
        """Share of covered staff holding a current certificate, in percent."""
        return round(100 * self.trained / self.covered, 1) if self.covered else None


def city_totals(summaries: Sequence[OrgSummary]) -> CityTotals:
    """Add up the organizations' numbers."""
    return CityTotals(
        organizations=len(summaries),
        staff=sum(s.staff for s in summaries),
        covered=sum(s.covered for s in summaries),
        trained=sum(s.trained for s in summaries),
        late=sum(s.late for s in summaries),
        required=sum(1 for s in summaries if s.certification_required),
        missing=sum(1 for s in summaries if s.missing_certification),
    )


# --------------------------------------------------------------------------- one person


@dataclass(frozen=True)
class ModuleHistory:
    """One module of an enrollment as the training history shows it."""

    title: str
    version: int | None
    started_at: datetime | None
    passed_at: datetime | None
    best_score: float | None
    minutes: int
    pre_score: float | None
    post_scores: list[tuple[int, float | None, bool | None]]


@dataclass(frozen=True)
class EnrollmentHistory:
    """One enrollment (a track, one cycle) with its modules."""

    track_title: str
    cycle: int
    assigned_at: datetime
    due_date: date | None
    completed_at: datetime | None
    modules: list[ModuleHistory]


def training_history(user: User, language: str) -> list[EnrollmentHistory]:
    """A person's enrollments, newest first, each with its modules and test scores."""
    from trainer.assessments.models import Attempt

    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.user_id == user.id)
        .order_by(Enrollment.assigned_at.desc(), Enrollment.id.desc())
    ).all()
    attempts = db.session.execute(
        select(
            Attempt.module_progress_id,
            Attempt.kind,
            Attempt.number,
            Attempt.score_percent,
            Attempt.passed,
        )
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.number)
    ).all()
    by_progress: dict[int, list[Any]] = {}
    for attempt in attempts:
        by_progress.setdefault(attempt.module_progress_id, []).append(attempt)
    history = []
    for enrollment in enrollments:
        modules = []
        for progress in enrollment.modules:
            version = progress.version or progress.module.current_version
            taken = by_progress.get(progress.id, [])
            pre = next((a for a in taken if a.kind == "pre"), None)
            modules.append(
                ModuleHistory(
                    title=localized(version.title, language) if version else progress.module.slug,
                    version=progress.version.version if progress.version else None,
                    started_at=progress.started_at,
                    passed_at=progress.passed_at,
                    best_score=progress.best_score,
                    minutes=sum(lp.seconds_spent for lp in progress.lessons if lp.completed_at)
                    // 60,
                    pre_score=pre.score_percent if pre else None,
                    post_scores=[
                        (a.number, a.score_percent, a.passed) for a in taken if a.kind == "post"
                    ],
                )
            )
        history.append(
            EnrollmentHistory(
                track_title=localized(enrollment.track.title, language),
                cycle=enrollment.cycle,
                assigned_at=enrollment.assigned_at,
                due_date=enrollment.due_date,
                completed_at=enrollment.completed_at,
                modules=modules,
            )
        )
    return history
