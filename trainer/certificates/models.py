"""Certificates: issued once, never altered or deleted; revoked or superseded instead."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    exists,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, aliased, deferred, mapped_column

from trainer.extensions import Model
from trainer.timeutil import UTCDateTime, utcnow


class CertStatus(enum.StrEnum):
    """What a verifier is told; `expired` is derived from the expiry date."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Certificate(Model):
    """Proof of a completed track, with everything printed on it kept as issued."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("enrollment_id", "reissue"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    reissue: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    jurisdiction: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8))
    holder_name: Mapped[str] = mapped_column(String(210), index=True)
    organization_name: Mapped[str] = mapped_column(String(200))
    organization_address: Mapped[str | None] = mapped_column(String(300))
    permit_number: Mapped[str | None] = mapped_column(String(64))
    track_title: Mapped[str] = mapped_column(String(200))
    modules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total_minutes: Mapped[int]
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    expires_on: Mapped[date | None] = mapped_column(index=True)
    expiry_rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    legal_reference: Mapped[str] = mapped_column(String(200))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))

    @hybrid_property
    def is_current(self) -> bool:
        """Neither revoked nor superseded: the certificate counts (valid or expired).

        An expired current certificate still counts: it is what makes a person's status
        `expired` rather than `not started`. In SQL the same test is a WHERE clause.
        """
        return self.revoked_at is None and self.superseded_by_id is None

    @is_current.inplace.expression
    @classmethod
    def _is_current_expression(cls) -> ColumnElement[bool]:
        return and_(cls.revoked_at.is_(None), cls.superseded_by_id.is_(None))

    def status(self, today: date) -> CertStatus:
        """Valid, expired, revoked or superseded, as of `today`."""
        if self.revoked_at is not None:
            return CertStatus.REVOKED
        if self.superseded_by_id is not None:
            return CertStatus.SUPERSEDED
        if self.expires_on is not None and today > self.expires_on:
            return CertStatus.EXPIRED
        return CertStatus.VALID


def _later(cert: Certificate) -> tuple[datetime, int]:
    return (cert.completed_at, cert.id)


def latest_current(certificates: Iterable[Certificate]) -> dict[int, Certificate]:
    """Per holder (user id), their current certificate.

    Of the certificates that are current, the one completed last (on a tie, the one issued
    last). `is_latest_current` says the same in SQL.
    """
    latest: dict[int, Certificate] = {}
    for cert in certificates:
        if not cert.is_current:
            continue
        held = latest.get(cert.user_id)
        if held is None or _later(cert) > _later(held):
            latest[cert.user_id] = cert
    return latest


def is_latest_current() -> ColumnElement[bool]:
    """SQL: the certificate is its holder's current certificate (see `latest_current`).

    Current, and no current certificate of the same person completed later (or at the same
    time and issued later).
    """
    newer = aliased(Certificate)
    return and_(
        Certificate.is_current,
        ~exists().where(
            newer.user_id == Certificate.user_id,
            newer.is_current,
            or_(
                newer.completed_at > Certificate.completed_at,
                and_(newer.completed_at == Certificate.completed_at, newer.id > Certificate.id),
            ),
        ),
    )


class CertificateFile(Model):
    """The stored PDF bytes (when storage is the database)."""

    __tablename__ = "certificate_file"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id"), primary_key=True)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class SerialCounter(Model):
    """The last sequence number used for a serial prefix and year."""

    __tablename__ = "serial_counter"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
