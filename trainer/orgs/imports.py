"""Staff imported from a CSV file: every row checked, then all rows added or none.

Errors name the file's own column headers and row numbers (the header is row 1) and
say which values are accepted.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from trainer import timeutil
from trainer.audit import services as audit
from trainer.auth.models import User
from trainer.core import csvout, printable
from trainer.core.validators import check_email
from trainer.core.vocabulary import JOB_ROLES
from trainer.extensions import db
from trainer.orgs.jobroles import EMPLOYMENT_TYPES
from trainer.orgs.models import Organization
from trainer.orgs.services import LANGUAGES, StaffData, add_staff

# --- CSV import ----------------------------------------------------------------------
#
# Errors name the file's own column headers and row numbers (the header is row 1) and
# say which values are accepted. Job roles and employment are accepted as their ids or
# as the labels the app shows in any shipped language, ignoring case and accents.

HEADER_ALIASES = {
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "first name": "first_name",
    "first_name": "first_name",
    "firstname": "first_name",
    "last name": "last_name",
    "last_name": "last_name",
    "lastname": "last_name",
    "job role": "job_role",
    "job_role": "job_role",
    "role": "job_role",
    "hire date": "hire_date",
    "hire_date": "hire_date",
    "language": "language",
    "employment": "employment",
    "employed by": "employment",
    "employment type": "employment",
    "under 16 at hire": "under_16_at_hire",
    "under_16_at_hire": "under_16_at_hire",
    "under 16 when hired": "under_16_at_hire",
}
#: The header of the template download, one name per column (required ones first).
TEMPLATE_HEADERS: dict[str, str] = {
    "email": "email",
    "first_name": "first name",
    "last_name": "last name",
    "job_role": "job role",
    "hire_date": "hire date",
    "language": "language",
    "employment": "employment",
    "under_16_at_hire": "under 16 at hire",
}
REQUIRED_COLUMNS = ("email", "first_name", "last_name", "job_role", "hire_date", "language")
#: Optional columns: `employment` (direct or contractor, empty: direct) and
#: `under_16_at_hire` (yes or no, empty: no).
EMPLOYMENT_WORDS = {
    "direct": "direct",
    "employee": "direct",
    "contractor": "contractor",
    "contract": "contractor",
    "agency": "contractor",
}
LANGUAGE_WORDS = {
    "english": "en",
    "ingles": "en",
    "tieng anh": "en",
    "spanish": "es",
    "espanol": "es",
    "tieng tay ban nha": "es",
    "vietnamese": "vi",
    "vietnamita": "vi",
    "tieng viet": "vi",
}
JOB_ROLE_WORDS = {"food and beverage": "food_beverage", "bell": "bell_valet", "valet": "bell_valet"}
YES_WORDS = frozenset({"yes", "y", "true", "1", "x", "si", "co"})
NO_WORDS = frozenset({"no", "n", "false", "0", "khong"})
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d")
#: The languages whose labels an import accepts (the shipped translations).
LABEL_LANGUAGES = ("en", "es", "vi")


def fold(value: str) -> str:
    """A value as the import compares it: no case, no accents, `_`/`-` as spaces."""
    text = unicodedata.normalize("NFKD", value.casefold().replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("_", " ").replace("-", " ").replace("&", " and ")
    return " ".join(text.split())


def _label_words(labels: dict[str, object], extra: dict[str, str]) -> dict[str, str]:
    """Every accepted spelling (folded) of `labels`: ids, labels in each language, `extra`."""
    words = {fold(code): code for code in labels}
    for language in LABEL_LANGUAGES:
        with force_locale(language):
            for code, label in labels.items():
                words.setdefault(fold(str(label)), code)
    for word, code in extra.items():
        words.setdefault(fold(word), code)
    return words


@dataclass(frozen=True)
class RowError:
    """One bad cell: the file's row number (header is row 1), its column header and why."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """Rows ready to import, or the errors that stop the whole file."""

    rows: list[StaffData] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row is valid."""
        return not self.errors


@dataclass(frozen=True)
class _Vocabulary:
    """The accepted values of the columns with a fixed list, built once per import."""

    job_roles: dict[str, str]
    employment: dict[str, str]


def _vocabulary() -> _Vocabulary:
    return _Vocabulary(
        job_roles=_label_words(JOB_ROLES, JOB_ROLE_WORDS),
        employment=_label_words(EMPLOYMENT_TYPES, EMPLOYMENT_WORDS),
    )


def accepted_job_roles() -> str:
    """The job roles an import accepts, as shown to the reader (current language)."""
    return "; ".join(str(label) for label in JOB_ROLES.values())


def accepted_employment() -> str:
    """The employment values an import accepts, as shown to the reader."""
    return "; ".join(f"{code} ({label})" for code, label in EMPLOYMENT_TYPES.items())


def decode_csv(raw: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252 from spreadsheets."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_date(value: str) -> date | None:
    """A date in ISO or US spreadsheet form, or None."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _language_code(value: str) -> str | None:
    """A language code from its code (`es`, `es-MX`), English name or own name."""
    word = fold(value)
    if not word:
        return "en"
    if word[:2] in LANGUAGES and (len(word) == 2 or word[2] in " ."):
        return word[:2]
    return LANGUAGE_WORDS.get(word)


def _check_row(
    number: int,
    record: dict[str, str],
    names: dict[str, str],
    seen_emails: dict[str, int],
    org: Organization,
    words: _Vocabulary,
) -> tuple[StaffData | None, list[RowError]]:
    """Check one row; `names` maps each column to its header in the file."""
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(number, names.get(column, column), message))

    for column in ("first_name", "last_name", "job_role", "hire_date"):
        if not record.get(column, "").strip():
            error(column, _("missing value"))
    for column in ("first_name", "last_name"):
        value = printable.clean(record.get(column, "")) or ""
        record[column] = value
        if len(value) > 100:
            error(column, _("longer than 100 characters"))
        bad = printable.unprintable(value)
        if bad:
            error(
                column,
                _("cannot be printed on the certificate: %(chars)s", chars=" ".join(bad[:10])),
            )
    email = record.get("email", "").strip().lower()
    if email:
        try:
            check_email(email)
        except EmailNotValidError:
            error("email", _("not a valid email address"))
        else:
            if email in seen_emails:
                error("email", _("same email as row %(row)d", row=seen_emails[email]))
            else:
                seen_emails[email] = number
                owner = db.session.scalar(select(User).where(func.lower(User.email) == email))
                if owner is not None and owner.organization_id != org.id:
                    error("email", _("already used in another organization"))
                elif owner is not None:
                    error("email", _("already on your staff list"))
    given_role = record.get("job_role", "").strip()
    job_role = words.job_roles.get(fold(given_role))
    if given_role and job_role is None:
        error(
            "job_role",
            _(
                "unknown job role “%(value)s”; use one of: %(accepted)s",
                value=given_role[:60],
                accepted=accepted_job_roles(),
            ),
        )
    given_hire = record.get("hire_date", "").strip()
    hire = parse_date(given_hire) if given_hire else None
    if given_hire and hire is None:
        error(
            "hire_date",
            _(
                "“%(value)s” is not a date; use YYYY-MM-DD (for example %(example)s) or MM/DD/YYYY",
                value=given_hire[:60],
                example=timeutil.today().replace(day=1).isoformat(),
            ),
        )
    elif hire is not None and hire > timeutil.today():
        error("hire_date", _("hire date is in the future"))
    given_language = record.get("language", "").strip()
    language = _language_code(given_language)
    if language is None:
        error(
            "language",
            _(
                "unknown language “%(value)s”; use en (English), es (Spanish) or vi (Vietnamese)",
                value=given_language[:60],
            ),
        )
    given_employment = record.get("employment", "").strip()
    employment = words.employment.get(fold(given_employment)) if given_employment else "direct"
    if employment is None:
        error(
            "employment",
            _(
                "unknown employment “%(value)s”; use one of: %(accepted)s; empty means direct",
                value=given_employment[:60],
                accepted=accepted_employment(),
            ),
        )
    young_word = fold(record.get("under_16_at_hire", ""))
    young = young_word in YES_WORDS
    if young_word and not young and young_word not in NO_WORDS:
        error("under_16_at_hire", _("use yes or no; empty means no"))
    if errors:
        return None, errors
    return (
        StaffData(
            first_name=record["first_name"],
            last_name=record["last_name"],
            email=email or None,
            job_role=job_role or "other",
            hire_date=hire or timeutil.today(),
            language=language or "en",
            employment=employment or "direct",
            under_16_at_hire=young,
        ),
        [],
    )


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str] | None]]:
    """Number the rows from 2 (after the header); None for a row the parser refuses."""
    number = 2
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield number, None
            return
        yield number, cells
        number += 1


#: Rows between two progress reports of an import run by a job.
PROGRESS_EVERY = 100
#: Called with the number of rows handled so far.
RowCallback = Callable[[int], None]


def _reader(raw: bytes) -> Iterator[list[str]]:
    """A CSV reader over the file, in the dialect it was saved in."""
    text = decode_csv(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


def count_rows(raw: bytes) -> int:
    """How many non-empty rows follow the header (up to the first unreadable one)."""
    count = 0
    reader = _reader(raw)
    try:
        next(reader, None)
    except csv.Error:
        return 0
    for _number, cells in _rows(reader):
        if cells is None:
            break
        if any(c.strip() for c in cells):
            count += 1
    return count


def parse_staff_csv(
    raw: bytes, org: Organization, *, max_bytes: int, on_row: RowCallback | None = None
) -> ImportResult:
    """Read and check a staff CSV; every bad row and column is reported, nothing saved.

    `on_row`, if given, hears every PROGRESS_EVERY rows how many were checked.
    """
    result = ImportResult()
    if len(raw) > max_bytes:
        result.errors.append(
            RowError(0, "", _("The file is larger than %(kb)d KB.", kb=max_bytes // 1024))
        )
        return result
    reader = _reader(raw)
    try:
        header = next(reader, None)
    except csv.Error:
        result.errors.append(RowError(1, "", _("The header row cannot be read as CSV.")))
        return result
    if not header or not any(h.strip() for h in header):
        result.errors.append(RowError(1, "", _("The file is empty.")))
        return result
    columns = [HEADER_ALIASES.get(" ".join(h.strip().lower().split())) for h in header]
    names = {col: h.strip() for col, h in zip(columns, header, strict=True) if col}
    missing = [TEMPLATE_HEADERS[c] for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        result.errors.append(
            RowError(
                1,
                "",
                _(
                    "The header row has no column for: %(missing)s. Its columns are: "
                    "%(found)s. Download the template to see the expected header row.",
                    missing=", ".join(missing),
                    found=", ".join(h.strip() for h in header if h.strip())[:300] or "—",
                ),
            )
        )
        return result
    words = _vocabulary()
    seen_emails: dict[str, int] = {}
    checked = 0
    for number, cells in _rows(reader):
        if on_row is not None and checked and checked % PROGRESS_EVERY == 0:
            on_row(checked)
        checked += 1
        if cells is None:
            result.errors.append(
                RowError(
                    number,
                    "",
                    _("this row cannot be read: a cell is too long or a quote is not closed"),
                )
            )
            break
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            result.errors.append(
                RowError(
                    number,
                    "",
                    _("%(got)d cells, expected %(want)d", got=len(cells), want=len(header)),
                )
            )
            continue
        record = {col: cell for col, cell in zip(columns, cells, strict=True) if col}
        row, errors = _check_row(number, record, names, seen_emails, org, words)
        result.errors.extend(errors)
        if row is not None:
            result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "", _("The file has no staff rows.")))
    return result


def template_csv() -> str:
    """The import template: the header row the import expects, ready to fill in."""
    out = io.StringIO()
    csvout.writer(out).writerow(TEMPLATE_HEADERS.values())
    return out.getvalue()


def import_staff(
    org: Organization,
    rows: Sequence[StaffData],
    *,
    actor: User,
    on_row: RowCallback | None = None,
) -> list[User]:
    """Add every checked row (call only when parse_staff_csv found no error).

    `on_row`, if given, hears every PROGRESS_EVERY rows how many were added.
    """
    users = []
    for row in rows:
        users.append(add_staff(org, row, actor=actor))
        if on_row is not None and len(users) % PROGRESS_EVERY == 0:
            on_row(len(users))
    audit.record(
        "staff.imported",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=org.id,
        organization_id=org.id,
        details={"rows": len(users)},
    )
    return users
