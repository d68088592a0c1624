"""Compliance's daily job: the reminder mails (queued by the scheduler, or run by the CLI)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from trainer.compliance import reminders
from trainer.extensions import db


def send_reminders(on: date) -> tuple[int, int]:
    """Record and queue every reminder due on `on`; returns (sent, already sent).

    Each reminder commits on its own, so a run stopped half way resumes where it was;
    one recorded by another run at the same moment is skipped.
    """
    sent = skipped = 0
    for reminder in reminders.plan(on):
        try:
            reminders.deliver(reminder, on)
        except IntegrityError:  # another run sent it first
            db.session.rollback()
            skipped += 1
            continue
        db.session.commit()
        sent += 1
    return sent, skipped


def daily_reminders(day: str) -> str:
    """The scheduler's entry point."""
    sent, skipped = send_reminders(date.fromisoformat(day))
    return f"reminders: {sent} sent, {skipped} already sent"
