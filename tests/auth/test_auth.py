"""Sign-in, rate limits, redirects, reset by email, invitations, access codes, sessions."""

from __future__ import annotations

import io
import re
import time

from pypdf import PdfReader
from sqlalchemy import select

from tests.support.factory import PASSWORD
from tests.support.web import csrf_token, login
from trainer.audit.models import AuditEvent
from trainer.auth import services as auth
from trainer.extensions import db


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_login_success_and_failure_are_audited(client, make):
    user = make.user(make.org())
    token = csrf_token(client, "/auth/login")
    bad = client.post(
        "/auth/login", data={"email": user.email, "password": "wrong", "csrf_token": token}
    )
    assert bad.status_code == 200
    assert "Email or password is not right" in bad.text
    login(client, user)
    assert _actions()[-2:] == ["login.failed", "login.succeeded"]


def test_login_email_is_case_insensitive(client, make):
    user = make.user(make.org(), email="Mixed.Case@Example.test")
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login",
        data={"email": "MIXED.case@example.TEST", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert user.email == "Mixed.Case@Example.test"


def test_post_without_csrf_token_is_refused(client, make):
    user = make.user(make.org())
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.text


def test_login_rate_limited_per_account(client, make, app):
    user = make.user(make.org())
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    token = csrf_token(client, "/auth/login")
    codes = [
        client.post(
            "/auth/login",
            data={"email": user.email, "password": "nope", "csrf_token": token},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).status_code
        for i in range(limit + 1)
    ]
    assert codes[:limit] == [200] * limit
    assert codes[limit] == 429


def test_login_rate_limited_per_address(client, make, app):
    limit = int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split()[0])
    token = csrf_token(client, "/auth/login")
    codes = [
        client.post(
            "/auth/login",
            data={"email": f"x{i}@example.test", "password": "nope", "csrf_token": token},
        ).status_code
        for i in range(limit + 1)
    ]
    assert codes[-1] == 429
    assert set(codes[:limit]) == {200}


def test_next_redirect_only_to_this_site(client, make):
    user = make.user(make.org())
    for target, expected in [
        ("/learn/", "/learn/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
    ]:
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
        token = csrf_token(client, "/auth/login")
        response = client.post(
            f"/auth/login?next={target}",
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected, target


def test_logout_is_post_only_and_ends_session(client, make):
    user = make.user(make.org())
    login(client, user)
    assert client.get("/auth/logout").status_code == 405
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/learn/")})
    assert client.get("/learn/").status_code == 302


def test_password_reset_by_email(client, make, mailbox):
    user = make.user(make.org())
    token = csrf_token(client, "/auth/reset")
    client.post("/auth/reset", data={"email": user.email, "csrf_token": token})
    assert len(mailbox.messages) == 1
    assert mailbox.messages[0]["Content-Language"] == user.language
    body = mailbox.body(mailbox.messages[0])
    link = re.search(r"http://localhost(/auth/reset/\S+)", body).group(1)
    token = csrf_token(client, link)
    response = client.post(
        link,
        data={"password": "a new long pass", "confirm": "a new long pass", "csrf_token": token},
    )
    assert response.status_code == 302
    login(client, user, password="a new long pass")
    # the link works once
    assert client.get(link).status_code == 302
    assert "expired" in client.get(link, follow_redirects=True).text


def test_reset_for_unknown_email_sends_nothing_and_says_the_same(client, mailbox):
    token = csrf_token(client, "/auth/reset")
    response = client.post(
        "/auth/reset",
        data={"email": "nobody@example.test", "csrf_token": token},
        follow_redirects=True,
    )
    assert "If that address has an account" in response.text
    assert mailbox.messages == []


def test_tampered_or_expired_token_is_refused(app, make):
    user = make.user(make.org())
    token = auth.make_token(user, "reset")
    assert auth.read_token(token, "reset") == user
    assert auth.read_token(token + "x", "reset") is None
    assert auth.read_token(token, "invite") is None
    app.config["TOKEN_MAX_AGE_SECONDS"] = -1
    try:
        assert auth.read_token(token, "reset") is None
    finally:
        app.config["TOKEN_MAX_AGE_SECONDS"] = 3 * 24 * 3600


def test_invitation_sets_name_and_password(client, make, mailbox):
    org = make.org()
    manager = make.user(org, role="manager")
    login(client, manager)
    token = csrf_token(client, "/orgs/staff/new")
    response = client.post(
        "/orgs/staff/new",
        data={
            "first_name": "Lan",
            "last_name": "Pham",
            "email": "lan@example.test",
            "job_role": "housekeeping",
            "hire_date": "2026-01-05",
            "language": "vi",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    body = mailbox.body(mailbox.messages[0])
    link = re.search(r"http://localhost(/auth/invitation/\S+)", body).group(1)
    invitee = client.application.test_client()
    token = csrf_token(invitee, link)
    response = invitee.post(
        link,
        data={
            "first_name": "Lan Anh",
            "last_name": "Phạm",
            "password": "my own long password",
            "confirm": "my own long password",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    from trainer.auth.models import User

    user = db.session.scalar(select(User).where(User.email == "lan@example.test"))
    db.session.refresh(user)
    assert user.full_name == "Lan Anh Phạm"
    assert invitee.get(link).status_code == 302  # used


def test_access_code_sign_in_and_revocation(client, make):
    org = make.org()
    manager = make.user(org, role="manager")
    housekeeper = make.user(org, email=None, password_hash=None, job_role="housekeeping")
    login(client, manager)
    token = csrf_token(client, "/orgs/staff")
    sheet = client.post(
        f"/orgs/staff/{housekeeper.id}/access-code", data={"action": "issue", "csrf_token": token}
    )
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(sheet.data)).pages)
    code = re.search(r"\b([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})\b", text).group(1)
    assert len(code.replace("-", "")) == 16
    phone = client.application.test_client()
    # the QR link carries the code in the fragment (never sent, never logged); the
    # server does not take it from a query string either
    assert f'value="{code}"' not in phone.get(f"/auth/code?code={code}").text
    token = csrf_token(phone, "/auth/code")
    response = phone.post("/auth/code", data={"code": code.lower(), "csrf_token": token})
    assert response.status_code == 302
    assert phone.get("/learn/").status_code == 200
    # revoking ends it
    client.post(
        f"/orgs/staff/{housekeeper.id}/access-code",
        data={"action": "revoke", "csrf_token": csrf_token(client, "/orgs/staff")},
    )
    assert phone.get("/learn/").status_code == 302
    other = client.application.test_client()
    token = csrf_token(other, "/auth/code")
    response = other.post("/auth/code", data={"code": code, "csrf_token": token})
    assert response.status_code == 200
    assert "not valid" in response.text


def test_access_codes_are_rate_limited(client, app):
    limit = int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split()[0])
    token = csrf_token(client, "/auth/code")
    codes = [
        client.post(
            "/auth/code", data={"code": "ABCD-EFGH-JKLM-NPQR", "csrf_token": token}
        ).status_code
        for _ in range(limit + 1)
    ]
    assert codes[-1] == 429


def test_idle_session_ends(client, make, app):
    user = make.user(make.org())
    login(client, user)
    assert client.get("/learn/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 5
    response = client.get("/learn/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_deactivated_person_cannot_sign_in(client, make):
    user = make.user(make.org(), active=False)
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 200


def test_security_headers_and_cookie_flags(client, make):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_or_handlers_in_pages(client, make):
    user = make.user(make.org())
    login(client, user)
    for url in ["/", "/learn/", "/auth/login"]:
        text = client.get(url, follow_redirects=True).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), url
        assert not re.search(r"\son[a-z]+=", text), url


def test_production_hashes_with_scrypt():
    from config import Config

    assert Config.PASSWORD_HASH_METHOD.startswith("scrypt:")
