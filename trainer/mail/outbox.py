"""Sending what the outbox holds: one job per message, retried with backoff.

`deliver` uses a database session of its own, so it can run from the commit hook of
another session (inline mode) as well as in a worker. It claims the message with a
conditional UPDATE, so two workers (or a retry racing a sweep) never send it twice.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from trainer import jobs
from trainer.extensions import db
from trainer.mail import send_mail
from trainer.mail.models import MailStatus, OutboxMail
from trainer.timeutil import utcnow

log = logging.getLogger(__name__)
#: Wait before each retry of a failed send; after the last one the message is FAILED.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
#: A message claimed this long ago by a worker that died is claimed again.
STALE_CLAIM = timedelta(minutes=10)


def queue_delivery(mail_id: int) -> None:
    """Queue the job that sends one message (inline: send it now)."""
    try:
        jobs.enqueue(deliver, mail_id, job_id=f"mail-{mail_id}")
    except Exception:
        log.exception("could not queue mail %s; `flask mail sweep` will send it", mail_id)


def queue_after_commit(mail_id: int) -> None:
    """Queue the job that sends one message once the current transaction commits."""
    jobs.enqueue_after_commit(deliver, mail_id, job_id=f"mail-{mail_id}")


def _claim(session: Session, mail_id: int) -> bool:
    now = utcnow()
    result = session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            or_(
                OutboxMail.status == MailStatus.PENDING,
                (OutboxMail.status == MailStatus.SENDING)
                & (OutboxMail.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(status=MailStatus.SENDING, claimed_at=now)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def deliver(mail_id: int) -> str:
    """Send one message if nobody else has; returns what happened (for logs and tests)."""
    with Session(db.engine) as session:
        if not _claim(session, mail_id):
            return "skipped"
        mail = session.get(OutboxMail, mail_id)
        assert mail is not None
        mail.attempts += 1
        try:
            send_mail(mail.recipient, mail.subject, mail.body, language=mail.language)
        except (OSError, smtplib.SMTPException) as error:
            mail.last_error = (str(error) or type(error).__name__)[:500]
            if mail.attempts > len(BACKOFF):
                mail.status = MailStatus.FAILED
                session.commit()
                log.error("mail %s to %s failed for good: %s", mail.id, mail.recipient, error)
                return "failed"
            delay = BACKOFF[mail.attempts - 1]
            mail.status = MailStatus.PENDING
            mail.next_attempt_at = utcnow() + delay
            session.commit()
            jobs.enqueue_in(delay, deliver, mail_id)
            return "retry"
        mail.status = MailStatus.SENT
        mail.sent_at = utcnow()
        mail.last_error = ""
        session.commit()
        return "sent"


@dataclass(frozen=True)
class SweepReport:
    """What a sweep did."""

    queued: int


def sweep() -> SweepReport:
    """Queue every message whose time has come and that no job holds (lost or retried)."""
    now = utcnow()
    ids = db.session.scalars(
        select(OutboxMail.id)
        .where(
            or_(
                (OutboxMail.status == MailStatus.PENDING) & (OutboxMail.next_attempt_at <= now),
                (OutboxMail.status == MailStatus.SENDING)
                & (OutboxMail.claimed_at < now - STALE_CLAIM),
            )
        )
        .order_by(OutboxMail.id)
    ).all()
    db.session.rollback()  # nothing to keep; deliver uses sessions of its own
    for mail_id in ids:
        queue_delivery(mail_id)
    return SweepReport(queued=len(ids))


def retry(mail_id: int) -> bool:
    """An admin sends a failed message again: back to pending, attempts start over."""
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None or mail.status != MailStatus.FAILED:
        return False
    mail.status = MailStatus.PENDING
    mail.attempts = 0
    mail.next_attempt_at = utcnow()
    queue_after_commit(mail.id)
    return True
