"""`flask audit verify`: check the hash chain."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from trainer.audit import services


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def verify() -> None:
    """Check every event's hash and link; name the first broken event."""
    report = services.verify_chain()
    if report.ok:
        click.echo(f"ok: {report.count} events, chain intact")
        return
    click.echo(f"broken at event {report.first_broken_seq}: {report.reason}", err=True)
    raise SystemExit(1)
