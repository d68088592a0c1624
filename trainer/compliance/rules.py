"""Jurisdiction rules: loading and checking `modules/rules/*.yaml`.

The rules themselves, as plain data, and the pure date logic that computes due dates
and statuses live in `trainer.compliance.duedates`; their names stay importable from
here. The file format and the meaning of each field are described in
`modules/rules/README.md`; every problem is reported as `path:line: message`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from trainer.compliance.duedates import (
    DIRECT,
    AnnualCertification,
    Contact,
    DueResult,
    Exemption,
    Period,
    Records,
    Rule,
    StaffStatus,
    Unconfirmed,
    Unit,
    UnknownJurisdictionError,
    add_months,
    annual_certification_due,
    certificate_expiry,
    compute_due,
    counting_rules,
    merged_contacts,
    rules_for,
)
from trainer.core import vocabulary
from trainer.core.yamlsrc import LineDict, LineList, Problem, load_yaml

ORG_KINDS: tuple[str, ...] = tuple(vocabulary.ORG_KINDS)
JOB_ROLES: tuple[str, ...] = tuple(vocabulary.JOB_ROLES)
#: The languages the platform ships in: every text in a rule file is shown to learners or
#: managers, so every one of them is required.
LANGUAGES: tuple[str, ...] = vocabulary.LANGUAGES
REQUIRED_LANGUAGES: tuple[str, ...] = LANGUAGES
BASES: tuple[str, ...] = ("law", "program")
#: How a person is employed: by the organization itself, or through a contractor or agency.
EMPLOYMENT_TYPES: tuple[str, ...] = tuple(vocabulary.EMPLOYMENT_TYPES)
#: What a reporting contact is, in the order a learner is usually told to call.
CONTACT_KINDS: tuple[str, ...] = ("emergency", "law_enforcement", "state_line", "hotline")

#: The rule types and date logic (from `duedates`) are re-exported with the loader.
__all__ = [
    "BASES",
    "CONTACT_KINDS",
    "DIRECT",
    "EMPLOYMENT_TYPES",
    "JOB_ROLES",
    "LANGUAGES",
    "ORG_KINDS",
    "REQUIRED_LANGUAGES",
    "AnnualCertification",
    "Contact",
    "DueResult",
    "Exemption",
    "Period",
    "Records",
    "Rule",
    "StaffStatus",
    "Unconfirmed",
    "Unit",
    "UnknownJurisdictionError",
    "add_months",
    "annual_certification_due",
    "certificate_expiry",
    "compute_due",
    "counting_rules",
    "load_rules",
    "merged_contacts",
    "rules_for",
]

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
