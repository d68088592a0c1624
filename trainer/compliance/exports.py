"""CSV exports of the compliance lists and the records package the law asks employers to keep.

CSV files are produced row by row (generators), so a city-wide export streams without
holding every row in memory. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select

from trainer.audit import services as audit
from trainer.auth.models import User
from trainer.certificates import services as certificates
from trainer.certificates.models import Certificate
from trainer.compliance import services
from trainer.compliance.rules import add_months
from trainer.compliance.services import StaffRow
from trainer.core import csvout
from trainer.extensions import db
from trainer.orgs.models import Organization
from trainer.timeutil import local_date, utcnow

#: A byte order mark first, so that spreadsheet programs read the UTF-8 names correctly.
BOM = "\ufeff"
_FORMULA_START = frozenset(("=", "+", "-", "@", "\t", "\r"))
ROWS_PER_CHUNK = 200


def cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text[:1] in _FORMULA_START else text


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, prepared: bool = False
) -> Iterator[str]:
    """Yield a CSV (BOM, header, rows) in chunks of a few hundred rows.

    Each value goes through `cell`, unless `prepared` says the rows already hold cells.
    """
    buffer = io.StringIO()
    writer = csvout.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row if prepared else [cell(value) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# --------------------------------------------------------------------------- staff lists

STAFF_FIELDS = (
    "name",
    "email",
    "job_role",
    "hire_date",
    "status",
    "due_date",
    "rule",
    "citation",
    "last_completed",
    "in_progress",
)
CITY_STAFF_FIELDS = ("organization", "permit_number", *STAFF_FIELDS)


def _staff_values(row: StaffRow) -> list[object]:
    return [
        row.full_name,
        row.email,
        row.job_role,
        row.hire_date,
        row.status.value,
        row.due.due_date,
        row.due.rule_id,
        row.due.citation,
        row.completed_on,
        "yes" if row.in_progress else "no",
    ]


def staff_csv(rows: Iterable[StaffRow]) -> Iterator[str]:
    """The staff list (one organization) as CSV chunks."""
    return csv_chunks(STAFF_FIELDS, (_staff_values(row) for row in rows))


def city_staff_csv(jurisdiction: str | None, today: date) -> Iterator[str]:
    """Every active staff member of a jurisdiction's organizations, streamed as CSV."""
    conditions: list[ColumnElement[bool]] = [
        User.active.is_(True),
        Organization.active.is_(True),
    ]
    if jurisdiction is not None:
        conditions.append(Organization.jurisdiction == jurisdiction)
    names = {
        org_id: (cell(name), cell(permit))
        for org_id, name, permit in db.session.execute(
            select(Organization.id, Organization.name, Organization.permit_number)
        )
    }

    def rows() -> Iterator[list[object]]:
        judge = services.Judge(today)
        query = services.staff_facts(*conditions, wide=True).execution_options(
            yield_per=2000, stream_results=True
        )
        for facts in db.session.execute(query):
            due, completed_on = judge.facts_due(facts)
            name, permit = names.get(facts.organization_id, ("", ""))
            yield [
                name,
                permit,
                cell(f"{facts.first_name} {facts.last_name}".strip()),
                cell(facts.email),
                facts.job_role or "other",
                _iso(facts.hire_date),
                due.status.value,
                _iso(due.due_date),
                due.rule_id or "",
                due.citation or "",
                _iso(completed_on),
                "yes" if facts.in_progress else "no",
            ]

    return csv_chunks(CITY_STAFF_FIELDS, rows(), prepared=True)


ORG_FIELDS = (
    "organization",
    "permit_number",
    "address",
    "staff",
    "covered",
    "trained",
    "compliance_rate",
    "overdue",
    "expired",
    "due_soon",
    "year",
    "certification_due",
    "certified_for_year",
    "certified_at",
    "last_certified_at",
)


def orgs_csv(summaries: Iterable[services.OrgSummary], year: int) -> Iterator[str]:
    """The city's overview as CSV chunks."""
    return csv_chunks(
        ORG_FIELDS,
        (
            [
                s.name,
                s.permit_number,
                s.address,
                s.staff,
                s.covered,
                s.trained,
                "" if s.rate is None else f"{s.rate:.1f}",
                s.counts.get("overdue", 0),
                s.counts.get("expired", 0),
                s.counts.get("due_soon", 0),
                year,
                s.certification_due,
                ("yes" if s.certified else "no") if s.certification_required else "not_required",
                s.certified_at,
                s.last_certified_at,
            ]
            for s in summaries
        ),
    )


CERTIFICATE_FIELDS = (
    "serial",
    "holder",
    "organization",
    "track",
    "completed",
    "issued",
    "expires",
    "status",
    "sha256",
)


def certificates_csv(certs: Iterable[Certificate], today: date) -> Iterator[str]:
    """Certificates (a search result) as CSV chunks."""
    return csv_chunks(
        CERTIFICATE_FIELDS,
        (
            [
                c.serial,
                c.holder_name,
                c.organization_name,
                c.track_title,
                local_date(c.completed_at),
                local_date(c.issued_at),
                c.expires_on,
                c.status(today).value,
                c.pdf_sha256,
            ]
            for c in certs
        ),
    )


AUDIT_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "organization_id",
    "details",
    "prev_hash",
    "hash",
)


def audit_csv(jurisdiction: str | None, batch: int = 2000) -> Iterator[str]:
    """The audit log (a jurisdiction's organizations' events, or all), oldest first."""
    from trainer.audit.models import AuditEvent

    query = select(AuditEvent).order_by(AuditEvent.seq)
    if jurisdiction is not None:
        orgs = select(Organization.id).where(Organization.jurisdiction == jurisdiction)
        query = query.where(AuditEvent.organization_id.in_(orgs))

    def rows() -> Iterator[list[object]]:
        result = db.session.scalars(query.execution_options(yield_per=batch))
        for event in result:
            yield [
                event.seq,
                event.created_at.isoformat(),
                event.actor_id,
                event.action,
                event.subject_type,
                event.subject_id,
                event.organization_id,
                event.details,
                event.prev_hash,
                event.hash,
            ]

    return csv_chunks(AUDIT_FIELDS, rows())


# --------------------------------------------------------------------------- records package


@dataclass(frozen=True)
class Retention:
    """How long training records are kept and whether former staff are included."""

    years: int | None
    include_former: bool
    rule_ids: tuple[str, ...]
    since: date | None

    @property
    def since_moment(self) -> datetime | None:
        """The start of the retention period as a UTC time (midnight)."""
        return datetime.combine(self.since, time.min, tzinfo=UTC) if self.since else None


def retention_for(org: Organization, today: date) -> Retention:
    """The longest retention period among the organization's rules (Texas: 2 years)."""
    rules = [
        rule
        for rule in services.org_rules(org)
        if rule.applies_to(org.kind, org.rooms) and rule.records is not None
    ]
    years = [r.records.retention_years for r in rules if r.records and r.records.retention_years]
    longest = max(years, default=None)
    return Retention(
        years=longest,
        include_former=any(r.records.include_former_staff for r in rules if r.records),
        rule_ids=tuple(r.id for r in rules),
        since=add_months(today, -12 * longest) if longest else None,
    )


RECORD_FIELDS = (
    "name",
    "hire_date",
    "course",
    "completion_date",
    "certificate_serial",
    "employment",
    "left_on",
    "job_role",
    "certificate_status",
    "expires_on",
    "file",
)


@dataclass(frozen=True)
class RecordsPackage:
    """The package as a file (ZIP), with what it holds."""

    file: IO[bytes]
    people: int
    certificates: int
    sha256: str
    size: int


def _records_people(org: Organization, retention: Retention) -> list[Any]:
    """Current staff, and former staff who left within the retention period when asked."""
    who: ColumnElement[bool] = User.active.is_(True)
    if retention.include_former:
        since = retention.since_moment
        former: ColumnElement[bool] = User.active.is_(False)
        if since is not None:
            former = former & (User.deactivated_at >= since)
        who = or_(who, former)
    return list(
        db.session.execute(
            select(
                User.id,
                User.first_name,
                User.last_name,
                User.hire_date,
                User.job_role,
                User.active,
                User.deactivated_at,
            )
            .where(
                User.organization_id == org.id,
                User.role.in_(services.STAFF_ROLES),
                who,
            )
            .order_by(User.last_name, User.first_name, User.id)
        )
    )


def records_package(
    org: Organization,
    today: date,
    *,
    actor: User,
    out: IO[bytes] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RecordsPackage:
    """A ZIP with records.csv, every certificate PDF, README.txt and manifest.csv.

    records.csv has what Texas asks employers to keep (name, hire date, course,
    completion date, certificate) for current staff and, within the retention period,
    former staff; manifest.csv gives the size and SHA-256 of every other file.

    The ZIP is written to `out` (a temporary file when not given), one PDF at a time:
    memory stays flat however many certificates there are. `on_progress` hears how many
    of the certificates were written.
    """
    retention = retention_for(org, today)
    people = _records_people(org, retention)
    ids = [person.id for person in people]
    cert_query = select(Certificate).where(Certificate.user_id.in_(ids))
    if retention.since_moment is not None:
        cert_query = cert_query.where(Certificate.completed_at >= retention.since_moment)
    certs: dict[int, list[Certificate]] = {}
    for cert in db.session.scalars(cert_query.order_by(Certificate.completed_at, Certificate.id)):
        certs.setdefault(cert.user_id, []).append(cert)
    total = sum(len(held) for held in certs.values())

    spool = out if out is not None else tempfile.TemporaryFile()  # noqa: SIM115
    manifest: list[tuple[str, int, str]] = []
    moment = utcnow()
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)

    def add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
        archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data, zipfile.ZIP_DEFLATED)
        manifest.append((name, len(data), hashlib.sha256(data).hexdigest()))

    count = 0
    with zipfile.ZipFile(spool, "w") as archive:
        lines: list[list[object]] = []
        for person in people:
            name = f"{person.first_name} {person.last_name}".strip()
            employment = "current" if person.active else "former"
            left_on = local_date(person.deactivated_at) if person.deactivated_at else None
            held = certs.get(person.id, [])
            if not held:
                blank = ["", "", ""]
                lines.append(
                    [name, person.hire_date, *blank, employment, left_on, person.job_role, *blank]
                )
            for cert in held:
                file_name = f"certificates/{cert.serial}.pdf"
                add(archive, file_name, certificates.pdf_bytes(cert))
                count += 1
                if on_progress is not None:
                    on_progress(count, total)
                lines.append(
                    [
                        name,
                        person.hire_date,
                        cert.track_title,
                        local_date(cert.completed_at),
                        cert.serial,
                        employment,
                        left_on,
                        person.job_role,
                        cert.status(today).value,
                        cert.expires_on,
                        file_name,
                    ]
                )
        add(archive, "records.csv", "".join(csv_chunks(RECORD_FIELDS, lines)).encode())
        add(archive, "README.txt", _readme(org, retention, moment, len(people), count).encode())
        listing = io.StringIO()
        writer = csvout.writer(listing, lineterminator="\r\n")
        writer.writerow(("file", "bytes", "sha256"))
        writer.writerows(manifest)
        archive.writestr(
            zipfile.ZipInfo("manifest.csv", date_time=stamp),
            listing.getvalue().encode(),
            zipfile.ZIP_DEFLATED,
        )
    size = spool.tell()
    spool.seek(0)
    digest = hashlib.sha256()
    for block in iter(lambda: spool.read(1 << 16), b""):
        digest.update(block)
    spool.seek(0)
    audit.record(
        "compliance.records_exported",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=org.id,
        organization_id=org.id,
        details={"people": len(people), "certificates": count, "sha256": digest.hexdigest()},
    )
    return RecordsPackage(spool, len(people), count, digest.hexdigest(), size)


def _readme(
    org: Organization, retention: Retention, moment: datetime, people: int, count: int
) -> str:
    """A short description of the package, in the reader's language."""
    if retention.years:
        period = _(
            "Records kept for %(years)d years (since %(since)s), as the rules %(rules)s ask.",
            years=retention.years,
            since=retention.since.isoformat() if retention.since else "",
            rules=", ".join(retention.rule_ids),
        )
    else:
        period = _("No rule for this organization sets a retention period; all records are kept.")
    former = (
        _("Former staff who left within the retention period are included.")
        if retention.include_former
        else _("Former staff are not included.")
    )
    return "\r\n".join(
        [
            _("Training records of %(org)s", org=org.name),
            _("Permit number: %(permit)s", permit=org.permit_number or "—"),
            _("Produced at %(time)s (UTC)", time=moment.isoformat(timespec="seconds")),
            period,
            former,
            _("People: %(people)d. Certificates: %(count)d.", people=people, count=count),
            _(
                "records.csv lists each person with their course, completion date and "
                "certificate serial; certificates/ holds each certificate PDF as issued; "
                "manifest.csv gives the SHA-256 of every file."
            ),
            "",
        ]
    )
