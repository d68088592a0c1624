"""Security headers, idle sign-out, language choice and error handlers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    render_template,
    request,
    session,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

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


def _now() -> float:
    return datetime.now(UTC).timestamp()


def start_session(user: object) -> None:
    """Sign the person in on a fresh session: a new session cookie and a new CSRF token.

    Only the language choice carries over from the visitor's session.
    """
    lang = session.get("lang")
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF's per-request cache of the old token
    if lang:
        session["lang"] = lang
    login_user(user)
    now = int(_now())
    session["signed_in_at"] = now
    session["seen"] = now


def idle_limit_seconds(extra_time_percent: int) -> float:
    """Idle time allowed before sign-out, lengthened by a person's extended time."""
    base = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    return base * (100 + max(0, extra_time_percent or 0)) / 100


def enforce_session_limits() -> None:
    """End a session idle longer than IDLE_TIMEOUT_MINUTES (plus extended time), or older
    than SESSION_MAX_HOURS since sign-in, whatever the activity."""
    if not current_user.is_authenticated:
        return
    now = _now()
    last = session.get("seen")
    signed_in = session.get("signed_in_at")
    limit = idle_limit_seconds(current_user.extra_time_percent)
    lifetime = current_app.config["SESSION_MAX_HOURS"] * 3600
    if not isinstance(signed_in, int | float) or now - signed_in > lifetime:
        _end_session(_("Your session ended. Please sign in again."))
        return
    if isinstance(last, int | float) and now - last > limit:
        _end_session(_("You were signed out after a period of inactivity."))
        return
    session["seen"] = int(now)


def _end_session(message: str) -> None:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(message, "info")


#: C0 control characters other than tab, line feed and carriage return, and DEL.
_CONTROL = frozenset(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127])


def _has_control(value: str) -> bool:
    return any(ch in _CONTROL for ch in value)


def refuse_control_characters() -> None:
    """400 for a NUL or another control character in the path, a query or a form value.

    No text the platform stores or prints may hold them (PostgreSQL refuses NUL in text;
    a certificate cannot print them); refusing them here changes nothing and says why.
    """
    values = [request.path, *request.args.keys()]
    for multi in (request.args, request.form):
        for key in multi:
            values.append(key)
            values.extend(multi.getlist(key))
    if any(_has_control(v) for v in values):
        abort(400, _("The request holds control characters that no field accepts."))


def no_store(response: Response) -> Response:
    """Personal data is not kept by browsers or shared caches: every page but static files."""
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


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


#: The largest id a database integer column holds (PostgreSQL `integer`).
MAX_ID = 2**31 - 1


class BoundedInt(IntegerConverter):
    """The `<int:...>` URL converter, limited to what an id column holds: larger is a 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(raw: str) -> int | None:
    """The id written in `raw` (ASCII digits, 1 to MAX_ID), else None."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        return None
    return int(raw)


def arg_int(name: str, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """A whole number from the query string: None when absent, 400 when malformed."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
        abort(400, _("“%(name)s” must be a whole number.", name=name))
    value = int(raw)
    if not minimum <= value <= maximum:
        abort(
            400,
            _(
                "“%(name)s” must be between %(low)d and %(high)d.",
                name=name,
                low=minimum,
                high=maximum,
            ),
        )
    return value


def arg_id(name: str) -> int | None:
    """An id from the query string: None when absent, 400 when it cannot be an id."""
    return arg_int(name)


def form_id(name: str) -> int | None:
    """An id from the posted form: None when absent or not a usable id."""
    return parse_id(request.form.get(name, ""))
