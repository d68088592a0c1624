"""Test attempts and the answers given, exactly as shown and as answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.catalog.models import ModuleVersion
from trainer.extensions import Model
from trainer.timeutil import UTCDateTime, utcnow


class Attempt(Model):
    """One pre-test or post-test attempt: the exact form drawn, and its grade."""

    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("module_progress_id", "kind", "number"),
        # at most one open (not yet submitted) attempt of a kind per learner and module
        Index(
            "uq_attempt_open",
            "module_progress_id",
            "kind",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_progress_id: Mapped[int] = mapped_column(ForeignKey("module_progress.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    number: Mapped[int]
    language: Mapped[str] = mapped_column(String(8), default="en")
    form: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    score_percent: Mapped[float | None]
    passed: Mapped[bool | None]
    item_scores: Mapped[dict[str, float] | None] = mapped_column(JSON)

    version: Mapped[ModuleVersion] = relationship(lazy="joined")
    responses: Mapped[list[Response]] = relationship(lazy="selectin")


class Response(Model):
    """The answer to one question of an attempt, saved when given."""

    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("attempt_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(130))
    answer: Mapped[Any] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changes: Mapped[int] = mapped_column(default=0)
    mark: Mapped[float | None]
