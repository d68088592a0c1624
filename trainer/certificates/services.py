"""Issue, store, verify, revoke, re-issue and renew certificates.

A certificate is rendered once, at issue, and its bytes are kept with their SHA-256;
every download serves those bytes. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import force_locale, ngettext
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from trainer import jobs
from trainer.audit import services as audit
from trainer.auth.models import User
from trainer.catalog.models import Track
from trainer.certificates.models import Certificate, CertificateFile, CertStatus, SerialCounter
from trainer.certificates.render import (
    CertificateData,
    Issuer,
    ModuleLine,
    render_certificate_pdf,
)
from trainer.core import csvout, printable
from trainer.core.branding import branding
from trainer.core.folding import like_pattern
from trainer.core.hooks import Hook
from trainer.core.locking import lock_row
from trainer.core.text import localized
from trainer.core.vocabulary import supported_language
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import Enrollment
from trainer.orgs.models import Organization
from trainer.timeutil import local_date, utcnow

CODE_BYTES = 12  # 96 random bits, URL-safe base64: 16 characters


def new_verification_code() -> str:
    """A random, URL-safe code (96 bits), unrelated to the serial."""
    return secrets.token_urlsafe(CODE_BYTES)


def next_serial(prefix: str, year: int) -> str:
    """The next serial for a prefix and year, e.g. HTX-2026-000123 (atomic per database)."""
    session = db.session
    for _ in range(3):
        value = session.execute(
            update(SerialCounter)
            .where(SerialCounter.prefix == prefix, SerialCounter.year == year)
            .values(value=SerialCounter.value + 1)
            .returning(SerialCounter.value)
        ).scalar()
        if value is not None:
            return f"{prefix}-{year}-{value:06d}"
        try:
            with session.begin_nested():
                session.add(SerialCounter(prefix=prefix, year=year, value=1))
            return f"{prefix}-{year}-{1:06d}"
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a certificate serial")


def verify_url(code: str) -> str:
    """The public verification address printed on the certificate and in its QR code."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/verify/{code}"


# --- issuing -----------------------------------------------------------------------


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
    if cert.superseded_by_id is not None or cert.revoked_at is not None:
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


# --- reading ---------------------------------------------------------------------------


def by_code(code: str) -> Certificate | None:
    """A certificate by its verification code (never by serial: serials are guessable)."""
    if not code or len(code) > 32:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.verification_code == code))


def by_serial(serial: str) -> Certificate | None:
    """A certificate by serial (staff and CLI only)."""
    return db.session.scalar(
        select(Certificate).where(Certificate.serial == serial.strip().upper())
    )


def matches_issued(cert: Certificate, upload: bytes) -> bool:
    """True when the uploaded file is byte-for-byte the PDF that was issued."""
    return hashlib.sha256(upload).hexdigest() == cert.pdf_sha256


def public_record(cert: Certificate, today: date, *, full: bool = False) -> dict[str, Any]:
    """What a verifier sees, as plain JSON-ready data.

    The public (`full=False`) sees what an inspector needs: holder, organization,
    training, dates and status ("revoked on DATE"); module titles without scores, and no
    revocation reason (the keys stay, empty, so the record has one shape). The PDF's
    SHA-256 lets a program check a file the way the page's upload does. Everything else
    on record (scores, the reason, the address and permit, the rule) is for signed-in
    people the policy lets see the holder's records (`full=True`).
    """
    status = cert.status(today)
    newer = db.session.get(Certificate, cert.superseded_by_id) if cert.superseded_by_id else None
    record: dict[str, Any] = {
        "serial": cert.serial,
        "status": status.value,
        "holder": cert.holder_name,
        "organization": {"name": cert.organization_name},
        "track": cert.track_title,
        "modules": [{"title": m["title"]} for m in cert.modules],
        "completed_on": local_date(cert.completed_at).isoformat(),
        "issued_on": local_date(cert.issued_at).isoformat(),
        "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
        "revoked_on": local_date(cert.revoked_at).isoformat() if cert.revoked_at else None,
        "revocation_reason": None,
        "superseded_by": newer.verification_code if newer else None,
        "pdf_sha256": cert.pdf_sha256,
    }
    if full:
        record.update(
            {
                "organization": {
                    "name": cert.organization_name,
                    "address": cert.organization_address,
                    "permit_number": cert.permit_number,
                },
                "modules": cert.modules,
                "total_minutes": cert.total_minutes,
                "expiry_rule": cert.expiry_rule,
                "legal_reference": cert.legal_reference,
                "language": cert.language,
                "revocation_reason": cert.revoked_reason,
            }
        )
    return record


def of_user(user: User) -> Sequence[Certificate]:
    """A person's certificates, newest first."""
    return db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc())
    ).all()


@dataclass(frozen=True)
class CertFilter:
    """Filters for an organization's certificate list."""

    status: str | None = None
    q: str | None = None
    track_id: int | None = None


def of_org(org: Organization, filters: CertFilter, today: date) -> list[Certificate]:
    """An organization's certificates, newest first, filtered."""
    query = select(Certificate).where(Certificate.organization_id == org.id)
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        query = query.where(
            or_(func.lower(Certificate.holder_name).like(like), Certificate.serial.ilike(like))
        )
    if filters.track_id:
        query = query.where(Certificate.track_id == filters.track_id)
    certs = list(db.session.scalars(query.order_by(Certificate.issued_at.desc())))
    if filters.status:
        certs = [c for c in certs if c.status(today).value == filters.status]
    return certs


def search(jurisdiction: str | None, q: str, limit: int = 100) -> list[Certificate]:
    """Find certificates by serial, code, holder or organization name (one jurisdiction)."""
    q = q.strip()
    if not q:
        return []
    like = f"%{q.lower()}%"
    # The holder's current name, folded (accents and case ignored); the printed name too.
    holders = select(User.id).where(User.search_name.like(like_pattern(q), escape="\\"))
    query = select(Certificate).where(
        or_(
            Certificate.serial == q.upper(),
            Certificate.verification_code == q,
            Certificate.user_id.in_(holders),
            func.lower(Certificate.holder_name).like(like),
            func.lower(Certificate.organization_name).like(like),
        )
    )
    if jurisdiction is not None:
        query = query.where(Certificate.jurisdiction == jurisdiction)
    return list(db.session.scalars(query.order_by(Certificate.issued_at.desc()).limit(limit)))


MANIFEST_FIELDS = ("serial", "name", "track", "issued", "expires", "sha256", "file")


def zip_of(certs: Iterable[Certificate]) -> bytes:
    """A ZIP of the stored PDFs with a manifest.csv, in memory (a few certificates)."""
    buffer = io.BytesIO()
    write_zip(certs, buffer)
    return buffer.getvalue()


def write_zip(
    certs: Iterable[Certificate],
    out: IO[bytes],
    *,
    on_entry: Callable[[int], None] | None = None,
) -> int:
    """Write a ZIP of the stored PDFs with a manifest.csv (serial, name, track, dates,
    SHA-256) into `out`, one PDF at a time (memory stays flat however many there are).

    `on_entry` hears how many PDFs were written so far; returns how many in all.
    """
    manifest = io.StringIO()
    writer = csvout.writer(manifest, lineterminator="\r\n")
    writer.writerow(MANIFEST_FIELDS)
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for cert in certs:
            name = f"{cert.serial}.pdf"
            archive.writestr(
                zipfile.ZipInfo(name, date_time=_zip_time(cert.issued_at)), pdf_bytes(cert)
            )
            writer.writerow(
                [
                    cert.serial,
                    cert.holder_name,
                    cert.track_title,
                    local_date(cert.issued_at).isoformat(),
                    cert.expires_on.isoformat() if cert.expires_on else "",
                    cert.pdf_sha256,
                    name,
                ]
            )
            count += 1
            if on_entry is not None:
                on_entry(count)
        archive.writestr("manifest.csv", manifest.getvalue())
    return count


def certificates_by_id(ids: Sequence[int], batch: int = 200) -> Iterator[Certificate]:
    """The certificates with these ids, in that order, read a batch at a time and let go
    of afterwards (a ZIP of thousands never holds them all)."""
    for start in range(0, len(ids), batch):
        chunk = list(ids[start : start + batch])
        found = {
            c.id: c
            for c in db.session.scalars(select(Certificate).where(Certificate.id.in_(chunk)))
        }
        for cert_id in chunk:
            if cert_id in found:
                yield found[cert_id]
        for cert in found.values():
            db.session.expunge(cert)


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def record_download(cert: Certificate, actor: User) -> None:
    """Staff downloads go into the audit trail."""
    audit.record(
        "certificate.downloaded",
        actor_id=actor.id,
        subject_type="certificate",
        subject_id=cert.serial,
        organization_id=cert.organization_id,
    )


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
            Certificate.revoked_at.is_(None),
            Certificate.superseded_by_id.is_(None),
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
