"""Outgoing mail, through an outbox.

`send_after_commit` writes the message to the `outbox_mail` table in the same transaction
as the change that causes it; when that transaction commits, a job is queued to send it
(see `outbox.deliver`); if it rolls back, the message is gone with it. Sending retries
with backoff and never undoes the change; a message that still fails is marked failed and
listed for admins (`/admin/mail`). `send_mail` is the SMTP call itself (in development,
with no `MAIL_SERVER`, it writes the message to the log instead).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


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
    """Write a message to the outbox; it leaves after the current transaction commits."""
    from trainer.extensions import db
    from trainer.mail.models import OutboxMail
    from trainer.mail.outbox import queue_after_commit

    mail = OutboxMail(recipient=to, subject=subject[:300], body=body, language=language)
    db.session.add(mail)
    db.session.flush()
    queue_after_commit(mail.id)


__all__ = ["send_after_commit", "send_mail"]
