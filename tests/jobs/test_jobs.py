"""The scheduler queues each daily job once per program day, and a real RQ worker runs
them: reminders leave through the outbox, renewals re-enroll, the audit chain is
checkpointed. Without Redis, jobs run inline and the scheduler says to use cron."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from trainer.compliance.models import ReminderDelivery
from trainer.extensions import db
from trainer.jobs import scheduler
from trainer.mail.models import MailStatus, OutboxMail

# 13:00 UTC is 07:00 or 08:00 in Houston (America/Chicago): every daily task is due.
MORNING = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
NIGHT = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)  # 00:30 in Houston: none is


def test_each_daily_task_is_queued_once_per_program_day(app, redis_jobs):
    night = scheduler.tick(NIGHT)
    assert night == ["sweep"]
    first = scheduler.tick(MORNING)
    assert set(first) == {"sweep", "renewals", "audit-checkpoint", "reminders", "job-results"}
    assert scheduler.tick(MORNING + timedelta(seconds=20)) == []  # same minute, same day
    later = scheduler.tick(MORNING + timedelta(minutes=5))
    assert later == ["sweep"]  # the daily ones already ran today
    next_day = scheduler.tick(MORNING + timedelta(days=1))
    assert {"renewals", "audit-checkpoint", "reminders", "job-results"} <= set(next_day)
    assert redis_jobs.queue().count == len(night + first + later + next_day)


def test_the_worker_runs_the_daily_jobs(app, make, mailbox, runner, redis_jobs):
    org = make.org(name="Morning Inn")
    today = MORNING.astimezone(scheduler.program_now(MORNING).tzinfo).date()
    make.user(org, email="due@example.test", hire_date=today - timedelta(days=29))
    db.session.commit()
    checkpoints = Path(app.config["AUDIT_CHECKPOINT_FILE"])
    checkpoints.unlink(missing_ok=True)
    assert scheduler.tick(MORNING)
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert redis_jobs.queue().failed_job_registry.count == 0
    assert db.session.scalar(select(func.count(ReminderDelivery.id))) >= 1
    sent = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == "due@example.test"))
    assert [m.status for m in sent] == [MailStatus.SENT]
    assert "due@example.test" in [m["To"] for m in mailbox.messages]
    assert checkpoints.exists() and checkpoints.read_text().strip()


def test_without_redis_jobs_run_inline_and_the_scheduler_asks_for_cron(app, runner):
    assert "inline" in runner.invoke(args=["jobs", "status"]).output
    result = runner.invoke(args=["jobs", "scheduler", "--once"])
    assert result.exit_code != 0 and "cron" in result.output
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "inline" in result.output


def test_the_program_day_follows_the_program_time_zone(app):
    late_evening = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 21:00 on Dec 1 in Houston
    assert scheduler.program_now(late_evening).date() == date(2026, 12, 1)
