"""The rule file checker's part that reads what a rule requires.

Reporting contacts, training periods, records, the annual certification and the fields
not yet confirmed against the law.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from typing import Any

from trainer.compliance.duedates import (
    AnnualCertification,
    Contact,
    Period,
    Records,
    Unconfirmed,
    Unit,
)
from trainer.compliance.rulecoverage import CoverageChecks
from trainer.compliance.ruleformat import (
    CERT_FIELDS,
    CONTACT_FIELDS,
    CONTACT_KINDS,
    CONTACT_REQUIRED,
    DUE_RE,
    ID_RE,
    INVALID,
    KEYWORD_RE,
    PHONE_RE,
    RECORDS_FIELDS,
    SMS_RE,
    UNCONFIRMABLE,
    UNCONFIRMED_FIELDS,
    Invalid,
)
from trainer.core.yamlcheck import is_int
from trainer.core.yamlsrc import LineDict, LineList


class TermsChecks(CoverageChecks):
    """The parts of a rule file that say what the rule requires."""

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
        self.fields(item, "contacts", CONTACT_FIELDS, CONTACT_REQUIRED)
        contact_id = item.get("id")
        if "id" in item and (not isinstance(contact_id, str) or not ID_RE.fullmatch(contact_id)):
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
        phone = self.contact_number(item, "phone", PHONE_RE, 'a phone number such as "911"')
        text = self.contact_number(item, "text", SMS_RE, "a text number of 3 to 10 digits")
        keyword = self.contact_number(item, "text_keyword", KEYWORD_RE, "capital letters")
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

    def refresher(self) -> Period | Invalid | None:
        """Check `refresher`: `{years: N}`, `{months: N}` or null; INVALID when unusable."""
        if "refresher" not in self.data:
            return INVALID
        value = self.data["refresher"]
        if value is None:
            return None
        period = self.period(
            value, self.data.line_of("refresher"), "refresher", ("years", "months"), at_hire=False
        )
        return period if period is not None else INVALID

    def records(self) -> Records | None:
        """Check `records`: null or retention_years, produce_within_hours, include_former_staff."""
        data = self.data
        value = data.get("records")
        if value is None:
            return None
        if not isinstance(value, LineDict):
            self.problem(data.line_of("records"), "records: must be a mapping or null")
            return None
        self.fields(value, "records", RECORDS_FIELDS, RECORDS_FIELDS)
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
        self.fields(value, "annual_certification", CERT_FIELDS, ("due", "to"))
        month = day = 0
        due = value.get("due")
        if "due" in value:
            match = DUE_RE.fullmatch(due) if isinstance(due, str) else None
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
            if not is_int(first_year) or not 1900 <= first_year <= 2999:
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
            self.fields(item, "unconfirmed", UNCONFIRMED_FIELDS, UNCONFIRMED_FIELDS)
            name = item.get("field")
            note = None
            if "note" in item:
                note = self.text(item["note"], item.line_of("note"), "unconfirmed.note")
            if "field" not in item:
                continue
            field_line = item.line_of("field")
            if name not in UNCONFIRMABLE:
                self.problem(
                    field_line,
                    f"unconfirmed: unknown field '{name}' "
                    f"(known: {', '.join(sorted(UNCONFIRMABLE))})",
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
