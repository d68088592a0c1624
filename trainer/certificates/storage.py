"""The certificate's PDF: its data, rendered once, stored with its SHA-256, served checked.

Nothing here commits.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from trainer.audit import services as audit
from trainer.catalog.models import Track
from trainer.certificates.models import Certificate, CertificateFile
from trainer.certificates.render import (
    CertificateData,
    Issuer,
    ModuleLine,
    render_certificate_pdf,
)
from trainer.core.branding import branding
from trainer.core.locking import lock_row
from trainer.core.text import localized
from trainer.extensions import db
from trainer.timeutil import local_date

# --- the stored PDF -------------------------------------------------------------------


def verify_url(code: str) -> str:
    """The public verification address printed on the certificate and in its QR code."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/verify/{code}"


def _expiry_text(rule_info: dict[str, Any], language: str) -> str:
    """'every year (Houston City Code ...)' in the certificate's language."""
    if not rule_info.get("rule"):
        return ""
    amount, unit = int(rule_info["amount"]), rule_info["unit"]
    with force_locale(language):
        if unit == "years":
            period = ngettext("every year", "every %(num)d years", amount)
        elif unit == "months":
            period = ngettext("every month", "every %(num)d months", amount)
        else:
            period = ngettext("every day", "every %(num)d days", amount)
    return f"{period} ({rule_info['citation']})"


def issuer() -> Issuer:
    """The issuing office, its seal and signatory, from the configuration."""
    brand = branding()
    return Issuer(
        office=brand.office,
        city=brand.city,
        seal=brand.seal.data,
        seal_type=brand.seal.mimetype,
        signatory_name=brand.signatory_name,
        signatory_title=brand.signatory_title,
    )


def track_title(cert: Certificate, language: str) -> str:
    """The training's title in `language` (the one stored on the certificate if gone)."""
    track = db.session.get(Track, cert.track_id) if cert.track_id else None
    if track is None:
        return cert.track_title
    return localized(track.title, language) or cert.track_title


def certificate_data(cert: Certificate) -> CertificateData:
    """Plain data for the PDF, built from what is stored on the certificate."""
    return CertificateData(
        serial=cert.serial,
        verification_code=cert.verification_code,
        verify_url=verify_url(cert.verification_code),
        holder_name=cert.holder_name,
        organization_name=cert.organization_name,
        organization_address=cert.organization_address,
        permit_number=cert.permit_number,
        track_title=cert.track_title,
        modules=tuple(
            ModuleLine(m["title"], m["version"], m["score"], m["minutes"]) for m in cert.modules
        ),
        total_minutes=cert.total_minutes,
        completed_on=local_date(cert.completed_at),
        issued_on=local_date(cert.issued_at),
        expires_on=cert.expires_on,
        expiry_rule=_expiry_text(cert.expiry_rule, cert.language),
        legal_reference=cert.legal_reference,
        language=cert.language,
        program_name=current_app.config["PROGRAM_NAME"],
        issuer=issuer(),
        track_title_en=track_title(cert, "en"),
    )


def _store(cert: Certificate, pdf: bytes) -> None:
    cert.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    cert.pdf_size = len(pdf)
    storage = current_app.config["CERTIFICATE_STORAGE"]
    if storage == "database":
        db.session.add(CertificateFile(certificate_id=cert.id, data=pdf))
        return
    folder = Path(storage)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{cert.pdf_sha256}.pdf"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pdf)
        tmp.replace(path)


def ensure_rendered(cert: Certificate) -> bool:
    """Render and store the PDF of a certificate that has none yet; True if it did.

    Certificates are issued in the request that completes a track and rendered by a job
    after the commit (`certificates.jobs.render_certificate`). Whoever comes first (the
    job, or a download in the second before it) renders; the row lock makes the other
    find the PDF there. The output is deterministic, so either gives the same bytes.
    """
    if cert.pdf_sha256:
        return False
    lock_row(Certificate, cert.id)
    if cert.pdf_sha256:
        return False
    _store(cert, render_certificate_pdf(certificate_data(cert)))
    db.session.flush()
    audit.record(
        "certificate.rendered",
        actor_id=None,
        subject_type="certificate",
        subject_id=cert.serial,
        organization_id=cert.organization_id,
        details={"sha256": cert.pdf_sha256, "bytes": cert.pdf_size},
    )
    return True


def pdf_bytes(cert: Certificate) -> bytes:
    """The stored PDF (rendered first if its job has not run yet), checked against its
    SHA-256 before it is served."""
    ensure_rendered(cert)
    storage = current_app.config["CERTIFICATE_STORAGE"]
    if storage == "database":
        data = db.session.scalar(
            select(CertificateFile.data).where(CertificateFile.certificate_id == cert.id)
        )
    else:
        data = (Path(storage) / f"{cert.pdf_sha256}.pdf").read_bytes()
    if data is None or hashlib.sha256(data).hexdigest() != cert.pdf_sha256:
        raise RuntimeError(f"stored PDF of {cert.serial} does not match its SHA-256")
    return data
