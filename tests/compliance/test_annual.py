"""The annual certification: the manager attests, the PDF and CSV are kept, the city sees it."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.compliance.crafting import certify, days
from tests.support.web import csrf_token, login
from trainer import timeutil
from trainer.audit.models import AuditEvent
from trainer.compliance import reports
from trainer.compliance.models import AnnualReport
from trainer.extensions import db
from trainer.timeutil import utcnow


@pytest.fixture
def hotel(make):
    org = make.org(name="Bayou Suites", permit_number="HTL-9")
    manager = make.user(org, role="manager", first_name="Marcus", last_name="Lee")
    trained = make.user(org, first_name="Rosa", last_name="Méndez", hire_date=days(-300))
    cert = certify(trained, days(-40))
    late = make.user(org, first_name="Tomás", last_name="Vega", hire_date=days(-90))
    return org, manager, trained, cert, late


def _file(client, **fields):
    token = csrf_token(client, "/compliance/annual")
    # Tomás is overdue: filing asks for the explicit confirmation (tested on its own below)
    data = {
        "csrf_token": token,
        "year": str(timeutil.today().year),
        "confirm_overdue": "y",
        **fields,
    }
    return client.post("/compliance/annual", data={k: v for k, v in data.items() if v is not None})


def _count() -> int:
    return db.session.scalar(select(func.count(AnnualReport.id))) or 0


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_manager_files_and_the_attestation_is_recorded(client, hotel):
    _org, manager, _trained, cert, _late = hotel
    login(client, manager)
    page = client.get("/compliance/annual")
    assert page.status_code == 200
    assert "Not filed" in page.text and "Rosa Méndez" in page.text and "Tomás Vega" in page.text
    assert 'value="Marcus Lee"' in page.text  # the name field starts with the manager's name

    assert "Not filed" in client.get("/compliance/").text
    before = utcnow()
    response = _file(
        client, attested_name="Marcus Lee", attested_title="General manager", confirm="y"
    )
    assert response.status_code == 302
    report = db.session.scalar(select(AnnualReport))
    assert report.year == timeutil.today().year and report.revision == 1
    assert report.attested_name == "Marcus Lee" and report.attested_title == "General manager"
    assert report.attested_by_id == manager.id
    assert before - timedelta(seconds=1) <= report.attested_at <= utcnow()
    assert report.covered_count == 3  # the manager is an employee too
    assert report.trained_count == 1
    assert report.due_on == date(timeutil.today().year, 3, 31)

    pdf = client.get(f"/compliance/annual/{report.id}/pdf")
    assert pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == report.pdf_sha256
    text = _pdf_text(pdf.data)
    for expected in ("Bayou Suites", "HTL-9", "Rosa Méndez", "Tomás Vega", cert.serial):
        assert expected in text
    assert "Marcus Lee" in text and "Administration & Regulatory Affairs" in text

    table = client.get(f"/compliance/annual/{report.id}/csv")
    assert hashlib.sha256(table.data).hexdigest() == report.csv_sha256
    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True)[1:])))
    assert list(rows[0]) == list(reports.CSV_FIELDS)
    by_name = {row["name"]: row for row in rows}
    assert by_name["Rosa Méndez"]["certificate_serial"] == cert.serial
    assert by_name["Rosa Méndez"]["completion_date"] == days(-40).isoformat()
    assert by_name["Rosa Méndez"]["status"] == "compliant"
    assert by_name["Tomás Vega"]["certificate_serial"] == "" and by_name["Tomás Vega"][
        "status"
    ] == ("overdue")

    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "compliance.annual_report_filed")
    )
    assert event.actor_id == manager.id and '"attested_name": "Marcus Lee"' in event.details
    assert report.pdf_sha256 in event.details

    assert "Filed on" in client.get("/compliance/").text
    after = client.get("/compliance/annual")
    assert "Attested by Marcus Lee, General manager" in after.text
    assert "already on file" in after.text  # filing again adds a corrected version


def test_refiling_adds_a_revision_and_keeps_the_first(client, hotel):
    _org, manager, *_ = hotel
    login(client, manager)
    assert _file(client, attested_name="Marcus Lee", confirm="y").status_code == 302
    assert _file(client, attested_name="Marcus Lee", confirm="y").status_code == 302
    revisions = db.session.scalars(select(AnnualReport.revision).order_by(AnnualReport.id)).all()
    assert revisions == [1, 2]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"attested_name": "Marcus Lee"}, "Confirm the statement"),
        ({"attested_name": "   ", "confirm": "y"}, "This field is required"),
        ({"attested_name": "x" * 201, "confirm": "y"}, "Field cannot be longer than 200"),
    ],
)
def test_bad_attestation_files_nothing(client, hotel, fields, message):
    _org, manager, *_ = hotel
    login(client, manager)
    response = _file(client, **fields)
    assert response.status_code == 200
    assert message in response.text
    assert _count() == 0


@pytest.mark.parametrize("year", ["1999", "abc", "", str(timeutil.today().year + 1)])
def test_a_year_that_cannot_be_filed_files_nothing(client, hotel, year):
    _org, manager, *_ = hotel
    login(client, manager)
    response = _file(client, attested_name="Marcus Lee", confirm="y", year=year)
    assert response.status_code == 302
    assert _count() == 0
    assert "Choose a year" in client.get("/compliance/annual").text


def test_no_form_where_no_rule_asks_for_a_certification(client, make):
    department = make.org(kind="city_department", jurisdiction="houston-city", department="health")
    manager = make.user(department, role="manager", job_role="administration")
    login(client, manager)
    page = client.get("/compliance/annual")
    assert "No rule for this organization asks" in page.text
    assert "File the certification" not in page.text
    assert _file(client, attested_name="X", confirm="y").status_code == 302
    assert _count() == 0


def test_the_city_sees_who_filed_and_who_did_not(client, make, hotel):
    org, manager, *_ = hotel
    other = make.org(name="Gulf Motel")
    login(client, manager)
    _file(client, attested_name="Marcus Lee", confirm="y")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/compliance/")})

    auditor = make.user(role="auditor")
    login(client, auditor)
    year = timeutil.today().year
    page = client.get("/compliance/city")
    assert f"1 organization has not filed its {year} annual certification" in page.text
    rows = dict(
        re.findall(
            r'href="/compliance/\?org=\d+">([^<]+)</a>.*?data-label="Certification \d+">(.*?)</td>',
            page.text,
            re.S,
        )
    )
    assert "Certified" in rows["Bayou Suites"]
    assert "Not certified" in rows["Gulf Motel"]
    missing = client.get(f"/compliance/city?year={year}&certified=no")
    assert "Gulf Motel" in missing.text and "Bayou Suites" not in missing.text

    # the auditor opens the filing, read only
    annual = client.get(f"/compliance/annual?org={org.id}")
    assert "Attested by Marcus Lee" in annual.text and "File the certification" not in annual.text
    report = db.session.scalar(select(AnnualReport))
    assert client.get(f"/compliance/annual/{report.id}/pdf").status_code == 200
    assert client.post(f"/compliance/annual?org={org.id}").status_code in (400, 403)
    assert other.id


def test_the_page_shows_the_counts_and_its_year_and_due_date_before_the_attestation(client, hotel):
    _org, manager, *_ = hotel
    login(client, manager)
    page = client.get("/compliance/annual").text
    assert "1 employee trained" in page and "1 employee overdue" in page
    assert "0 employees not covered (no training required" in page
    assert page.index("What you certify") < page.index('id="attest-h"')
    year = timeutil.today().year
    assert f"The {year} certification tells" in page and "it is due by" in page
    assert "1 employee is overdue" in page and 'name="confirm_overdue"' in page


def test_with_anyone_overdue_filing_without_the_confirmation_files_nothing(client, hotel):
    _org, manager, *_ = hotel
    login(client, manager)
    response = _file(client, attested_name="Marcus Lee", confirm="y", confirm_overdue=None)
    assert response.status_code == 200
    assert "confirm that you file the certification anyway" in response.text
    assert _count() == 0
    assert (
        db.session.scalar(select(func.count(AuditEvent.id))) == 0
        or not db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "compliance.annual_report_filed")
        ).first()
    )
    assert _file(client, attested_name="Marcus Lee", confirm="y").status_code == 302
    assert _count() == 1


def test_without_anyone_overdue_no_extra_confirmation_is_asked(client, make):
    org = make.org(name="Calm Inn")
    manager = make.user(org, role="manager", first_name="Ada")
    certify(make.user(org, first_name="Rosa", hire_date=days(-300)), days(-40))
    login(client, manager)
    page = client.get("/compliance/annual").text
    assert 'name="confirm_overdue"' not in page and "0 employees overdue" in page
    response = _file(client, attested_name="Ada Test", confirm="y", confirm_overdue=None)
    assert response.status_code == 302
    assert _count() == 1
