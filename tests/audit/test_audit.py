"""The hash-chained audit log and `flask audit verify`."""

from __future__ import annotations

from sqlalchemy import select, update

from trainer.audit import services as audit
from trainer.audit.models import AuditEvent, AuditHead
from trainer.extensions import db


def _events(n: int) -> None:
    for i in range(n):
        audit.record("test.event", subject_type="thing", subject_id=i, details={"i": i})
    db.session.commit()


def test_chain_links_each_event_to_the_previous(app):
    _events(3)
    events = db.session.query(AuditEvent).order_by(AuditEvent.seq).all()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert audit.verify_chain().ok


def test_verify_names_the_first_altered_event(app, runner):
    _events(5)
    db.session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(details='{"i": 99}'))
    db.session.commit()
    report = audit.verify_chain()
    assert report.first_broken_seq == 3 and "content" in report.reason
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at event 3" in result.output


def test_verify_detects_a_deleted_event(app, runner):
    _events(4)
    db.session.query(AuditEvent).filter(AuditEvent.seq == 2).delete()
    db.session.commit()
    assert audit.verify_chain().first_broken_seq == 3


def test_verify_cli_ok(app, runner):
    _events(2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "2 events" in result.output


def _recompute_plainly(seq_from: int) -> None:
    """What someone with database access but not the key would do after editing an event."""
    import hashlib
    import json

    events = db.session.query(AuditEvent).order_by(AuditEvent.seq).all()
    previous = audit.GENESIS
    for event in events:
        if event.seq >= seq_from:
            event.prev_hash = previous
            payload = json.dumps(
                {
                    "seq": event.seq,
                    "created_at": event.created_at.isoformat(timespec="microseconds"),
                    "actor_id": event.actor_id,
                    "action": event.action,
                    "subject_type": event.subject_type,
                    "subject_id": event.subject_id,
                    "organization_id": event.organization_id,
                    "details": event.details,
                    "prev_hash": event.prev_hash,
                },
                sort_keys=True,
                separators=(",", ":"),
            ).encode()
            event.hash = hashlib.sha256(payload).hexdigest()
        previous = event.hash
    db.session.execute(update(AuditHead).values(hash=previous))
    db.session.commit()


def test_a_chain_recomputed_without_the_key_is_caught(app):
    _events(4)
    db.session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(details='{"i": 7}'))
    _recompute_plainly(2)
    report = audit.verify_chain()
    assert report.first_broken_seq == 2 and "hash" in report.reason


def test_a_chain_recomputed_with_another_key_is_caught(app):
    _events(3)
    app.config["AUDIT_HMAC_KEY"], real = "another key", app.config["AUDIT_HMAC_KEY"]
    try:
        audit.record("forged.event")
        db.session.commit()
    finally:
        app.config["AUDIT_HMAC_KEY"] = real
    report = audit.verify_chain()
    assert report.first_broken_seq == 4 and "key" in report.reason


def test_an_older_key_still_verifies_its_events(app):
    _events(2)
    old = app.config["AUDIT_HMAC_KEY"]
    app.config["AUDIT_HMAC_KEY"] = "the rotated key"
    app.config["AUDIT_HMAC_OLD_KEYS"] = [old]
    try:
        _events(2)
        assert audit.verify_chain().ok
        app.config["AUDIT_HMAC_OLD_KEYS"] = []
        assert audit.verify_chain().first_broken_seq == 1
    finally:
        app.config["AUDIT_HMAC_KEY"], app.config["AUDIT_HMAC_OLD_KEYS"] = old, []


def test_deleting_the_newest_events_is_caught_by_the_head(app, runner):
    _events(5)
    db.session.query(AuditEvent).filter(AuditEvent.seq >= 4).delete()
    db.session.commit()
    report = audit.verify_chain()
    assert report.first_broken_seq == 4 and "events 4-5 are missing" in report.reason
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "events 4-5 are missing" in result.output


def test_deleting_the_newest_events_and_the_head_is_caught_by_the_checkpoint(app, runner):
    _events(5)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "event 5" in result.output
    _events(1)
    # remove events 5-6 and set the head back, as if they had never been written
    db.session.query(AuditEvent).filter(AuditEvent.seq >= 5).delete()
    fourth = db.session.query(AuditEvent).filter(AuditEvent.seq == 4).one()
    db.session.execute(update(AuditHead).values(seq=4, hash=fourth.hash))
    db.session.commit()
    report = audit.verify_chain()
    assert report.first_broken_seq == 5
    assert "event 5 is missing (the checkpoint of" in report.reason
    assert "recorded 5" in report.reason


def test_a_forged_checkpoint_is_refused(app):
    import json
    from pathlib import Path

    _events(2)
    checkpoint = audit.write_checkpoint()
    path = Path(app.config["AUDIT_CHECKPOINT_FILE"])
    forged = {**checkpoint.__dict__, "hash": "f" * 64}  # the same event, another hash
    path.write_text(path.read_text() + json.dumps(forged) + "\n")
    report = audit.verify_chain()
    assert not report.ok and "not genuine" in report.reason


def test_checkpoints_are_written_every_n_events_after_commit(app):
    from pathlib import Path

    app.config["AUDIT_CHECKPOINT_EVERY"] = 3
    try:
        _events(2)
        audit.record("rolled.back")
        db.session.rollback()  # a rolled-back event is never checkpointed
        _events(5)
    finally:
        app.config["AUDIT_CHECKPOINT_EVERY"] = 0
    lines = Path(app.config["AUDIT_CHECKPOINT_FILE"]).read_text().splitlines()
    assert len(lines) == 1  # one commit wrote events 3-7: one checkpoint, at its end
    assert audit.latest_checkpoint().seq == 7
    assert audit.verify_chain().ok


def _append_concurrently(app, workers: int) -> list[BaseException]:
    import threading

    barrier = threading.Barrier(workers, timeout=60)
    errors: list[BaseException] = []

    def append(number: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                audit.record("concurrent.event", details={"n": number})
                db.session.commit()
            except BaseException as exc:  # reported below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_appends_never_collide_on_the_sequence(app):
    _events(1)
    errors = _append_concurrently(app, 12)
    assert errors == []
    seqs = sorted(db.session.scalars(select(AuditEvent.seq)).all())
    assert seqs == list(range(1, 14))
    assert audit.verify_chain().ok


def test_the_head_is_locked_only_for_the_append_at_the_commit(app):
    # A long transaction has recorded an event but not committed: another transaction
    # appends and commits meanwhile (it would wait for the head's lock if the first
    # transaction had taken it when recording).
    audit.record("org.created", subject_type="organization", subject_id="slow")
    with app.app_context():  # another request: its own session and connection
        audit.record("org.created", subject_type="organization", subject_id="quick")
        db.session.commit()
    db.session.commit()
    order = db.session.scalars(select(AuditEvent.subject_id).order_by(AuditEvent.seq)).all()
    assert order == ["quick", "slow"]  # the chain's order is the order of the commits
    assert audit.verify_chain().ok


def test_an_event_recorded_in_a_rolled_back_savepoint_is_dropped(app):
    audit.record("org.created", subject_type="organization", subject_id="kept")
    savepoint = db.session.begin_nested()
    audit.record("org.created", subject_type="organization", subject_id="undone")
    savepoint.rollback()
    with db.session.begin_nested():
        audit.record("org.updated", subject_type="organization", subject_id="released")
    db.session.commit()
    events = db.session.scalars(select(AuditEvent.subject_id).order_by(AuditEvent.seq)).all()
    assert events == ["kept", "released"]
    audit.record("org.created", subject_type="organization", subject_id="rolled back")
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(select(AuditEvent.subject_id).order_by(AuditEvent.seq.desc())) == (
        "released"
    )
