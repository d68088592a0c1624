"""The annual certification an organization files with the city (Houston: by 31 March).

For an organization and a year: every covered employee with their training and
certificate, as a PDF and a CSV, attested by a manager (name and time recorded). Both
files are produced once, when the manager attests, and stored with their SHA-256, as
certificates are. Nothing here commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainer.audit import services as audit
from trainer.auth.models import User
from trainer.certificates.models import Certificate, is_latest_current
from trainer.compliance import services
from trainer.compliance.models import AnnualReport
from trainer.compliance.rules import Rule, StaffStatus
from trainer.compliance.services import StaffRow
from trainer.core.pdf import html_to_pdf
from trainer.core.text import localized
from trainer.core.vocabulary import job_role_label
from trainer.extensions import db
from trainer.orgs.models import Organization
from trainer.timeutil import local_date, utcnow

PDF_TEMPLATE = "compliance/annual_pdf.html"
CSV_FIELDS = (
    "name",
    "job_role",
    "hire_date",
    "status",
    "course",
    "completion_date",
    "certificate_serial",
    "expires_on",
)


class FilingError(ValueError):
    """A filing the rules do not allow; the message says why."""


@dataclass(frozen=True)
class ReportLine:
    """One covered employee as the report lists them."""

    name: str
    job_role: str
    hire_date: date | None
    status: str
    course: str
    completed_on: date | None
    serial: str
    expires_on: date | None


@dataclass(frozen=True)
class ReportData:
    """Everything printed on an annual report, as plain values (no database objects)."""

    organization_name: str
    organization_address: str
    permit_number: str | None
    rule_name: str
    citation: str
    recipient: str
    year: int
    due_on: date | None
    lines: tuple[ReportLine, ...]
    attested_name: str
    attested_title: str
    attested_at: datetime
    language: str

    @property
    def covered(self) -> int:
        """How many covered employees are listed."""
        return len(self.lines)

    @property
    def trained(self) -> int:
        """How many of them hold a current certificate."""
        return sum(
            1
            for line in self.lines
            if line.status in (StaffStatus.COMPLIANT.value, StaffStatus.DUE_SOON.value)
            and line.serial
        )


def certification_rule(org: Organization) -> Rule | None:
    """The first of the organization's rules that asks for an annual certification."""
    return next(
        (
            rule
            for rule in services.org_rules(org)
            if rule.applies_to(org.kind, org.rooms) and rule.annual_certification is not None
        ),
        None,
    )


def due_on(org: Organization, year: int) -> date | None:
    """When the year's certification is due (None when not required that year)."""
    rule = certification_rule(org)
    if rule is None or rule.annual_certification is None:
        return None
    return rule.annual_certification.due_in(year)


def fileable_years(org: Organization, today: date) -> list[int]:
    """The years a manager may file for now: this year and last year, when required."""
    return [year for year in (today.year, today.year - 1) if due_on(org, year) is not None]


def _latest_certificates(org: Organization) -> dict[int, Certificate]:
    """Per staff member of the organization, their latest current certificate."""
    staff = select(User.id).where(
        User.organization_id == org.id, User.role.in_(services.STAFF_ROLES)
    )
    latest: dict[int, Certificate] = {}
    for cert in db.session.scalars(
        select(Certificate).where(Certificate.user_id.in_(staff), is_latest_current())
    ):
        latest[cert.user_id] = cert
    return latest


def report_lines(
    rows: list[StaffRow], latest: dict[int, Certificate], language: str
) -> tuple[ReportLine, ...]:
    """The covered employees (status other than not covered) with their certificate."""
    with force_locale(language):
        lines = []
        for row in rows:
            if row.status is StaffStatus.NOT_COVERED:
                continue
            cert = latest.get(row.user_id)
            lines.append(
                ReportLine(
                    name=row.full_name,
                    job_role=job_role_label(row.job_role),
                    hire_date=row.hire_date,
                    status=row.status.value,
                    course=cert.track_title if cert else "",
                    completed_on=local_date(cert.completed_at) if cert else None,
                    serial=cert.serial if cert else "",
                    expires_on=cert.expires_on if cert else None,
                )
            )
    return tuple(lines)


def build_report(
    org: Organization,
    year: int,
    today: date,
    *,
    language: str,
    attested_name: str = "",
    attested_title: str = "",
    attested_at: datetime | None = None,
) -> ReportData:
    """The report's content for the organization and year, as of `today`."""
    rule = certification_rule(org)
    if rule is None or rule.annual_certification is None:
        raise FilingError("no annual certification is required for this organization")
    rows = services.staff_rows(org, today)
    return ReportData(
        organization_name=org.name,
        organization_address=org.address,
        permit_number=org.permit_number,
        rule_name=localized(rule.name, language),
        citation=rule.citation,
        recipient=localized(rule.annual_certification.to, language),
        year=year,
        due_on=rule.annual_certification.due_in(year),
        lines=report_lines(rows, _latest_certificates(org), language),
        attested_name=attested_name,
        attested_title=attested_title,
        attested_at=attested_at or utcnow(),
        language=language,
    )


def render_pdf(data: ReportData) -> bytes:
    """The report as PDF/A-3b, through the certificate renderer (shipped fonts, no URLs)."""
    with force_locale(data.language):
        html = render_template(
            PDF_TEMPLATE,
            data=data,
            lang=data.language,
            program_name=current_app.config["PROGRAM_NAME"],
            due_on=format_date(data.due_on, "long") if data.due_on else "",
            attested_at=format_datetime(data.attested_at, "long"),
            attested_utc=data.attested_at.isoformat(timespec="seconds"),
            pdf_timestamp=data.attested_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            labels={code: str(label) for code, label in services.STATUS_LABELS.items()},
            title=_(
                "Annual certification %(year)d: %(org)s",
                year=data.year,
                org=data.organization_name,
            ),
        )
    return html_to_pdf(html)


def render_csv(data: ReportData) -> bytes:
    """The report's employee list as CSV (UTF-8 with a byte order mark)."""
    from trainer.compliance.exports import csv_chunks

    return "".join(
        csv_chunks(
            CSV_FIELDS,
            (
                [
                    line.name,
                    line.job_role,
                    line.hire_date,
                    line.status,
                    line.course,
                    line.completed_on,
                    line.serial,
                    line.expires_on,
                ]
                for line in data.lines
            ),
        )
    ).encode()


def file_report(
    org: Organization,
    year: int,
    today: date,
    *,
    actor: User,
    attested_name: str,
    attested_title: str,
    language: str,
) -> AnnualReport:
    """File (attest) the year's certification: render, store and audit it once."""
    if year not in fileable_years(org, today):
        raise FilingError(f"cannot file a certification for {year}")
    name = attested_name.strip()
    if not name:
        raise FilingError("the attesting person's name is required")
    rule = certification_rule(org)
    assert rule is not None  # fileable_years found one
    data = build_report(
        org,
        year,
        today,
        language=language,
        attested_name=name,
        attested_title=attested_title.strip(),
        attested_at=utcnow(),
    )
    pdf = render_pdf(data)
    table = render_csv(data)
    last = db.session.scalar(
        select(func.max(AnnualReport.revision)).where(
            AnnualReport.organization_id == org.id, AnnualReport.year == year
        )
    )
    report = AnnualReport(
        organization_id=org.id,
        year=year,
        revision=(last or 0) + 1,
        jurisdiction=org.jurisdiction,
        rule_id=rule.id,
        due_on=data.due_on,
        recipient=data.recipient,
        language=language,
        attested_by_id=actor.id,
        attested_name=data.attested_name,
        attested_title=data.attested_title,
        attested_at=data.attested_at,
        covered_count=data.covered,
        trained_count=data.trained,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pdf_size=len(pdf),
        csv=table,
        csv_sha256=hashlib.sha256(table).hexdigest(),
        csv_size=len(table),
    )
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError:  # the caller rolls back
        raise FilingError("another filing for this year was recorded at the same time") from None
    audit.record(
        "compliance.annual_report_filed",
        actor_id=actor.id,
        subject_type="annual_report",
        subject_id=report.id,
        organization_id=org.id,
        details={
            "year": year,
            "revision": report.revision,
            "attested_name": report.attested_name,
            "covered": report.covered_count,
            "trained": report.trained_count,
            "pdf_sha256": report.pdf_sha256,
            "csv_sha256": report.csv_sha256,
        },
    )
    return report


def reports_of(org: Organization) -> list[AnnualReport]:
    """The organization's filed reports, newest year and revision first."""
    return list(
        db.session.scalars(
            select(AnnualReport)
            .where(AnnualReport.organization_id == org.id)
            .order_by(AnnualReport.year.desc(), AnnualReport.revision.desc())
        )
    )


def read_file(report: AnnualReport, kind: str) -> bytes:
    """The stored PDF or CSV, checked against its SHA-256 before it is served."""
    data = report.pdf if kind == "pdf" else report.csv
    expected = report.pdf_sha256 if kind == "pdf" else report.csv_sha256
    if data is None or hashlib.sha256(data).hexdigest() != expected:
        raise RuntimeError(f"stored {kind} of annual report {report.id} does not match")
    return data
