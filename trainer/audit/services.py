"""Append to and verify the hash-chained audit log. Services flush; views commit.

Each event's hash is an HMAC-SHA256, keyed with AUDIT_HMAC_KEY (kept outside the
database), over the event's fields and the previous event's hash. Someone who can write
to the database but does not hold the key can neither edit an event nor recompute the
chain after one. Deleting the newest events is caught by the head row and, should that
be rewritten too, by the signed checkpoints written outside the database (a file and the
application log): `verify_chain` compares the log against the latest checkpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, Select, column, false, func, select, table, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trainer.audit.models import AuditEvent, AuditHead
from trainer.extensions import db
from trainer.policy import Scope
from trainer.timeutil import utcnow

log = logging.getLogger(__name__)
GENESIS = "0" * 64
HEAD_ID = 1
_COMMITTED = "trainer.audit_appended"
_PENDING = "trainer.audit_pending"


# --- keys ------------------------------------------------------------------------------


def key_id_of(key: str) -> str:
    """A short public name for a key (never the key itself)."""
    return hashlib.sha256(b"audit-key-id:" + key.encode()).hexdigest()[:16]


def _current_key() -> tuple[str, bytes]:
    key = current_app.config.get("AUDIT_HMAC_KEY")
    if not key:
        raise RuntimeError("AUDIT_HMAC_KEY is not set.")
    return key_id_of(key), key.encode()


def _known_keys() -> dict[str, bytes]:
    keys = [current_app.config.get("AUDIT_HMAC_KEY") or ""]
    keys += list(current_app.config.get("AUDIT_HMAC_OLD_KEYS") or [])
    return {key_id_of(k): k.encode() for k in keys if k}


def _payload(event: AuditEvent) -> bytes:
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
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def _digest(event: AuditEvent, key: bytes | None) -> str:
    """HMAC-SHA256 with the key; plain SHA-256 only for events from before keyed hashes."""
    if key is None:
        return hashlib.sha256(_payload(event)).hexdigest()
    return hmac.new(key, _payload(event), hashlib.sha256).hexdigest()


# --- appending -------------------------------------------------------------------------


def _advance_head(session: Session) -> tuple[int, str]:
    """Lock the head row, take the next sequence number, and return it with the head's hash."""
    for _ in range(3):
        advanced = cast(
            CursorResult[Any],  # an UPDATE's result: its row count is what matters
            session.execute(
                update(AuditHead)
                .where(AuditHead.id == HEAD_ID)
                .values(seq=AuditHead.seq + 1)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if advanced == 1:
            seq, previous = session.execute(
                select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
            ).one()
            return seq, previous
        last = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
        try:
            with session.begin_nested():
                session.add(
                    AuditHead(
                        id=HEAD_ID, seq=last.seq if last else 0, hash=last.hash if last else GENESIS
                    )
                )
        except IntegrityError:
            continue  # another transaction created it first: lock it on the next turn
    raise RuntimeError("the audit head could not be locked")


@dataclass(frozen=True)
class _Pending:
    """An event recorded in an open transaction, appended to the chain at its commit."""

    fields: dict[str, Any]
    transaction: Any  # the (nested) SessionTransaction it was recorded in


def record(
    action: str,
    *,
    actor_id: int | None = None,
    subject_type: str = "",
    subject_id: object = "",
    organization_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record one event; it joins the chain when the caller's transaction commits.

    The chain's head row is locked only for the append itself, at the commit (see
    `_append_pending`), so a long transaction (an import, a grading) does not hold up
    every other writer; an event recorded in a savepoint that rolls back is dropped with it.
    """
    session = db.session()
    session.connection()  # the event belongs to a transaction: begin one if none is open
    transaction = session.get_nested_transaction() or session.get_transaction()
    fields = {
        "created_at": utcnow(),
        "actor_id": actor_id,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "organization_id": organization_id,
        "details": json.dumps(details or {}, sort_keys=True, default=str),
    }
    session.info.setdefault(_PENDING, []).append(_Pending(fields, transaction))


def _append(session: Session, fields: dict[str, Any]) -> AuditEvent:
    """Append one event to the chain now (the head row stays locked until the commit)."""
    key_id, key = _current_key()
    seq, previous = _advance_head(session)
    event = AuditEvent(seq=seq, prev_hash=previous, key_id=key_id, **fields)
    event.hash = _digest(event, key)
    session.add(event)
    session.flush()
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(hash=event.hash)
        .execution_options(synchronize_session=False)
    )
    session.info.setdefault(_COMMITTED, []).append((event.seq, event.hash))
    return event


@sa_event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    """Append the transaction's events last, so the head's lock lasts only for the append."""
    if session.in_nested_transaction():
        return  # a savepoint: its events wait for the whole transaction's commit
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    for item in pending:
        _append(session, item.fields)


def _inside(transaction: Any, ended: Any) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def about_person(
    action: str, person: Any, *, actor_id: int | None, details: dict[str, Any] | None = None
) -> None:
    """Record an event whose subject is a person (their organization is taken from them)."""
    record(
        action,
        actor_id=actor_id,
        subject_type="user",
        subject_id=person.id,
        organization_id=person.organization_id,
        details=details,
    )


# --- checkpoints -----------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one moment, signed with the audit key, kept outside the database."""

    seq: int
    hash: str
    at: str
    key_id: str
    signature: str

    @staticmethod
    def _message(seq: int, head: str, at: str) -> bytes:
        return f"audit-checkpoint|{seq}|{head}|{at}".encode()

    @classmethod
    def sign(cls, seq: int, head: str) -> Checkpoint:
        """A new checkpoint of (seq, head) signed with the current key."""
        key_id, key = _current_key()
        at = utcnow().isoformat(timespec="seconds")
        signature = hmac.new(key, cls._message(seq, head, at), hashlib.sha256).hexdigest()
        return cls(seq, head, at, key_id, signature)

    def genuine(self) -> bool:
        """True when a known key made the signature."""
        key = _known_keys().get(self.key_id)
        if key is None:
            return False
        expected = hmac.new(key, self._message(self.seq, self.hash, self.at), hashlib.sha256)
        return hmac.compare_digest(expected.hexdigest(), self.signature)


def _checkpoint_path() -> Path:
    return Path(current_app.config["AUDIT_CHECKPOINT_FILE"])


def _append_checkpoint(checkpoint: Checkpoint) -> None:
    """Append to the checkpoint file (append-only, created 0600) and to the log."""
    path = _checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(checkpoint), sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    log.info("audit checkpoint %s", line.strip())


def write_checkpoint() -> Checkpoint:
    """Checkpoint the committed head now (`flask audit checkpoint`, the daily job)."""
    head = db.session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
    ).first()
    checkpoint = Checkpoint.sign(head.seq if head else 0, head.hash if head else GENESIS)
    _append_checkpoint(checkpoint)
    return checkpoint


def latest_checkpoint() -> Checkpoint | None:
    """The newest checkpoint in the file (None when there is none yet)."""
    path = _checkpoint_path()
    if not path.exists():
        return None
    newest: Checkpoint | None = None
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                data = json.loads(line)
                candidate = Checkpoint(**data)
            except (ValueError, TypeError):
                continue
            if newest is None or candidate.seq >= newest.seq:
                newest = candidate
    return newest


@sa_event.listens_for(Session, "after_commit")
def _checkpoint_after_commit(session: Session) -> None:
    appended = session.info.pop(_COMMITTED, None)
    if not appended:
        return
    every = current_app.config.get("AUDIT_CHECKPOINT_EVERY") or 0
    first, last = appended[0][0], appended[-1]
    if every and last[0] // every > (first - 1) // every:
        try:
            _append_checkpoint(Checkpoint.sign(last[0], last[1]))
        except OSError:
            log.exception("audit checkpoint could not be written")


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    pending: list[_Pending] = session.info.get(_PENDING, [])
    kept = [item for item in pending if not _inside(item.transaction, previous_transaction)]
    if kept:
        session.info[_PENDING] = kept
    else:
        session.info.pop(_PENDING, None)
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_COMMITTED, None)


# --- verifying -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """Result of checking the chain: how many events, and the first problem found."""

    count: int
    first_broken_seq: int | None
    reason: str | None
    checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        """True when every event's hash and link check out and nothing is missing."""
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


def _check_events() -> tuple[int, int, str, ChainReport | None]:
    """Walk the chain: (count, last seq, last hash, the first problem or None)."""
    keys = _known_keys()
    previous, expected_seq, count, keyed_seen = GENESIS, 1, 0, False
    for event in _events_in_order():
        count += 1
        if event.seq != expected_seq:
            missing = _span(expected_seq, event.seq - 1)
            return count, 0, "", ChainReport(count, event.seq, f"{missing} missing")
        if event.prev_hash != previous:
            reason = "link to the previous event is broken"
            return count, 0, "", ChainReport(count, event.seq, reason)
        if event.key_id is None and keyed_seen:
            reason = "event has no keyed hash after keyed events"
            return count, 0, "", ChainReport(count, event.seq, reason)
        key = keys.get(event.key_id) if event.key_id else None
        if event.key_id and key is None:
            reason = "event was hashed with a key this installation does not hold"
            return count, 0, "", ChainReport(count, event.seq, reason)
        if not hmac.compare_digest(_digest(event, key), event.hash):
            reason = "event content does not match its hash"
            return count, 0, "", ChainReport(count, event.seq, reason)
        keyed_seen = keyed_seen or event.key_id is not None
        previous = event.hash
        expected_seq += 1
    return count, expected_seq - 1, previous, None


def _span(first: int, last: int) -> str:
    return f"event {first} is" if first == last else f"events {first}-{last} are"


def verify_chain(checkpoint: Checkpoint | None = None) -> ChainReport:
    """Recompute every hash and link; compare the end with the head row and the checkpoint.

    `checkpoint` defaults to the latest one written outside the database.
    """
    checkpoint = checkpoint or latest_checkpoint()
    count, last_seq, last_hash, problem = _check_events()
    if problem is not None:
        return ChainReport(problem.count, problem.first_broken_seq, problem.reason, checkpoint)
    head = db.session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
    ).first()
    if head is not None and head.seq > last_seq:
        reason = f"{_span(last_seq + 1, head.seq)} missing (the head records {head.seq})"
        return ChainReport(count, last_seq + 1, reason, checkpoint)
    if head is not None and head.seq == last_seq and head.hash != last_hash:
        return ChainReport(count, last_seq, "the newest event differs from the head", checkpoint)
    if checkpoint is not None:
        if not checkpoint.genuine():
            reason = "the latest checkpoint's signature is not genuine"
            return ChainReport(count, checkpoint.seq or 1, reason, checkpoint)
        if checkpoint.seq > last_seq:
            reason = (
                f"{_span(last_seq + 1, checkpoint.seq)} missing "
                f"(the checkpoint of {checkpoint.at} recorded {checkpoint.seq})"
            )
            return ChainReport(count, last_seq + 1, reason, checkpoint)
        if checkpoint.seq:
            at_checkpoint = db.session.scalar(
                select(AuditEvent.hash).where(AuditEvent.seq == checkpoint.seq)
            )
            if at_checkpoint != checkpoint.hash:
                reason = (
                    f"event {checkpoint.seq} differs from the checkpoint of {checkpoint.at}: "
                    "the chain was rewritten"
                )
                return ChainReport(count, checkpoint.seq, reason, checkpoint)
    return ChainReport(count, None, None, checkpoint)


#: The kind of event that records a verification of the chain (from the page or the CLI).
VERIFIED = "audit.verified"


def record_verification(actor_id: int | None) -> ChainReport:
    """Verify the chain now and append the result to it (flushed, committed by the caller)."""
    report = verify_chain()
    record(
        VERIFIED,
        actor_id=actor_id,
        subject_type="audit_log",
        details={
            "ok": report.ok,
            "count": report.count,
            "first_broken_seq": report.first_broken_seq,
        },
    )
    return report


def event_count() -> int:
    """Number of events in the log."""
    return db.session.scalar(select(func.count(AuditEvent.id))) or 0


#: The organizations table, read by name: every feature records events, so the audit log
#: sits below the feature that owns organizations and does not import its model.
_ORGANIZATION = table("organization", column("id"), column("jurisdiction"))


def within(query: Select[Any], scope: Scope) -> Select[Any]:
    """Only the events about organizations within the scope (all of them for an admin)."""
    if scope.everything:
        return query
    if scope.jurisdiction is not None:
        orgs = select(_ORGANIZATION.c.id).where(_ORGANIZATION.c.jurisdiction == scope.jurisdiction)
        return query.where(AuditEvent.organization_id.in_(orgs))
    if scope.organization_id is None:
        return query.where(false())
    return query.where(AuditEvent.organization_id == scope.organization_id)
