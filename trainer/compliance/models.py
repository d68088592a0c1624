"""Annual certification reports filed by managers, and the reminders already sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from trainer.extensions import Model
from trainer.timeutil import UTCDateTime, utcnow


class AnnualReport(Model):
    """An organization's yearly certification to the city, attested by a manager.

    The PDF and the CSV are produced once, when the manager attests, and kept as filed
    with their SHA-256. Filing again for the same year adds a revision; the earlier one
    stays on record.
    """

    __tablename__ = "annual_report"
    __table_args__ = (UniqueConstraint("organization_id", "year", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    revision: Mapped[int] = mapped_column(default=1)
    jurisdiction: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date | None]
    recipient: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    attested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    attested_name: Mapped[str] = mapped_column(String(200))
    attested_title: Mapped[str] = mapped_column(String(200), default="")
    attested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    covered_count: Mapped[int]
    trained_count: Mapped[int]
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int]
    csv_sha256: Mapped[str] = mapped_column(String(64))
    csv_size: Mapped[int]
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    csv: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


class ReminderDelivery(Model):
    """One reminder mail that was sent; the unique key keeps it from being sent twice.

    `kind` is `due` (before the due date, `threshold` days ahead: 14, 7 or 1), `overdue`
    (threshold 0), `digest` (a manager's weekly digest, `due_date` the week's Monday) or
    `manual` (the overdue mail a manager sends from the dashboard, `due_date` the day sent).
    """

    __tablename__ = "reminder_delivery"
    __table_args__ = (UniqueConstraint("recipient_id", "kind", "due_date", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date]
    threshold: Mapped[int] = mapped_column(default=0)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
