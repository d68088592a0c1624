"""Saved figures: pages show their tables again until they are older than the set age."""

from __future__ import annotations

import hashlib
import json
import time as time_module
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from trainer.catalog.models import ModuleVersion
from trainer.core.text import localized
from trainer.extensions import db
from trainer.outcomes.figures import module_outcomes
from trainer.outcomes.groups import MIN_GROUP
from trainer.outcomes.models import OutcomeSnapshot
from trainer.outcomes.queries import KINDS, POST, Filters
from trainer.outcomes.summary import program_summary, version_rows
from trainer.outcomes.tables import Column, Table
from trainer.timeutil import utcnow

# --------------------------------------------------------------------------- snapshots

#: Figures are reused for this many minutes unless the app sets OUTCOMES_MAX_AGE_MINUTES.
DEFAULT_MAX_AGE_MINUTES = 15
#: Snapshots not refreshed for this long are deleted when another one is saved.
SNAPSHOT_RETENTION = timedelta(days=2)
#: Bump when the payload's shape or a definition changes: older snapshots are ignored.
SNAPSHOT_SCHEMA = 2


@dataclass(frozen=True)
class Snapshot:
    """A page's tables, when they were computed, and how long that took."""

    tables: dict[str, Table]
    computed_at: datetime
    seconds: float
    reused: bool


def snapshot_key(page: str, **parts: Any) -> str:
    """The key of a snapshot: the page and everything that changes its figures."""
    canonical = json.dumps(
        {"page": page, "schema": SNAPSHOT_SCHEMA, **parts}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _saved(key: str, max_age_minutes: float, now: datetime) -> Snapshot | None:
    """The saved snapshot under ``key`` if it is young enough."""
    if max_age_minutes <= 0:
        return None
    row = db.session.scalar(select(OutcomeSnapshot).where(OutcomeSnapshot.key == key))
    if row is None or now - row.computed_at >= timedelta(minutes=max_age_minutes):
        return None
    tables = {k: Table.from_payload(k, data) for k, data in row.payload["tables"].items()}
    return Snapshot(tables, row.computed_at, row.seconds, reused=True)


def _save(
    key: str, version_id: int | None, tables: Mapping[str, Table], seconds: float, now: datetime
) -> None:
    """Insert or replace the snapshot under ``key``, and drop long-unused ones (flushes)."""
    values = {
        "key": key,
        "module_version_id": version_id,
        "computed_at": now,
        "seconds": seconds,
        "payload": {"tables": {k: table.to_payload() for k, table in tables.items()}},
    }
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(OutcomeSnapshot).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[OutcomeSnapshot.key],
            set_={name: statement.excluded[name] for name in values if name != "key"},
        )
        db.session.execute(statement)
    else:  # pragma: no cover - the platform runs on SQLite and PostgreSQL
        db.session.execute(delete(OutcomeSnapshot).where(OutcomeSnapshot.key == key))
        db.session.add(OutcomeSnapshot(**values))
    db.session.execute(
        delete(OutcomeSnapshot).where(OutcomeSnapshot.computed_at < now - SNAPSHOT_RETENTION)
    )
    db.session.flush()


def module_snapshot(
    version: ModuleVersion,
    filters: Filters,
    kind: str,
    language: str,
    max_age_minutes: float = DEFAULT_MAX_AGE_MINUTES,
    *,
    refresh: bool = False,
) -> Snapshot:
    """The module page's tables: reused while young enough, else computed and saved."""
    kind = kind if kind in KINDS else POST
    key = snapshot_key(
        "module",
        version=version.id,
        scope=filters.jurisdiction,
        filters=filters.query_args(),
        timezone=filters.timezone,
        kind=kind,
        language=language,
    )
    now = utcnow()
    saved = None if refresh else _saved(key, max_age_minutes, now)
    if saved is not None:
        return saved
    started = time_module.perf_counter()
    tables = module_outcomes(version, filters, kind, language).tables
    seconds = time_module.perf_counter() - started
    _save(key, version.id, tables, seconds, now)
    return Snapshot(tables, now, seconds, reused=False)


def summary_snapshot(language: str, max_age_minutes: float = DEFAULT_MAX_AGE_MINUTES) -> Snapshot:
    """The partners' summary tables: reused while young enough, else computed and saved."""
    key = snapshot_key("summary", language=language, minimum=MIN_GROUP)
    now = utcnow()
    saved = _saved(key, max_age_minutes, now)
    if saved is not None:
        return saved
    started = time_module.perf_counter()
    tables = program_summary(language)
    seconds = time_module.perf_counter() - started
    _save(key, None, tables, seconds, now)
    return Snapshot(tables, now, seconds, reused=False)


VERSION_COLUMNS = (
    Column("version_id", _l("Module"), "int"),
    Column("slug", _l("Module")),
    Column("title", _l("Name")),
    Column("version", _l("Version"), "int"),
    Column("component", _l("Component"), "int"),
    Column("current", _l("Current")),
    Column("pre_learners", _l("Learners with a pre-test"), "int"),
    Column("post_learners", _l("Learners with a post-test"), "int"),
)


def index_snapshot(
    jurisdiction: str | None, language: str, max_age_minutes: float = DEFAULT_MAX_AGE_MINUTES
) -> Snapshot:
    """The module versions with learner counts in the scope, reused while young enough."""
    key = snapshot_key("index", scope=jurisdiction, language=language)
    now = utcnow()
    saved = _saved(key, max_age_minutes, now)
    if saved is not None:
        return saved
    started = time_module.perf_counter()
    rows = tuple(
        (
            row.version_id,
            row.slug,
            localized(row.title, language) or row.slug,
            row.version,
            row.component,
            row.current,
            row.pre_learners,
            row.post_learners,
        )
        for row in version_rows(jurisdiction)
    )
    tables = {"versions": Table("versions", _l("Module versions"), VERSION_COLUMNS, rows)}
    seconds = time_module.perf_counter() - started
    _save(key, None, tables, seconds, now)
    return Snapshot(tables, now, seconds, reused=False)
