"""Reading certificates: look-ups, the public record, lists, search and the ZIP export.

Nothing here commits.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import func, or_, select

from trainer.audit import services as audit
from trainer.auth.models import User
from trainer.certificates.models import Certificate
from trainer.certificates.storage import pdf_bytes
from trainer.core import csvout
from trainer.core.folding import like_pattern
from trainer.extensions import db
from trainer.orgs.models import Organization
from trainer.timeutil import local_date

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
