"""Snapshots of computed outcome figures, reused for a while instead of recomputed.

Outcome figures read every attempt of a module version; at city scale that takes
seconds. As Moodle does with its quiz statistics, a computed set of figures is kept with
the time it was computed and shown again until it is older than the configured age (or
someone asks for a recalculation). Snapshots hold aggregates only and can be deleted at
any time; they are recomputed on demand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.timeutil import UTCDateTime, utcnow


class OutcomeSnapshot(Model):
    """One computed set of figures: a page's tables under one selection and language."""

    __tablename__ = "outcome_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    module_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_version.id"), index=True
    )
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    seconds: Mapped[float] = mapped_column(default=0.0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
