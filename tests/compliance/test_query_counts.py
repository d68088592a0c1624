"""The number of SQL statements a page runs does not grow with the number of people."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.compliance.crafting import certify, days, start_training
from tests.support.web import login
from trainer.extensions import db


@contextmanager
def statements() -> Iterator[list[str]]:
    """Collect the SQL statements run while the block runs."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def _hotel(make, name: str, people: int):
    org = make.org(name=name)
    for index in range(people):
        person = make.user(org, hire_date=days(-400 + index * 13))
        if index % 3 == 0:
            certify(person, days(-index * 20))
        elif index % 3 == 1:
            start_training(person)
    return org


def _count(client, url: str) -> int:
    with statements() as seen:
        response = client.get(url)
        assert response.status_code == 200, url
        response.get_data()
    return len(seen)


MANAGER_PAGES = [
    "/compliance/",
    "/compliance/?sort=status&page=2",
    "/compliance/staff.csv",
    "/compliance/annual",
]


@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_manager_pages_do_not_grow_with_staff(app, make, url):
    small = _hotel(make, "Small", 5)
    large = _hotel(make, "Large", 25)
    counts = []
    for org in (small, large):
        client = app.test_client()
        login(client, make.user(org, role="manager"))
        counts.append(_count(client, url))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("url", ["/compliance/city", "/compliance/city.csv"])
def test_city_pages_do_not_grow_with_organizations_or_staff(client, make, url):
    auditor = make.user(role="auditor")
    login(client, auditor)
    _hotel(make, "First", 5)
    few = _count(client, url)
    for number in range(4):
        _hotel(make, f"More {number}", 12)
    many = _count(client, url)
    assert few == many, (few, many)
    assert few <= 6
