"""The hash-chained audit log and `flask audit verify`."""

from __future__ import annotations

from sqlalchemy import update

from trainer.audit import services as audit
from trainer.audit.models import AuditEvent
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
