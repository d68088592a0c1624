"""`flask jobs worker`, `flask jobs scheduler` and `flask jobs status`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from trainer.jobs.queue import settings


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs (RQ on Redis)."""


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for tests).")
@with_appcontext
def worker(burst: bool) -> None:
    """Run queued jobs (and the retries and delayed jobs they schedule) until stopped."""
    from rq import SimpleWorker

    jobs = settings()
    if jobs.redis is None:
        raise click.ClickException(
            "No Redis answers at REDIS_URL: jobs run inline in the app, no worker is needed."
        )
    # A SimpleWorker runs each job in this process, inside this app context: the app
    # and its database pool are built once, not once per job.
    click.echo(f"worker on queue {jobs.queue_name!r} at {current_app.config['REDIS_URL']}")
    SimpleWorker([jobs.queue()], connection=jobs.redis).work(
        burst=burst, with_scheduler=True, logging_level="WARNING"
    )


@jobs_group.command("scheduler")
@click.option("--once", is_flag=True, help="Queue what is due now, then stop.")
@with_appcontext
def scheduler(once: bool) -> None:
    """Queue the daily jobs (renewals, reminders, audit checkpoint) and the mail sweep."""
    from trainer.jobs import scheduler as daily

    if settings().redis is None:
        raise click.ClickException(
            "No Redis answers at REDIS_URL: run the daily commands from cron instead."
        )
    if once:
        queued = daily.tick()
        click.echo(f"queued: {', '.join(queued) or 'nothing'}")
        return
    click.echo("scheduler: daily jobs and the mail sweep (stop with Ctrl-C)")
    daily.run_forever()


@jobs_group.command("status")
@with_appcontext
def status() -> None:
    """Say where jobs run and how many wait."""
    jobs = settings()
    if jobs.redis is None:
        click.echo("inline: no Redis at REDIS_URL; jobs run in the process that asks")
        return
    queue = jobs.queue()
    click.echo(
        f"queue {jobs.queue_name!r}: {queue.count} waiting, "
        f"{queue.failed_job_registry.count} failed, "
        f"{queue.scheduled_job_registry.count} scheduled"
    )
