"""`flask audit verify` and `flask audit checkpoint`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from trainer.audit import services
from trainer.extensions import db


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def verify() -> None:
    """Check every event's keyed hash and link, and compare with the latest checkpoint.

    The result is recorded in the log itself, so the log page shows when it was last checked.
    """
    report = services.record_verification(None)
    db.session.commit()
    checkpoint = report.checkpoint
    if report.ok:
        against = (
            f"; matches the checkpoint of {checkpoint.at} ({checkpoint.seq} events)"
            if checkpoint
            else "; no checkpoint written yet"
        )
        click.echo(f"ok: {report.count} events, chain intact{against}")
        return
    click.echo(f"broken at event {report.first_broken_seq}: {report.reason}", err=True)
    raise SystemExit(1)


@audit_group.command("checkpoint")
@with_appcontext
def checkpoint() -> None:
    """Write a signed checkpoint of the chain's head outside the database now."""
    written = services.write_checkpoint()
    click.echo(f"checkpoint: event {written.seq}, {written.hash} at {written.at}")
