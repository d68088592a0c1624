"""Jurisdiction rules as plain data, and the pure date logic: due dates and statuses.

No database, no request, no files (the rule files are read by `trainer.compliance.rules`).

How a staff member's status is decided (`compute_due`):

1. A rule *counts* only when it applies to the organization (its kind and, where the rule
   sets a size, its number of rooms: an unrecorded number counts as covered), covers the
   person's job role and employment type, and none of its exemptions fits the person
   (job role, under 16 at hire). When no rule counts, the status is `not_covered`.
2. Without a completion, the due date is the earliest first-training deadline among the
   counting rules, counted from the hire date (`days` as calendar days, `months` added
   calendar-wise and clamped to the month's end, `at_hire` meaning the hire date itself).
   After the due date the status is `overdue`; on it, or up to `due_soon_days` before it,
   `due_soon`; earlier, `in_progress` when training has begun, else `not_started`.
3. With a completion (the date of the last valid certificate, whenever it was earned, even
   before the hire date), the next due date is the earliest `completion + refresher` among
   counting rules that have a refresher. When none has one, the status is `compliant` with
   no due date. After the due date the status is `expired`; on it or within the window,
   `due_soon`; earlier, `compliant`.

The result names the rule that set the date; on a tie, the first one in the order given
(which for `rules_for` is the jurisdiction itself, then its `also` rules).
"""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

#: How a person is employed when the organization employs them itself.
DIRECT = "direct"


class Unit(StrEnum):
    """The unit of a training deadline or refresher period."""

    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


def add_months(start: date, months: int) -> date:
    """Add calendar months, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


@dataclass(frozen=True)
class Period:
    """A span of time after a start date; `Period(0, Unit.DAYS)` means "on the day itself"."""

    amount: int
    unit: Unit

    @property
    def at_hire(self) -> bool:
        """True when the period ends on its start date (`first_training: {at_hire: true}`)."""
        return self.amount == 0

    def after(self, start: date) -> date:
        """Return the last day of the period that begins on `start`."""
        if self.unit is Unit.DAYS:
            return start + timedelta(days=self.amount)
        if self.unit is Unit.MONTHS:
            return add_months(start, self.amount)
        return add_months(start, 12 * self.amount)


@dataclass(frozen=True)
class Records:
    """What a rule asks of the training records an employer keeps."""

    retention_years: int | None
    produce_within_hours: int | None
    include_former_staff: bool


@dataclass(frozen=True)
class AnnualCertification:
    """A yearly statement to an authority that staff were trained, due on a fixed day."""

    month: int
    day: int
    to: Mapping[str, str] = field(hash=False)
    first_year: int | None = None

    def due_in(self, year: int) -> date | None:
        """Return the due date in `year` (Feb 29 becomes Feb 28), None before `first_year`."""
        if self.first_year is not None and year < self.first_year:
            return None
        day = min(self.day, calendar.monthrange(year, self.month)[1])
        return date(year, self.month, day)


@dataclass(frozen=True)
class Unconfirmed:
    """A fact in a rule file that is not confirmed, and why the value used was chosen."""

    field: str
    note: Mapping[str, str] = dataclasses.field(hash=False)


@dataclass(frozen=True)
class Exemption:
    """People a rule leaves out: by job role, by age at hire, or both.

    It fits a person when every condition it states holds: the job role is one of
    `job_roles` (when given), the person was under 16 at hire (when `under_16_at_hire`),
    and the job role is not one of `unless_job_roles`.
    """

    reason: Mapping[str, str] = field(hash=False)
    job_roles: tuple[str, ...] | None = None
    under_16_at_hire: bool = False
    unless_job_roles: tuple[str, ...] = ()

    def fits(self, job_role: str, under_16_at_hire: bool) -> bool:
        """True when this exemption leaves the person out of the rule."""
        if self.job_roles is not None and job_role not in self.job_roles:
            return False
        if self.under_16_at_hire and not under_16_at_hire:
            return False
        return job_role not in self.unless_job_roles


@dataclass(frozen=True)
class Contact:
    """Someone a learner can call or text to report, as the rule file states it.

    An `unconfirmed` contact carries no number (the loader refuses one): `where` says
    where the learner finds it, such as the sign posted at the workplace.
    """

    id: str
    kind: str
    label: Mapping[str, str] = field(hash=False)
    source: str = ""
    phone: str | None = None
    text: str | None = None
    text_keyword: str | None = None
    note: Mapping[str, str] | None = field(default=None, hash=False)
    where: Mapping[str, str] | None = field(default=None, hash=False)
    unconfirmed: bool = False


@dataclass(frozen=True)
class Rule:
    """One jurisdiction's training rule, as read from `modules/rules/<id>.yaml`."""

    id: str
    name: Mapping[str, str] = field(hash=False)
    citation: str
    basis: str
    org_kinds: tuple[str, ...]
    covered_roles: tuple[str, ...] | None
    first_training: Period
    refresher: Period | None
    serial_prefix: str
    also: tuple[str, ...] = ()
    minimum_minutes: int | None = None
    records: Records | None = None
    annual_certification: AnnualCertification | None = None
    scope: Mapping[str, str] | None = field(default=None, hash=False)
    notes: Mapping[str, str] | None = field(default=None, hash=False)
    unconfirmed: tuple[Unconfirmed, ...] = ()
    rooms_more_than: int | None = None
    covered_employment: tuple[str, ...] | None = None
    exemptions: tuple[Exemption, ...] = ()
    contacts: tuple[Contact, ...] = ()
    path: str = ""

    def applies_to(self, org_kind: str, rooms: int | None = None) -> bool:
        """True when the rule governs this organization: its kind and, if set, its size.

        A rule with `rooms_more_than` governs only places with more rooms than that; a
        place whose number of rooms is not recorded (None) counts as governed, so no one
        is left out of a law by a missing number.
        """
        if org_kind not in self.org_kinds:
            return False
        return self.rooms_more_than is None or rooms is None or rooms > self.rooms_more_than

    def covers(self, job_role: str) -> bool:
        """True when the rule covers this job role (`covered_roles: all` covers every role)."""
        return self.covered_roles is None or job_role in self.covered_roles

    def covers_employment(self, employment: str) -> bool:
        """True when the rule covers people employed this way (no list covers everyone)."""
        return self.covered_employment is None or employment in self.covered_employment

    def exemption_for(self, job_role: str, under_16_at_hire: bool) -> Exemption | None:
        """The first exemption that leaves this person out, or None."""
        return next((e for e in self.exemptions if e.fits(job_role, under_16_at_hire)), None)

    def counts_for(
        self,
        org_kind: str,
        job_role: str,
        *,
        rooms: int | None = None,
        employment: str = DIRECT,
        under_16_at_hire: bool = False,
    ) -> bool:
        """True when the rule governs the organization and covers this person.

        The organization's kind and size, the person's job role and employment type, and
        no exemption fitting them (see `Exemption.fits`).
        """
        return (
            self.applies_to(org_kind, rooms)
            and self.covers(job_role)
            and self.covers_employment(employment)
            and self.exemption_for(job_role, under_16_at_hire) is None
        )

    def uses_rooms(self) -> bool:
        """True when the number of rooms decides whether the rule governs a place."""
        return self.rooms_more_than is not None

    def uses_employment(self) -> bool:
        """True when the employment type decides whether the rule covers a person."""
        return self.covered_employment is not None

    def uses_age_at_hire(self) -> bool:
        """True when an exemption depends on the person being under 16 at hire."""
        return any(e.under_16_at_hire for e in self.exemptions)

    def first_due(self, hire_date: date) -> date:
        """Return the deadline for a new hire's first training."""
        return self.first_training.after(hire_date)

    def next_due(self, completed_on: date) -> date | None:
        """Return when training completed on `completed_on` must be repeated, or None."""
        return self.refresher.after(completed_on) if self.refresher else None

    def is_unconfirmed(self, field_path: str) -> bool:
        """True when the file marks `field_path` (or a field containing it) as unconfirmed."""
        return any(
            field_path == note.field or field_path.startswith(note.field + ".")
            for note in self.unconfirmed
        )


class StaffStatus(StrEnum):
    """Where one staff member stands against the rules that count for them."""

    NOT_COVERED = "not_covered"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLIANT = "compliant"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    EXPIRED = "expired"


@dataclass(frozen=True)
class DueResult:
    """A status, the date that decides it and the rule (with its citation) that set it.

    `reason` is one of `not_covered`, `first_training`, `refresher` or `no_refresher`.
    """

    status: StaffStatus
    due_date: date | None
    rule_id: str | None
    citation: str | None
    reason: str

    def as_dict(self) -> dict[str, str | None]:
        """Return the result as JSON-ready plain values."""
        return {
            "status": self.status.value,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "rule": self.rule_id,
            "citation": self.citation,
            "reason": self.reason,
        }


class UnknownJurisdictionError(LookupError):
    """Raised when a jurisdiction id names no loaded rule."""


# --------------------------------------------------------------------------- due dates


def counting_rules(
    rules: Iterable[Rule],
    *,
    org_kind: str,
    job_role: str,
    rooms: int | None = None,
    employment: str = DIRECT,
    under_16_at_hire: bool = False,
) -> list[Rule]:
    """Return the rules that count for this person (see `Rule.counts_for`), in order, once each."""
    seen: set[str] = set()
    result: list[Rule] = []
    for rule in rules:
        if rule.id not in seen and rule.counts_for(
            org_kind,
            job_role,
            rooms=rooms,
            employment=employment,
            under_16_at_hire=under_16_at_hire,
        ):
            seen.add(rule.id)
            result.append(rule)
    return result


def merged_contacts(rules: Iterable[Rule]) -> list[Contact]:
    """The reporting contacts of `rules`, in order; a contact id already given is skipped.

    With `rules_for`, the jurisdiction's own contacts come first, so its contact replaces
    one of the same id in a rule it names in `also` (Houston's police unit replaces the
    Texas file's "local police").
    """
    seen: set[str] = set()
    result: list[Contact] = []
    for rule in rules:
        for contact in rule.contacts:
            if contact.id not in seen:
                seen.add(contact.id)
                result.append(contact)
    return result


def _window(
    due: date, today: date, due_soon_days: int, late: StaffStatus, fine: StaffStatus
) -> StaffStatus:
    """Return `late` after `due`, DUE_SOON within `due_soon_days` of it, else `fine`."""
    if today > due:
        return late
    if (due - today).days <= due_soon_days:
        return StaffStatus.DUE_SOON
    return fine


def compute_due(
    rules: Sequence[Rule],
    *,
    org_kind: str,
    job_role: str,
    hire_date: date,
    completed_on: date | None,
    in_progress: bool,
    today: date,
    due_soon_days: int = 30,
    rooms: int | None = None,
    employment: str = DIRECT,
    under_16_at_hire: bool = False,
) -> DueResult:
    """Decide one staff member's status and due date under `rules` (see the module docstring).

    `completed_on` is the date of the last valid certificate (None if there is none);
    `in_progress` says whether the first training has begun. A due date is the last day
    on which training is on time: the day after it the status is overdue or expired.
    `rooms` is the organization's number of rooms (None: not recorded), `employment` how
    the person is employed, `under_16_at_hire` whether they were under 16 when hired.
    """
    if due_soon_days < 0:
        raise ValueError("due_soon_days must not be negative")
    counting = counting_rules(
        rules,
        org_kind=org_kind,
        job_role=job_role,
        rooms=rooms,
        employment=employment,
        under_16_at_hire=under_16_at_hire,
    )
    if not counting:
        return DueResult(StaffStatus.NOT_COVERED, None, None, None, "not_covered")
    if completed_on is None:
        due, rule = min(  # min keeps the first of equal dates
            ((rule.first_due(hire_date), rule) for rule in counting), key=lambda pair: pair[0]
        )
        fine = StaffStatus.IN_PROGRESS if in_progress else StaffStatus.NOT_STARTED
        status = _window(due, today, due_soon_days, StaffStatus.OVERDUE, fine)
        return DueResult(status, due, rule.id, rule.citation, "first_training")
    expiry, expiry_rule = certificate_expiry(counting, completed_on)
    if expiry is None or expiry_rule is None:
        return DueResult(
            StaffStatus.COMPLIANT, None, counting[0].id, counting[0].citation, "no_refresher"
        )
    status = _window(expiry, today, due_soon_days, StaffStatus.EXPIRED, StaffStatus.COMPLIANT)
    return DueResult(status, expiry, expiry_rule.id, expiry_rule.citation, "refresher")


def certificate_expiry(
    rules: Sequence[Rule], completed_on: date
) -> tuple[date | None, Rule | None]:
    """Return the earliest refresher date after `completed_on` and the rule that sets it.

    Pass the rules that count for the holder. (None, None) when no rule has a refresher:
    the certificate does not expire.
    """
    dated = [(due, rule) for rule in rules if (due := rule.next_due(completed_on)) is not None]
    if not dated:
        return None, None
    return min(dated, key=lambda pair: pair[0])  # min keeps the first of equal dates


def annual_certification_due(rules: Sequence[Rule], year: int) -> date | None:
    """Return the earliest annual certification due date in `year` among `rules`, or None."""
    dates = [
        due
        for rule in rules
        if rule.annual_certification is not None
        and (due := rule.annual_certification.due_in(year)) is not None
    ]
    return min(dates) if dates else None


def rules_for(jurisdiction_id: str, rules: Mapping[str, Rule]) -> list[Rule]:
    """Return the jurisdiction's rule, then its `also` rules recursively, each once."""
    if jurisdiction_id not in rules:
        raise UnknownJurisdictionError(jurisdiction_id)
    result: list[Rule] = []
    seen: set[str] = set()

    def visit(rule_id: str) -> None:
        if rule_id in seen or rule_id not in rules:
            return
        seen.add(rule_id)
        rule = rules[rule_id]
        result.append(rule)
        for other in rule.also:
            visit(other)

    visit(jurisdiction_id)
    return result
