"""One queue for the whole app: RQ on Redis, or inline where no Redis answers."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_EXT = "trainer.jobs"
_AFTER_COMMIT = "trainer.jobs_after_commit"
#: Seconds between retries of a job that raised (RQ's Retry needs the worker's scheduler).
RETRY_INTERVALS = (10, 60, 300)


class JobSettings:
    """The connection (None: inline mode) and the queue, kept on the app."""

    def __init__(self, redis: Any | None, queue_name: str) -> None:
        self.redis = redis
        self.queue_name = queue_name

    def queue(self) -> Any:
        from rq import Queue

        return Queue(self.queue_name, connection=self.redis)


def _connect(url: str) -> tuple[Any | None, str]:
    """A Redis client that answered a ping, or None and why not."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        client.ping()
    except (RedisError, OSError, ValueError) as error:
        return None, str(error).splitlines()[0] if str(error) else type(error).__name__
    return client, ""


def init_app(app: Flask) -> None:
    """Decide once whether jobs go to Redis or run inline, and say so."""
    url = app.config.get("REDIS_URL", "")
    redis, problem = _connect(url) if url else (None, "REDIS_URL is not set")
    if redis is None:
        if app.config.get("JOBS_REQUIRE_REDIS"):
            raise RuntimeError(
                f"Redis must answer at REDIS_URL in production ({problem}): jobs, rate limits "
                "and progress pages are shared by every app host through it (see README.md)."
            )
        if not app.testing:
            app.logger.warning("Jobs run inline in this process: %s.", problem)
    app.extensions[_EXT] = JobSettings(redis, app.config.get("JOBS_QUEUE", "trainer"))


def settings(app: Flask | None = None) -> JobSettings:
    """This app's job settings."""
    jobs: JobSettings = (app or current_app).extensions[_EXT]
    return jobs


def inline_mode() -> bool:
    """True where jobs run in the asking process (no Redis)."""
    return settings().redis is None


def _path(func: Callable[..., Any]) -> str:
    return f"{func.__module__}:{func.__qualname__}"


def run(target: str, *args: Any) -> Any:
    """Run `module:function` with `args` inside the worker's application context.

    This is what the queue stores: the worker (`flask jobs worker`, which holds an app
    context) resolves the function by name, and the database session is removed at the
    end so the next job starts clean.
    """
    if not has_app_context():
        raise RuntimeError("jobs run inside the app: start workers with `flask jobs worker`")
    module_name, _sep, name = target.partition(":")
    return _call(getattr(importlib.import_module(module_name), name), args)


def _call(func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    from trainer.extensions import db

    try:
        return func(*args)
    finally:
        db.session.remove()


def enqueue(func: Callable[..., Any], *args: Any, job_id: str | None = None) -> None:
    """Run `func(*args)` as a job: on the queue, or now where jobs run inline.

    Arguments must be plain values (ids, strings): a job reads what it needs from the
    database, so it acts on committed data. A `job_id` names the job (so its progress and
    its failures can be found); a job must be idempotent all the same.
    """
    jobs = settings()
    if jobs.redis is None:
        _run_inline(func, args)
        return
    from rq import Retry

    jobs.queue().enqueue(
        run,
        _path(func),
        *args,
        job_id=f"{jobs.queue_name}-{job_id}" if job_id else None,
        retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
        description=f"{func.__qualname__}{args!r}",
    )


def _run_inline(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Run a job now, in an application context (and so a database session) of its own.

    It may be called from another session's commit hook; like a worker, it logs a
    failure instead of raising it into the code that asked.
    """
    with current_app.app_context():
        try:
            func(*args)
        except Exception:
            log.exception("job %s%r failed", func.__qualname__, args)


def enqueue_after_commit(func: Callable[..., Any], *args: Any, job_id: str | None = None) -> None:
    """Queue `func(*args)` once the current transaction commits (never if it rolls back)."""
    from trainer.extensions import db

    session = db.session()
    session.connection()  # the job belongs to a transaction: begin one if none is open
    session.info.setdefault(_AFTER_COMMIT, []).append((func, args, job_id))


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    for func, args, job_id in session.info.pop(_AFTER_COMMIT, []):
        try:
            enqueue(func, *args, job_id=job_id)
        except Exception:
            log.exception("could not queue %s%r", func.__qualname__, args)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_AFTER_COMMIT, None)


def enqueue_in(delay: timedelta, func: Callable[..., Any], *args: Any) -> bool:
    """Run `func(*args)` after `delay` (needs a worker with its scheduler).

    Returns False where jobs run inline: nothing is scheduled and the caller's own sweep
    (`flask mail sweep`) picks the work up later.
    """
    jobs = settings()
    if jobs.redis is None:
        return False
    jobs.queue().enqueue_in(delay, run, _path(func), *args)
    return True
