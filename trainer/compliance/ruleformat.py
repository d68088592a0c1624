"""What a rule file may hold, and the checks every part of it uses.

The fields and patterns of `modules/rules/*.yaml` and the base of the file checker:
problems at a line, unknown and missing fields, translated texts, whole numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import Enum
from types import MappingProxyType
from typing import Any

from trainer.core import vocabulary
from trainer.core.yamlcheck import is_int, language_problems, missing_keys, unknown_keys
from trainer.core.yamlsrc import LineDict, Problem

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


ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PHONE_RE = re.compile(r"^\+?[0-9]([0-9 -]*[0-9])?$")
SMS_RE = re.compile(r"^[0-9]{3,10}$")
KEYWORD_RE = re.compile(r"^[A-Z0-9]{1,20}$")
PREFIX_RE = re.compile(r"^[A-Z]{2,5}$")
DUE_RE = re.compile(r"^(\d\d)-(\d\d)$")

REQUIRED_FIELDS = (
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
OPTIONAL_FIELDS = (
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
APPLIES_FIELDS = ("org_kinds", "rooms_more_than", "description")
EXEMPTION_FIELDS = ("job_roles", "under_16_at_hire", "unless_job_roles", "reason")
CONTACT_FIELDS = (
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
CONTACT_REQUIRED = ("id", "kind", "label", "source")
RECORDS_FIELDS = ("retention_years", "produce_within_hours", "include_former_staff")
CERT_FIELDS = ("due", "to", "first_year")
UNCONFIRMED_FIELDS = ("field", "note")
UNCONFIRMABLE = frozenset(
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


class Invalid(Enum):
    """Marks a field whose value could not be used (None is a valid value for some)."""

    VALUE = 0


INVALID = Invalid.VALUE


class FileChecker:
    """The base of a rule file's checker: where problems go and the checks every part uses."""

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
        for line, key in unknown_keys(mapping, allowed):
            self.problem(line, f"{prefix}unknown field '{key}'")
        for key in missing_keys(mapping, required):
            self.problem(mapping.line, f"{prefix}missing field '{key}'")

    def text(self, value: Any, line: int, where: str) -> Mapping[str, str] | None:
        """Check a translatable text: a mapping of language to non-empty text, en and es."""
        if not isinstance(value, LineDict):
            self.problem(
                line, f"{where}: must be a mapping of language to text ({', '.join(LANGUAGES)})"
            )
            return None
        wrong, missing = language_problems(value, LANGUAGES, REQUIRED_LANGUAGES)
        for line, lang, kind in wrong:
            if kind == "unknown":
                self.problem(line, f"{where}: unknown language '{lang}'")
            else:
                self.problem(line, f"{where}.{lang}: must be non-empty text")
        for lang in missing:
            self.problem(value.line, f"{where}: missing language '{lang}'")
        if wrong or missing:
            return None
        return MappingProxyType({k: v.strip() for k, v in value.items()})

    def positive_int(self, value: Any, line: int, where: str, *, nullable: bool) -> int | None:
        """Check a whole number of at least 1 (or null when `nullable`)."""
        if value is None and nullable:
            return None
        if not is_int(value) or value < 1:
            extra = " or null" if nullable else ""
            self.problem(line, f"{where}: must be a whole number of at least 1{extra}")
            return None
        return int(value)
