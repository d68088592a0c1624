"""A job's record: what it is, whose it is, how far it got, what went wrong, its file."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from trainer.extensions import Model
from trainer.timeutil import UTCDateTime, utcnow


class JobState(enum.StrEnum):
    """Waiting for a worker, running, finished, or stopped by errors."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobRun(Model):
    """One run of a slow job that its owner follows on a progress page."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED)
    #: What the job is doing now ("checking", "importing", "writing" ...).
    stage: Mapped[str] = mapped_column(String(20), default="")
    percent: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int] = mapped_column(default=0)
    #: [{"row": n, "column": "...", "message": "..."}], in the owner's language.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The file the job works on (an uploaded CSV), read by the worker on any host.
    input_data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    #: The file it built, relative to JOBS_RESULT_FOLDER, and the name it is offered as.
    result_path: Mapped[str | None] = mapped_column(String(300))
    result_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def finished(self) -> bool:
        """True once the job is done or failed (the page stops refreshing)."""
        return self.state in (JobState.DONE, JobState.FAILED)
