"""One definition of the current certificate: the SQL and the Python answers agree."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.compliance.crafting import certify
from trainer.certificates.models import Certificate, is_latest_current, latest_current
from trainer.compliance import reports, services
from trainer.compliance.rules import StaffStatus
from trainer.extensions import db
from trainer.timeutil import utcnow

TODAY = date(2026, 3, 2)


def _supersede(old: Certificate, new: Certificate) -> None:
    old.superseded_by_id = new.id
    new.supersedes_id = old.id
    db.session.commit()


def _crafted(make) -> dict[str, object]:
    """People holding valid, expired, revoked, superseded and re-issued certificates."""
    org = make.org()
    people = {
        name: make.user(org, first_name=name)
        for name in (
            "valid",
            "expired",
            "revoked",
            "reissued",
            "renewed",
            "revoked_renewal",
            "tie",
            "none",
        )
    }
    certs: dict[str, Certificate] = {}
    certs["valid"] = certify(people["valid"], TODAY - timedelta(days=30))
    certs["expired"] = certify(people["expired"], date(2024, 1, 10), expires_on=date(2025, 1, 10))
    certs["revoked"] = certify(people["revoked"], TODAY - timedelta(days=10), revoked=True)
    # A corrected name: the first is superseded by its re-issue, completed the same day.
    first = certify(people["reissued"], TODAY - timedelta(days=60))
    certs["reissued"] = certify(people["reissued"], TODAY - timedelta(days=60))
    _supersede(first, certs["reissued"])
    certs["reissued_old"] = first
    # A renewal: last year's certificate stays current in the history, the newer one counts.
    certs["renewed_old"] = certify(people["renewed"], date(2025, 2, 1))
    certs["renewed"] = certify(people["renewed"], date(2026, 2, 1))
    # A renewal that was revoked: the older certificate is the current one again.
    certs["revoked_renewal"] = certify(people["revoked_renewal"], date(2025, 3, 1))
    certify(people["revoked_renewal"], date(2026, 2, 20), revoked=True)
    # Two current certificates completed at the same moment: the one issued last counts.
    certify(people["tie"], TODAY - timedelta(days=5))
    certs["tie"] = certify(people["tie"], TODAY - timedelta(days=5))
    return {"org": org, "people": people, "certs": certs}


def test_sql_and_python_agree_on_current(app, make) -> None:
    world = _crafted(make)
    everything = db.session.scalars(select(Certificate)).all()
    in_python = {c.id for c in everything if c.is_current}
    in_sql = set(db.session.scalars(select(Certificate.id).where(Certificate.is_current)))
    assert in_sql == in_python
    certs = world["certs"]
    assert certs["expired"].id in in_sql  # expired still counts: it makes the status expired
    assert certs["revoked"].id not in in_sql
    assert certs["reissued_old"].id not in in_sql and certs["reissued"].id in in_sql


def test_sql_and_python_agree_on_each_persons_current(app, make) -> None:
    world = _crafted(make)
    everything = db.session.scalars(select(Certificate)).all()
    in_python = {user_id: cert.id for user_id, cert in latest_current(everything).items()}
    in_sql = {
        cert.user_id: cert.id
        for cert in db.session.scalars(select(Certificate).where(is_latest_current()))
    }
    assert in_sql == in_python
    people, certs = world["people"], world["certs"]
    expected = {
        name: certs[name].id
        for name in ("valid", "expired", "reissued", "renewed", "revoked_renewal", "tie")
    }
    assert {name: in_sql.get(people[name].id) for name in expected} == expected
    assert people["revoked"].id not in in_sql and people["none"].id not in in_sql


def test_compliance_and_reports_use_the_current_certificate(app, make) -> None:
    world = _crafted(make)
    org, people, certs = world["org"], world["people"], world["certs"]
    rows = {row.user_id: row for row in services.staff_rows(org, TODAY)}
    latest = reports._latest_certificates(org)
    for name in ("valid", "expired", "reissued", "renewed", "revoked_renewal", "tie"):
        person = people[name].id
        assert latest[person].id == certs[name].id
        assert rows[person].completed_on == certs[name].completed_at.date()
    assert rows[people["expired"].id].status is StaffStatus.EXPIRED
    assert rows[people["revoked"].id].completed_on is None
    assert people["revoked"].id not in latest


def test_a_revoked_certificate_stops_being_current_at_once(app, make) -> None:
    org = make.org()
    person = make.user(org)
    cert = certify(person, TODAY - timedelta(days=3))
    assert cert.is_current
    cert.revoked_at = utcnow()
    db.session.commit()
    assert not cert.is_current
    assert db.session.scalar(select(Certificate.id).where(Certificate.is_current)) is None
