"""Issue, store, verify, revoke, re-issue and renew certificates.

A certificate is rendered once, at issue, and its bytes are kept with their SHA-256;
every download serves those bytes. Nothing here commits.

This module issues, revokes, re-issues and renews; the stored PDF lives in
``certificates.storage`` and the look-ups, public record, search and ZIP export in
``certificates.records``. Their public names are re-exported here, so callers import
everything from this module.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from trainer import jobs
from trainer.audit import services as audit
from trainer.auth.models import User
from trainer.certificates.models import Certificate, CertStatus, SerialCounter
from trainer.certificates.records import (
    MANIFEST_FIELDS,
    CertFilter,
    by_code,
    by_serial,
    certificates_by_id,
    matches_issued,
    of_org,
    of_user,
    public_record,
    record_download,
    search,
    write_zip,
    zip_of,
)
from trainer.certificates.storage import (
    certificate_data,
    ensure_rendered,
    issuer,
    pdf_bytes,
    track_title,
    verify_url,
)
from trainer.core import printable
from trainer.core.hooks import Hook
from trainer.core.text import localized
from trainer.core.vocabulary import supported_language
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import Enrollment
from trainer.timeutil import local_date, utcnow

__all__ = [
    "CODE_BYTES",
    "JURISDICTION_FACTS",
    "MANIFEST_FIELDS",
    "CertFilter",
    "CertificateActionError",
    "JurisdictionFacts",
    "by_code",
    "by_serial",
    "certificate_data",
    "certificates_by_id",
    "ensure_rendered",
    "first_certificate",
    "issue_for_enrollment",
    "issuer",
    "latest_for_enrollment",
    "matches_issued",
    "new_verification_code",
    "next_serial",
    "of_org",
    "of_user",
    "pdf_bytes",
    "public_record",
    "record_download",
    "reissue",
    "renew_due",
    "revoke",
    "search",
    "status_counts",
    "track_title",
    "verify_url",
    "write_zip",
    "zip_of",
]

CODE_BYTES = 12  # 96 random bits, URL-safe base64: 16 characters


def new_verification_code() -> str:
    """A random, URL-safe code (96 bits), unrelated to the serial."""
    return secrets.token_urlsafe(CODE_BYTES)


def _highest_issued(prefix: str, year: int) -> int:
    """The highest number already printed on a certificate of this prefix and year: one
    look-up on the serial's unique index (numbers are zero-padded, so the greatest serial
    carries the greatest number)."""
    serial = db.session.scalar(
        select(Certificate.serial)
        .where(Certificate.serial.like(f"{prefix}-{year}-%"))
        .order_by(Certificate.serial.desc())
        .limit(1)
    )
    number = serial.rsplit("-", 1)[1] if serial else ""
    return int(number) if number.isdigit() else 0


def next_serial(prefix: str, year: int) -> str:
    """The next serial for a prefix and year, e.g. HTX-2026-000123 (atomic per database).

    The counter never hands out a number a certificate already carries: a counter that is
    missing or behind (a restored backup, certificates imported with their serials)
    continues after the highest number issued.
    """
    session = db.session
    for _ in range(3):
        value = session.execute(
            update(SerialCounter)
            .where(SerialCounter.prefix == prefix, SerialCounter.year == year)
            .values(value=SerialCounter.value + 1)
            .returning(SerialCounter.value)
        ).scalar()
        if value is None:
            try:
                with session.begin_nested():
                    value = _highest_issued(prefix, year) + 1
                    session.add(SerialCounter(prefix=prefix, year=year, value=value))
            except IntegrityError:
                continue
        highest = _highest_issued(prefix, year)
        if value <= highest:  # the counter is behind the certificates: jump past them
            value = highest + 1
            session.execute(
                update(SerialCounter)
                .where(SerialCounter.prefix == prefix, SerialCounter.year == year)
                .values(value=value)
            )
        return f"{prefix}-{year}-{value:06d}"
    raise RuntimeError("could not allocate a certificate serial")


# --- issuing -----------------------------------------------------------------------


def _track_facts(enrollment: Enrollment, language: str) -> tuple[list[dict[str, Any]], int]:
    modules: list[dict[str, Any]] = []
    for progress in enrollment.modules:
        version = progress.version
        minutes = learning.minutes_spent(progress)
        modules.append(
            {
                "slug": progress.module.slug,
                "title": localized(version.title if version else {}, language),
                "version": version.version if version else 0,
                "score": round(progress.best_score or 0),
                "minutes": minutes,
            }
        )
    return modules, sum(m["minutes"] for m in modules)


@dataclass(frozen=True)
class JurisdictionFacts:
    """What the law says about one person's certificate, as plain values.

    `expiry_rule` is the rule that set the expiry ({"rule": None} when none does): its id,
    citation, and refresher amount and unit. `serial_prefix` and `reference` come from the
    organization's own jurisdiction (None and "" when it has none).
    """

    expires_on: date | None
    expiry_rule: dict[str, Any]
    serial_prefix: str | None
    reference: str


#: Asks the jurisdiction facts for a person's certificate completed on a day (compliance
#: answers, from the rule files).
JURISDICTION_FACTS: Hook[[User, date], JurisdictionFacts] = Hook("certificates.jurisdiction_facts")


def _rule_info(user: User, completed_on: date) -> tuple[date | None, dict[str, Any], str, str]:
    facts = JURISDICTION_FACTS.ask(user, completed_on)
    prefix = facts.serial_prefix or "CERT"
    return facts.expires_on, dict(facts.expiry_rule), prefix, facts.reference


def _new_certificate(
    enrollment: Enrollment, *, reissue: int, holder_name: str, supersedes: Certificate | None
) -> Certificate:
    user = enrollment.user
    org = user.organization
    language = supported_language(user.language)
    completed_at = enrollment.completed_at or utcnow()
    modules, minutes = _track_facts(enrollment, language)
    if supersedes is not None:
        expires_on, info = supersedes.expires_on, supersedes.expiry_rule
        prefix = supersedes.serial.split("-")[0]
        reference = supersedes.legal_reference
    else:
        expires_on, info, prefix, reference = _rule_info(user, local_date(completed_at))
    now = utcnow()
    return Certificate(
        serial=next_serial(prefix, now.year),
        verification_code=new_verification_code(),
        enrollment_id=enrollment.id,
        reissue=reissue,
        user_id=user.id,
        organization_id=org.id if org else None,
        track_id=enrollment.track_id,
        jurisdiction=org.jurisdiction if org else "",
        language=language,
        holder_name=printable.clean(holder_name) or holder_name,
        organization_name=(printable.clean(org.name) or "") if org else "",
        organization_address=(org.address or None) if org else None,
        permit_number=org.permit_number if org else None,
        track_title=localized(enrollment.track.title, language),
        modules=modules,
        total_minutes=minutes,
        completed_at=completed_at,
        issued_at=now,
        expires_on=expires_on,
        expiry_rule=info,
        legal_reference=reference,
        pdf_sha256="",
        pdf_size=0,
        supersedes_id=supersedes.id if supersedes else None,
    )


def _issue(
    enrollment: Enrollment,
    *,
    reissue: int,
    holder_name: str,
    supersedes: Certificate | None,
    actor_id: int | None,
) -> Certificate:
    cert = _new_certificate(
        enrollment, reissue=reissue, holder_name=holder_name, supersedes=supersedes
    )
    from trainer.certificates.jobs import render_certificate

    with db.session.begin_nested():
        db.session.add(cert)
        db.session.flush()
    audit.record(
        "certificate.reissued" if supersedes else "certificate.issued",
        actor_id=actor_id,
        subject_type="certificate",
        subject_id=cert.serial,
        organization_id=cert.organization_id,
        details={"supersedes": supersedes.serial if supersedes else None},
    )
    # the PDF is rendered by a job after the commit, not in the request that completes
    jobs.enqueue_after_commit(render_certificate, cert.id, job_id=f"certificate-{cert.id}")
    return cert


def issue_for_enrollment(enrollment: Enrollment) -> Certificate:
    """Issue the one certificate a completed enrollment earns (exactly once).

    Two requests finishing the track at the same instant both get here; the unique
    constraint on (enrollment, reissue) lets only one insert succeed, and the other
    returns the certificate the first one issued.
    """
    existing = first_certificate(enrollment)
    if existing is not None:
        return existing
    try:
        return _issue(
            enrollment,
            reissue=0,
            holder_name=enrollment.user.full_name,
            supersedes=None,
            actor_id=enrollment.user_id,
        )
    except IntegrityError:
        found = first_certificate(enrollment)
        if found is None:
            raise
        return found


def latest_for_enrollment(enrollment_id: int) -> Certificate | None:
    """The newest certificate of an enrollment (a re-issue supersedes the one before)."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.enrollment_id == enrollment_id)
        .order_by(Certificate.reissue.desc())
        .limit(1)
    )


def first_certificate(enrollment: Enrollment) -> Certificate | None:
    """The certificate first issued for an enrollment, if any."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.enrollment_id == enrollment.id, Certificate.reissue == 0
        )
    )


# --- revocation and re-issue ----------------------------------------------------------


class CertificateActionError(ValueError):
    """A revocation or re-issue the rules do not allow; the message says why."""


def revoke(cert: Certificate, reason: str, *, actor: User) -> None:
    """Revoke a certificate with a required reason; it stays on record."""
    reason = reason.strip()
    if not reason:
        raise CertificateActionError("reason required")
    if cert.revoked_at is not None:
        raise CertificateActionError("already revoked")
    cert.revoked_at = utcnow()
    cert.revoked_reason = reason
    cert.revoked_by_id = actor.id
    audit.record(
        "certificate.revoked",
        actor_id=actor.id,
        subject_type="certificate",
        subject_id=cert.serial,
        organization_id=cert.organization_id,
        details={"reason": reason},
    )


def reissue(cert: Certificate, *, actor: User, holder_name: str | None = None) -> Certificate:
    """Issue a corrected certificate that supersedes this one (e.g. a corrected name)."""
    if not cert.is_current:
        raise CertificateActionError("only a current certificate can be re-issued")
    enrollment = db.session.get(Enrollment, cert.enrollment_id)
    last = db.session.scalar(
        select(func.max(Certificate.reissue)).where(Certificate.enrollment_id == cert.enrollment_id)
    )
    new = _issue(
        enrollment,  # type: ignore[arg-type]
        reissue=(last or 0) + 1,
        holder_name=(holder_name or cert.holder_name).strip(),
        supersedes=cert,
        actor_id=actor.id,
    )
    cert.superseded_by_id = new.id
    db.session.flush()
    return new


# --- renewal --------------------------------------------------------------------------


def renew_due(today: date, lead_days: int) -> list[Enrollment]:
    """Re-enroll holders whose certificate expires within `lead_days` in the refresher.

    The new enrollment is a new cycle of the same track; passing it issues a new
    certificate and the old one stays in the history. Running it twice enrolls once.
    """
    horizon = today + timedelta(days=lead_days)
    latest = (
        select(Certificate)
        .where(
            Certificate.expires_on.is_not(None),
            Certificate.expires_on <= horizon,
            Certificate.is_current,
        )
        .order_by(Certificate.expires_on)
    )
    created = []
    for cert in db.session.scalars(latest):
        enrollment = db.session.get(Enrollment, cert.enrollment_id)
        user = db.session.get(User, cert.user_id)
        if enrollment is None or user is None or not user.active:
            continue
        newer = db.session.scalar(
            select(Enrollment.id).where(
                Enrollment.user_id == user.id,
                Enrollment.track_id == enrollment.track_id,
                Enrollment.cycle > enrollment.cycle,
            )
        )
        if newer is not None:
            continue
        renewal = learning.enroll(user, enrollment.track, due_date=cert.expires_on)
        created.append(renewal)
    return created


def status_counts(certs: Iterable[Certificate], today: date) -> dict[str, int]:
    """How many certificates are in each status."""
    counts = {s.value: 0 for s in CertStatus}
    for cert in certs:
        counts[cert.status(today).value] += 1
    return counts
