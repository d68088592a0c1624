"""Append to and verify the hash-chained audit log. Services flush; views commit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text

from trainer.audit.models import AuditEvent
from trainer.extensions import db
from trainer.timeutil import utcnow

GENESIS = "0" * 64


def _digest(event: AuditEvent) -> str:
    """SHA-256 over the event's fields and the previous hash, in a canonical form."""
    payload = {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "organization_id": event.organization_id,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def record(
    action: str,
    *,
    actor_id: int | None = None,
    subject_type: str = "",
    subject_id: object = "",
    organization_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain (flushed, committed by the caller's transaction)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        created_at=utcnow(),
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        organization_id=organization_id,
        details=json.dumps(details or {}, sort_keys=True, default=str),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    """Result of checking the chain: how many events, and the first broken one."""

    count: int
    first_broken_seq: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        """True when every event's hash and link check out."""
        return self.first_broken_seq is None


def _events_in_order(batch: int = 2000) -> Iterator[AuditEvent]:
    """Yield every event by sequence, in batches so memory stays flat."""
    last_seq = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq
        db.session.expunge_all()


def verify_chain() -> ChainReport:
    """Recompute every hash and link; name the first event that does not match."""
    previous = GENESIS
    expected_seq = 1
    count = 0
    for event in _events_in_order():
        count += 1
        if event.seq != expected_seq:
            return ChainReport(count, event.seq, f"event {expected_seq} is missing")
        if event.prev_hash != previous:
            return ChainReport(count, event.seq, "link to the previous event is broken")
        if _digest(event) != event.hash:
            return ChainReport(count, event.seq, "event content does not match its hash")
        previous = event.hash
        expected_seq += 1
    return ChainReport(count, None, None)


def event_count() -> int:
    """Number of events in the log."""
    return db.session.scalar(select(func.count(AuditEvent.id))) or 0


def about_person(
    action: str, person: Any, *, actor_id: int | None, details: dict[str, Any] | None = None
) -> AuditEvent:
    """Record an event whose subject is a person (their organization is taken from them)."""
    return record(
        action,
        actor_id=actor_id,
        subject_type="user",
        subject_id=person.id,
        organization_id=person.organization_id,
        details=details,
    )
