"""The auditor's city view: one summary per organization of a jurisdiction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from trainer.auth.models import User
from trainer.compliance.rules import (
    StaffStatus,
    annual_certification_due,
)
from trainer.compliance.staffstatus import STATUS_ORDER, Judge
from trainer.compliance.statuscounts import REFRESHER_DUE_SOON, status_counts_by_org
from trainer.extensions import db
from trainer.orgs.models import Organization

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
        status = StaffStatus.DUE_SOON.value if code == REFRESHER_DUE_SOON else code
        summary.staff += count
        summary.counts[status] += count
        if status != StaffStatus.NOT_COVERED.value:
            summary.covered += count
        if code in (StaffStatus.COMPLIANT.value, REFRESHER_DUE_SOON):
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
