"""Reading the audit log: filter, page, and put names to the ids each event stores.

The log itself (`services`) is written by every feature and knows nothing of them; this
module is its reader for the log page, so it looks names up in the features' tables.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select

from trainer.audit import services
from trainer.audit.models import AuditEvent
from trainer.auditlog.sentences import EventFacts, sentence_for
from trainer.auth.models import User
from trainer.catalog.models import ModuleVersion, Track
from trainer.certificates.models import Certificate
from trainer.core.folding import like_pattern
from trainer.core.text import localized
from trainer.extensions import db
from trainer.learning.models import Enrollment, ModuleProgress
from trainer.orgs.models import Organization

PAGE_SIZE = 50
VERIFIED = services.VERIFIED


@dataclass(frozen=True)
class LogFilter:
    """What the log page shows. Dates are days in the program's time zone, inclusive."""

    who: str = ""
    kind: str | None = None
    organization_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1


@dataclass(frozen=True)
class Entry:
    """One event as the page shows it."""

    seq: int
    created_at: datetime
    action: str
    sentence: str
    organization: str | None


@dataclass(frozen=True)
class LogPage:
    """One page of events, newest first."""

    entries: list[Entry]
    number: int
    pages: int
    total: int
    size: int = PAGE_SIZE


@dataclass(frozen=True)
class Verification:
    """The latest recorded verification of the chain."""

    at: datetime
    by: str | None
    ok: bool
    count: int
    first_broken_seq: int | None


def _scope(jurisdiction: str | None) -> list[ColumnElement[bool]]:
    """Events of the jurisdiction's organizations (None: every event, for admins)."""
    if jurisdiction is None:
        return []
    orgs = select(Organization.id).where(Organization.jurisdiction == jurisdiction)
    return [AuditEvent.organization_id.in_(orgs)]


def organizations_in_scope(jurisdiction: str | None) -> list[tuple[int, str]]:
    """(id, name) of the organizations the reader may filter by, by name."""
    query = select(Organization.id, Organization.name).order_by(Organization.name)
    if jurisdiction is not None:
        query = query.where(Organization.jurisdiction == jurisdiction)
    return [(org_id, name) for org_id, name in db.session.execute(query)]


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _query(jurisdiction: str | None, filters: LogFilter, zone: ZoneInfo) -> Select[Any]:
    conditions = _scope(jurisdiction)
    if filters.who.strip():
        actors = select(User.id).where(
            User.search_name.like(like_pattern(filters.who), escape="\\")
        )
        conditions.append(AuditEvent.actor_id.in_(actors))
    if filters.kind:
        conditions.append(AuditEvent.action == filters.kind)
    if filters.organization_id is not None:
        conditions.append(AuditEvent.organization_id == filters.organization_id)
    if filters.date_from is not None:
        conditions.append(AuditEvent.created_at >= _day_start(filters.date_from, zone))
    if filters.date_to is not None:
        end = _day_start(filters.date_to + timedelta(days=1), zone)
        conditions.append(AuditEvent.created_at < end)
    return select(AuditEvent).where(*conditions)


def log_page(jurisdiction: str | None, filters: LogFilter, zone: ZoneInfo) -> LogPage:
    """The page of events matching the filters, each as a sentence."""
    query = _query(jurisdiction, filters, zone)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    number = min(max(1, filters.page), pages)
    events = db.session.scalars(
        query.order_by(AuditEvent.seq.desc()).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return LogPage(describe(events), number, pages, total)


def _details(event: AuditEvent) -> dict[str, Any]:
    try:
        loaded = json.loads(event.details or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(User.id, User.first_name, User.last_name).where(User.id.in_(wanted))
    )
    return {uid: f"{first} {last}".strip() for uid, first, last in rows}


def describe(events: Sequence[AuditEvent], language: str | None = None) -> list[Entry]:
    """Look up every name the events refer to (a few queries per page) and word them."""
    from flask_babel import get_locale

    lang = language or str(get_locale() or "en")
    loaded = [(event, _details(event)) for event in events]

    serials = {e.subject_id for e, _d in loaded if e.subject_type == "certificate"}
    holders: dict[str, tuple[int, str]] = {}
    if serials:
        for serial, user_id, name in db.session.execute(
            select(Certificate.serial, Certificate.user_id, Certificate.holder_name).where(
                Certificate.serial.in_(serials)
            )
        ):
            holders[serial] = (user_id, name)

    progress_ids = {
        pid
        for e, _d in loaded
        if e.subject_type == "module_progress" and (pid := _int(e.subject_id)) is not None
    }
    progress: dict[int, tuple[int, str | None]] = {}
    if progress_ids:
        rows = db.session.execute(
            select(ModuleProgress.id, Enrollment.user_id, ModuleVersion.title)
            .join(Enrollment, Enrollment.id == ModuleProgress.enrollment_id)
            .outerjoin(ModuleVersion, ModuleVersion.id == ModuleProgress.module_version_id)
            .where(ModuleProgress.id.in_(progress_ids))
        )
        for pid, user_id, title in rows:
            progress[pid] = (user_id, localized(title, lang) if title else None)

    track_slugs = {
        str(d.get("track")) for e, d in loaded if e.action == "enrollment.created" and "track" in d
    }
    tracks: dict[str, str] = {}
    if track_slugs:
        for slug, title in db.session.execute(
            select(Track.slug, Track.title).where(Track.slug.in_(track_slugs))
        ):
            tracks[slug] = localized(title, lang)

    def person_id(event: AuditEvent, details: dict[str, Any]) -> int | None:
        if event.subject_type == "user":
            return _int(event.subject_id)
        if event.subject_type == "enrollment":
            return _int(details.get("user", ""))
        if event.subject_type == "module_progress":
            found = progress.get(_int(event.subject_id) or 0)
            return found[0] if found else None
        return None

    people = _names([e.actor_id for e, _d in loaded] + [person_id(e, d) for e, d in loaded])
    org_names = dict(
        db.session.execute(
            select(Organization.id, Organization.name).where(
                Organization.id.in_({e.organization_id for e, _d in loaded if e.organization_id})
            )
        ).all()
    )

    entries = []
    for event, details in loaded:
        pid = person_id(event, details)
        holder = holders.get(event.subject_id) if event.subject_type == "certificate" else None
        module = None
        if event.subject_type == "module_progress":
            found = progress.get(_int(event.subject_id) or 0)
            module = found[1] if found else None
        organization = org_names.get(event.organization_id) if event.organization_id else None
        facts = EventFacts(
            action=event.action,
            actor=people.get(event.actor_id) if event.actor_id else None,
            person=people.get(pid) if pid else None,
            holder=holder[1] if holder else None,
            organization=organization,
            subject_id=event.subject_id,
            training=tracks.get(str(details.get("track"))),
            module=module,
            details=details,
        )
        entries.append(
            Entry(event.seq, event.created_at, event.action, sentence_for(facts), organization)
        )
    return entries


def last_verification() -> Verification | None:
    """The newest recorded verification, if any."""
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == VERIFIED)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    details = _details(event)
    by = _names([event.actor_id]).get(event.actor_id or 0)
    broken = details.get("first_broken_seq")
    return Verification(
        at=event.created_at,
        by=by,
        ok=bool(details.get("ok")),
        count=int(details.get("count") or 0),
        first_broken_seq=broken if isinstance(broken, int) else None,
    )
