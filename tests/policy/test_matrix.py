"""Every route x every role x own/other organization, with the expected status code.

Rows live in `tests/policy/matrix_rows_*.py` (one file per feature area), each defining MATRIX:
endpoint -> (method, url builder, {role: (status for own, status for other)}). Adding a
route without a row fails `test_every_route_is_in_the_matrix`, so no view escapes the
policy. "own" is the signed-in person's organization (for an auditor: an organization in
their jurisdiction; for learner pages: their own progress), "other" is one they have
nothing to do with.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, select

from tests.support.backends import clear_data
from tests.support.factory import Factory
from tests.support.matrix import ROLES, World, _world
from tests.support.web import sign_in
from trainer.extensions import db, limiter

MATRIX: dict = {}
for _path in sorted(Path(__file__).parent.glob("matrix_rows_*.py")):
    _rows = importlib.import_module(f"tests.policy.{_path.stem}").MATRIX
    assert not set(_rows) & set(MATRIX), f"{_path.name} repeats rows"
    MATRIX.update(_rows)


def test_every_route_is_in_the_matrix(backend_app):
    endpoints = {rule.endpoint for rule in backend_app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "add these routes to the matrix"
    assert set(MATRIX) - endpoints == set(), "these matrix rows name no route"


def test_every_view_declares_its_policy(backend_app):
    for endpoint, view in backend_app.view_functions.items():
        if endpoint == "static":
            continue
        assert getattr(view, "permission", None), f"{endpoint} declares no permission"


# --- one world per database, one rolled-back transaction per case --------------------


def _case_engine(app: Flask) -> Engine:
    """An engine on the app's database whose connections nest transactions properly.

    Every case runs inside one outer transaction on one connection; the app's sessions
    join it through savepoints, so their commits stay inside it. SQLite's driver starts
    transactions lazily and would let the release of the outermost savepoint commit:
    here it leaves transactions to us and BEGIN is sent explicitly.
    """
    with app.app_context():
        url = db.engine.url
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    engine = create_engine(url, **options)
    if url.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _no_driver_transactions(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


def _table_contents() -> dict[str, list[tuple[Any, ...]]]:
    return {
        table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
        for table in db.metadata.sorted_tables
    }


@pytest.fixture(scope="module")
def world_engine(backend_app: Flask) -> Iterator[tuple[World, Engine]]:
    """The matrix's world (two organizations, their people, progress and certificates),
    committed once per database; afterwards every table holds exactly what it held."""
    clear_data(backend_app)
    with backend_app.app_context():
        world = _world(Factory())
        for obj in vars(world).values():
            for item in obj.values() if isinstance(obj, dict) else [obj]:
                db.session.refresh(item)  # every column loaded before detaching
        db.session.expunge_all()
        before = _table_contents()
        db.session.remove()
    engine = _case_engine(backend_app)
    yield world, engine
    engine.dispose()
    with backend_app.app_context():
        after = _table_contents()
        db.session.remove()
    clear_data(backend_app)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [], f"matrix cases left changes in {changed}"


@pytest.fixture
def case_client(backend_app: Flask, world_engine: tuple[World, Engine]) -> Iterator[FlaskClient]:
    """A client whose requests all write into one transaction, rolled back afterwards."""
    app = backend_app
    _unused, engine = world_engine
    limiter.reset()
    factory = db.session.session_factory
    with app.app_context():
        engines = db.engines
        app_engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # type: ignore[assignment]
        factory.configure(join_transaction_mode="create_savepoint")
        try:
            yield app.test_client()
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = app_engine
            factory.kw.pop("join_transaction_mode", None)
            Path(app.config["AUDIT_CHECKPOINT_FILE"]).unlink(missing_ok=True)


CASES = [
    (endpoint, role, scope) for endpoint in MATRIX for role in ROLES for scope in ("own", "other")
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), CASES)
def test_matrix(backend_app, world_engine, case_client, endpoint, role, scope):
    app = backend_app
    world, _engine = world_engine
    if role != "anonymous":
        sign_in(case_client, world.users[role])
    method, url_fn, expected = MATRIX[endpoint]
    url = url_fn(world, scope)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = case_client.open(url, method=method)
        response.close()
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    own, other = expected[role]
    want = own if scope == "own" else other
    assert response.status_code == want, (endpoint, role, scope, url, response.status_code)
