"""CSV export of the staff list and the records package (ZIP) Texas asks employers to keep."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile

from sqlalchemy import select

from tests.compliance.crafting import at, certify, days
from tests.support.web import login
from trainer.audit.models import AuditEvent
from trainer.certificates import services as certificates
from trainer.compliance import exports
from trainer.compliance.rules import add_months
from trainer.extensions import db


def _csv(response) -> list[dict[str, str]]:
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheets then read UTF-8 names correctly
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_staff_csv_has_every_person_with_status_and_due_date(client, make):
    org = make.org()
    manager = make.user(org, role="manager", hire_date=days(-400))
    certify(manager, days(-10))
    late = make.user(org, first_name="Luz", last_name="Ortega", hire_date=days(-45))
    sneaky = make.user(org, first_name="=HYPERLINK(1)", last_name="", hire_date=days(-2))
    login(client, manager)

    rows = _csv(client.get("/compliance/staff.csv"))
    assert list(rows[0]) == list(exports.STAFF_FIELDS)
    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == {manager.email, late.email, sneaky.email}
    assert by_email[late.email] == {
        "name": "Luz Ortega",
        "email": late.email,
        "job_role": "front_desk",
        "hire_date": days(-45).isoformat(),
        "status": "overdue",
        "due_date": days(-15).isoformat(),
        "rule": "houston-tx",
        "citation": "Houston City Code ch. 28, sec. 28-212 (approved 15 April 2020)",
        "last_completed": "",
        "in_progress": "no",
    }
    assert by_email[manager.email]["status"] == "compliant"
    assert by_email[manager.email]["last_completed"] == days(-10).isoformat()
    assert by_email[manager.email]["due_date"] == add_months(days(-10), 12).isoformat()
    # a cell a spreadsheet would run as a formula is neutralized
    assert by_email[sneaky.email]["name"] == "'=HYPERLINK(1)"

    only_late = _csv(client.get("/compliance/staff.csv?status=overdue&page=abc"))
    assert [row["name"] for row in only_late] == ["Luz Ortega"]


def _zip(client, response) -> zipfile.ZipFile:
    """The package a job built: the request sends to the job's page, which offers it."""
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Finished." in page.text
    match = re.search(r'href="(/jobs/\d+/download)"', page.text)
    assert match, page.text
    with client.get(match.group(1)) as download:
        assert download.status_code == 200
        assert download.mimetype == "application/zip"
        body = download.get_data()
    return zipfile.ZipFile(io.BytesIO(body))


def test_records_package_keeps_current_and_recent_former_staff(client, make):
    org = make.org()
    manager = make.user(org, role="manager", first_name="Mona", hire_date=days(-800))
    current = make.user(org, first_name="Ana", last_name="Reyes", hire_date=days(-1000))
    old_cert = certify(current, days(-900))  # before the two-year retention period
    new_cert = certify(current, days(-100))
    left_recently = make.user(org, first_name="Bo", last_name="Tran", hire_date=days(-700))
    kept_cert = certify(left_recently, days(-300))
    left_long_ago = make.user(org, first_name="Cy", last_name="Old", hire_date=days(-2000))
    gone_cert = certify(left_long_ago, days(-1900))
    untrained = make.user(org, first_name="Di", last_name="New", hire_date=days(-3))
    for person, left in ((left_recently, days(-200)), (left_long_ago, days(-800))):
        person.active = False
        person.deactivated_at = at(left)
    db.session.commit()
    login(client, manager)

    archive = _zip(client, client.get("/compliance/records.zip"))
    names = set(archive.namelist())
    pdfs = {f"certificates/{c.serial}.pdf" for c in (new_cert, kept_cert)}
    assert names == {"records.csv", "README.txt", "manifest.csv", *pdfs}
    assert f"certificates/{old_cert.serial}.pdf" not in names
    assert f"certificates/{gone_cert.serial}.pdf" not in names

    records = list(csv.DictReader(io.StringIO(archive.read("records.csv").decode()[1:])))
    assert list(records[0])[:5] == [
        "name",
        "hire_date",
        "course",
        "completion_date",
        "certificate_serial",
    ]
    by_name = {row["name"]: row for row in records}
    assert set(by_name) == {"Mona Test", "Ana Reyes", "Bo Tran", "Di New"}
    assert by_name["Ana Reyes"]["certificate_serial"] == new_cert.serial
    assert by_name["Ana Reyes"]["completion_date"] == days(-100).isoformat()
    assert by_name["Ana Reyes"]["hire_date"] == days(-1000).isoformat()
    assert by_name["Ana Reyes"]["course"] == new_cert.track_title
    assert by_name["Bo Tran"]["employment"] == "former"
    assert by_name["Bo Tran"]["left_on"] == days(-200).isoformat()
    assert by_name["Bo Tran"]["certificate_serial"] == kept_cert.serial
    assert by_name["Di New"]["certificate_serial"] == "" and by_name["Di New"]["course"] == ""
    assert untrained.id

    for cert in (new_cert, kept_cert):
        assert archive.read(f"certificates/{cert.serial}.pdf") == certificates.pdf_bytes(cert)
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert {row["file"] for row in manifest} == names - {"manifest.csv"}
    for row in manifest:
        data = archive.read(row["file"])
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert int(row["bytes"]) == len(data)
    assert "2 years" in archive.read("README.txt").decode()

    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "compliance.records_exported")
    )
    assert event is not None and event.actor_id == manager.id and event.organization_id == org.id
    assert '"certificates": 2' in event.details and '"people": 4' in event.details


def test_records_package_without_a_records_rule_leaves_former_staff_out(client, make):
    department = make.org(kind="city_department", jurisdiction="houston-city", department="health")
    manager = make.user(department, role="manager", job_role="administration")
    former = make.user(department, first_name="Former", job_role="clinic_staff")
    certify(former, days(-50))
    former.active = False
    former.deactivated_at = at(days(-10))
    db.session.commit()
    login(client, manager)
    archive = _zip(client, client.get("/compliance/records.zip"))
    records = archive.read("records.csv").decode()
    assert "Former" not in records and manager.first_name in records
    assert "no rule for this organization sets a retention period" in (
        archive.read("README.txt").decode().lower()
    )
