"""`flask jobs worker`, `flask jobs sweep` and `flask jobs status`."""

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


@jobs_group.command("sweep")
@with_appcontext
def sweep() -> None:
    """Queue the mail whose time has come (lost on the way or waiting for a retry)."""
    from trainer.mail import outbox

    report = outbox.sweep()
    click.echo(f"{report.queued} messages queued")


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
