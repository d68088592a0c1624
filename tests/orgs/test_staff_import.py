"""The staff import: errors in the file's own words, labels in every language, the template."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.support.web import login
from trainer.auth.models import User
from trainer.extensions import db
from trainer.orgs import imports
from trainer.orgs.imports import RowError, parse_staff_csv

MAX = 1_000_000
HEAD = "email,first name,last name,job role,hire date,language\n"


def _parse(org, text: str):
    return parse_staff_csv(text.encode(), org, max_bytes=MAX)


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("front_desk", "front_desk"),
        ("Front desk", "front_desk"),
        ("FRONT DESK", "front_desk"),
        ("Recepción", "front_desk"),
        ("recepcion", "front_desk"),
        ("Lễ tân", "front_desk"),
        ("le tan", "front_desk"),
        ("limpieza de habitaciones", "housekeeping"),
        ("Buồng phòng", "housekeeping"),
        ("Food & Beverage", "food_beverage"),
        ("Alimentos y bebidas", "food_beverage"),
        ("Bảo trì", "maintenance"),
        ("mantenimiento", "maintenance"),
    ],
)
def test_job_roles_are_accepted_as_ids_or_as_the_labels_the_app_shows(app, make, given, code):
    org = make.org()
    result = _parse(
        org,
        HEAD + f",Ana,Ruiz,{given},2026-01-05,es\n",
    )
    assert result.errors == []
    assert result.rows[0].job_role == code


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("", "direct"),
        ("direct", "direct"),
        ("Contractor", "contractor"),
        ("A contractor or staffing agency", "contractor"),
        ("la propia organización", "direct"),
        ("LA PROPIA ORGANIZACION", "direct"),
        ("nha thau hoac cong ty cung ung lao dong", "contractor"),
        ("Un contratista o una agencia de personal", "contractor"),
    ],
)
def test_employment_is_accepted_as_id_or_label_in_any_language(app, make, given, code):
    org = make.org()
    result = _parse(
        org,
        "email,first name,last name,job role,hire date,language,employment\n"
        f",Ana,Ruiz,housekeeping,2026-01-05,es,{given}\n",
    )
    assert result.errors == []
    assert result.rows[0].employment == code


def test_every_label_of_every_language_maps_to_one_id(app):
    """No label of one job role is spelled like another role's label in any language."""
    words = imports._vocabulary()
    assert set(words.job_roles.values()) == set(imports.JOB_ROLES)
    for language in imports.LABEL_LANGUAGES:
        with imports.force_locale(language):
            folded = [imports.fold(str(label)) for label in imports.JOB_ROLES.values()]
        assert len(set(folded)) == len(folded), language
        for code, label in zip(imports.JOB_ROLES, folded, strict=True):
            assert words.job_roles[label] == code


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("", "en"),
        ("ES", "es"),
        ("es-MX", "es"),
        ("Español", "es"),
        ("tiếng việt", "vi"),
        ("Vietnamese", "vi"),
        ("english", "en"),
    ],
)
def test_languages_by_code_or_name(app, make, given, code):
    org = make.org()
    result = _parse(
        org,
        HEAD + f",Ana,Ruiz,driver,2026-01-05,{given}\n",
    )
    assert result.errors == []
    assert result.rows[0].language == code


def test_errors_name_the_files_own_headers_rows_and_accepted_values(app, make):
    org = make.org()
    text = (
        "E-mail;First Name;Last Name;Role;Hire Date;Language;Employed by;Under 16 when hired\n"
        "x@example.test;Ana;Ruiz;astronaut;2026-01-05;es;;\n"
        ";Bao;Tran;Housekeeping;31/31/2026;fr;freelance;maybe\n"
    )
    result = _parse(org, text)
    by_cell = {(e.row, e.column): e.message for e in result.errors}
    assert set(by_cell) == {
        (2, "Role"),
        (3, "Hire Date"),
        (3, "Language"),
        (3, "Employed by"),
        (3, "Under 16 when hired"),
    }
    role = by_cell[(2, "Role")]
    assert "“astronaut”" in role and "Front desk" in role and "Housekeeping" in role
    assert "YYYY-MM-DD" in by_cell[(3, "Hire Date")] and "“31/31/2026”" in by_cell[(3, "Hire Date")]
    assert "es (Spanish)" in by_cell[(3, "Language")]
    assert "contractor" in by_cell[(3, "Employed by")] and "direct" in by_cell[(3, "Employed by")]
    assert "yes or no" in by_cell[(3, "Under 16 when hired")]
    assert result.rows == [] or not result.ok


def test_error_lists_values_in_the_readers_language(app, make):
    org = make.org()
    with imports.force_locale("es"):
        result = _parse(
            org,
            HEAD + ",A,B,astronaut,2026-01-05,es\n",
        )
    assert result.errors[0].column == "job role"
    assert "Recepción" in result.errors[0].message


def test_a_header_without_a_required_column_names_what_is_missing_and_what_is_there(app, make):
    org = make.org()
    result = _parse(org, "Name,E-mail,Position\nAna,a@example.test,desk\n")
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.row == 1
    assert "first name, last name, job role, hire date, language" in error.message
    assert "Name, E-mail, Position" in error.message


def test_a_bad_file_imports_nobody(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    from tests.orgs.test_orgs import _upload

    body = (
        "email,first name,last name,job role,hire date,language\n"
        ",Good,Row,Recepción,2026-01-05,es\n"
        ",Bad,Row,astronaut,2026-01-05,es\n"
    )
    response = _upload(client, body.encode())
    assert response.status_code == 200
    assert "Nothing was imported: 1 problem" in response.text
    count = db.session.scalar(select(func.count(User.id)).where(User.organization_id == org.id))
    assert count == 1  # the manager only


def test_the_template_is_a_header_the_import_accepts(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    response = client.get("/orgs/staff/import/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header = next(csv.reader(io.StringIO(response.text)))
    assert header[:6] == ["email", "first name", "last name", "job role", "hire date", "language"]
    filled = response.text + ",Lan,Pham,Lễ tân,2026-02-02,vi,,no\n"
    result = parse_staff_csv(filled.encode(), org, max_bytes=MAX)
    assert result.ok, result.errors
    assert result.rows[0].job_role == "front_desk" and result.rows[0].hire_date == date(2026, 2, 2)
    page = client.get("/orgs/staff/import")
    assert "/orgs/staff/import/template.csv" in page.text
    assert 'class="usa-file-input"' in page.text


def test_row_error_is_plain_data():
    assert RowError(2, "job role", "x").column == "job role"
