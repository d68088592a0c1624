"""Enrollments and each learner's progress through modules and lessons."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.auth.models import User
from trainer.catalog.models import Module, ModuleVersion, Track
from trainer.extensions import Model
from trainer.timeutil import UTCDateTime, utcnow


class Enrollment(Model):
    """A learner in a track, for one cycle (the first training, then each refresher)."""

    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("user_id", "track_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    cycle: Mapped[int] = mapped_column(default=1)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_date: Mapped[date | None]
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    track: Mapped[Track] = relationship(lazy="joined")
    modules: Mapped[list[ModuleProgress]] = relationship(
        back_populates="enrollment", order_by="ModuleProgress.position", lazy="selectin"
    )


class ModuleProgress(Model):
    """A learner's way through one module of an enrollment, pinned to one version."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    position: Mapped[int]
    module_version_id: Mapped[int | None] = mapped_column(ForeignKey("module_version.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    best_score: Mapped[float | None]
    extra_rounds: Mapped[int] = mapped_column(default=0)

    enrollment: Mapped[Enrollment] = relationship(back_populates="modules")
    module: Mapped[Module] = relationship(lazy="joined")
    version: Mapped[ModuleVersion | None] = relationship(lazy="joined")
    lessons: Mapped[list[LessonProgress]] = relationship(lazy="selectin")


class LessonProgress(Model):
    """When a lesson was opened and completed, by the server's clock."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("module_progress_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_progress_id: Mapped[int] = mapped_column(ForeignKey("module_progress.id"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds_spent: Mapped[int] = mapped_column(default=0)
