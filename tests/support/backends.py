"""The databases the suite runs on, the test configuration, and the test client."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Table, TextClause, create_engine, text
from sqlalchemy.exc import OperationalError

from config import TestConfig
from trainer.extensions import db

ROOT = Path(__file__).resolve().parents[2]
#: Synced once per backend from modules/ and kept between tests.
CONTENT_TABLES = {"module", "module_version", "track", "track_module"}


def postgres_url() -> str | None:
    """TEST_DATABASE_URL with the psycopg driver named, or None when unset."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        return str(exc).splitlines()[0]
    return None


def backends() -> list[Any]:
    """Pytest params: SQLite always, PostgreSQL when reachable (required under CI=true).

    The PostgreSQL param is marked `postgres` even when skipped, so `-m "not postgres"`
    leaves it out of the run instead of reporting it skipped.
    """
    params: list[Any] = ["sqlite"]
    url = postgres_url()
    in_ci = os.environ.get("CI", "").lower() == "true"
    if url is None:
        if in_ci:
            raise pytest.UsageError("CI=true needs TEST_DATABASE_URL (PostgreSQL).")
        reason = "TEST_DATABASE_URL is not set: PostgreSQL tests skipped"
        skipped = [pytest.mark.postgres, pytest.mark.skip(reason=reason)]
        params.append(pytest.param("postgresql", marks=skipped))
    else:
        problem = _postgres_reachable(url)
        if problem and in_ci:
            raise pytest.UsageError(f"PostgreSQL at TEST_DATABASE_URL unreachable: {problem}")
        if problem:
            reason = f"PostgreSQL unreachable: {problem}"
            skipped = [pytest.mark.postgres, pytest.mark.skip(reason=reason)]
            params.append(pytest.param("postgresql", marks=skipped))
        else:
            params.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    return params


class _Config(TestConfig):
    MODULES_DIR = os.environ.get("TEST_MODULES_DIR", str(ROOT / "modules"))
    PUBLIC_BASE_URL = "http://localhost"
    SERVER_NAME = "localhost"


def make_config(database_url: str, **overrides: Any) -> type[TestConfig]:
    """A test configuration class for one database."""
    return type("Cfg", (_Config,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})


def clear_data(app: Flask) -> None:
    """Empty every table but the synced content, and forget audit checkpoints.

    Ids start again at 1 on both databases, as on a fresh one. On PostgreSQL, DELETE and
    resetting the sequences takes a tenth of the time TRUNCATE does on tables this small.
    """
    Path(app.config["AUDIT_CHECKPOINT_FILE"]).unlink(missing_ok=True)
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in CONTENT_TABLES]
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
            if conn.dialect.name == "postgresql":
                conn.execute(_restart_sequences(tables))


def _restart_sequences(tables: list[Table]) -> TextClause:
    """One statement that restarts the id sequence of each table that has one."""
    calls = [
        f"setval(pg_get_serial_sequence('\"{t.name}\"', '{c.name}'), 1, false)"
        for t in tables
        for c in t.primary_key.columns
        if c.autoincrement is True or (c.autoincrement == "auto" and c.type.python_type is int)
    ]
    return text("SELECT " + ", ".join(calls))


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context.

    The test itself holds an app context (for database work); without this, requests
    would share its `g` and its database session, which real requests never do.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response
