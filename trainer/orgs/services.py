"""Organizations and their staff: create, edit, deactivate, and import from CSV.

Services flush and never commit; the view that called them commits once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError
from flask_babel import gettext as _
from sqlalchemy import func, select

from trainer.audit import services as audit
from trainer.auth.models import Role, User, new_security_stamp
from trainer.core import printable
from trainer.core.validators import check_email
from trainer.extensions import db
from trainer.orgs.jobroles import JOB_ROLES
from trainer.orgs.models import Organization, OrganizationContact
from trainer.timeutil import utcnow

LANGUAGES = ("en", "es", "vi")

#: Hooks run after a staff member is created or changes job role (enrollment listens).
STAFF_HOOKS: list[Callable[[User], object]] = []  # what a hook returns is ignored


@dataclass
class OrgData:
    """The editable fields of an organization."""

    kind: str
    name: str
    address: str
    jurisdiction: str
    department: str | None = None
    permit_number: str | None = None
    rooms: int | None = None


def create_org(data: OrgData, *, actor: User) -> Organization:
    """Create a hotel, city department or partner."""
    org = Organization(**data.__dict__)
    db.session.add(org)
    db.session.flush()
    audit.record(
        "org.created",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=org.id,
        organization_id=org.id,
        details={"name": org.name, "kind": org.kind},
    )
    return org


def update_org(org: Organization, data: OrgData, *, actor: User) -> None:
    """Change an organization's fields."""
    changed = {k: v for k, v in data.__dict__.items() if getattr(org, k) != v}
    for key, value in changed.items():
        setattr(org, key, value)
    if changed:
        audit.record(
            "org.updated",
            actor_id=actor.id,
            subject_type="organization",
            subject_id=org.id,
            organization_id=org.id,
            details={"fields": sorted(changed)},
        )


def list_orgs(jurisdiction: str | None = None) -> Sequence[Organization]:
    """Organizations, by name; only one jurisdiction's when given."""
    query = select(Organization).order_by(Organization.name)
    if jurisdiction:
        query = query.where(Organization.jurisdiction == jurisdiction)
    return db.session.scalars(query).all()


@dataclass
class StaffData:
    """The fields a manager gives for a staff member."""

    first_name: str
    last_name: str
    email: str | None
    job_role: str
    hire_date: date
    language: str = "en"
    extra_time_percent: int = 0
    employment: str = "direct"
    under_16_at_hire: bool = False


def email_taken(email: str, *, except_user_id: int | None = None) -> bool:
    """True when another account already uses this email (case-insensitive)."""
    query = select(User.id).where(func.lower(User.email) == email.strip().lower())
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.scalar(query.limit(1)) is not None


def add_staff(org: Organization, data: StaffData, *, actor: User) -> User:
    """Add a learner to the organization (email optional) and run enrollment hooks."""
    user = User(
        organization_id=org.id,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=(data.email or "").strip().lower() or None,
        job_role=data.job_role,
        hire_date=data.hire_date,
        language=data.language,
        extra_time_percent=data.extra_time_percent,
        employment=data.employment,
        under_16_at_hire=data.under_16_at_hire,
        role=Role.LEARNER.value,
    )
    user.organization = org
    db.session.add(user)
    db.session.flush()
    audit.about_person("staff.added", user, actor_id=actor.id)
    for hook in STAFF_HOOKS:
        hook(user)
    return user


def update_staff(user: User, data: StaffData, *, actor: User) -> None:
    """Change a staff member's details; a new job role re-runs enrollment hooks."""
    new_email = (data.email or "").strip().lower() or None
    values = {
        "first_name": data.first_name.strip(),
        "last_name": data.last_name.strip(),
        "email": new_email,
        "job_role": data.job_role,
        "hire_date": data.hire_date,
        "language": data.language,
        "extra_time_percent": data.extra_time_percent,
        "employment": data.employment,
        "under_16_at_hire": data.under_16_at_hire,
    }
    changed = {k: v for k, v in values.items() if getattr(user, k) != v}
    for key, value in changed.items():
        setattr(user, key, value)
    if "email" in changed:
        # links sent to the old address stop working, and so do open sessions
        user.security_stamp = new_security_stamp()
    if changed:
        audit.about_person(
            "staff.updated", user, actor_id=actor.id, details={"fields": sorted(changed)}
        )
    if "job_role" in changed:
        for hook in STAFF_HOOKS:
            hook(user)


def record_invitation(user: User, *, actor: User) -> None:
    """Note in the audit log that an invitation was sent (again) to the person."""
    audit.about_person("staff.invited", user, actor_id=actor.id)


def set_staff_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate (or reactivate) a person; every record they have is kept."""
    if user.active == active:
        return
    user.active = active
    user.deactivated_at = None if active else utcnow()
    if not active:
        user.security_stamp = new_security_stamp()
    audit.about_person(
        "staff.reactivated" if active else "staff.deactivated", user, actor_id=actor.id
    )


def staff_of(org: Organization, *, include_inactive: bool = True) -> Sequence[User]:
    """Everyone in the organization, by last name."""
    query = select(User).where(User.organization_id == org.id)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return db.session.scalars(query.order_by(User.last_name, User.first_name)).all()


# --- CSV import ----------------------------------------------------------------------

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
YES_WORDS = frozenset({"yes", "y", "true", "1", "x", "si", "sí", "có"})
NO_WORDS = frozenset({"no", "n", "false", "0", "không"})
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d")


@dataclass(frozen=True)
class RowError:
    """One bad cell: the file's row number (header is row 1), the column and why."""

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


def _job_role_code(value: str) -> str | None:
    """Accept a job-role id or its English name ("Front desk")."""
    key = value.strip().lower().replace(" ", "_").replace("-", "_").replace("&", "and")
    aliases = {"food_and_beverage": "food_beverage", "bell": "bell_valet", "valet": "bell_valet"}
    key = aliases.get(key, key)
    return key if key in JOB_ROLES else None


def _check_row(
    number: int, record: dict[str, str], seen_emails: dict[str, int], org: Organization
) -> tuple[StaffData | None, list[RowError]]:
    errors: list[RowError] = []
    for column in ("first_name", "last_name", "job_role", "hire_date"):
        if not record.get(column, "").strip():
            errors.append(RowError(number, column, _("missing value")))
    for column in ("first_name", "last_name"):
        value = printable.clean(record.get(column, "")) or ""
        record[column] = value
        if len(value) > 100:
            errors.append(RowError(number, column, _("longer than 100 characters")))
        bad = printable.unprintable(value)
        if bad:
            errors.append(
                RowError(
                    number,
                    column,
                    _(
                        "cannot be printed on the certificate: %(chars)s",
                        chars=" ".join(bad[:10]),
                    ),
                )
            )
    email = record.get("email", "").strip().lower()
    if email:
        try:
            check_email(email)
        except EmailNotValidError:
            errors.append(RowError(number, "email", _("not a valid email address")))
        else:
            if email in seen_emails:
                errors.append(
                    RowError(
                        number,
                        "email",
                        _("same email as row %(row)d", row=seen_emails[email]),
                    )
                )
            else:
                seen_emails[email] = number
                owner = db.session.scalar(select(User).where(func.lower(User.email) == email))
                if owner is not None and owner.organization_id != org.id:
                    errors.append(
                        RowError(number, "email", _("already used in another organization"))
                    )
                elif owner is not None:
                    errors.append(RowError(number, "email", _("already on your staff list")))
    job_role = _job_role_code(record.get("job_role", ""))
    if record.get("job_role", "").strip() and job_role is None:
        errors.append(RowError(number, "job_role", _("unknown job role")))
    hire = parse_date(record.get("hire_date", "")) if record.get("hire_date", "").strip() else None
    if record.get("hire_date", "").strip() and hire is None:
        errors.append(RowError(number, "hire_date", _("not a date (use YYYY-MM-DD)")))
    elif hire is not None and hire > date.today():
        errors.append(RowError(number, "hire_date", _("hire date is in the future")))
    language = (record.get("language", "") or "en").strip().lower()[:2] or "en"
    if language not in LANGUAGES:
        errors.append(RowError(number, "language", _("unknown language (en, es or vi)")))
    employment = EMPLOYMENT_WORDS.get(record.get("employment", "").strip().lower() or "direct")
    if employment is None:
        errors.append(RowError(number, "employment", _("use direct or contractor")))
    young_word = record.get("under_16_at_hire", "").strip().lower()
    young = young_word in YES_WORDS
    if young_word and not young and young_word not in NO_WORDS:
        errors.append(RowError(number, "under_16_at_hire", _("use yes or no")))
    if errors:
        return None, errors
    return (
        StaffData(
            first_name=record["first_name"],
            last_name=record["last_name"],
            email=email or None,
            job_role=job_role or "other",
            hire_date=hire or date.today(),
            language=language,
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


def parse_staff_csv(raw: bytes, org: Organization, *, max_bytes: int) -> ImportResult:
    """Read and check a staff CSV; every bad row and column is reported, nothing saved."""
    result = ImportResult()
    if len(raw) > max_bytes:
        result.errors.append(
            RowError(0, "", _("The file is larger than %(kb)d KB.", kb=max_bytes // 1024))
        )
        return result
    text = decode_csv(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader, None)
    except csv.Error:
        result.errors.append(RowError(1, "", _("The header row cannot be read as CSV.")))
        return result
    if not header:
        result.errors.append(RowError(1, "", _("The file is empty.")))
        return result
    columns = [HEADER_ALIASES.get(h.strip().lower()) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        result.errors.append(
            RowError(1, ", ".join(missing), _("missing column(s) in the header row"))
        )
        return result
    seen_emails: dict[str, int] = {}
    for number, cells in _rows(reader):
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
        row, errors = _check_row(number, record, seen_emails, org)
        result.errors.extend(errors)
        if row is not None:
            result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "", _("The file has no staff rows.")))
    return result


def import_staff(org: Organization, rows: Sequence[StaffData], *, actor: User) -> list[User]:
    """Add every checked row (call only when parse_staff_csv found no error)."""
    users = [add_staff(org, row, actor=actor) for row in rows]
    audit.record(
        "staff.imported",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=org.id,
        organization_id=org.id,
        details={"rows": len(users)},
    )
    return users


# --- the organization's own contacts ----------------------------------------------------

#: An organization's own contacts shown in lessons: a short list learners can read.
MAX_CONTACTS = 10


class ContactLimitError(Exception):
    """The organization already has the most contacts a lesson shows."""


@dataclass
class ContactData:
    """The fields of one of the organization's own contacts."""

    label: str
    phone: str
    note: str = ""


def _contact_details(contact: OrganizationContact) -> dict[str, str]:
    return {"label": contact.label, "phone": contact.phone, "note": contact.note}


def add_contact(org: Organization, data: ContactData, *, actor: User) -> OrganizationContact:
    """Add a contact that learners of the organization see in lessons."""
    count = db.session.scalar(
        select(func.count(OrganizationContact.id)).where(
            OrganizationContact.organization_id == org.id
        )
    )
    if (count or 0) >= MAX_CONTACTS:
        raise ContactLimitError
    last = db.session.scalar(
        select(func.max(OrganizationContact.position)).where(
            OrganizationContact.organization_id == org.id
        )
    )
    contact = OrganizationContact(
        organization_id=org.id,
        label=data.label.strip(),
        phone=" ".join(data.phone.split()),
        note=data.note.strip(),
        position=(last or 0) + 1,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record(
        "org.contact_added",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=org.id,
        organization_id=org.id,
        details=_contact_details(contact),
    )
    return contact


def update_contact(contact: OrganizationContact, data: ContactData, *, actor: User) -> None:
    """Change a contact's label, number or note."""
    values = {
        "label": data.label.strip(),
        "phone": " ".join(data.phone.split()),
        "note": data.note.strip(),
    }
    changed = {k: v for k, v in values.items() if getattr(contact, k) != v}
    if not changed:
        return
    before = _contact_details(contact)
    for key, value in changed.items():
        setattr(contact, key, value)
    audit.record(
        "org.contact_updated",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=contact.organization_id,
        organization_id=contact.organization_id,
        details={"before": before, "after": _contact_details(contact)},
    )


def remove_contact(contact: OrganizationContact, *, actor: User) -> None:
    """Remove a contact (the audit log keeps what it said)."""
    audit.record(
        "org.contact_removed",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=contact.organization_id,
        organization_id=contact.organization_id,
        details=_contact_details(contact),
    )
    db.session.delete(contact)
    db.session.flush()


def contacts_of(org: Organization) -> Sequence[OrganizationContact]:
    """The organization's own contacts, in the order they were added."""
    return db.session.scalars(
        select(OrganizationContact)
        .where(OrganizationContact.organization_id == org.id)
        .order_by(OrganizationContact.position, OrganizationContact.id)
    ).all()
