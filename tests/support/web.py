"""Pages and sign-in for tests that drive the app through its test client."""

from __future__ import annotations

import re
from typing import Any

from flask import session
from flask.testing import FlaskClient

from tests.support.factory import PASSWORD
from trainer.core.http import start_session


def csrf_token(client: FlaskClient, url: str) -> str:
    """Fetch a page and return the CSRF token of its first form."""
    page = client.get(url, follow_redirects=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
    if match is None:
        match = re.search(
            r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page.text
        )
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def login(client: FlaskClient, user: Any, password: str = PASSWORD) -> None:
    """Sign a user in through the real login form (for tests about signing in)."""
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.text


def sign_in(client: FlaskClient, user: Any) -> None:
    """Sign a user in by writing the session the app writes on sign-in.

    The app's own `start_session` runs in a request made from the client's environment
    (address, user agent), so the session holds the same `_user_id` ("id:stamp"),
    session-protection identifier and sign-in times as after the login form, without
    the two requests and the password hash. A fresh app context keeps the test's `g`
    free of the signed-in user.
    """
    app = client.application
    with app.app_context(), app.test_request_context(environ_base=client.environ_base):
        start_session(user)
        values = dict(session)
    with client.session_transaction() as stored:
        stored.clear()
        stored.update(values)
