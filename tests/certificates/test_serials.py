"""Serials never repeat a number a certificate already carries, even when the counter is
missing or behind (a restored backup, certificates brought in with their serials)."""

from __future__ import annotations

from sqlalchemy import update

from tests.compliance.crafting import certify, days
from trainer.certificates.models import SerialCounter
from trainer.certificates.services import next_serial
from trainer.extensions import db


def test_a_missing_counter_continues_after_the_highest_serial(make):
    person = make.user(make.org())
    certify(person, days(-3), serial="TST-2026-000007")
    assert next_serial("TST", 2026) == "TST-2026-000008"
    assert next_serial("TST", 2026) == "TST-2026-000009"


def test_a_counter_behind_the_issued_serials_jumps_past_them(make):
    assert next_serial("TST", 2026) == "TST-2026-000001"
    person = make.user(make.org())
    certify(person, days(-3), serial="TST-2026-000005")
    db.session.execute(update(SerialCounter).values(value=1))
    assert next_serial("TST", 2026) == "TST-2026-000006"
    assert next_serial("OTHER", 2026) == "OTHER-2026-000001"
