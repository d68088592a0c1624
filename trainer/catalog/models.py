"""Modules, their immutable versions, and tracks, as synced from modules/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import Model
from trainer.timeutil import UTCDateTime, utcnow


class Module(Model):
    """A module by slug; its content lives in versions."""

    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    component: Mapped[int]
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_version.id", use_alter=True, name="fk_module_current_version")
    )

    current_version: Mapped[ModuleVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class ModuleVersion(Model):
    """One immutable version of a module's content; attempts point here."""

    __tablename__ = "module_version"
    __table_args__ = (
        UniqueConstraint("module_id", "version"),
        UniqueConstraint("module_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    component: Mapped[int]
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    pass_mark: Mapped[int]
    attempts: Mapped[int]
    cooldown_minutes: Mapped[int]
    minimum_minutes: Mapped[int]
    pre_test_length: Mapped[int]
    post_test_length: Mapped[int]
    share_items: Mapped[bool]
    review: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)

    module: Mapped[Module] = relationship(foreign_keys=[module_id])

    @property
    def slug(self) -> str:
        """The module's slug."""
        return self.module.slug

    @property
    def lessons(self) -> list[dict[str, Any]]:
        """Lessons in order: id, minimum_seconds, title/markdown/html per language."""
        return self.content["lessons"]

    @property
    def items(self) -> list[dict[str, Any]]:
        """The item bank (normalized item dicts)."""
        return self.content["items"]

    @property
    def documents(self) -> list[dict[str, Any]]:
        """Component 3: the new forms and policies."""
        return self.content.get("documents") or []

    @property
    def post_test_requires(self) -> list[str]:
        """The item groups every post-test form includes one item of."""
        return list(self.content.get("post_test_requires") or [])

    @property
    def attestation(self) -> dict[str, Any] | None:
        """Component 3: the statement the learner attests before the post-test."""
        return self.content.get("attestation")


class Track(Model):
    """An ordered list of modules for an audience, earning a certificate."""

    __tablename__ = "track"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    certificate_title: Mapped[dict[str, str]] = mapped_column(JSON)
    org_kind: Mapped[str] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(32))
    job_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)

    steps: Mapped[list[TrackModule]] = relationship(
        order_by="TrackModule.position", cascade="all, delete-orphan", lazy="selectin"
    )


class TrackModule(Model):
    """One module's place in a track."""

    __tablename__ = "track_module"
    __table_args__ = (UniqueConstraint("track_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    position: Mapped[int]
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))

    module: Mapped[Module] = relationship(lazy="joined")
