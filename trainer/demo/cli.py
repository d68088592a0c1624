"""`flask demo seed`: demo data for trying the platform."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from trainer.demo import services
from trainer.extensions import db


@click.group("demo")
def demo_group() -> None:
    """Demo data."""


@demo_group.command("seed")
@with_appcontext
def seed() -> None:
    """Fill an empty database with the demo hotel, department and accounts."""
    if not services.database_is_empty():
        click.echo("demo: the database already has data; nothing seeded")
        return
    users = services.seed()
    db.session.commit()
    click.echo(f"demo: seeded. Sign in with any of these (password {services.DEMO_PASSWORD}):")
    for email, user in users.items():
        click.echo(f"  {user.role:8} {email}")
