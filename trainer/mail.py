"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise written to the log.

Mail caused by a change leaves only after that change is committed: `send_after_commit`
queues the message on the database session, and it is sent when the session commits
(dropped if it rolls back), so a rolled-back change never mails anyone.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_PENDING = "trainer.mail_after_commit"


@dataclass(frozen=True)
class Mail:
    """One plain-text message."""

    to: str
    subject: str
    body: str
    language: str = "en"


def send_mail(to: str, subject: str, body: str, *, language: str = "en") -> None:
    """Send one plain-text message now (in development, log it instead)."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    message["Content-Language"] = language  # after set_content, which resets headers
    if not cfg["MAIL_SERVER"]:
        log.info("mail to %s: %s\n%s", to, subject, body)
        return
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(message)


def send_after_commit(to: str, subject: str, body: str, *, language: str = "en") -> None:
    """Queue a message on the current database session; it leaves after the commit."""
    from trainer.extensions import db

    session = db.session()
    session.connection()  # the message belongs to a transaction: begin one if none is open
    session.info.setdefault(_PENDING, []).append(Mail(to, subject, body, language))


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending: list[Mail] = session.info.pop(_PENDING, [])
    for mail in pending:
        try:
            send_mail(mail.to, mail.subject, mail.body, language=mail.language)
        except (OSError, smtplib.SMTPException):
            # the change is committed; a failed send is logged, never undoes it
            log.exception("mail to %s could not be sent", mail.to)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)
