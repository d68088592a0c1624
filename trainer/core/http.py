"""Security headers, idle sign-out, language choice and error handlers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    has_request_context,
    render_template,
    request,
    session,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from trainer.extensions import db

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def select_locale() -> str:
    """The user's language, else the switcher's choice, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return "en"
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or "en"


def add_security_headers(response: Response) -> Response:
    """Content-Security-Policy without inline script, and the usual hardening headers."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def idle_limit_seconds(extra_time_percent: int) -> float:
    """Idle time allowed before sign-out, lengthened by a person's extended time."""
    base = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    return base * (100 + max(0, extra_time_percent or 0)) / 100


def enforce_idle_timeout() -> None:
    """Sign out a session idle longer than IDLE_TIMEOUT_MINUTES (plus extended time)."""
    if not current_user.is_authenticated:
        return
    now = datetime.now(UTC).timestamp()
    last = session.get("seen")
    limit = idle_limit_seconds(current_user.extra_time_percent)
    if isinstance(last, int | float) and now - last > limit:
        logout_user()
        session.pop("seen", None)
        flash(_("You were signed out after a period of inactivity."), "info")
        return
    session["seen"] = int(now)


def register_error_handlers(app: Flask) -> None:
    """Friendly pages for HTTP errors; a 500 rolls the transaction back."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        log.info("CSRF refused: %s", error.description)
        return render_template(
            "errors/error.html",
            code=400,
            title=_("The form expired"),
            message=_("Please go back, reload the page and try again."),
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("We could not find that page."),
            405: _("That action is not allowed here."),
            413: _("The file is too large."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        message = error.description if error.code == 400 and error.description else None
        return render_template(
            "errors/error.html",
            code=error.code,
            title=messages.get(error.code, error.name),
            message=message if message and "browser (or proxy)" not in message else None,
        ), error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        log.exception("unhandled error")
        return render_template(
            "errors/error.html",
            code=500,
            title=_("Something went wrong"),
            message=_("The error was recorded. Please try again later."),
        ), 500
