"""`flask demo seed` and `flask demo generate`: demo data, and load-test data."""

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
        note = " (has a certificate)" if email == services.CERTIFIED_EMAIL else ""
        click.echo(f"  {user.role:8} {email}{note}")


@demo_group.command("generate")
@click.option("--hotels", type=click.IntRange(1, 5000), default=500, show_default=True)
@click.option(
    "--staff", type=click.IntRange(1, 2000), default=60, show_default=True, help="Per hotel."
)
@click.option("--seed", "seed_value", type=int, default=2020, show_default=True)
@click.option(
    "--outside-city",
    type=click.IntRange(0, 5000),
    default=None,
    help="Extra hotels outside city limits, under Texas law only (default: a tenth).",
)
@with_appcontext
def generate_command(hotels: int, staff: int, seed_value: int, outside_city: int | None) -> None:
    """Fill the database with a city's worth of hotels, staff, attempts and certificates.

    Generated data is for load and scale testing only. The hotels are named "Generated
    Hotel NNNN" (managers: manager@hotelID.generated.test, password as for the demo);
    the command refuses to run when generated hotels exist, and should run while the
    application is stopped. Each generated certificate stores the same PDF, rendered once
    from the first one, with its true SHA-256: its printed details match that first
    certificate only. Generated annual certifications share one PDF the same way.
    """
    from trainer.demo import generate

    try:
        report = generate.generate(hotels, staff, seed=seed_value, outside_city=outside_city)
    except generate.GeneratedDataExistsError:
        raise click.ClickException(
            "generated hotels already exist in this database; nothing generated"
        ) from None
    db.session.commit()
    generate.analyze()
    db.session.commit()
    click.echo(
        f"demo: generated {report.hotels} hotels ({report.outside_city} outside city limits), "
        f"{report.staff} staff, {report.certificates} certificates, {report.attempts} attempts "
        f"with {report.responses} answers, {report.annual_reports} annual certifications"
    )
    for status, count in generate.spread(report):
        click.echo(f"  {status:12} {count}")
