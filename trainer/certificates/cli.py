"""`flask certificates list|export|renew`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from trainer import timeutil
from trainer.certificates import services
from trainer.certificates.models import Certificate
from trainer.extensions import db
from trainer.timeutil import local_date


@click.group("certificates")
def certificates_group() -> None:
    """Issued certificates."""


@certificates_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one array).")
@with_appcontext
def list_certificates(as_json: bool) -> None:
    """Every certificate: serial, code, holder, organization, status, dates, SHA-256."""
    today = timeutil.today()
    rows = [
        {
            "serial": c.serial,
            "code": c.verification_code,
            "holder": c.holder_name,
            "organization": c.organization_name,
            "status": c.status(today).value,
            "issued": local_date(c.issued_at).isoformat(),
            "expires": c.expires_on.isoformat() if c.expires_on else None,
            "sha256": c.pdf_sha256,
        }
        for c in db.session.scalars(select(Certificate).order_by(Certificate.id))
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['serial']}  {row['status']:10}  {row['holder']}  ({row['organization']})")


@certificates_group.command("export")
@click.argument("serial")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export(serial: str, output: str) -> None:
    """Write the stored PDF of SERIAL to a file."""
    cert = services.by_serial(serial)
    if cert is None:
        raise click.ClickException(f"no certificate with serial {serial}")
    Path(output).write_bytes(services.pdf_bytes(cert))
    click.echo(f"{cert.serial}: {cert.pdf_size} bytes, sha256 {cert.pdf_sha256}")


@certificates_group.command("renew")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@with_appcontext
def renew(today: object) -> None:
    """Re-enroll holders whose certificate expires soon (for cron; safe to run twice)."""
    from trainer.certificates.jobs import daily_renewals

    day = today.date() if today else timeutil.today()  # type: ignore[attr-defined]
    click.echo(daily_renewals(day.isoformat()))
