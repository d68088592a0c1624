"""Shared fixtures: an app per database backend, a client, and factories.

The suite runs on SQLite and, when TEST_DATABASE_URL is set (always under CI=true), on
PostgreSQL too. Content from modules/ is synced once per backend; every test starts with
no organizations, accounts, progress or audit events.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from config import TestConfig
from trainer import create_app, timeutil
from trainer.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent
CONTENT_TABLES = {"module", "module_version", "track", "track_module"}
PASSWORD = "correct horse battery"


def _postgres_url() -> str | None:
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


def _backends() -> list[Any]:
    params: list[Any] = ["sqlite"]
    url = _postgres_url()
    in_ci = os.environ.get("CI", "").lower() == "true"
    if url is None:
        if in_ci:
            raise pytest.UsageError("CI=true needs TEST_DATABASE_URL (PostgreSQL).")
        reason = "TEST_DATABASE_URL is not set: PostgreSQL tests skipped"
        params.append(pytest.param("postgresql", marks=pytest.mark.skip(reason=reason)))
    else:
        problem = _postgres_reachable(url)
        if problem and in_ci:
            raise pytest.UsageError(f"PostgreSQL at TEST_DATABASE_URL unreachable: {problem}")
        if problem:
            reason = f"PostgreSQL unreachable: {problem}"
            params.append(pytest.param("postgresql", marks=pytest.mark.skip(reason=reason)))
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


@pytest.fixture(scope="session", params=_backends())
def backend_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """One app and schema per backend, with the shipped content synced once."""
    overrides: dict[str, Any] = {
        "AUDIT_CHECKPOINT_FILE": str(tmp_path_factory.mktemp("audit") / "checkpoints.jsonl")
    }
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = _postgres_url()
        assert url
        # A schema of its own, so runs started at the same time never share tables.
        schema = f"run_{os.getpid()}_{secrets.token_hex(3)}"
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-csearch_path={schema}"},
        }
    app = create_app(make_config(url, **overrides))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        from trainer.catalog.services import sync_content

        report = sync_content(Path(app.config["MODULES_DIR"]))
        assert not report.problems, report.problems
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if schema is not None:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _clear(app: Flask) -> None:
    Path(app.config["AUDIT_CHECKPOINT_FILE"]).unlink(missing_ok=True)
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in CONTENT_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture
def app(backend_app: Flask) -> Iterator[Flask]:
    """The backend's app with empty data tables, inside an app context."""
    _clear(backend_app)
    limiter.reset()
    with backend_app.app_context():
        yield backend_app
        db.session.rollback()
        db.session.remove()


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


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (each request in its own app context and database session)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """A CLI runner."""
    return app.test_cli_runner()


# --- factories ---------------------------------------------------------------------


class Factory:
    """Makes organizations and people with sensible defaults (flushes, then commits)."""

    def __init__(self) -> None:
        self.count = 0

    def org(self, **kw: Any) -> Any:
        from trainer.orgs.models import Organization

        self.count += 1
        values = {
            "kind": "hotel",
            "name": f"Hotel {self.count}",
            "address": f"{self.count} Main St, Houston, TX",
            "jurisdiction": "houston-tx",
            "permit_number": f"P-{self.count}",
        }
        values.update(kw)
        org = Organization(**values)
        db.session.add(org)
        db.session.commit()
        return org

    def user(self, org: Any = None, role: str = "learner", **kw: Any) -> Any:
        from trainer.auth.models import User
        from trainer.auth.services import hash_password
        from trainer.orgs import services as org_services

        self.count += 1
        values = {
            "email": f"person{self.count}@example.test",
            "first_name": f"Person{self.count}",
            "last_name": "Test",
            "role": role,
            "organization_id": org.id if org is not None else None,
            "job_role": "front_desk" if org is not None else None,
            "hire_date": timeutil.today() - timedelta(days=5) if org is not None else None,
            "password_hash": hash_password(PASSWORD),
            "jurisdiction": "houston-tx" if role == "auditor" else None,
        }
        values.update(kw)
        user = User(**values)
        user.organization = org
        db.session.add(user)
        db.session.flush()
        if role == "learner" and org is not None:
            org_services.STAFF_ADDED.emit(user)
        db.session.commit()
        return user


@pytest.fixture
def make(app: Flask) -> Factory:
    """Factory for organizations and users."""
    return Factory()


def csrf_token(client: FlaskClient, url: str) -> str:
    """Fetch a page and return the CSRF token of its first form."""
    page = client.get(url, follow_redirects=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
    if match is None:
        match = re.search(
            r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page.text
        )
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def login(client: FlaskClient, user: Any, password: str = PASSWORD) -> None:
    """Sign a user in through the real login form."""
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.text


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Any]:
    """A real SMTP server on localhost; the app sends its mail there during the test."""
    from tests.mailbox import Mailbox

    box = Mailbox().start()
    old = (app.config["MAIL_SERVER"], app.config["MAIL_PORT"])
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", box.port
    yield box
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old
    box.stop()
