"""The daily jobs, queued by `flask jobs scheduler` (no system cron needed).

Features register their daily tasks in `create_app`; the scheduler queues each once per
program day, after its time of day in `PROGRAM_TIMEZONE`. Any number of schedulers may
run (one per host is simplest): a Redis key per task and day lets only the first queue it.
It also queues the outbox sweep every minute, so mail waiting for a retry leaves on time.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from trainer.jobs.queue import enqueue, settings
from trainer.timeutil import program_timezone, utcnow


@dataclass(frozen=True)
class DailyTask:
    """A job run once a day: `func(day_iso)` after `at` (program time)."""

    name: str
    at: time
    func: Callable[[str], object]


#: Filled by create_app from the features (renewals, reminders, audit checkpoint ...).
DAILY: list[DailyTask] = []
#: Every-minute tasks (no argument), such as the outbox sweep.
EVERY_MINUTE: list[Callable[[], object]] = []


def register_daily(task: DailyTask) -> None:
    """Add a daily task once (create_app may run more than once in a process)."""
    if all(existing.name != task.name for existing in DAILY):
        DAILY.append(task)


def register_every_minute(func: Callable[[], object]) -> None:
    """Add an every-minute task once."""
    if func not in EVERY_MINUTE:
        EVERY_MINUTE.append(func)


def program_now(now: datetime | None = None) -> datetime:
    """The time on the program's clock (its time zone), for "which day is it"."""
    return (now or utcnow()).astimezone(program_timezone())


def tick(now: datetime | None = None) -> list[str]:
    """Queue what is due at `now`; returns the names queued (each task once per day)."""
    jobs = settings()
    if jobs.redis is None:
        raise RuntimeError("the scheduler needs Redis (REDIS_URL); without it use cron")
    local = program_now(now)
    queued: list[str] = []
    minute = local.strftime("%Y%m%d%H%M")
    if jobs.redis.set(f"{jobs.queue_name}-every-minute-{minute}", 1, nx=True, ex=180):
        for func in EVERY_MINUTE:
            enqueue(func)
            queued.append(func.__qualname__)
    for task in DAILY:
        if local.time() < task.at:
            continue
        day = local.date().isoformat()
        key = f"{jobs.queue_name}-daily-{task.name}-{day}"
        if jobs.redis.set(key, 1, nx=True, ex=int(timedelta(days=3).total_seconds())):
            enqueue(task.func, day)
            queued.append(task.name)
    return queued


def run_forever(interval: float = 20.0) -> None:  # pragma: no cover - a process loop
    """Tick until stopped."""
    while True:
        tick()
        clock.sleep(interval)


def parse_day(day: str) -> date:
    """The ISO day a daily task was queued for."""
    return date.fromisoformat(day)
