"""The hotel manager's journey, on a phone and on a desktop, in English, Spanish and Vietnamese.

The dashboard leads with who is overdue and what to do about it (send reminders, print
access sheets, see them); the staff list is sorted by urgency, its filters fold behind a
toggle on a phone and sit in one row on a desktop; each person is a stacked card on a
phone. The import offers a template, reads the app's own labels and names the file's
columns in its errors. The annual certification shows its counts and asks for an explicit
confirmation when anyone is overdue.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.browser.conftest import PHONE
from tests.browser.steps import Driver, sign_in
from tests.compliance.crafting import certify, days
from tests.support.factory import PASSWORD
from trainer.auth.models import User
from trainer.compliance.models import AnnualReport
from trainer.extensions import db

pytestmark = pytest.mark.browser


def _hotel(make: Any, language: str) -> tuple[Any, Any, dict[str, Any]]:
    tag = uuid.uuid4().hex[:6]
    org = make.org(name=f"Harbor Hotel {language}")
    manager = make.user(org, role="manager", job_role="management", language=language)
    people = {
        "ana": make.user(org, first_name="Ana", last_name=f"Ruiz {tag}", hire_date=days(-200)),
        "binh": make.user(
            org, first_name="Binh", last_name=f"Tran {tag}", hire_date=days(-300), language="vi"
        ),
        "carla": make.user(
            org,
            first_name="Carla",
            last_name=f"Diaz {tag}",
            hire_date=days(-250),
            email=None,
            password_hash=None,
        ),
        "dora": make.user(org, first_name="Dora", last_name=f"Lee {tag}", hire_date=days(-5)),
        "eli": make.user(org, first_name="Eli", last_name=f"Stone {tag}", hire_date=days(-400)),
    }
    certify(people["eli"], days(-30))
    db.session.commit()
    return org, manager, people


def _first_names(page: Any) -> list[str]:
    cells = page.locator("main table.staff-table tbody th[scope=row] a")
    return [cells.nth(i).inner_text().split()[0] for i in range(cells.count())]


def _dashboard(desk: Driver, phone: bool, live: Any, people: dict[str, Any]) -> None:
    page = desk.page
    page.goto("/compliance/")
    desk.check("manager-dashboard")
    todo = page.locator("main .todo .usa-alert--error")
    assert todo.is_visible()
    assert "3" in todo.locator(".usa-alert__heading").inner_text()
    # the most urgent first: the three late people, then Dora (due soon), Eli (certified) last
    names = _first_names(page)
    assert set(names[:3]) == {"Ana", "Binh", "Carla"} and names[-1] == "Eli", names
    toggle = page.locator("main .filters-toggle .usa-accordion__button")
    filters = page.locator("#staff-filters")
    first_row = page.locator("main table.staff-table tbody tr").first
    status = first_row.locator("td").first
    if phone:
        assert toggle.is_visible() and not filters.is_visible()
        # a stacked card: the status and the actions are on screen without scrolling sideways
        for cell in (status, first_row.locator("td").last):
            box = cell.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        desk.activate("main .filters-toggle .usa-accordion__button")
        filters.wait_for(state="visible")
    else:
        assert not toggle.is_visible() and filters.is_visible()
        tops = {round(page.locator(s).bounding_box()["y"]) for s in ("#q", "#status", "#sort")}
        assert len(tops) == 1, tops  # one row
    assert status.locator(".badge").inner_text().strip()  # the status in words
    page.select_option("#sort", "name")
    desk.go("#staff-filters button[type=submit]")
    desk.check("manager-dashboard-by-name")
    assert page.locator("#staff-filters").is_visible()  # open while filters apply
    names = _first_names(page)
    assert names[0] == "Carla" and "sort=name" in page.url, names  # by last name: Diaz first

    # send reminders: a confirmation page first, then one mail per late person with an email
    page.goto("/compliance/")
    before = len(live.mailbox.messages)
    desk.go("main .todo a[href*='/compliance/reminders']")
    desk.check("manager-remind")
    assert page.locator("main .usa-list li").count() == 2
    desk.go("main form button[type=submit]")
    assert page.url.endswith("/compliance/"), page.url
    assert page.locator(".flashes .usa-alert--success").is_visible()
    desk.check("manager-reminded")
    sent = [m["To"] for m in live.mailbox.messages[before:]]
    assert sorted(sent) == sorted([people["ana"].email, people["binh"].email])

    # see them: the late list
    desk.go("main .todo a[href*='status=late']")
    desk.check("manager-late")
    assert sorted(_first_names(page)) == ["Ana", "Binh", "Carla"]


def _import(desk: Driver, org: Any) -> None:
    page = desk.page
    page.goto("/orgs/staff/import")
    desk.check("manager-import")
    with page.expect_download() as download:
        desk.activate("main a[href$='/orgs/staff/import/template.csv']")
    header = next(csv.reader(io.StringIO(download.value.path().read_text("utf-8"))))
    assert header[:6] == ["email", "first name", "last name", "job role", "hire date", "language"]

    tag = uuid.uuid4().hex[:6]
    rows = [
        ["First Name", "Last Name", "E-mail", "Job Role", "Hire Date", "Language"],
        ["Lan", f"Pham {tag}", "", "Lễ tân", "2026-01-05", "vi"],
        ["Rosa", f"Gil {tag}", "", "astronauta", "05/01/2026", "Español"],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    count = db.session.scalar(select(func.count(User.id)).where(User.organization_id == org.id))
    page.set_input_files(
        "#file",
        files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}],
    )
    desk.go("main form.import-form button[type=submit]")
    desk.check("manager-import-errors")
    cells = (
        page.locator("main table.import-problems tbody tr").first.locator("td").all_inner_texts()
    )
    assert cells[:2] == ["3", "Job Role"], cells  # the file's own row and header
    assert "astronauta" in cells[2]
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.organization_id == org.id))
        == count
    )

    rows[2][3] = "Limpieza de habitaciones"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    page.set_input_files(
        "#file",
        files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}],
    )
    desk.go("main form.import-form button[type=submit]")
    assert page.url.endswith("/orgs/staff"), page.url
    desk.check("manager-staff-list")
    listed = page.locator("main table.staff-table").inner_text()
    assert f"Pham {tag}" in listed and f"Gil {tag}" in listed


def _annual(desk: Driver, org: Any) -> None:
    page = desk.page
    page.goto("/compliance/annual")
    desk.check("manager-annual")
    summary = page.locator("main .annual-counts")
    assert summary.is_visible()
    warning = page.locator("#overdue-warning")
    assert warning.is_visible()
    # the counts come before the attestation
    assert summary.bounding_box()["y"] < page.locator("#attest-h").bounding_box()["y"]
    desk.tick("#confirm")
    desk.go("main form[method=post] button[type=submit]")
    desk.check("manager-annual-unconfirmed")
    assert page.locator("#confirm_overdue-error").is_visible()
    db.session.expire_all()
    filed = select(func.count(AnnualReport.id)).where(AnnualReport.organization_id == org.id)
    assert db.session.scalar(filed) == 0
    if not page.locator("#confirm").is_checked():
        desk.tick("#confirm")
    desk.tick("#confirm_overdue")
    desk.go("main form[method=post] button[type=submit]")
    desk.check("manager-annual-filed")
    assert page.locator("main .usa-alert--success").first.is_visible()
    db.session.expire_all()
    assert db.session.scalar(filed) == 1


@pytest.mark.parametrize(
    ("language", "phone"), [("en", False), ("en", True), ("es", True), ("vi", False)]
)
def test_manager_acts_on_overdue_staff_imports_and_certifies(
    live_db, make, open_page, checker, language, phone
):
    org, manager, people = _hotel(make, language)
    page = open_page(phone=phone)
    desk = Driver(page, checker, touch=phone)
    sign_in(desk, manager.email, PASSWORD)
    assert page.evaluate("() => document.documentElement.lang") == language
    _dashboard(desk, phone, live_db, people)
    _import(desk, org)
    _annual(desk, org)
