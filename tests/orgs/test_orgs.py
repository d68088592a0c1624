"""Organizations, staff management and the CSV import."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.support.web import csrf_token, login
from trainer.audit.models import AuditEvent
from trainer.auth.models import User
from trainer.extensions import db
from trainer.learning.models import Enrollment
from trainer.orgs.models import Organization

HEADER = "email,first name,last name,job role,hire date,language\n"


def _staff_count(org) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.organization_id == org.id))


def test_admin_creates_and_edits_a_hotel(client, make):
    admin = make.user(role="admin")
    login(client, admin)
    token = csrf_token(client, "/orgs/new")
    response = client.post(
        "/orgs/new",
        data={
            "kind": "hotel",
            "name": "Gulf Inn",
            "address": "1 Gulf Fwy, Houston, TX",
            "jurisdiction": "houston-tx",
            "department": "",
            "permit_number": "HTL-1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    org = db.session.scalar(select(Organization).where(Organization.name == "Gulf Inn"))
    assert org.permit_number == "HTL-1" and org.jurisdiction == "houston-tx"


def test_org_form_rejects_unknown_jurisdiction(client, make):
    admin = make.user(role="admin")
    login(client, admin)
    token = csrf_token(client, "/orgs/new")
    response = client.post(
        "/orgs/new",
        data={"kind": "hotel", "name": "X", "jurisdiction": "atlantis", "csrf_token": token},
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.text
    assert db.session.scalar(select(func.count(Organization.id))) == 0


def test_manager_adds_staff_without_email_and_they_are_enrolled(client, make):
    org = make.org()
    manager = make.user(org, role="manager")
    login(client, manager)
    token = csrf_token(client, "/orgs/staff/new")
    response = client.post(
        "/orgs/staff/new",
        data={
            "first_name": "Rosa",
            "last_name": "Méndez",
            "email": "",
            "job_role": "housekeeping",
            "hire_date": "2026-03-01",
            "language": "es",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    rosa = db.session.scalar(select(User).where(User.last_name == "Méndez"))
    assert rosa.email is None and rosa.language == "es"
    enrollments = db.session.scalars(select(Enrollment).where(Enrollment.user_id == rosa.id)).all()
    assert [e.track.slug for e in enrollments] == ["hotel-houston"]


def test_duplicate_email_refused_with_message(client, make):
    org = make.org()
    manager = make.user(org, role="manager")
    other = make.user(make.org())
    login(client, manager)
    token = csrf_token(client, "/orgs/staff/new")
    response = client.post(
        "/orgs/staff/new",
        data={
            "first_name": "A",
            "last_name": "B",
            "email": other.email.upper(),
            "job_role": "front_desk",
            "hire_date": "2026-03-01",
            "language": "en",
            "csrf_token": token,
        },
    )
    assert response.status_code == 200
    assert "Another account already uses this email" in response.text
    assert _staff_count(org) == 1


def test_deactivate_keeps_records(client, make):
    org = make.org()
    manager = make.user(org, role="manager")
    person = make.user(org)
    login(client, manager)
    before = db.session.scalar(
        select(func.count(Enrollment.id)).where(Enrollment.user_id == person.id)
    )
    token = csrf_token(client, "/orgs/staff")
    # First a confirmation page that says what deactivating does; nothing changes yet.
    asked = client.post(
        f"/orgs/staff/{person.id}/active", data={"active": "0", "csrf_token": token}
    )
    assert asked.status_code == 200 and "records and certificates are kept" in asked.text
    db.session.expire_all()
    assert db.session.get(User, person.id).active is True
    done = client.post(
        f"/orgs/staff/{person.id}/active",
        data={"active": "0", "confirm": "yes", "csrf_token": token},
    )
    assert done.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.active is False and person.deactivated_at is not None
    after = db.session.scalar(
        select(func.count(Enrollment.id)).where(Enrollment.user_id == person.id)
    )
    assert before == after == 1
    assert "staff.deactivated" in db.session.scalars(select(AuditEvent.action)).all()


def _upload(client, content: bytes, name: str = "staff.csv"):
    import io

    token = csrf_token(client, "/orgs/staff/import")
    return client.post(
        "/orgs/staff/import",
        data={"file": (io.BytesIO(content), name), "csrf_token": token},
        content_type="multipart/form-data",
    )


def test_import_good_file_with_bom(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    content = (
        "\ufeff" + HEADER + "ana@example.test,Ana,López,front desk,2026-01-10,es\n"
        ",Minh,Trần,housekeeping,01/15/2026,vi\n"
    ).encode()
    response = _upload(client, content)
    assert response.status_code == 302
    assert _staff_count(org) == 3
    minh = db.session.scalar(select(User).where(User.first_name == "Minh"))
    assert minh.hire_date == date(2026, 1, 15) and minh.email is None


def test_import_spreadsheet_export_semicolons_cp1252(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    content = (
        "Email;First Name;Last Name;Job Role;Hire Date;Language\r\n"
        ";José;Peña;Maintenance;2026-02-01;es\r\n"
    ).encode("cp1252")
    response = _upload(client, content)
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.last_name == "Peña")).first_name == "José"


def test_import_with_bad_rows_imports_nothing_and_lists_every_problem(client, make):
    org = make.org()
    taken = make.user(make.org(), email="taken@example.test")
    login(client, make.user(org, role="manager"))
    content = (
        HEADER
        + "ok@example.test,Ok,Row,front_desk,2026-01-10,en\n"
        + "bad-email,Bad,Email,front_desk,2026-01-10,en\n"
        + "dup@example.test,Dup,One,front_desk,2026-01-10,en\n"
        + "dup@example.test,Dup,Two,front_desk,2026-01-10,en\n"
        + f"{taken.email},Taken,Else,front_desk,2026-01-10,en\n"
        + ",No,Date,front_desk,31/31/2026,en\n"
        + ",Unknown,Role,astronaut,2026-01-10,en\n"
        + ",,Missing,front_desk,2026-01-10,en\n"
        + ",Lang,Bad,front_desk,2026-01-10,fr\n"
        + ",Short,row\n"
    ).encode()
    response = _upload(client, content)
    assert response.status_code == 200
    assert _staff_count(org) == 1  # only the manager
    rows = [
        (3, "email", "not a valid email address"),
        (5, "email", "same email as row 4"),
        (6, "email", "already used in another organization"),
        (7, "hire date", "“31/31/2026” is not a date"),
        (8, "job role", "unknown job role “astronaut”"),
        (9, "first name", "missing value"),
        (10, "language", "unknown language “fr”"),
        (11, "—", "3 cells, expected 6"),
    ]
    text = html.unescape(response.text)
    for row, column, message in rows:
        cells = (
            f'<td data-label="Row">{row}</td><td data-label="Column">{column}</td>'
            f'<td data-label="Problem">{message}'
        )
        assert cells in text, (row, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,email\nA,a@example.test\n", "The header row has no column for: first name"),
        (HEADER.encode(), "The file has no staff rows."),
    ],
)
def test_import_rejects_unusable_files(client, make, content, message):
    org = make.org()
    login(client, make.user(org, role="manager"))
    response = _upload(client, content)
    assert response.status_code == 200
    assert message in response.text
    assert _staff_count(org) == 1


def test_import_size_limit(client, make, app, monkeypatch):
    org = make.org()
    login(client, make.user(org, role="manager"))
    monkeypatch.setitem(app.config, "STAFF_IMPORT_MAX_BYTES", 4096)
    big = HEADER.encode() + b",A,B,front_desk,2026-01-01,en\n" * 200
    response = _upload(client, big)
    assert response.status_code == 200
    assert "larger than" in response.text
    assert _staff_count(org) == 1


def test_import_without_file_gets_message(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    token = csrf_token(client, "/orgs/staff/import")
    response = client.post("/orgs/staff/import", data={"csrf_token": token})
    assert response.status_code == 200
    assert "Choose a CSV file." in response.text
