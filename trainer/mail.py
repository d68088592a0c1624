"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise written to the log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str, *, language: str = "en") -> None:
    """Send one plain-text message (in development, log it instead)."""
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
