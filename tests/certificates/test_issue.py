"""Issuing, storing, verifying, revoking, re-issuing and renewing certificates."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import subprocess
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.support import journey
from tests.support.web import csrf_token, login
from trainer import timeutil
from trainer.audit.models import AuditEvent
from trainer.certificates import services
from trainer.certificates.models import Certificate
from trainer.compliance import services as compliance
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import Enrollment
from trainer.timeutil import local_date, utcnow


def _finish_track(client, user) -> Enrollment:
    enrollment = learning.enrollments_of(user)[0]
    for progress in enrollment.modules:
        journey.pass_module(client, progress.id, user)
    db.session.expire_all()
    return db.session.get(Enrollment, enrollment.id)


@pytest.fixture
def certified(client, make):
    """A hotel employee who finished the hotel track through the web pages."""
    org = make.org(name="Bayou Inn", address="12 Main St, Houston, TX", permit_number="HTL-77")
    user = make.user(org, first_name="José", last_name="Núñez")
    login(client, user)
    enrollment = _finish_track(client, user)
    cert = db.session.scalar(select(Certificate).where(Certificate.enrollment_id == enrollment.id))
    return user, enrollment, cert


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    """Text without white space, as layout may break lines anywhere."""
    return "".join(text.split())


def test_completion_issues_one_certificate_with_every_field(certified, client, app):
    user, _enrollment, cert = certified
    assert cert.serial.startswith(f"HTX-{timeutil.today().year}-")
    assert len(cert.verification_code) >= 16 and cert.serial not in cert.verification_code
    assert cert.holder_name == "José Núñez" and cert.permit_number == "HTL-77"
    assert [m["slug"] for m in cert.modules] == ["intro-indicators", "hotel-lodging"]
    assert all(m["score"] == 100 and m["version"] >= 1 for m in cert.modules)
    assert cert.total_minutes >= 40
    # Houston: yearly; the rule is stored on the certificate
    assert cert.expires_on == compliance.expiry_for(user, local_date(cert.completed_at))[0]
    assert cert.expiry_rule["rule"] in {"houston-tx", "texas"}
    assert "28-212" in cert.legal_reference
    pdf = services.pdf_bytes(cert)
    assert hashlib.sha256(pdf).hexdigest() == cert.pdf_sha256
    text = _text(pdf)
    for needle in [
        "José Núñez",
        cert.serial,
        "Bayou Inn",
        "HTL-77",
        f"/verify/{cert.verification_code}",
    ]:
        assert _flat(needle) in _flat(text), needle
    assert str(cert.expires_on.year) in text
    events = db.session.scalars(select(AuditEvent.action)).all()
    assert events.count("certificate.issued") == 1


def test_qr_code_in_the_pdf_holds_the_verification_url(certified, tmp_path):
    _user, _enrollment, cert = certified
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(services.pdf_bytes(cert))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert decoded == services.verify_url(cert.verification_code)


def test_downloads_serve_the_stored_bytes(certified, client, make):
    user, _enrollment, cert = certified
    mine = client.get("/certificates/mine")
    assert cert.serial in mine.text
    response = client.get(f"/certificates/{cert.id}/download")
    assert response.data == services.pdf_bytes(cert)
    assert response.headers["X-Content-SHA256"] == cert.pdf_sha256
    # the learner's own download is not a staff download
    assert "certificate.downloaded" not in db.session.scalars(select(AuditEvent.action)).all()
    manager = make.user(user.organization, role="manager")
    staff = client.application.test_client()
    login(staff, manager)
    assert staff.get(f"/certificates/{cert.id}/download").data == response.data
    assert "certificate.downloaded" in db.session.scalars(select(AuditEvent.action)).all()


def test_public_verification_page_and_json(certified):
    _user, enrollment, cert = certified
    from flask import current_app

    visitor = current_app.test_client()
    page = visitor.get(f"/verify/{cert.verification_code}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for needle in ["Valid certificate", cert.serial, "José Núñez", "Bayou Inn"]:
        assert needle in text, needle
    assert enrollment.track.title["en"] in text
    assert cert.expires_on.strftime("%B") in text  # a date written out, not ISO
    # Only holder, organization, training, dates and status: no scores, no permit
    assert "post-test" not in text.lower() and "HTL-77" not in text
    data = visitor.get(f"/verify/{cert.verification_code}.json").json
    assert data["status"] == "valid" and data["serial"] == cert.serial
    assert data["pdf_sha256"] == cert.pdf_sha256
    assert data["expires_on"] == cert.expires_on.isoformat()
    assert data["holder"] == "José Núñez"
    assert all(set(m) == {"title"} for m in data["modules"])
    assert data["revocation_reason"] is None and "permit_number" not in data["organization"]


def test_verification_page_speaks_the_readers_language(certified):
    _user, enrollment, cert = certified
    from flask import current_app

    visitor = current_app.test_client()
    page = visitor.get(
        f"/verify/{cert.verification_code}", headers={"Accept-Language": "es-MX,es;q=0.9"}
    )
    text = html.unescape(page.text)
    assert enrollment.track.title["es"] in text
    assert "de 20" in text  # e.g. "19 de noviembre de 2027"


def test_unknown_codes_and_serials_get_a_page_of_their_own(certified):
    _user, _enrollment, cert = certified
    from flask import current_app

    visitor = current_app.test_client()
    for path in ["/verify/not-a-real-code", f"/verify/{cert.serial}"]:
        response = visitor.get(path)
        assert response.status_code == 404
        assert "No certificate has this code" in response.text
        assert "may not be genuine" in response.text
        assert "José" not in response.text and "Bayou" not in response.text
    response = visitor.get(f"/verify/{cert.serial}.json")
    assert response.status_code == 404 and "José" not in response.text


def test_verification_is_rate_limited(app, certified, monkeypatch):
    from trainer.extensions import limiter

    visitor = app.test_client()
    limiter.reset()
    limit = int(app.config["VERIFY_LIMIT"].split()[0])
    codes = [visitor.get(f"/verify/guess{i}").status_code for i in range(limit + 1)]
    assert codes[:limit] == [404] * limit and codes[-1] == 429


def test_uploaded_pdf_matches_only_when_byte_identical(certified, app):
    _user, _enrollment, cert = certified
    visitor = app.test_client()
    original = services.pdf_bytes(cert)
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    writer.add_metadata({"/Title": "Certificate of someone else"})
    buffer = io.BytesIO()
    writer.write(buffer)
    edited = buffer.getvalue()
    assert edited != original
    for data, matches in [(original, True), (edited, False)]:
        token = csrf_token(visitor, f"/verify/{cert.verification_code}")
        page = visitor.post(
            f"/verify/{cert.verification_code}",
            data={"pdf": (io.BytesIO(data), "c.pdf"), "csrf_token": token},
            content_type="multipart/form-data",
        )
        # The verdict at the top of the page says it, in place of the status.
        verdict = re.search(r'id="verdict".*?</div>\s*</div>', page.text, re.S).group(0)
        if matches:
            assert "This file is exactly the certificate we issued." in verdict
            assert "Valid certificate" in verdict
        else:
            assert "This file is not the certificate we issued" in verdict
            assert "Valid certificate" not in page.text
            assert 'role="alert"' in verdict


def test_admin_revokes_and_the_verifier_sees_it(certified, app, make):
    _user, _enrollment, cert = certified
    admin_client = app.test_client()
    login(admin_client, make.user(role="admin"))
    token = csrf_token(admin_client, f"/certificates/{cert.id}")
    missing = admin_client.post(
        f"/certificates/{cert.id}/revoke", data={"reason": "", "csrf_token": token}
    )
    assert missing.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).revoked_at is None
    reason = "Training was completed by someone else"
    asked = admin_client.post(
        f"/certificates/{cert.id}/revoke", data={"reason": reason, "csrf_token": token}
    )
    # A confirmation page first; nothing is revoked yet.
    assert asked.status_code == 200 and "Yes, revoke this certificate" in asked.text
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).revoked_at is None
    done = admin_client.post(
        f"/certificates/{cert.id}/revoke",
        data={"reason": reason, "confirm": "yes", "csrf_token": token},
    )
    assert done.status_code == 302
    data = app.test_client().get(f"/verify/{cert.verification_code}.json").json
    assert data["status"] == "revoked"
    # the public sees the date, not the admin's free-text reason, nor module scores
    assert data["revocation_reason"] is None and data["revoked_on"]
    assert all(set(m) == {"title"} for m in data["modules"]) and data["modules"]
    page = app.test_client().get(f"/verify/{cert.verification_code}")
    assert "Revoked certificate" in page.text and "someone else" not in page.text
    # signed-in staff whose scope covers the holder see the reason and the scores
    staff = admin_client.get(f"/verify/{cert.verification_code}.json").json
    assert staff["revocation_reason"] == "Training was completed by someone else"
    assert all("score" in m for m in staff["modules"])
    assert "someone else" in admin_client.get(f"/verify/{cert.verification_code}").text
    assert "someone else" in admin_client.get(f"/certificates/{cert.id}").text
    outsider = app.test_client()
    login(outsider, make.user(make.org(name="Elsewhere", jurisdiction="california"), "manager"))
    assert outsider.get(f"/verify/{cert.verification_code}.json").json["revocation_reason"] is None
    # the stored PDF is unchanged
    assert hashlib.sha256(services.pdf_bytes(cert)).hexdigest() == cert.pdf_sha256
    assert "certificate.revoked" in db.session.scalars(select(AuditEvent.action)).all()


def test_reissue_supersedes_with_a_corrected_name(certified, app, make):
    _user, _enrollment, cert = certified
    admin_client = app.test_client()
    login(admin_client, make.user(role="admin"))
    token = csrf_token(admin_client, f"/certificates/{cert.id}")
    response = admin_client.post(
        f"/certificates/{cert.id}/reissue",
        data={"holder_name": "José A. Núñez", "csrf_token": token},
    )
    assert response.status_code == 302
    db.session.expire_all()
    old = db.session.get(Certificate, cert.id)
    new = db.session.get(Certificate, old.superseded_by_id)
    assert new.supersedes_id == old.id and new.serial != old.serial
    assert new.holder_name == "José A. Núñez" and new.expires_on == old.expires_on
    assert "José A. Núñez" in _text(services.pdf_bytes(new))
    old_record = app.test_client().get(f"/verify/{old.verification_code}.json").json
    assert old_record["status"] == "superseded"
    assert old_record["superseded_by"] == new.verification_code
    assert app.test_client().get(f"/verify/{new.verification_code}.json").json["status"] == "valid"
    assert "certificate.reissued" in db.session.scalars(select(AuditEvent.action)).all()


def test_concurrent_completion_issues_exactly_one(app, make):
    """Two requests finishing the same track at the same instant."""
    user = make.user(make.org())
    enrollment = learning.enrollments_of(user)[0]
    now = utcnow()
    for progress in enrollment.modules:
        version = learning.start_module(progress)
        progress.passed_at = now
        progress.best_score = 100.0
        assert version is not None
    enrollment.completed_at = now
    db.session.commit()
    enrollment_id = enrollment.id
    barrier = threading.Barrier(2, timeout=30)
    results: list[object] = []

    def finish() -> None:
        with app.app_context():
            mine = db.session.get(Enrollment, enrollment_id)
            barrier.wait()
            try:
                cert = services.issue_for_enrollment(mine)
                db.session.commit()
                results.append(cert.serial)
            except Exception as exc:
                db.session.rollback()
                results.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=finish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    count = db.session.scalar(
        select(func.count(Certificate.id)).where(Certificate.enrollment_id == enrollment.id)
    )
    assert count == 1, results
    serials = {r for r in results if isinstance(r, str)}
    assert len(serials) == 1, results


def test_renewal_reenrolls_before_expiry_and_keeps_history(certified, client, app):
    user, enrollment, cert = certified
    lead = app.config["RENEWAL_LEAD_DAYS"]
    today = timeutil.today()
    # as if the certificate had been issued almost a year ago
    cert.expires_on = today + timedelta(days=lead + 5)
    db.session.commit()
    assert services.renew_due(today, lead) == []
    cert.expires_on = today + timedelta(days=lead - 1)
    db.session.commit()
    created = services.renew_due(today, lead)
    db.session.commit()
    assert [e.cycle for e in created] == [2]
    assert services.renew_due(today, lead) == []  # twice enrolls once
    renewed = _finish_track(client, user)
    assert renewed.cycle == 2 and renewed.completed_at is not None
    certs = services.of_user(user)
    assert len(certs) == 2 and {c.enrollment_id for c in certs} == {enrollment.id, renewed.id}
    newest, oldest = certs
    assert newest.expires_on > oldest.expires_on
    assert oldest.status(today).value == "valid"  # the old one stays in the history


def test_spanish_learner_gets_a_spanish_certificate(client, make):
    user = make.user(make.org(), language="es", first_name="María", last_name="Peña")
    login(client, user)
    enrollment = _finish_track(client, user)
    cert = services.first_certificate(enrollment)
    assert cert.language == "es"
    text = _text(services.pdf_bytes(cert))
    assert "María Peña" in text
    assert cert.track_title in text and cert.track_title == enrollment.track.title["es"]
    # labels from the interface catalog, and the renewal period, in Spanish; English beside
    assert "Certificado de finalización" in text and "Verificar este certificado" in text
    assert "Certificate of completion" in text and "Verify this certificate" in text
    assert _flat(enrollment.track.title["en"]) in _flat(text)
    assert "todos los años" in text


def test_cli_list_and_export(certified, runner, tmp_path):
    _user, _enrollment, cert = certified
    result = runner.invoke(args=["certificates", "list", "--json"])
    rows = json.loads(result.output)
    assert rows[0]["serial"] == cert.serial and rows[0]["sha256"] == cert.pdf_sha256
    assert set(rows[0]) == {
        "serial",
        "code",
        "holder",
        "organization",
        "status",
        "issued",
        "expires",
        "sha256",
    }
    out = tmp_path / "out.pdf"
    result = runner.invoke(args=["certificates", "export", cert.serial, "-o", str(out)])
    assert result.exit_code == 0
    assert Path(out).read_bytes() == services.pdf_bytes(cert)
    missing = runner.invoke(args=["certificates", "export", "HTX-1999-000001", "-o", str(out)])
    assert missing.exit_code != 0 and "no certificate" in missing.output


def test_manager_zip_with_manifest(certified, app, make):
    user, _enrollment, cert = certified
    manager_client = app.test_client()
    login(manager_client, make.user(user.organization, role="manager"))
    listing = manager_client.get("/certificates/org?status=valid")
    assert cert.serial in listing.text
    assert cert.serial not in manager_client.get("/certificates/org?status=revoked").text
    token = csrf_token(manager_client, "/certificates/org")
    response = manager_client.post(
        "/certificates/org/zip", data={"cert": str(cert.id), "csrf_token": token}
    )
    assert response.status_code == 302  # a job builds it; its page offers it
    job_page = manager_client.get(response.headers["Location"])
    assert "Certificates (ZIP)" in job_page.text and "Finished." in job_page.text
    with manager_client.get(response.headers["Location"] + "/download") as download:
        assert download.headers["Content-Disposition"].startswith("attachment;")
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    manifest = archive.read("manifest.csv").decode().splitlines()
    assert manifest[0] == "serial,name,track,issued,expires,sha256,file"
    assert cert.serial in manifest[1] and cert.pdf_sha256 in manifest[1]
    assert hashlib.sha256(archive.read(f"{cert.serial}.pdf")).hexdigest() == cert.pdf_sha256


def test_auditor_search_is_scoped_to_the_jurisdiction(certified, app, make):
    _user, _enrollment, cert = certified
    houston = app.test_client()
    login(houston, make.user(role="auditor"))
    for query in [cert.serial, cert.verification_code, "Núñez", "Bayou"]:
        found = houston.get(f"/certificates/search?q={query}").text
        assert f'href="/certificates/{cert.id}"' in found, query
    elsewhere = app.test_client()
    login(elsewhere, make.user(role="auditor", jurisdiction="california"))
    hidden = elsewhere.get(f"/certificates/search?q={cert.serial}").text
    assert f'href="/certificates/{cert.id}"' not in hidden and "No certificate found" in hidden


def test_file_storage_keeps_bytes_outside_the_database(app, make, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_STORAGE", str(tmp_path / "store"))
    client = app.test_client()
    user = make.user(make.org())
    login(client, user)
    enrollment = _finish_track(client, user)
    cert = services.first_certificate(enrollment)
    stored = tmp_path / "store" / f"{cert.pdf_sha256}.pdf"
    assert stored.exists() and hashlib.sha256(stored.read_bytes()).hexdigest() == cert.pdf_sha256
    stored.write_bytes(b"tampered")
    with pytest.raises(RuntimeError, match="does not match"):
        services.pdf_bytes(cert)
