"""Every route x every role x own/other organization, with the expected status code.

Rows live in `tests/matrix_rows_*.py` (one file per feature area), each defining MATRIX:
endpoint -> (method, url builder, {role: (status for own, status for other)}). Adding a
route without a row fails `test_every_route_is_in_the_matrix`, so no view escapes the
policy. "own" is the signed-in person's organization (for an auditor: an organization in
their jurisdiction; for learner pages: their own progress), "other" is one they have
nothing to do with.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.conftest import login
from tests.matrix_support import ROLES, _world
from trainer.extensions import db

MATRIX: dict = {}
for _path in sorted(Path(__file__).parent.glob("matrix_rows_*.py")):
    _rows = importlib.import_module(f"tests.{_path.stem}").MATRIX
    assert not set(_rows) & set(MATRIX), f"{_path.name} repeats rows"
    MATRIX.update(_rows)


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "add these routes to the matrix"
    assert set(MATRIX) - endpoints == set(), "these matrix rows name no route"


def test_every_view_declares_its_policy(app):
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        assert getattr(view, "permission", None), f"{endpoint} declares no permission"


CASES = [
    (endpoint, role, scope) for endpoint in MATRIX for role in ROLES for scope in ("own", "other")
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), CASES)
def test_matrix(app, client, make, endpoint, role, scope):
    world = _world(make)
    if role != "anonymous":
        login(client, world.users[role])
    method, url_fn, expected = MATRIX[endpoint]
    url = url_fn(world, scope)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.open(url, method=method)
        response.close()
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
        db.session.rollback()
    own, other = expected[role]
    want = own if scope == "own" else other
    assert response.status_code == want, (endpoint, role, scope, url, response.status_code)
