"""Journeys of the people around the learners, and a city department's learner.

3. A manager imports a staff CSV with errors, fixes it, imports it, sees the dashboard
   and downloads the records package.
4. An auditor finds a certificate, an admin revokes it, the auditor sees it revoked.
5. A Health Department employee goes through components 1, 2 and 3 with the attestation.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.browser.steps import Driver, do_track, sign_in
from tests.support import journey
from tests.support.factory import PASSWORD
from tests.support.web import login
from trainer import timeutil
from trainer.auth.models import User
from trainer.certificates.models import Certificate
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import ModuleProgress

pytestmark = pytest.mark.browser


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "first name", "last name", "job role", "hire date", "language"])
    writer.writerows(rows)
    return out.getvalue().encode()


def _upload(driver: Driver, name: str, data: bytes) -> None:
    driver.page.set_input_files(
        "#file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    driver.go("main form.import-form button[type=submit]")


@pytest.mark.parametrize("language", ["en", "es"])
def test_manager_imports_staff_and_downloads_the_records(
    live_db, make, open_page, checker, language
):
    org = make.org(name=f"Galleria Hotel {language}")
    manager = make.user(org, role="manager", job_role="management", language=language)
    domain = f"galleria-{language}.example.test"
    page = open_page()
    desk = Driver(page, checker)
    sign_in(desk, manager.email, PASSWORD)
    assert page.evaluate("() => document.documentElement.lang") == language
    desk.check("staff-list")
    desk.go("main a[href*='/orgs/staff/import']")
    desk.check("staff-import")

    hired = (timeutil.today() - timedelta(days=10)).isoformat()
    future = (timeutil.today() + timedelta(days=30)).isoformat()
    bad = [
        [f"ana@{domain}", "Ana", "Reyes", "front desk", hired, "es"],
        ["not-an-email", "Binh", "Tran", "housekeeping", hired, "vi"],
        ["", "Carla", "Diaz", "astronaut", future, "en"],
        [f"ana@{domain}", "Dora", "Lee", "security", "yesterday", "fr"],
    ]
    _upload(desk, "staff.csv", _csv(bad))
    assert page.url.endswith("/orgs/staff/import"), page.url
    desk.check("staff-import-errors")
    problems = page.locator("main table.import-problems tbody tr")
    cells = [problems.nth(i).locator("td").all_inner_texts() for i in range(problems.count())]
    assert {(row[0], row[1]) for row in cells} == {
        ("3", "email"),
        ("4", "job role"),
        ("4", "hire date"),
        ("5", "email"),
        ("5", "hire date"),
        ("5", "language"),
    }
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id)).where(User.organization_id == org.id)) == 1

    fixed = [
        [f"ana@{domain}", "Ana", "Reyes", "front desk", hired, "es"],
        [f"binh@{domain}", "Binh", "Tran", "housekeeping", hired, "vi"],
        ["", "Carla", "Diaz", "housekeeping", hired, "en"],
        [f"dora@{domain}", "Dora", "Lee", "security", hired, "en"],
    ]
    _upload(desk, "staff-fixed.csv", _csv(fixed))
    assert page.url.endswith("/orgs/staff"), page.url
    desk.check("staff-list-imported")
    listed = page.locator("main table").inner_text()
    for name in ("Ana Reyes", "Binh Tran", "Carla Diaz", "Dora Lee"):
        assert name in listed

    desk.go("nav a[href$='/compliance/']")
    desk.check("compliance-dashboard")
    staff_table = page.locator("main table.staff-table").inner_text()
    for name in ("Ana Reyes", "Binh Tran", "Carla Diaz", "Dora Lee"):
        assert name in staff_table
    desk.go("main a[href*='/compliance/records.zip']")  # a job builds it; its page follows
    assert "/jobs/" in page.url, page.url
    desk.check("job-progress-finished")
    assert page.locator("main progress").get_attribute("value") == "100"
    with page.expect_download() as download:
        desk.activate("main a[href$='/download']")
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert {"records.csv", "README.txt", "manifest.csv"} <= set(archive.namelist())
    records = archive.read("records.csv").decode("utf-8-sig")
    for name in ("Ana Reyes", "Binh Tran", "Carla Diaz", "Dora Lee"):
        assert name in records


def _certified(make: Any, live: Any, last_name: str) -> Certificate:
    """A front-desk employee who finished the hotel track (through the app, in-process)."""
    org = make.org(name="Bayou Lodge", permit_number="HTL-4242")
    learner = make.user(org, first_name="Tomás", last_name=last_name)
    client = live.app.test_client()
    login(client, learner)
    enrollment = learning.enrollments_of(learner)[0]
    for progress in enrollment.modules:
        journey.pass_module(client, progress.id, learner)
    db.session.expire_all()
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == learner.id))
    assert cert is not None
    return cert


def _altered(pdf: bytes) -> bytes:
    """The same certificate with one metadata field changed: no longer the issued file."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({"/Title": "Certificate of someone else"})
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue() != pdf
    return out.getvalue()


def _inspector_checks_a_file_on_a_phone(open_page, checker, cert: Certificate) -> None:
    """A city inspector, on a Spanish phone, uploads a doctored copy of the certificate."""
    from trainer.certificates import services as certificates

    page = open_page(phone=True, locale="es-US")
    inspector = Driver(page, checker, touch=True)
    page.goto(f"/verify/{cert.verification_code}")
    inspector.check("verify-valid")
    assert page.evaluate("() => document.documentElement.lang") == "es"
    page.set_input_files(
        "#pdf",
        files=[
            {
                "name": "certificado.pdf",
                "mimeType": "application/pdf",
                "buffer": _altered(certificates.pdf_bytes(cert)),
            }
        ],
    )
    inspector.go("main form button[type=submit]")
    inspector.check("verify-file-does-not-match")
    verdict = page.locator("#verdict")
    assert "usa-alert--error" in (verdict.get_attribute("class") or "")
    assert verdict.get_attribute("role") == "alert"
    assert "Este archivo no es el certificado que emitimos" in verdict.inner_text()
    box = verdict.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, box  # in the first screen
    assert page.locator(".usa-alert--success").count() == 0


@pytest.mark.parametrize("language", ["en", "es"])
def test_auditor_finds_a_certificate_the_admin_revokes_it(
    live_db, make, open_page, checker, language
):
    holder = f"Ibarra-{language}"
    cert = _certified(make, live_db, holder)
    auditor = make.user(role="auditor", jurisdiction="houston-tx", language=language)
    admin = make.user(role="admin", language=language)

    city = Driver(open_page(), checker)
    sign_in(city, auditor.email, PASSWORD)
    assert city.page.evaluate("() => document.documentElement.lang") == language
    city.check("organizations-auditor")
    city.go("nav a[href$='/certificates/search']")
    city.check("certificate-search")
    city.type_into("#q", f"Tomás {holder}")
    city.go("main form[role=search] button[type=submit]")
    city.check("certificate-search-results")
    city.go(f"main table a:text-is('{cert.serial}')")
    city.check("certificate-detail")
    detail_url = city.page.url
    assert city.page.locator("main h1 .badge-ok").count() == 1
    assert city.page.locator("form[action$='/revoke']").count() == 0

    if language == "es":
        _inspector_checks_a_file_on_a_phone(open_page, checker, cert)

    reason = "Issued to the wrong person by mistake"
    office = Driver(open_page(), checker)
    sign_in(office, admin.email, PASSWORD)
    office.check("organizations-admin")
    office.go("nav a[href$='/certificates/search']")
    office.type_into("#q", cert.serial)
    office.go("main form[role=search] button[type=submit]")
    office.go(f"main table a:text-is('{cert.serial}')")
    office.check("certificate-detail-admin")
    office.type_into("#reason", reason)
    office.go("form[action$='/revoke'] button[type=submit]")
    # Revoking asks first, and changes nothing until confirmed.
    office.check("certificate-revoke-confirm")
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).revoked_at is None
    office.go("main form.button-row button[name=confirm]")
    office.check("certificate-detail-revoked")
    assert office.page.locator("main h1 .badge-bad").count() == 1

    city.page.goto(detail_url)
    city.check("certificate-detail-revoked-auditor")
    assert city.page.locator("main h1 .badge-bad").count() == 1
    assert reason in city.page.locator("main").inner_text()
    # The auditor, whose jurisdiction covers the holder, reads the reason on the
    # verification page too; the public reads that it was revoked, and when, not why.
    city.page.goto(f"/verify/{cert.verification_code}")
    city.check("verify-revoked-signed-in")
    assert reason in city.page.locator("#verdict").inner_text()
    visitor = Driver(open_page(locale=f"{language}-US"), checker)
    visitor.page.goto(f"/verify/{cert.verification_code}")
    visitor.check("verify-revoked")
    verdict = visitor.page.locator("#verdict")
    assert "usa-alert--error" in (verdict.get_attribute("class") or "")
    assert str(timeutil.today().year) in verdict.inner_text()
    assert reason not in visitor.page.locator("main").inner_text()
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).revoked_at is not None
    # A code no certificate has: a page of its own that says what to do.
    checker.expect_status(visitor.page, 404)
    visitor.page.goto("/verify/not-a-real-code")
    visitor.check("verify-unknown")
    assert visitor.page.locator("main .usa-process-list__item").count() == 3

    if language == "en":
        _admin_reads_content_and_deactivates_staff(office, make)


def _admin_reads_content_and_deactivates_staff(office: Driver, make: Any) -> None:
    """Modules by title, a lesson previewed in Spanish, the organization form, and a
    deactivation that asks first."""
    from trainer.catalog.services import all_modules

    page = office.page
    office.go("nav a[href$='/catalog/']")
    office.check("content-modules")
    listed = page.locator("main table").inner_text()
    versions = [m.current_version for m in all_modules() if m.current_version]
    assert all(v.title["en"] in listed for v in versions)
    # The shortest module in Spanish (the preview shows every lesson and item).
    version = min(
        (v for v in versions if "es" in v.languages),
        key=lambda v: len(v.lessons) + len(v.items),
    )
    office.go(f"main a[href$='/catalog/version/{version.id}?lang=es']")
    office.check("content-preview")
    body = page.locator("main").inner_text()
    assert version.lessons[0]["title"]["es"] in body
    assert "{'en'" not in body and version.lessons[0]["title"]["en"] not in body
    page.goto("/orgs/new")
    office.check("organization-form")
    assert page.locator("#address").get_attribute("autocomplete") == "off"
    org = make.org(name="Allen Parkway Inn")
    person = make.user(org, first_name="Quinn")
    page.goto(f"/orgs/staff?org={org.id}")
    office.go(f"main form[action$='/staff/{person.id}/active'] button")
    office.check("deactivate-confirm")
    db.session.expire_all()
    assert db.session.get(User, person.id).active is True
    office.go("main form.button-row button[name=confirm]")
    db.session.expire_all()
    assert db.session.get(User, person.id).active is False


def test_health_department_employee_takes_components_1_2_3(live_db, make, open_page, checker):
    org = make.org(
        kind="city_department",
        department="health",
        name="Houston Health Department",
        jurisdiction="houston-city",
        permit_number=None,
    )
    nurse = make.user(org, job_role="clinic_staff", first_name="Grace", last_name="Okafor")
    page = open_page()
    person = Driver(page, checker)
    sign_in(person, nurse.email, PASSWORD)
    assert page.url.endswith("/learn/"), page.url
    modules = do_track(person)
    assert [m["slug"] for m in modules] == [
        "intro-indicators",
        "health-tailored",
        "health-implementation",
    ]
    db.session.expire_all()
    progress = db.session.get(ModuleProgress, modules[2]["progress_id"])
    assert progress.attested_at is not None and progress.passed_at is not None
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == nurse.id))
    assert cert is not None and cert.serial.startswith("HOU-")
    page.goto("/certificates/mine")
    person.check("my-certificates")
    assert cert.serial in page.locator("main").inner_text()
