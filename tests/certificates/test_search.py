"""Certificate and staff search ignore accents and case, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.compliance.crafting import certify, days
from tests.support.web import login
from trainer.auth.models import User
from trainer.certificates import services as certificates
from trainer.compliance import services as compliance
from trainer.compliance.services import StaffFilter
from trainer.core.folding import fold
from trainer.extensions import db


@pytest.mark.parametrize(
    ("given", "folded"),
    [
        ("González", "gonzalez"),
        ("GONZALEZ", "gonzalez"),
        ("Nguyễn Đức  Ánh", "nguyen duc anh"),
        ("Ñúñez-Ibáñez", "nunez-ibanez"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_fold_drops_accents_and_case(given, folded):
    assert fold(given) == folded


def test_search_name_follows_the_names(make):
    user = make.user(make.org(), first_name="José", last_name="González")
    assert user.search_name == "jose gonzalez"
    user.last_name = "Núñez"
    db.session.commit()
    stored = db.session.scalar(select(User.search_name).where(User.id == user.id))
    assert stored == "jose nunez"


@pytest.fixture
def holders(make):
    org = make.org(name="Bayou Inn")
    gonzalez = make.user(org, first_name="María", last_name="González")
    nguyen = make.user(org, first_name="Đức", last_name="Nguyễn")
    other = make.user(org, first_name="Ann", last_name="Smith")
    certs = {u.last_name: certify(u, days(-30)) for u in (gonzalez, nguyen, other)}
    db.session.commit()
    return org, certs


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Gonzalez", {"González"}),
        ("GONZALEZ", {"González"}),
        ("gonzález", {"González"}),
        ("maria gonz", {"González"}),
        ("duc", {"Nguyễn"}),
        ("NGUYEN", {"Nguyễn"}),
        ("50%", set()),
    ],
)
def test_certificate_search_ignores_accents_and_case(holders, query, expected):
    _org, certs = holders
    found = certificates.search("houston-tx", query)
    assert {c.holder_name.split()[-1] for c in found} == expected
    assert all(c.id == certs[c.holder_name.split()[-1]].id for c in found)


def test_certificate_search_page_finds_accented_names(client, make, holders):
    _org, certs = holders
    login(client, make.user(role="auditor"))
    page = client.get("/certificates/search?q=GONZALEZ")
    assert page.status_code == 200
    assert f'href="/certificates/{certs["González"].id}"' in page.text
    assert "1 certificate found" in page.text


@pytest.mark.parametrize("query", ["Gonzalez", "GONZALEZ", "gonzález", "gonzalez maria"])
def test_staff_search_ignores_accents_and_case(holders, query):
    org, _certs = holders
    rows = compliance.filter_rows(compliance.staff_rows(org, days(0)), StaffFilter(q=query))
    assert [row.last_name for row in rows] == ["González"]
