"""`flask compliance check` (the rule files), `flask compliance due` (one person's due date
and status) and `flask reminders send`."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import NoAppException, ScriptInfo, with_appcontext

from trainer import timeutil
from trainer.compliance.rules import (
    DIRECT,
    EMPLOYMENT_TYPES,
    JOB_ROLES,
    ORG_KINDS,
    UnknownJurisdictionError,
    compute_due,
    counting_rules,
    load_rules,
    rules_for,
)

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_REPOSITORY_RULES = Path(__file__).resolve().parents[2] / "modules" / "rules"


class BadInputError(click.ClickException):
    """Bad command-line input: printed as one `error: ...` line, exit status 2."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        """Print the message as a single line on stderr."""
        click.echo(f"error: {self.format_message()}", err=True)


def _parse_date(value: str, option: str) -> date:
    """Parse a YYYY-MM-DD date given to `option`, or raise BadInputError."""
    try:
        if not _DATE_RE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadInputError(f"{option}: '{value}' is not a date in the form YYYY-MM-DD") from None


def _default_rules_dir() -> Path:
    """The application's `MODULES_DIR`/rules when an app is at hand, else the repository's."""
    app: Flask | None = current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]
    if app is None:
        ctx = click.get_current_context(silent=True)
        info = ctx.find_object(ScriptInfo) if ctx is not None else None
        if info is not None:
            try:
                app = info.load_app()
            except NoAppException:
                app = None
    if app is not None and "MODULES_DIR" in app.config:
        return Path(app.config["MODULES_DIR"]) / "rules"
    return _REPOSITORY_RULES


@click.group("compliance")
def compliance_group() -> None:
    """Jurisdiction rules, due dates and status."""


@compliance_group.command("check")
@click.option(
    "--rules-dir",
    "rules_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder of rule files; defaults to modules/rules.",
)
def check(rules_dir: Path | None) -> None:
    """Validate every rule file; print each problem as path:line: message."""
    folder = rules_dir or _default_rules_dir()
    rules, problems = load_rules(folder)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    contacts = sum(len(rule.contacts) for rule in rules.values())
    click.echo(f"rules ok: {len(rules)} rule files, {contacts} contacts")


@compliance_group.command("due")
@click.option("--jurisdiction", "jurisdiction", required=True, help="Rule id, e.g. houston-tx.")
@click.option("--hire-date", "hire_date", required=True, help="YYYY-MM-DD.")
@click.option("--role", "job_role", default="other", show_default=True, help="Job role id.")
@click.option("--org-kind", "org_kind", default="hotel", show_default=True)
@click.option("--completed", "completed", default=None, help="Last valid certificate's date.")
@click.option("--in-progress", "in_progress", is_flag=True, help="Training has begun.")
@click.option("--today", "today", default=None, help="YYYY-MM-DD; defaults to today.")
@click.option("--due-soon-days", "due_soon_days", default=30, show_default=True, type=int)
@click.option("--rooms", "rooms", default=None, type=int, help="The place's guest rooms.")
@click.option(
    "--employment",
    "employment",
    default=DIRECT,
    show_default=True,
    help="How the person is employed: " + ", ".join(EMPLOYMENT_TYPES) + ".",
)
@click.option("--under-16-at-hire", "under_16_at_hire", is_flag=True, help="Under 16 when hired.")
@click.option(
    "--rules-dir",
    "rules_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder of rule files; defaults to modules/rules.",
)
def due(
    jurisdiction: str,
    hire_date: str,
    job_role: str,
    org_kind: str,
    completed: str | None,
    in_progress: bool,
    today: str | None,
    due_soon_days: int,
    rooms: int | None,
    employment: str,
    under_16_at_hire: bool,
    rules_dir: Path | None,
) -> None:
    """Print, as JSON, the due date and status under a jurisdiction's rules."""
    hired = _parse_date(hire_date, "--hire-date")
    completed_on = _parse_date(completed, "--completed") if completed is not None else None
    on = _parse_date(today, "--today") if today is not None else timeutil.today()
    if job_role not in JOB_ROLES:
        raise BadInputError(
            f"--role: unknown job role '{job_role}' (known: {', '.join(JOB_ROLES)})"
        )
    if org_kind not in ORG_KINDS:
        raise BadInputError(
            f"--org-kind: unknown organization kind '{org_kind}' (known: {', '.join(ORG_KINDS)})"
        )
    if due_soon_days < 0:
        raise BadInputError("--due-soon-days: must not be negative")
    if rooms is not None and rooms < 1:
        raise BadInputError("--rooms: must be a whole number of at least 1")
    if employment not in EMPLOYMENT_TYPES:
        raise BadInputError(
            f"--employment: unknown employment type '{employment}'"
            f" (known: {', '.join(EMPLOYMENT_TYPES)})"
        )
    if completed_on is not None and completed_on > on:
        raise BadInputError("--completed: the completion date is after --today")

    folder = rules_dir or _default_rules_dir()
    rules, problems = load_rules(folder)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    try:
        considered = rules_for(jurisdiction, rules)
    except UnknownJurisdictionError:
        known = ", ".join(sorted(rules)) or "none"
        raise BadInputError(
            f"--jurisdiction: unknown jurisdiction '{jurisdiction}' (known: {known})"
        ) from None

    facts: dict[str, Any] = {
        "rooms": rooms,
        "employment": employment,
        "under_16_at_hire": under_16_at_hire,
    }
    result = compute_due(
        considered,
        org_kind=org_kind,
        job_role=job_role,
        hire_date=hired,
        completed_on=completed_on,
        in_progress=in_progress,
        today=on,
        due_soon_days=due_soon_days,
        **facts,
    )
    deciding = next((rule for rule in considered if rule.id == result.rule_id), None)
    output = {
        "jurisdiction": jurisdiction,
        "org_kind": org_kind,
        "role": job_role,
        "rooms": rooms,
        "employment": employment,
        "under_16_at_hire": under_16_at_hire,
        "hire_date": hired.isoformat(),
        "completed": completed_on.isoformat() if completed_on else None,
        "today": on.isoformat(),
        **result.as_dict(),
        "date_unconfirmed": bool(deciding and deciding.is_unconfirmed(result.reason)),
        "rules_considered": [rule.id for rule in considered],
        "rules_counting": [
            rule.id
            for rule in counting_rules(considered, org_kind=org_kind, job_role=job_role, **facts)
        ],
    }
    click.echo(json.dumps(output, indent=2))


@click.group("reminders")
def reminders_group() -> None:
    """Reminder mails to learners and managers (run `send` daily, e.g. from cron)."""


@reminders_group.command("send")
@click.option("--today", "today", default=None, help="YYYY-MM-DD; defaults to today.")
@click.option("--dry-run", "dry_run", is_flag=True, help="List what would be sent; send nothing.")
@with_appcontext
def send_reminders(today: str | None, dry_run: bool) -> None:
    """Send the reminders due today; running it again sends nothing twice."""
    from trainer.compliance import jobs, reminders

    on = _parse_date(today, "--today") if today is not None else timeutil.today()
    if dry_run:
        planned = reminders.plan(on)
        for reminder in planned:
            click.echo(
                f"{reminder.kind:8} {reminder.email} due {reminder.due_date.isoformat()}"
                f" threshold {reminder.threshold}"
            )
        click.echo(f"reminders: {len(planned)} would be sent")
        return
    sent, skipped = jobs.send_reminders(on)
    click.echo(f"reminders: {sent} sent, {skipped} already sent")
