"""The policy owns scope: who reaches which organization, and 404 for anything else."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.support.web import login
from trainer.policy import Scope, in_scope, jurisdiction_of, scope_of


def _person(role: str, org_id: int | None = None, jurisdiction: str | None = None) -> object:
    return SimpleNamespace(
        id=1,
        role=role,
        active=True,
        is_authenticated=True,
        organization_id=org_id,
        jurisdiction=jurisdiction,
    )


HOTEL = SimpleNamespace(id=5, jurisdiction="houston-tx")
ELSEWHERE = SimpleNamespace(id=6, jurisdiction="austin-tx")


@pytest.mark.parametrize(
    ("person", "scope", "filter_", "reaches"),
    [
        (_person("admin"), Scope(everything=True), None, {5, 6}),
        (
            _person("auditor", jurisdiction="houston-tx"),
            Scope(jurisdiction="houston-tx"),
            "houston-tx",
            {5},
        ),
        (_person("auditor"), Scope(), "-", set()),
        (_person("manager", org_id=5), Scope(organization_id=5), "-", {5}),
        (_person("learner", org_id=6), Scope(organization_id=6), "-", {6}),
        (_person("manager"), Scope(), "-", set()),
    ],
)
def test_scope_of_each_role(person, scope, filter_, reaches) -> None:
    assert scope_of(person) == scope
    assert jurisdiction_of(person) == filter_
    assert {org.id for org in (HOTEL, ELSEWHERE) if in_scope(person, org)} == reaches
    # records of no organization: admins only
    assert in_scope(person, None) == (person.role == "admin")


@pytest.mark.parametrize(
    "url",
    [
        "/certificates/org?org=9999",
        "/orgs/staff?org=9999",
        "/orgs/contacts?org=9999",
        "/compliance/?org=9999",
        "/certificates/9999",
        "/orgs/9999/edit",
    ],
)
def test_a_missing_organization_or_object_is_404_for_an_admin(app, client, make, url) -> None:
    login(client, make.user(role="admin"))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/certificates/org?org={id}", "/orgs/staff?org={id}"])
def test_an_auditor_gets_404_outside_their_jurisdiction(app, client, make, url) -> None:
    elsewhere = make.org(jurisdiction="austin-tx")
    login(client, make.user(role="auditor"))
    assert client.get(url.format(id=elsewhere.id)).status_code == 404
    own = make.org()
    assert client.get(url.format(id=own.id)).status_code == 200
