"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL,
and carry existing data forward."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from tests.support.backends import backends, make_config, postgres_url
from trainer import create_app
from trainer.extensions import db

# SQLite cannot reflect the case-insensitive e-mail index (an expression index): the batch
# migrations and the comparison say so, and the tests below check the index by using it.
pytestmark = [
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression"),
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
]


@pytest.fixture(params=backends())
def empty_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database (a new SQLite file, or a new PostgreSQL schema)."""
    overrides: dict[str, Any] = {"AUDIT_CHECKPOINT_FILE": str(tmp_path / "cp.jsonl")}
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    else:
        url = postgres_url()
        assert url
        schema = f"mig_{os.getpid()}_{secrets.token_hex(3)}"
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": f"-csearch_path={schema}"}
        }
    app = create_app(make_config(url, **overrides))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if schema is not None:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_migrations_build_the_models_schema(empty_app):
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []
    # the expression index SQLite cannot reflect: one account per address, any case
    insert = text(
        "INSERT INTO user_account (email, first_name, last_name, role, language, active, "
        "extra_time_percent, security_stamp, created_at) VALUES (:email, 'A', 'B', "
        "'learner', 'en', true, 0, :stamp, CURRENT_TIMESTAMP)"
    )
    with db.engine.begin() as conn:
        conn.execute(insert, {"email": "Ann@Example.test", "stamp": "a" * 32})
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert, {"email": "ann@example.TEST", "stamp": "b" * 32})


def test_upgrade_carries_accounts_and_the_audit_chain_forward(empty_app):
    from trainer.audit import services as audit

    upgrade(revision="0003")
    with db.engine.begin() as conn:
        for n in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO user_account (id, email, first_name, last_name, role, "
                    "language, active, extra_time_percent, created_at) VALUES "
                    "(:id, :email, 'A', 'B', 'learner', 'en', true, 0, CURRENT_TIMESTAMP)"
                ),
                {"id": n, "email": f"p{n}@example.test"},
            )
    # two events appended the way the log did before keyed hashes (plain SHA-256)
    _append_plain_events(2)
    upgrade()
    stamps = db.session.execute(text("SELECT security_stamp FROM user_account")).scalars().all()
    assert len(stamps) == 2 and len(set(stamps)) == 2 and all(len(s) == 32 for s in stamps)
    head = db.session.execute(text("SELECT seq FROM audit_head")).scalar_one()
    assert head == 2
    audit.record("after.upgrade")
    db.session.commit()
    report = audit.verify_chain()
    assert report.ok and report.count == 3, report


def _append_plain_events(count: int) -> None:
    """Events as the log wrote them before keyed hashes: plain SHA-256, no key id."""
    import hashlib
    import json
    from datetime import UTC, datetime

    previous = "0" * 64
    for seq in range(1, count + 1):
        created = datetime(2026, 1, 1, 12, 0, seq, tzinfo=UTC)
        payload = {
            "seq": seq,
            "created_at": created.isoformat(timespec="microseconds"),
            "actor_id": None,
            "action": "old.event",
            "subject_type": "",
            "subject_id": "",
            "organization_id": None,
            "details": "{}",
            "prev_hash": previous,
        }
        digest = hashlib.sha256(
            json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_event (seq, created_at, action, subject_type, "
                    "subject_id, details, prev_hash, hash) VALUES "
                    "(:seq, :created, 'old.event', '', '', '{}', :prev, :hash)"
                ),
                {"seq": seq, "created": created, "prev": previous, "hash": digest},
            )
        previous = digest


def test_search_names_are_back_filled_and_removed_on_downgrade(empty_app):
    from flask_migrate import downgrade

    upgrade(revision="0005")
    with db.engine.begin() as conn:
        for n, (first, last) in enumerate([("María", "González"), ("Đức", "NGUYỄN")], 1):
            conn.execute(
                text(
                    "INSERT INTO user_account (id, email, first_name, last_name, role, "
                    "language, active, extra_time_percent, security_stamp, created_at) VALUES "
                    "(:id, :email, :first, :last, 'learner', 'en', true, 0, :stamp, "
                    "CURRENT_TIMESTAMP)"
                ),
                {
                    "id": n,
                    "email": f"p{n}@example.test",
                    "first": first,
                    "last": last,
                    "stamp": str(n) * 32,
                },
            )
    upgrade(revision="0006")
    names = db.session.execute(text("SELECT search_name FROM user_account ORDER BY id"))
    assert names.scalars().all() == ["maria gonzalez", "duc nguyen"]
    db.session.rollback()
    downgrade(revision="0005")
    with db.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("user_account")}
    assert "search_name" not in columns and "first_name" in columns
    upgrade()
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
