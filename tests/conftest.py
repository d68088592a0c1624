"""Shared fixtures: an app per database backend, a client, and factories.

The suite runs on SQLite and, when TEST_DATABASE_URL is set (always under CI=true), on
PostgreSQL too. Content from modules/ is synced once per backend; every test starts with
no organizations, accounts, progress or audit events. Helpers that tests import live in
`tests/support`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from tests.support.backends import (
    IsolatedClient,
    backends,
    clear_data,
    make_config,
    postgres_url,
)
from tests.support.factory import Factory
from trainer import create_app
from trainer.extensions import db, limiter


@pytest.fixture(scope="session", params=backends())
def backend_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """One app and schema per backend, with the shipped content synced once."""
    overrides: dict[str, Any] = {
        "AUDIT_CHECKPOINT_FILE": str(tmp_path_factory.mktemp("audit") / "checkpoints.jsonl"),
        "JOBS_RESULT_FOLDER": str(tmp_path_factory.mktemp("job-results")),
    }
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = postgres_url()
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


@pytest.fixture
def app(backend_app: Flask) -> Iterator[Flask]:
    """The backend's app with empty data tables, inside an app context."""
    clear_data(backend_app)
    limiter.reset()
    with backend_app.app_context():
        yield backend_app
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (each request in its own app context and database session)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def make(app: Flask) -> Factory:
    """Factory for organizations and users."""
    return Factory()


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Any]:
    """A real SMTP server on localhost; the app sends its mail there during the test."""
    from tests.support.mailbox import Mailbox

    box = Mailbox().start()
    old = (app.config["MAIL_SERVER"], app.config["MAIL_PORT"])
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", box.port
    yield box
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old
    box.stop()


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_jobs(app: Flask) -> Iterator[Any]:
    """Jobs on the real Redis, in a queue of this test's own."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    from trainer.jobs.queue import JobSettings, settings

    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except RedisDown as error:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    name = f"test-{secrets.token_hex(4)}"
    before = app.extensions["trainer.jobs"]
    app.extensions["trainer.jobs"] = JobSettings(client, name)
    yield settings()
    queue = settings().queue()
    queue.empty()
    for registry in (queue.failed_job_registry, queue.scheduled_job_registry):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    for key in client.scan_iter(f"{name}-*"):
        client.delete(key)
    app.extensions["trainer.jobs"] = before
