"""How far a job got, written where its owner's progress page can read it at once.

A job record is made in the request that asks for the work (`start`, in that request's
transaction, so no job runs for a request that rolled back). The job then reports through
`claim`, `update`, `finish` and `fail`, each in a short transaction of its own: another
request sees the figures while the job's own transaction is still open. `claim` lets only
one run of a job do the work, however often the queue delivers it.

On SQLite, which has one writer at a time, a job that holds a write transaction open
reports only before and after it; PostgreSQL shows every step.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from trainer.extensions import db
from trainer.jobs.models import JobRun, JobState
from trainer.timeutil import utcnow


def start(
    kind: str, owner_id: int, organization_id: int | None, *, input_data: bytes | None = None
) -> int:
    """A queued job record in the caller's transaction (flushed, not committed)."""
    run = JobRun(
        kind=kind,
        owner_id=owner_id,
        organization_id=organization_id,
        state=JobState.QUEUED,
        errors=[],
        input_data=input_data,
    )
    db.session.add(run)
    db.session.flush()
    return run.id


def _write(job_id: int, *conditions: Any, **values: Any) -> bool:
    """One UPDATE of the job's row in a session and transaction of its own."""
    statement = (
        sql_update(JobRun)
        .where(JobRun.id == job_id, *conditions)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    with Session(db.engine) as session:
        changed = session.execute(statement).rowcount  # type: ignore[attr-defined]
        session.commit()
    return bool(changed)


def claim(job_id: int) -> bool:
    """Mark a queued job running; False when another run already took it (or it ended)."""
    return _write(job_id, JobRun.state == JobState.QUEUED, state=JobState.RUNNING)


def update(
    job_id: int, done: int, total: int, *, stage: str | None = None, percent: int | None = None
) -> None:
    """Report `done` of `total` rows (the percent follows unless given)."""
    if percent is None:
        percent = done * 100 // total if total else 0
    values: dict[str, Any] = {
        "rows_done": done,
        "rows_total": total,
        "percent": max(0, min(99, percent)),
    }
    if stage is not None:
        values["stage"] = stage
    _write(job_id, JobRun.state == JobState.RUNNING, **values)


def finish(
    job_id: int, *, rows_done: int | None = None, result: Path | None = None, filename: str = ""
) -> None:
    """The job is done; `result` (a file under the result folder) is offered as `filename`."""
    values: dict[str, Any] = {"state": JobState.DONE, "percent": 100, "stage": ""}
    if rows_done is not None:
        values["rows_done"] = rows_done
    if result is not None:
        values["result_path"] = result.relative_to(result_folder()).as_posix()
        values["result_name"] = filename
    _write(job_id, **values)


def finish_in_transaction(job_id: int, *, rows_done: int) -> None:
    """Mark the job done in the caller's transaction, so its work and its state commit
    together (a second run then finds it done and does nothing)."""
    db.session.execute(
        sql_update(JobRun)
        .where(JobRun.id == job_id)
        .values(
            state=JobState.DONE,
            percent=100,
            stage="",
            rows_done=rows_done,
            rows_total=rows_done,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


def fail(job_id: int, errors: list[dict[str, Any]]) -> None:
    """The job stopped: each error is {"row", "column", "message"} (row 0: the whole file)."""
    _write(job_id, state=JobState.FAILED, stage="", errors=errors)


def get(job_id: int) -> JobRun | None:
    """The job record, fresh from the database."""
    return db.session.get(JobRun, job_id, populate_existing=True)


def result_folder() -> Path:
    """The folder (shared by every host) where jobs leave their files."""
    folder = Path(current_app.config["JOBS_RESULT_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_result_path(job_id: int, suffix: str) -> Path:
    """A fresh, unguessable file name for a job's result."""
    return result_folder() / f"job-{job_id}-{secrets.token_hex(8)}{suffix}"


def result_file(run: JobRun) -> Path | None:
    """The job's finished file, if it has one and it is still there."""
    if run.state != JobState.DONE or not run.result_path:
        return None
    folder = result_folder().resolve()
    path = (folder / run.result_path).resolve()
    if folder not in path.parents or not path.is_file():
        return None
    return path


def clear_old(day: str) -> str:
    """Daily: forget what finished jobs of more than JOBS_RESULT_DAYS ago hold (their
    files, and the staff files they were given), keeping the records themselves."""
    del day  # the cut-off is counted from now
    cutoff = utcnow() - timedelta(days=int(current_app.config["JOBS_RESULT_DAYS"]))
    finished = (JobRun.state.in_((JobState.DONE, JobState.FAILED)), JobRun.updated_at < cutoff)
    removed = 0
    for run_id, path in db.session.execute(
        select(JobRun.id, JobRun.result_path).where(*finished, JobRun.result_path.is_not(None))
    ).all():
        (result_folder() / str(path)).unlink(missing_ok=True)
        db.session.execute(sql_update(JobRun).where(JobRun.id == run_id).values(result_path=None))
        removed += 1
    cleared = db.session.execute(
        sql_update(JobRun)
        .where(*finished, JobRun.input_data.is_not(None))
        .values(input_data=None)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return f"job results: {removed} file(s) removed, {cleared} upload(s) cleared"
