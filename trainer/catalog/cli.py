"""`flask content check` and `flask content sync`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from trainer.catalog import services
from trainer.catalog.loader import load_content, report_lines
from trainer.catalog.stats import content_stats, other_findings, stats_json, stats_table
from trainer.extensions import db


@click.group("content")
def content_group() -> None:
    """Training content in modules/."""


def _root(path: str | None) -> Path:
    return Path(path) if path else Path(current_app.config["MODULES_DIR"])


@content_group.command("check")
@click.argument("path", required=False)
@click.option("--stats", "show_stats", is_flag=True, help="Also print per-module figures.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print problems, findings and figures as JSON."
)
@with_appcontext
def check(path: str | None, show_stats: bool, as_json: bool) -> None:
    """Validate every content file; print each problem and finding as path:line: message."""
    content = load_content(_root(path))
    lines, status = report_lines(content)
    if as_json:
        click.echo(json.dumps(stats_json(content), ensure_ascii=False, indent=2))
        raise SystemExit(status)
    for line in lines:
        click.echo(line, err=status != 0)
    if show_stats:
        click.echo()
        for line in stats_table(content_stats(content), other_findings(content)):
            click.echo(line)
    raise SystemExit(status)


@content_group.command("sync")
@click.argument("path", required=False)
@with_appcontext
def sync(path: str | None) -> None:
    """Load modules/ into the database; new versions only where content changed."""
    report = services.sync_content(_root(path))
    if report.problems:
        for line in report.problems:
            click.echo(line, err=True)
        click.echo(f"content sync: {len(report.problems)} problem(s); nothing written", err=True)
        raise SystemExit(1)
    db.session.commit()
    if report.findings:
        click.echo(
            f"content sync: {report.findings} finding(s) of the item-writing rules; "
            "see flask content check",
            err=True,
        )
    for slug, version in sorted(report.new_versions.items()):
        click.echo(f"  {slug}: new version {version}")
    click.echo(
        f"content sync: {len(report.new_versions)} new version(s), "
        f"{len(report.unchanged)} unchanged, {len(report.tracks)} track(s)"
    )
