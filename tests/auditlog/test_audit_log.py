"""The audit log page: events as sentences with names, filters, pages and the verify button."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from tests.compliance.crafting import certify, days
from tests.support.web import csrf_token, login
from trainer.audit import services as audit
from trainer.audit.models import AuditEvent
from trainer.auditlog.sentences import KINDS, EventFacts, kind_label, sentence_for
from trainer.certificates import services as certificates
from trainer.extensions import db

TRAINER = Path(__file__).resolve().parents[2] / "trainer"


def _kinds_written_by_the_code() -> set[str]:
    """Every event kind passed to audit.record / audit.about_person in the source."""
    kinds: set[str] = {audit.VERIFIED}
    for path in TRAINER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("record", "about_person")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and node.args
            ):
                constants = [
                    n.value
                    for n in ast.walk(node.args[0])
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                ]
                assert constants, f"{path}:{node.lineno}: the event kind is not written out"
                kinds.update(constants)
    return kinds


def test_the_source_scan_finds_the_kinds():
    found = _kinds_written_by_the_code()
    assert {"certificate.revoked", "certificate.reissued", "staff.deactivated"} <= found


@pytest.mark.parametrize("code", sorted(_kinds_written_by_the_code()))
@pytest.mark.parametrize("language", ["en", "es", "vi"])
def test_every_kind_the_code_writes_reads_as_a_sentence(app, code, language):
    assert code in KINDS, f"no sentence for the event kind {code!r}: add one to audit/sentences.py"
    facts = EventFacts(
        action=code,
        actor="Maria Lopez",
        person="Ana Ruiz",
        holder="Ana Ruiz",
        organization="Bayou Inn",
        subject_id="HTX-2026-000012",
        training="Hotel staff training",
        module="Recognizing trafficking",
        details={
            "reason": "left the company",
            "fields": ["name", "job_role"],
            "rows": 3,
            "year": 2026,
            "covered": 10,
            "trained": 7,
            "people": 2,
            "certificates": 1,
            "from": "learner",
            "to": "manager",
            "label": "Front office",
            "phone": "713-555-0100",
            "hotels": 2,
            "staff": 9,
            "ok": True,
            "count": 4,
            "method": "password",
        },
    )
    with app.test_request_context(), force_locale(language):
        text = sentence_for(facts)
        label = kind_label(code)
    assert text and "%(" not in text and code not in text
    assert label and code not in label
    names = ("Maria Lopez", "Ana Ruiz", "Bayou Inn", "HTX-2026-000012", "Hotel staff training")
    if not code.startswith(("login.", "demo.")):
        assert any(name in text for name in names), text
    if language != "en":
        with app.test_request_context(), force_locale("en"):
            assert sentence_for(facts) != text, f"{code} is not translated into {language}"


@pytest.fixture
def scene(make):
    """A revoked certificate in Houston, an event in California, and the people involved."""
    inn = make.org(name="Bayou Inn")
    admin = make.user(role="admin", first_name="María", last_name="López")
    ana = make.user(inn, first_name="Ana", last_name="Ruiz")
    cert = certify(ana, days(-20))
    db.session.commit()
    certificates.revoke(cert, "left the company", actor=admin)
    far = make.org(name="Pacific Inn", jurisdiction="california")
    make.user(far, first_name="Far", last_name="Away")
    db.session.commit()
    return inn, far, admin, ana, cert


def _sentences(html: str) -> list[str]:
    cells = re.findall(r'<th scope="row" data-label="What happened"[^>]*>(.*?)</th>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def test_events_read_as_sentences_with_names(client, make, scene):
    _inn, _far, _admin, _ana, cert = scene
    login(client, make.user(role="auditor"))
    page = client.get("/audit/")
    assert page.status_code == 200
    sentences = _sentences(page.text)
    assert (
        f"María López revoked the certificate {cert.serial} of Ana Ruiz: reason “left the company”."
    ) in sentences
    visible = re.sub(r"<[^>]+>", " ", page.text)  # option values are codes; no text is
    assert "certificate.revoked" not in visible and "staff.added" not in visible
    assert not any("Far Away" in s for s in sentences)  # another jurisdiction


def test_the_log_reads_in_spanish(client, make, scene):
    _inn, _far, _admin, _ana, cert = scene
    auditor = make.user(role="auditor", language="es")
    login(client, auditor)
    client.post("/language", data={"lang": "es", "csrf_token": csrf_token(client, "/audit/")})
    sentences = _sentences(client.get("/audit/").text.replace("Qué pasó", "What happened"))
    assert any("revocó el certificado" in s and cert.serial in s for s in sentences), sentences


def test_filters_by_who_what_organization_and_when(client, make, scene):
    inn, _far, admin, _ana, cert = scene
    other = make.org(name="Allen Inn")
    make.user(other, first_name="Bo", last_name="Chen")
    audit.record(
        "org.created",
        actor_id=admin.id,
        subject_type="organization",
        subject_id=other.id,
        organization_id=other.id,
    )
    db.session.commit()
    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.action == "org.created", AuditEvent.subject_id == str(other.id))
        .values(created_at=datetime(2025, 1, 15, 18, tzinfo=UTC))
    )
    db.session.commit()
    login(client, make.user(role="auditor"))

    by_who = _sentences(client.get("/audit/?who=LOPEZ").text)
    assert by_who and all(s.startswith("María López") for s in by_who)
    revoked = _sentences(client.get("/audit/?kind=certificate.revoked").text)
    assert len(revoked) == 1 and cert.serial in revoked[0]
    at_allen = _sentences(client.get(f"/audit/?org={other.id}").text)
    assert at_allen and all("Bo Chen" in s or "Allen Inn" in s for s in at_allen)
    assert not any("Ana Ruiz" in s for s in at_allen)
    in_january = _sentences(client.get("/audit/?date_from=2025-01-01&date_to=2025-01-31").text)
    assert in_january == ["María López created the organization Allen Inn."]
    assert _sentences(client.get("/audit/?date_from=2025-01-16&date_to=2025-01-31").text) == []
    assert inn.id != other.id


@pytest.mark.parametrize("query", ["kind=evil", "org=abc", "date_from=yesterday", "page=x"])
def test_bad_filters_are_ignored_and_said_so(client, make, scene, query):
    login(client, make.user(role="auditor"))
    page = client.get(f"/audit/?{query}")
    assert page.status_code == 200
    assert "the defaults were used instead" in page.text
    assert _sentences(page.text)


def test_pages_of_fifty(client, make):
    org = make.org(name="Bayou Inn")
    for n in range(60):
        audit.record(
            "org.updated",
            subject_type="organization",
            subject_id=org.id,
            organization_id=org.id,
            details={"fields": ["name"], "n": n},
        )
    db.session.commit()
    login(client, make.user(role="auditor"))
    first = client.get("/audit/")
    assert len(_sentences(first.text)) == 50 and "60 events, newest first" in first.text
    second = client.get("/audit/?page=2")
    assert len(_sentences(second.text)) == 10 and "Page 2 of 2" in second.text
    assert 'aria-current="page"' in second.text


def test_the_chain_is_verified_by_the_button_not_by_viewing(client, make, scene):
    login(client, make.user(role="auditor", first_name="Iris", last_name="Vega"))
    page = client.get("/audit/")
    assert "has not been verified from this page yet" in page.text
    # viewing the page does not walk the chain: an altered event shows only when verified
    db.session.execute(update(AuditEvent).where(AuditEvent.seq == 1).values(details='{"x": 1}'))
    db.session.commit()
    assert "altered" not in client.get("/audit/").text

    assert client.post("/audit/verify").status_code == 400  # no CSRF token
    token = csrf_token(client, "/audit/")
    response = client.post("/audit/verify", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "The audit log was altered: event 1 does not match." in response.text
    assert "Last verified" in response.text and "by Iris Vega" in response.text
    assert "the log was altered at event 1" in response.text
    recorded = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == audit.VERIFIED)
        .order_by(AuditEvent.seq.desc())
    )
    assert recorded is not None and '"ok": false' in recorded.details


def test_an_intact_chain_verified_from_the_page_and_the_cli(client, runner, make, scene):
    login(client, make.user(role="auditor", first_name="Iris", last_name="Vega"))
    token = csrf_token(client, "/audit/")
    page = client.post("/audit/verify", data={"csrf_token": token}, follow_redirects=True).text
    assert "The audit log is intact" in page and "none altered" in page
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    page = client.get("/audit/").text
    assert "by the system" in page  # the CLI's verification is the newest one
    assert audit.verify_chain().ok
    assert datetime.now(UTC) - db.session.scalar(
        select(AuditEvent.created_at).order_by(AuditEvent.seq.desc())
    ) < timedelta(minutes=5)
