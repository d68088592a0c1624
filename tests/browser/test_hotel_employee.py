"""Journey 1: a hotel employee invited by email, through to the verified certificate.

In English, Spanish and Vietnamese, and once with the keyboard alone: the step indicator
on every module page, lesson after lesson, tests numbered "n of N" with unanswered
questions listed before submitting, the completion page with its QR code, the PDF with
English beside, and the public check of the downloaded file.

Journey 2: housekeepers without an email address. The manager prints everyone's access
sheet in one PDF, then replaces one code (confirmed; the old sheet stops working). On a
phone, in Vietnamese, a housekeeper scans her sheet, sees her overdue training, switches
language from the menu, finishes the hotel track and signs out from the menu.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from tests.browser.steps import (
    Driver,
    do_track,
    open_menu,
    qr_in_pdf,
    qr_in_png,
    sign_in,
    sign_out,
)
from tests.support.factory import PASSWORD
from tests.support.web import csrf_token
from trainer import timeutil
from trainer.auth.models import User
from trainer.catalog.models import Module, Track
from trainer.certificates.models import Certificate
from trainer.extensions import db
from trainer.learning.models import Enrollment

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
    driver.type_into("#hire_date", (timeutil.today() - timedelta(days=3)).isoformat())
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


def _certificate_and_verification(
    driver: Driver, live: Any, tmp_path: Any, language: str
) -> Certificate:
    """On the completion page: the QR code, the expiry date and the PDF; then verify it."""
    page = driver.page
    assert re.search(r"/certificates/earned/\d+$", page.url), page.url
    driver.check("certified")
    page.locator("main .certified-qr svg").screenshot(path=str(tmp_path / "shown.png"))
    shown = qr_in_png(tmp_path / "shown.png")
    assert shown.startswith(f"{live.url}/verify/"), shown
    db.session.expire_all()
    cert = db.session.scalar(
        select(Certificate).where(Certificate.verification_code == shown.rsplit("/", 1)[1])
    )
    assert cert is not None and cert.expires_on is not None
    main = page.locator("main").inner_text()
    assert str(cert.expires_on.year) in main and str(cert.expires_on.day) in main
    assert page.locator(f"main a[href='{shown}']").count() == 1
    with page.expect_download() as download:
        driver.activate("main a.usa-button[href$='/download']")
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert qr_in_pdf(pdf) == shown
    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    # English beside the learner's language
    assert "Certificate of completion" in text
    assert ("Verify this certificate" in text) and (
        language == "en" or text.count("Certificate of completion") == 1
    )
    # The home page keeps a link to it.
    page.goto("/learn/")
    driver.check("my-training-certified")
    driver.go(f"main a[href$='/certificates/earned/{cert.enrollment_id}']")
    # The public page, in the reader's language; a file that matches says so at the top.
    page.goto(shown)
    driver.check("verify-valid")
    verdict = page.locator("#verdict")
    assert "usa-alert--success" in (verdict.get_attribute("class") or "")
    assert cert.holder_name in page.locator("main").inner_text()
    page.set_input_files("#pdf", str(pdf))
    driver.go("main form button[type=submit]")
    driver.check("verify-file-matches")
    assert page.locator("#verdict").get_attribute("role") == "status"
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
    # What is due, and when, in words.
    assert page.locator("main .usa-summary-box .due-line").count() == 1

    titles = _expected_titles(language)
    modules = do_track(employee, fail_first_post=True, leave_unanswered=2)
    assert [m["slug"] for m in modules] == ["intro-indicators", "hotel-lodging"]
    assert [m["failed"] for m in modules] == [1, 0]
    for m in modules:
        assert m["title"] == titles[m["slug"]]
        assert m["first_lesson"] == titles[f"{m['slug']}/lesson-1"]
    assert titles["track"] in page.locator("main").inner_text()

    cert = _certificate_and_verification(employee, live_db, tmp_path, language)
    assert cert.language == language
    assert cert.holder_name == "María Nguyễn"
    assert page.evaluate("() => document.documentElement.lang") == language


def _sheets(driver: Driver, button: str, tmp_path: Any, name: str) -> tuple[list[str], list[str]]:
    """Download the PDF a button gives; each page's text and the link in its QR code."""
    with driver.page.expect_download() as download:
        driver.activate(button)
    pdf = tmp_path / f"{name}.pdf"
    download.value.save_as(pdf)
    texts = [page.extract_text() for page in PdfReader(str(pdf)).pages]
    folder = tmp_path / name
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(pdf), str(folder / "p")], check=True)
    links = [qr_in_png(png) for png in sorted(folder.glob("p-*.png"))]
    return texts, links


def test_housekeepers_sign_in_with_their_access_sheets_on_a_phone(
    live_db, make, open_page, checker, tmp_path
):
    org = make.org(name="Magnolia Suites")
    manager = make.user(org, role="manager", job_role="management")
    hoa = make.user(
        org,
        email=None,
        password_hash=None,
        job_role="housekeeping",
        first_name="Hoa",
        last_name="Trần",
        language="vi",
    )
    luis = make.user(
        org, email=None, password_hash=None, job_role="housekeeping", first_name="Luis"
    )
    # Hoa's training is overdue.
    db.session.execute(
        update(Enrollment).where(Enrollment.user_id == hoa.id).values(due_date=date(2026, 1, 5))
    )
    db.session.commit()

    desk = Driver(open_page(), checker)
    sign_in(desk, manager.email, PASSWORD)
    desk.check("staff-list-without-sign-in")
    assert "2" in desk.page.locator("main .access-sheets .usa-alert__heading").inner_text()
    # One action prints everyone's sheet: one PDF, a page each, in their language.
    texts, links = _sheets(desk, "main .access-sheets button", tmp_path, "sheets")
    assert len(texts) == 2 and len(links) == 2
    pages = {
        ("Hoa" if "Hoa" in text else "Luis"): (text, link)
        for text, link in zip(texts, links, strict=True)
    }
    assert set(pages) == {"Hoa", "Luis"}
    assert "Thông tin đăng nhập" in pages["Hoa"][0] and "Your training sign-in" in pages["Hoa"][0]
    assert "Thông tin" not in pages["Luis"][0]
    assert all(link.startswith(f"{live_db.url}/auth/code#code=") for link in links)
    hoa_code, luis_code = (pages[name][1].split("#code=", 1)[1] for name in ("Hoa", "Luis"))
    assert hoa_code in pages["Hoa"][0] and luis_code in pages["Luis"][0]
    desk.page.goto("/orgs/staff")
    assert desk.page.locator("main .access-sheets").count() == 0
    # Printing Luis's sheet again cannot show his code: it asks to replace it instead.
    desk.go(f"main form[action$='/staff/{luis.id}/access-code'] button[value=issue]")
    assert desk.page.url.endswith(f"/orgs/staff/{luis.id}/access-code/replace")
    desk.check("access-code-replace")
    (new_text,), (new_link,) = _sheets(
        desk, "main form.button-row button[type=submit]", tmp_path, "replaced"
    )
    new_code = new_link.split("#code=", 1)[1]
    assert new_code != luis_code and new_code in new_text
    visitor = live_db.app.test_client()
    token = csrf_token(visitor, "/auth/code")
    refused = visitor.post("/auth/code", data={"code": luis_code, "csrf_token": token})
    assert refused.status_code == 200  # the old sheet no longer signs in

    phone = open_page(phone=True, locale="vi-VN")
    person = Driver(phone, checker, touch=True)
    phone.goto(pages["Hoa"][1])
    person.check("access-code")
    assert phone.input_value("#code") == hoa_code
    assert "#code" not in phone.url and hoa_code not in phone.url
    person.go("main form.usa-form button[type=submit]")
    assert phone.url.endswith("/learn/"), phone.url
    assert phone.evaluate("() => document.documentElement.lang") == "vi"
    person.check("my-training-overdue")
    overdue = phone.locator("main .usa-summary-box .due-line")
    assert overdue.locator(".badge-bad").count() == 1 and "2026" in overdue.inner_text()
    # The language switcher is in the menu, one tap away.
    open_menu(person)
    person.go("header button[name=lang][value=en]")
    assert phone.evaluate("() => document.documentElement.lang") == "en"
    assert "Overdue" in phone.locator("main .usa-summary-box").inner_text()
    open_menu(person)
    person.go("header button[name=lang][value=vi]")
    assert phone.evaluate("() => document.documentElement.lang") == "vi"

    modules = do_track(person)
    assert [m["slug"] for m in modules] == ["intro-indicators", "hotel-lodging"]
    db.session.expire_all()
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == hoa.id))
    assert cert is not None and cert.holder_name == "Hoa Trần" and cert.language == "vi"
    assert db.session.get(User, hoa.id).email is None
    person.check("certified")
    assert phone.locator("main .certified-qr svg").is_visible()
    # A shared phone: she signs out from the menu when she finishes.
    sign_out(person)
    assert phone.url.endswith("/auth/login"), phone.url
    person.check("signed-out")
    phone.goto("/learn/")
    assert "/auth/login" in phone.url, phone.url
