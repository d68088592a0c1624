"""Journey 1: a hotel employee invited by email, through to the verified certificate.

In English, Spanish and Vietnamese, and once with the keyboard alone. Journey 2: a
housekeeper without an email address signs in on a phone with the access code from the
sheet the manager printed, and finishes the hotel track.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.steps import Driver, do_track, qr_in_pdf, qr_in_png, sign_in, sign_out
from tests.conftest import PASSWORD
from trainer.auth.models import User
from trainer.catalog.models import Module, Track
from trainer.certificates.models import Certificate
from trainer.extensions import db

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a long passphrase 2026"


def _manager_adds(
    driver: Driver, manager: Any, *, first: str, last: str, email: str, job: str, language: str
) -> None:
    """The manager adds a person through the staff form (an invitation goes out by mail)."""
    page = driver.page
    sign_in(driver, manager.email, PASSWORD)
    assert page.url.endswith("/orgs/staff"), page.url
    driver.check("staff-list")
    driver.go("main a[href*='/orgs/staff/new']")
    driver.check("staff-new")
    driver.type_into("#first_name", first)
    driver.type_into("#last_name", last)
    driver.type_into("#email", email)
    page.select_option("#job_role", job)
    driver.type_into("#hire_date", (date.today() - timedelta(days=3)).isoformat())
    page.select_option("#language", language)
    driver.go("main form.usa-form button[type=submit]")
    assert page.url.endswith("/orgs/staff"), page.url
    driver.check("staff-list-added")


def _expected_titles(language: str) -> dict[str, str]:
    """Module and first-lesson titles of the hotel track in one language, from modules/."""
    db.session.expire_all()
    track = db.session.scalar(select(Track).where(Track.slug == "hotel-houston"))
    titles = {"track": track.title[language]}
    for step in track.steps:
        version = db.session.get(Module, step.module_id).current_version
        titles[version.slug] = version.title[language]
        titles[f"{version.slug}/lesson-1"] = version.lessons[0]["title"][language]
    return titles


def _certificate_and_verification(driver: Driver, live: Any, tmp_path: Any) -> Certificate:
    """Download the certificate, read its QR code and open the verification page."""
    page = driver.page
    driver.go("nav a[href$='/certificates/mine']")
    driver.check("my-certificates")
    with page.expect_download() as download:
        driver.activate("main a.button[href$='/download']")
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    url = qr_in_pdf(pdf)
    assert url.startswith(f"{live.url}/verify/"), url
    db.session.expire_all()
    cert = db.session.scalar(
        select(Certificate).where(Certificate.verification_code == url.rsplit("/", 1)[1])
    )
    assert cert is not None
    assert pdf.read_bytes().startswith(b"%PDF")
    page.goto(url)
    driver.check("verify-valid")
    assert page.locator("main .badge-ok").count() == 1
    assert cert.serial in page.locator("main").inner_text()
    return cert


@pytest.mark.parametrize(
    ("language", "locale", "keyboard"),
    [
        pytest.param("en", "en-US", False, id="english"),
        pytest.param("es", "es-US", False, id="spanish"),
        pytest.param("vi", "vi-VN", False, id="vietnamese"),
        pytest.param("en", "en-US", True, id="keyboard-only"),
    ],
)
def test_invited_employee_earns_a_certificate(
    live_db, make, open_page, checker, tmp_path, language, locale, keyboard
):
    org = make.org(name=f"Bayou Inn {language}{'-kb' if keyboard else ''}")
    manager = make.user(org, role="manager", job_role="management")
    email = f"employee-{language}{'-kb' if keyboard else ''}@bayou.example.test"
    _manager_adds(
        Driver(open_page(), checker),
        manager,
        first="María",
        last="Nguyễn",
        email=email,
        job="front_desk",
        language=language,
    )
    links = live_db.links_in_mail(email)
    assert len(links) == 1 and "/auth/invitation/" in links[0]

    page = open_page(locale=locale)
    employee = Driver(page, checker, keyboard=keyboard)
    page.goto(links[0])
    employee.check("invitation")
    employee.type_into("#password", NEW_PASSWORD)
    employee.type_into("#confirm", NEW_PASSWORD)
    employee.go("main form.usa-form button[type=submit]")
    assert page.url.endswith("/learn/"), page.url
    assert page.evaluate("() => document.documentElement.lang") == language

    titles = _expected_titles(language)
    modules = do_track(employee, fail_first_post=True)
    assert [m["slug"] for m in modules] == ["intro-indicators", "hotel-lodging"]
    assert [m["failed"] for m in modules] == [1, 0]
    for m in modules:
        assert m["title"] == titles[m["slug"]]
        assert m["first_lesson"] == titles[f"{m['slug']}/lesson-1"]
    main = page.locator("main").inner_text()
    assert titles["track"] in main

    cert = _certificate_and_verification(employee, live_db, tmp_path)
    assert cert.language == language
    assert cert.holder_name == "María Nguyễn"
    assert page.evaluate("() => document.documentElement.lang") == language


def test_housekeeper_signs_in_with_the_access_sheet_on_a_phone(
    live_db, make, open_page, checker, tmp_path
):
    org = make.org(name="Magnolia Suites")
    manager = make.user(org, role="manager", job_role="management")
    housekeeper = make.user(
        org, email=None, password_hash=None, job_role="housekeeping", first_name="Rosa"
    )
    desk = Driver(open_page(), checker)
    sign_in(desk, manager.email, PASSWORD)
    desk.check("staff-list")
    row = f"main form[action$='/staff/{housekeeper.id}/access-code'] button[value=issue]"
    desk.go(row)
    desk.check("access-sheet")
    code = desk.page.locator(".sheet-code").inner_text().strip()
    desk.page.locator(".sheet-qr svg").screenshot(path=str(tmp_path / "sheet-qr.png"))
    link = qr_in_png(tmp_path / "sheet-qr.png")
    assert link.startswith(f"{live_db.url}/auth/code?code="), link

    phone = open_page(phone=True)
    person = Driver(phone, checker, touch=True)
    phone.goto(link)
    person.check("access-code")
    assert phone.input_value("#code") == code
    person.go("main form.usa-form button[type=submit]")
    assert phone.url.endswith("/learn/"), phone.url
    modules = do_track(person)
    assert [m["slug"] for m in modules] == ["intro-indicators", "hotel-lodging"]
    db.session.expire_all()
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == housekeeper.id))
    assert cert is not None and cert.holder_name == "Rosa Test"
    assert db.session.get(User, housekeeper.id).email is None
    phone.goto("/certificates/mine")
    person.check("my-certificates")
    assert cert.serial in phone.locator("main").inner_text()
    # A shared phone: she signs out when she finishes.
    sign_out(person)
    assert phone.url.endswith("/auth/login"), phone.url
    person.check("signed-out")
    phone.goto("/learn/")
    assert "/auth/login" in phone.url, phone.url
