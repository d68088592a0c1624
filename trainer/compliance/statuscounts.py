"""Statuses counted in SQL, per organization, for a whole jurisdiction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select

from trainer.auth.models import User
from trainer.compliance.rules import (
    DIRECT,
    EMPLOYMENT_TYPES,
    JOB_ROLES,
    Rule,
    StaffStatus,
    compute_due,
    counting_rules,
)
from trainer.compliance.staffstatus import STAFF_ROLES, Judge, latest_table, started_table
from trainer.extensions import db
from trainer.orgs.models import Organization

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
REFRESHER_DUE_SOON = "due_soon_refresher"


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
            (completed < _midnight(found.compliant_from), REFRESHER_DUE_SOON),
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
    completed, started = latest_table(), started_table()
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
