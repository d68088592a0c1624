"""`flask mail sweep`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("mail")
def mail_group() -> None:
    """The outbox of outgoing mail."""


@mail_group.command("sweep")
@with_appcontext
def sweep() -> None:
    """Queue the mail whose time has come (lost on the way or waiting for a retry)."""
    from trainer.mail import outbox

    report = outbox.sweep()
    click.echo(f"{report.queued} messages queued")
