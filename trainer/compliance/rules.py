"""Jurisdiction rules: loading `modules/rules/*.yaml` and computing due dates and status.

Everything here is pure: plain data in, plain data out, no database and no request. The
file format and the meaning of each field are described in `modules/rules/README.md`.

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
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum, StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from trainer.catalog.yamlsrc import LineDict, LineList, Problem, load_yaml

ORG_KINDS: tuple[str, ...] = ("hotel", "city_department", "partner")
JOB_ROLES: tuple[str, ...] = (
    "front_desk",
    "housekeeping",
    "food_beverage",
    "security",
    "maintenance",
    "bell_valet",
    "driver",
    "management",
    "other",
    "clinic_staff",
    "restaurant_inspector",
    "contract_compliance",
    "administration",
)
#: The languages the platform ships in: every text in a rule file is shown to learners or
#: managers, so every one of them is required.
LANGUAGES: tuple[str, ...] = ("en", "es", "vi")
REQUIRED_LANGUAGES: tuple[str, ...] = LANGUAGES
BASES: tuple[str, ...] = ("law", "program")
#: How a person is employed: by the organization itself, or through a contractor or agency.
EMPLOYMENT_TYPES: tuple[str, ...] = ("direct", "contractor")
DIRECT = "direct"
#: What a reporting contact is, in the order a learner is usually told to call.
CONTACT_KINDS: tuple[str, ...] = ("emergency", "law_enforcement", "state_line", "hotline")

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PHONE_RE = re.compile(r"^\+?[0-9]([0-9 -]*[0-9])?$")
_SMS_RE = re.compile(r"^[0-9]{3,10}$")
_KEYWORD_RE = re.compile(r"^[A-Z0-9]{1,20}$")
_PREFIX_RE = re.compile(r"^[A-Z]{2,5}$")
_DUE_RE = re.compile(r"^(\d\d)-(\d\d)$")

_REQUIRED_FIELDS = (
    "id",
    "name",
    "citation",
    "applies_to",
    "covered_roles",
    "first_training",
    "refresher",
    "serial_prefix",
    "contacts",
)
_OPTIONAL_FIELDS = (
    "basis",
    "also",
    "covered_employment",
    "exemptions",
    "minimum_minutes",
    "records",
    "annual_certification",
    "notes",
    "unconfirmed",
)
_APPLIES_FIELDS = ("org_kinds", "rooms_more_than", "description")
_EXEMPTION_FIELDS = ("job_roles", "under_16_at_hire", "unless_job_roles", "reason")
_CONTACT_FIELDS = (
    "id",
    "kind",
    "label",
    "phone",
    "text",
    "text_keyword",
    "note",
    "where",
    "source",
    "unconfirmed",
)
_CONTACT_REQUIRED = ("id", "kind", "label", "source")
_RECORDS_FIELDS = ("retention_years", "produce_within_hours", "include_former_staff")
_CERT_FIELDS = ("due", "to", "first_year")
_UNCONFIRMED_FIELDS = ("field", "note")
_UNCONFIRMABLE = frozenset(
    {
        "citation",
        "applies_to",
        "applies_to.org_kinds",
        "applies_to.rooms_more_than",
        "covered_roles",
        "covered_employment",
        "exemptions",
        "first_training",
        "refresher",
        "minimum_minutes",
        "records",
        "records.retention_years",
        "records.produce_within_hours",
        "records.include_former_staff",
        "annual_certification",
        "annual_certification.due",
        "annual_certification.to",
        "annual_certification.first_year",
    }
)


class _Invalid(Enum):
    """Marks a field whose value could not be used (None is a valid value for some)."""

    VALUE = 0


_INVALID = _Invalid.VALUE


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
    # `field` names the attribute above within this class body: spelled out in full.
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


# --------------------------------------------------------------------------- loading


def load_rules(folder: Path) -> tuple[dict[str, Rule], list[Problem]]:
    """Load and check every `<id>.yaml` in `folder`; return the good rules and all problems.

    A rule is returned only when its file has no problem and every rule it names in
    `also` (recursively) is returned too. Problems print as `path:line: message`, the
    path being `folder / name` as given.
    """
    problems: list[Problem] = []
    if not folder.is_dir():
        return {}, [Problem(str(folder), 1, "rules folder not found")]
    parsed: dict[str, tuple[LineDict, str]] = {}
    unreadable: set[str] = set()  # parsed, but with a problem such as a duplicate key
    for path in sorted(folder.iterdir()):
        shown = str(folder / path.name)
        if path.suffix == ".yml":
            problems.append(Problem(shown, 1, "rule files end in .yaml"))
            continue
        if path.suffix != ".yaml" or not path.is_file():
            continue
        data, found = load_yaml(path, shown)
        problems.extend(found)
        if data is None:
            continue
        if not isinstance(data, LineDict):
            problems.append(Problem(shown, 1, "a rule file must be a mapping"))
            continue
        parsed[path.stem] = (data, shown)
        if found:
            unreadable.add(path.stem)

    checked: dict[str, Rule] = {}
    bad: set[str] = set(unreadable)
    for stem, (data, shown) in parsed.items():
        checker = _RuleChecker(data, shown, stem, known_ids=set(parsed))
        rule = checker.build()
        problems.extend(checker.problems)
        if rule is None or checker.problems:
            bad.add(stem)
        if rule is not None:
            checked[stem] = rule

    problems.extend(_check_prefixes(checked, parsed, bad))
    problems.extend(_check_cycles(checked, parsed, bad))

    good = {rule_id: rule for rule_id, rule in checked.items() if rule_id not in bad}
    changed = True
    while changed:
        changed = False
        for rule_id in list(good):
            if any(other not in good for other in good[rule_id].also):
                del good[rule_id]
                changed = True
    return good, sorted(problems)


def _check_prefixes(
    rules: dict[str, Rule], parsed: dict[str, tuple[LineDict, str]], bad: set[str]
) -> list[Problem]:
    """Report a serial prefix used by more than one rule (on every file after the first)."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for rule_id in sorted(rules):
        prefix = rules[rule_id].serial_prefix
        if prefix in owner:
            data, shown = parsed[rule_id]
            problems.append(
                Problem(
                    shown,
                    data.line_of("serial_prefix"),
                    f"serial_prefix '{prefix}' is already used by rule '{owner[prefix]}'",
                )
            )
            bad.add(rule_id)
        else:
            owner[prefix] = rule_id
    return problems


def _check_cycles(
    rules: dict[str, Rule], parsed: dict[str, tuple[LineDict, str]], bad: set[str]
) -> list[Problem]:
    """Report each cycle of `also` references once, at the reference that closes it."""
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(rule_id: str) -> None:
        state[rule_id] = 1
        path.append(rule_id)
        for index, other in enumerate(rules[rule_id].also):
            if other not in rules:
                continue
            if state.get(other) == 1:
                cycle = [*path[path.index(other) :], other]
                data, shown = parsed[rule_id]
                also = data.get("also")
                line = also.line_of(index) if isinstance(also, LineList) else data.line_of("also")
                problems.append(Problem(shown, line, "also: cycle " + " -> ".join(cycle)))
                bad.update(cycle)
            elif other not in state:
                visit(other)
        path.pop()
        state[rule_id] = 2

    for rule_id in sorted(rules):
        if rule_id not in state:
            visit(rule_id)
    return problems


def _is_int(value: Any) -> bool:
    """True for a YAML integer (booleans are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)


class _RuleChecker:
    """Checks one parsed rule file and builds its `Rule`, collecting problems."""

    def __init__(self, data: LineDict, shown: str, stem: str, known_ids: set[str]) -> None:
        self.data = data
        self.shown = shown
        self.stem = stem
        self.known_ids = known_ids
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        """Record one problem at `line` of this file."""
        self.problems.append(Problem(self.shown, line, message))

    def fields(
        self, mapping: LineDict, where: str, allowed: Sequence[str], required: Sequence[str]
    ) -> None:
        """Report unknown and missing keys of `mapping` (`where` names it in messages)."""
        prefix = f"{where}: " if where else ""
        for key in mapping:
            if key not in allowed:
                self.problem(mapping.line_of(key), f"{prefix}unknown field '{key}'")
        for key in required:
            if key not in mapping:
                self.problem(mapping.line, f"{prefix}missing field '{key}'")

    def text(self, value: Any, line: int, where: str) -> Mapping[str, str] | None:
        """Check a translatable text: a mapping of language to non-empty text, en and es."""
        if not isinstance(value, LineDict):
            self.problem(
                line, f"{where}: must be a mapping of language to text ({', '.join(LANGUAGES)})"
            )
            return None
        good = True
        for lang, content in value.items():
            if lang not in LANGUAGES:
                self.problem(value.line_of(lang), f"{where}: unknown language '{lang}'")
                good = False
            elif not isinstance(content, str) or not content.strip():
                self.problem(value.line_of(lang), f"{where}.{lang}: must be non-empty text")
                good = False
        for lang in REQUIRED_LANGUAGES:
            if lang not in value:
                self.problem(value.line, f"{where}: missing language '{lang}'")
                good = False
        return MappingProxyType({k: v.strip() for k, v in value.items()}) if good else None

    def positive_int(self, value: Any, line: int, where: str, *, nullable: bool) -> int | None:
        """Check a whole number of at least 1 (or null when `nullable`)."""
        if value is None and nullable:
            return None
        if not _is_int(value) or value < 1:
            extra = " or null" if nullable else ""
            self.problem(line, f"{where}: must be a whole number of at least 1{extra}")
            return None
        return int(value)

    def build(self) -> Rule | None:
        """Check every field and return the rule, or None when a required part is unusable."""
        data = self.data
        self.fields(data, "", (*_REQUIRED_FIELDS, *_OPTIONAL_FIELDS), _REQUIRED_FIELDS)

        rule_id = data.get("id")
        if "id" in data:
            if not isinstance(rule_id, str) or not _ID_RE.fullmatch(rule_id):
                self.problem(data.line_of("id"), "id: must be lowercase letters, digits and -")
            elif rule_id != self.stem:
                self.problem(
                    data.line_of("id"), f"id: '{rule_id}' must equal the file name '{self.stem}'"
                )

        name = None
        if "name" in data:
            name = self.text(data["name"], data.line_of("name"), "name")

        citation = data.get("citation")
        if "citation" in data and (not isinstance(citation, str) or not citation.strip()):
            self.problem(data.line_of("citation"), "citation: must be non-empty text")
            citation = None

        basis = data.get("basis", "law")
        if basis not in BASES:
            self.problem(data.line_of("basis"), f"basis: must be one of {', '.join(BASES)}")

        org_kinds, scope, rooms_more_than = self.applies_to()
        also = self.also()
        covered = self.covered_roles()
        employment = self.covered_employment()
        exemptions = self.exemptions()
        contacts = self.contacts()
        first = self.first_training()
        refresher = self.refresher()

        minimum = None
        if "minimum_minutes" in data:
            minimum = self.positive_int(
                data["minimum_minutes"],
                data.line_of("minimum_minutes"),
                "minimum_minutes",
                nullable=True,
            )

        records = self.records()
        annual = self.annual_certification()

        notes = None
        if "notes" in data:
            notes = self.text(data["notes"], data.line_of("notes"), "notes")

        prefix = data.get("serial_prefix")
        if "serial_prefix" in data and (
            not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix)
        ):
            self.problem(
                data.line_of("serial_prefix"), "serial_prefix: must be 2 to 5 capital letters A-Z"
            )
            prefix = None

        unconfirmed = self.unconfirmed()

        if (
            name is None
            or citation is None
            or org_kinds is None
            or covered is _INVALID
            or employment is _INVALID
            or first is None
            or refresher is _INVALID
            or prefix is None
        ):
            return None
        return Rule(
            id=self.stem,
            name=name,
            citation=citation.strip(),
            basis=basis if basis in BASES else "law",
            org_kinds=org_kinds,
            covered_roles=covered,
            first_training=first,
            refresher=refresher,
            serial_prefix=prefix,
            also=also,
            minimum_minutes=minimum,
            records=records,
            annual_certification=annual,
            scope=scope,
            notes=notes,
            unconfirmed=unconfirmed,
            rooms_more_than=rooms_more_than,
            covered_employment=employment,
            exemptions=exemptions,
            contacts=contacts,
            path=self.shown,
        )

    def applies_to(
        self,
    ) -> tuple[tuple[str, ...] | None, Mapping[str, str] | None, int | None]:
        """Check `applies_to`: its organization kinds, scope description and room threshold."""
        data = self.data
        if "applies_to" not in data:
            return None, None, None
        value = data["applies_to"]
        if not isinstance(value, LineDict):
            self.problem(data.line_of("applies_to"), "applies_to: must be a mapping")
            return None, None, None
        self.fields(value, "applies_to", _APPLIES_FIELDS, ("org_kinds",))
        scope = None
        if "description" in value:
            scope = self.text(
                value["description"], value.line_of("description"), "applies_to.description"
            )
        rooms = None
        if "rooms_more_than" in value:
            rooms = self.positive_int(
                value["rooms_more_than"],
                value.line_of("rooms_more_than"),
                "applies_to.rooms_more_than",
                nullable=False,
            )
        if "org_kinds" not in value:
            return None, scope, rooms
        kinds = value["org_kinds"]
        line = value.line_of("org_kinds")
        if not isinstance(kinds, LineList) or not kinds:
            self.problem(line, "applies_to.org_kinds: must be a non-empty list")
            return None, scope, rooms
        result: list[str] = []
        for index, kind in enumerate(kinds):
            if kind not in ORG_KINDS:
                self.problem(
                    kinds.line_of(index),
                    f"applies_to.org_kinds: unknown organization kind '{kind}'"
                    f" (known: {', '.join(ORG_KINDS)})",
                )
            elif kind in result:
                self.problem(kinds.line_of(index), f"applies_to.org_kinds: '{kind}' is repeated")
            else:
                result.append(kind)
        return tuple(result), scope, rooms

    def also(self) -> tuple[str, ...]:
        """Check `also`: a list of other rule ids that exist, not this rule itself."""
        data = self.data
        if "also" not in data:
            return ()
        value = data["also"]
        if not isinstance(value, LineList):
            self.problem(data.line_of("also"), "also: must be a list of rule ids")
            return ()
        result: list[str] = []
        for index, other in enumerate(value):
            line = value.line_of(index)
            if not isinstance(other, str):
                self.problem(line, "also: must be a list of rule ids")
            elif other == self.stem:
                self.problem(line, f"also: rule '{other}' names itself")
            elif other not in self.known_ids:
                self.problem(line, f"also: unknown rule '{other}'")
            elif other in result:
                self.problem(line, f"also: '{other}' is repeated")
            else:
                result.append(other)
        return tuple(result)

    def covered_roles(self) -> tuple[str, ...] | _Invalid | None:
        """Check `covered_roles`: `all` (None) or job role ids; _INVALID when unusable."""
        data = self.data
        if "covered_roles" not in data:
            return _INVALID
        value = data["covered_roles"]
        line = data.line_of("covered_roles")
        if value == "all":
            return None
        if not isinstance(value, LineList) or not value:
            self.problem(line, "covered_roles: must be 'all' or a non-empty list of job roles")
            return _INVALID
        result: list[str] = []
        for index, role in enumerate(value):
            if role not in JOB_ROLES:
                self.problem(
                    value.line_of(index),
                    f"covered_roles: unknown job role '{role}' (known: {', '.join(JOB_ROLES)})",
                )
            elif role in result:
                self.problem(value.line_of(index), f"covered_roles: '{role}' is repeated")
            else:
                result.append(role)
        return tuple(result) if result else _INVALID

    def role_list(self, value: Any, line: int, where: str) -> tuple[str, ...] | None:
        """Check a non-empty list of known job roles, each once; None when unusable."""
        if not isinstance(value, LineList) or not value:
            self.problem(line, f"{where}: must be a non-empty list of job roles")
            return None
        result: list[str] = []
        good = True
        for index, role in enumerate(value):
            if role not in JOB_ROLES:
                self.problem(
                    value.line_of(index),
                    f"{where}: unknown job role '{role}' (known: {', '.join(JOB_ROLES)})",
                )
                good = False
            elif role in result:
                self.problem(value.line_of(index), f"{where}: '{role}' is repeated")
                good = False
            else:
                result.append(role)
        return tuple(result) if good else None

    def covered_employment(self) -> tuple[str, ...] | _Invalid | None:
        """Check `covered_employment`: a list of employment types; absent covers everyone."""
        data = self.data
        if "covered_employment" not in data:
            return None
        value = data["covered_employment"]
        line = data.line_of("covered_employment")
        known = ", ".join(EMPLOYMENT_TYPES)
        if not isinstance(value, LineList) or not value:
            self.problem(
                line, f"covered_employment: must be a non-empty list of employment types ({known})"
            )
            return _INVALID
        result: list[str] = []
        for index, kind in enumerate(value):
            if kind not in EMPLOYMENT_TYPES:
                self.problem(
                    value.line_of(index),
                    f"covered_employment: unknown employment type '{kind}' (known: {known})",
                )
                return _INVALID
            if kind in result:
                self.problem(value.line_of(index), f"covered_employment: '{kind}' is repeated")
                return _INVALID
            result.append(kind)
        return tuple(result)

    def exemptions(self) -> tuple[Exemption, ...]:
        """Check `exemptions`: a list of {job_roles, under_16_at_hire, unless_job_roles, reason}."""
        data = self.data
        if "exemptions" not in data:
            return ()
        value = data["exemptions"]
        if not isinstance(value, LineList):
            self.problem(data.line_of("exemptions"), "exemptions: must be a list")
            return ()
        result: list[Exemption] = []
        for index, item in enumerate(value):
            line = value.line_of(index)
            if not isinstance(item, LineDict):
                self.problem(line, "exemptions: each item must be a mapping")
                continue
            self.fields(item, "exemptions", _EXEMPTION_FIELDS, ("reason",))
            good = True
            roles = None
            if "job_roles" in item:
                roles = self.role_list(
                    item["job_roles"], item.line_of("job_roles"), "exemptions.job_roles"
                )
                good = good and roles is not None
            young = item.get("under_16_at_hire", False)
            if "under_16_at_hire" in item and young is not True:
                self.problem(
                    item.line_of("under_16_at_hire"),
                    "exemptions.under_16_at_hire: must be true (leave it out otherwise)",
                )
                good = False
            unless: tuple[str, ...] | None = ()
            if "unless_job_roles" in item:
                unless = self.role_list(
                    item["unless_job_roles"],
                    item.line_of("unless_job_roles"),
                    "exemptions.unless_job_roles",
                )
                good = good and unless is not None
            if "job_roles" not in item and "under_16_at_hire" not in item:
                self.problem(
                    line, "exemptions: an exemption needs job_roles, under_16_at_hire or both"
                )
                good = False
            reason = None
            if "reason" in item:
                reason = self.text(item["reason"], item.line_of("reason"), "exemptions.reason")
            if good and reason is not None and unless is not None:
                result.append(Exemption(reason, roles, young is True, unless))
        return tuple(result)

    def contacts(self) -> tuple[Contact, ...]:
        """Check `contacts`: the reporting contacts, each with its source (see the README)."""
        data = self.data
        if "contacts" not in data:
            return ()
        value = data["contacts"]
        if not isinstance(value, LineList) or not value:
            self.problem(data.line_of("contacts"), "contacts: must be a non-empty list")
            return ()
        result: list[Contact] = []
        ids: set[str] = set()
        for index, item in enumerate(value):
            line = value.line_of(index)
            if not isinstance(item, LineDict):
                self.problem(line, "contacts: each item must be a mapping")
                continue
            contact = self.contact(item)
            if contact is None:
                continue
            if contact.id in ids:
                self.problem(item.line_of("id"), f"contacts: id '{contact.id}' is repeated")
                continue
            ids.add(contact.id)
            result.append(contact)
        return tuple(result)

    def contact(self, item: LineDict) -> Contact | None:
        """Check one contact; None when any of its fields is unusable."""
        count = len(self.problems)
        self.fields(item, "contacts", _CONTACT_FIELDS, _CONTACT_REQUIRED)
        contact_id = item.get("id")
        if "id" in item and (not isinstance(contact_id, str) or not _ID_RE.fullmatch(contact_id)):
            self.problem(item.line_of("id"), "contacts.id: must be lowercase letters, digits and -")
        kind = item.get("kind")
        if "kind" in item and kind not in CONTACT_KINDS:
            self.problem(
                item.line_of("kind"),
                f"contacts.kind: must be one of {', '.join(CONTACT_KINDS)}",
            )
        label = (
            self.text(item["label"], item.line_of("label"), "contacts.label")
            if ("label" in item)
            else None
        )
        note = (
            self.text(item["note"], item.line_of("note"), "contacts.note")
            if ("note" in item)
            else None
        )
        where = (
            self.text(item["where"], item.line_of("where"), "contacts.where")
            if ("where" in item)
            else None
        )
        source = item.get("source")
        if "source" in item and (not isinstance(source, str) or not source.strip()):
            self.problem(item.line_of("source"), "contacts.source: must be non-empty text")
        unconfirmed = item.get("unconfirmed", False)
        if not isinstance(unconfirmed, bool):
            self.problem(item.line_of("unconfirmed"), "contacts.unconfirmed: must be true or false")
            unconfirmed = False
        phone = self.contact_number(item, "phone", _PHONE_RE, 'a phone number such as "911"')
        text = self.contact_number(item, "text", _SMS_RE, "a text number of 3 to 10 digits")
        keyword = self.contact_number(item, "text_keyword", _KEYWORD_RE, "capital letters")
        if "text_keyword" in item and "text" not in item:
            self.problem(item.line_of("text_keyword"), "contacts.text_keyword: needs 'text'")
        if unconfirmed:
            for key in ("phone", "text"):
                if key in item:
                    self.problem(
                        item.line_of(key),
                        f"contacts.{key}: an unconfirmed contact carries no number;"
                        " say in 'where' where learners find it",
                    )
            if "where" not in item:
                self.problem(
                    item.line,
                    "contacts: an unconfirmed contact needs 'where' (where learners find the"
                    " number, such as the sign posted at the workplace)",
                )
        else:
            if "phone" not in item and "text" not in item:
                self.problem(
                    item.line,
                    "contacts: a contact needs 'phone' or 'text'; without a confirmed number,"
                    " write unconfirmed: true and 'where'",
                )
            if "where" in item:
                self.problem(
                    item.line_of("where"), "contacts.where: only for an unconfirmed contact"
                )
        if (
            len(self.problems) > count
            or label is None
            or not isinstance(contact_id, str)
            or not isinstance(kind, str)
            or not isinstance(source, str)
        ):
            return None  # a problem was recorded for each of these
        return Contact(
            id=contact_id,
            kind=kind,
            label=label,
            source=source.strip(),
            phone=phone,
            text=text,
            text_keyword=keyword,
            note=note,
            where=where,
            unconfirmed=unconfirmed,
        )

    def contact_number(
        self, item: LineDict, key: str, pattern: re.Pattern[str], expected: str
    ) -> str | None:
        """Check a phone number, text number or keyword written as quoted text."""
        if key not in item:
            return None
        value = item[key]
        if not isinstance(value, str) or not pattern.fullmatch(value.strip()):
            self.problem(
                item.line_of(key), f"contacts.{key}: must be {expected}, written in quotes"
            )
            return None
        digits = sum(ch.isdigit() for ch in value)
        if key == "phone" and not 3 <= digits <= 15:
            self.problem(item.line_of(key), "contacts.phone: must have 3 to 15 digits")
            return None
        return value.strip()

    def period(
        self, value: Any, line: int, where: str, units: Sequence[str], at_hire: bool
    ) -> Period | None:
        """Check a one-key mapping naming a period, such as `{days: 30}` or `{years: 1}`."""
        choices = [f"{{{unit}: N}}" for unit in units] + (["{at_hire: true}"] if at_hire else [])
        expected = "must be one of " + ", ".join(choices)
        if not isinstance(value, LineDict) or len(value) != 1:
            self.problem(line, f"{where}: {expected}")
            return None
        key, amount = next(iter(value.items()))
        key_line = value.line_of(key)
        if at_hire and key == "at_hire":
            if amount is not True:
                self.problem(key_line, f"{where}.at_hire: must be true")
                return None
            return Period(0, Unit.DAYS)
        if key not in units:
            self.problem(key_line, f"{where}: unknown field '{key}'; {expected}")
            return None
        number = self.positive_int(amount, key_line, f"{where}.{key}", nullable=False)
        return Period(number, Unit(key)) if number is not None else None

    def first_training(self) -> Period | None:
        """Check `first_training`: `{days: N}`, `{months: N}` or `{at_hire: true}`."""
        if "first_training" not in self.data:
            return None
        return self.period(
            self.data["first_training"],
            self.data.line_of("first_training"),
            "first_training",
            ("days", "months"),
            at_hire=True,
        )

    def refresher(self) -> Period | _Invalid | None:
        """Check `refresher`: `{years: N}`, `{months: N}` or null; _INVALID when unusable."""
        if "refresher" not in self.data:
            return _INVALID
        value = self.data["refresher"]
        if value is None:
            return None
        period = self.period(
            value, self.data.line_of("refresher"), "refresher", ("years", "months"), at_hire=False
        )
        return period if period is not None else _INVALID

    def records(self) -> Records | None:
        """Check `records`: null or retention_years, produce_within_hours, include_former_staff."""
        data = self.data
        value = data.get("records")
        if value is None:
            return None
        if not isinstance(value, LineDict):
            self.problem(data.line_of("records"), "records: must be a mapping or null")
            return None
        self.fields(value, "records", _RECORDS_FIELDS, _RECORDS_FIELDS)
        retention = self.positive_int(
            value.get("retention_years"),
            value.line_of("retention_years"),
            "records.retention_years",
            nullable=True,
        )
        produce = self.positive_int(
            value.get("produce_within_hours"),
            value.line_of("produce_within_hours"),
            "records.produce_within_hours",
            nullable=True,
        )
        former = value.get("include_former_staff", False)
        if not isinstance(former, bool):
            self.problem(
                value.line_of("include_former_staff"),
                "records.include_former_staff: must be true or false",
            )
            former = False
        return Records(retention, produce, former)

    def annual_certification(self) -> AnnualCertification | None:
        """Check `annual_certification`: null or {due: "MM-DD", to: text, first_year}."""
        data = self.data
        value = data.get("annual_certification")
        if value is None:
            return None
        if not isinstance(value, LineDict):
            self.problem(
                data.line_of("annual_certification"),
                "annual_certification: must be a mapping or null",
            )
            return None
        self.fields(value, "annual_certification", _CERT_FIELDS, ("due", "to"))
        month = day = 0
        due = value.get("due")
        if "due" in value:
            match = _DUE_RE.fullmatch(due) if isinstance(due, str) else None
            month, day = (int(match[1]), int(match[2])) if match else (0, 0)
            valid = 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]
            if not valid:
                self.problem(
                    value.line_of("due"),
                    'annual_certification.due: must be a day of the year as "MM-DD" in quotes',
                )
                month = 0
        to = None
        if "to" in value:
            to = self.text(value["to"], value.line_of("to"), "annual_certification.to")
        first_year = None
        if "first_year" in value:
            first_year = value["first_year"]
            if not _is_int(first_year) or not 1900 <= first_year <= 2999:
                self.problem(
                    value.line_of("first_year"), "annual_certification.first_year: must be a year"
                )
                first_year = None
        if not month or to is None:
            return None
        return AnnualCertification(month, day, to, first_year)

    def unconfirmed(self) -> tuple[Unconfirmed, ...]:
        """Check `unconfirmed`: a list of {field, note} naming fields present in this file."""
        data = self.data
        value = data.get("unconfirmed")
        if value is None:
            return ()
        if not isinstance(value, LineList):
            self.problem(data.line_of("unconfirmed"), "unconfirmed: must be a list")
            return ()
        result: list[Unconfirmed] = []
        named: set[str] = set()
        for index, item in enumerate(value):
            line = value.line_of(index)
            if not isinstance(item, LineDict):
                self.problem(line, "unconfirmed: each item must be a mapping with field and note")
                continue
            self.fields(item, "unconfirmed", _UNCONFIRMED_FIELDS, _UNCONFIRMED_FIELDS)
            name = item.get("field")
            note = None
            if "note" in item:
                note = self.text(item["note"], item.line_of("note"), "unconfirmed.note")
            if "field" not in item:
                continue
            field_line = item.line_of("field")
            if name not in _UNCONFIRMABLE:
                self.problem(
                    field_line,
                    f"unconfirmed: unknown field '{name}' "
                    f"(known: {', '.join(sorted(_UNCONFIRMABLE))})",
                )
            elif not self._present(name):
                self.problem(field_line, f"unconfirmed: '{name}' is not set in this file")
            elif name in named:
                self.problem(field_line, f"unconfirmed: '{name}' is repeated")
            else:
                named.add(name)
                if note is not None:
                    result.append(Unconfirmed(name, note))
        return tuple(result)

    def _present(self, dotted: str) -> bool:
        """True when every part of a dotted field path is a key present in the file."""
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True
