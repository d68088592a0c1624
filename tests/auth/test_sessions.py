"""Sessions that end: sign-out everywhere, password change, admin actions, lifetime, proxies."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from config import ProductionConfig
from tests.support.backends import make_config
from tests.support.factory import PASSWORD
from tests.support.web import csrf_token, login
from trainer import create_app
from trainer.audit.models import AuditEvent
from trainer.auth.models import User
from trainer.extensions import db, limiter


def _copy_session(source: Any, app: Flask) -> Any:
    """A second browser holding a copy of the first one's session cookie."""
    thief = app.test_client()
    cookie = source.get_cookie("session")
    thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


def _signed_in(client: Any) -> bool:
    return client.get("/learn/").status_code == 200


def test_signing_out_ends_every_copy_of_the_session(app, client, make):
    user = make.user(make.org())
    login(client, user)
    thief = _copy_session(client, app)
    assert _signed_in(thief)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/learn/")})
    assert not _signed_in(client)
    assert not _signed_in(thief)


def test_changing_the_password_ends_other_sessions(app, client, make):
    user = make.user(make.org())
    login(client, user)
    other_device = app.test_client()
    login(other_device, user)
    token = csrf_token(client, "/auth/password")
    wrong = client.post(
        "/auth/password",
        data={
            "current": "not the password",
            "password": "a brand new secret",
            "confirm": "a brand new secret",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 200 and "not your current password" in wrong.text
    assert _signed_in(other_device)
    response = client.post(
        "/auth/password",
        data={
            "current": PASSWORD,
            "password": "a brand new secret",
            "confirm": "a brand new secret",
            "csrf_token": csrf_token(client, "/auth/password"),
        },
    )
    assert response.status_code == 302
    assert _signed_in(client)  # this device stays signed in, on a fresh session
    assert not _signed_in(other_device)
    fresh = app.test_client()
    login(fresh, user, password="a brand new secret")
    actions = db.session.scalars(AuditEvent.__table__.select().with_only_columns(AuditEvent.action))
    assert {"password.changed", "password.change_failed"} <= set(actions)


def test_access_code_learners_see_why_they_have_no_password(app, client, make):
    from trainer.auth import services as auth

    person = make.user(make.org(), email=None, password_hash=None)
    code = auth.issue_access_code(person, actor=make.user(role="admin"))
    db.session.commit()
    token = csrf_token(client, "/auth/code")
    client.post("/auth/code", data={"code": code, "csrf_token": token})
    page = client.get("/auth/password")
    assert page.status_code == 200 and "access code" in page.text
    assert 'name="current"' not in page.text


@pytest.mark.parametrize("change", ["deactivate", "role"])
def test_admin_deactivating_or_changing_a_role_ends_their_sessions(app, client, make, change):
    org = make.org()
    person = make.user(org)
    login(client, person)
    admin = app.test_client()
    login(admin, make.user(role="admin"))
    token = csrf_token(admin, "/auth/users")
    if change == "deactivate":
        url, data = f"/orgs/staff/{person.id}/active", {"active": "0", "confirm": "yes"}
    else:
        url, data = f"/auth/users/{person.id}/role", {"role": "manager"}
    assert admin.post(url, data={**data, "csrf_token": token}).status_code == 302
    assert client.get("/orgs/staff").status_code == 302  # sent to sign in again
    assert not _signed_in(client)


def test_a_changed_email_ends_sessions_and_voids_links(app, client, make):
    from trainer.auth import services as auth

    org = make.org()
    person = make.user(org)
    link_token = auth.make_token(person, "reset")
    login(client, person)
    manager = app.test_client()
    login(manager, make.user(org, role="manager"))
    response = manager.post(
        f"/orgs/staff/{person.id}/edit",
        data={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": "new-address@example.test",
            "job_role": "front_desk",
            "hire_date": person.hire_date.isoformat(),
            "language": "en",
            "extra_time_percent": "0",
            "csrf_token": csrf_token(manager, f"/orgs/staff/{person.id}/edit"),
        },
    )
    assert response.status_code == 302
    assert not _signed_in(client)
    assert auth.read_token(link_token, "reset") is None


def test_sessions_have_an_absolute_lifetime(app, client, make):
    login(client, make.user(make.org()))
    assert _signed_in(client)
    limit = app.config["SESSION_MAX_HOURS"] * 3600
    with client.session_transaction() as session:
        # active a minute ago, but signed in longer ago than the lifetime allows
        session["seen"] = int(datetime.now(UTC).timestamp()) - 60
        session["signed_in_at"] = int(datetime.now(UTC).timestamp() - limit - 1)
    assert client.get("/learn/").status_code == 302
    assert not _signed_in(client)


def test_signing_in_rotates_the_session_and_the_csrf_token(app, client, make):
    user = make.user(make.org())
    client.post("/language", data={"lang": "es", "csrf_token": csrf_token(client, "/auth/login")})
    before = csrf_token(client, "/auth/login")
    cookie_before = client.get_cookie("session").value
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    assert client.get_cookie("session").value != cookie_before
    with client.session_transaction() as session:
        assert session.get("lang") == "es"  # the visitor's language choice carries over
    # the visitor's token no longer passes: a planted token cannot be reused after sign-in
    stale = client.post("/language", data={"lang": "en", "csrf_token": before})
    assert stale.status_code == 400
    assert csrf_token(client, "/learn/") != before


def test_personal_pages_are_not_stored_by_caches(app, client, make):
    login(client, make.user(make.org()))
    assert client.get("/learn/").headers["Cache-Control"] == "no-store"
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


@pytest.fixture
def proxied_app(tmp_path: Path) -> Any:
    """The app as production runs it: behind one proxy that sets X-Forwarded-For."""
    url = f"sqlite:///{tmp_path / 'proxied.sqlite3'}"
    proxied = create_app(
        make_config(
            url,
            PROXY_COUNT=1,
            AUDIT_CHECKPOINT_FILE=str(tmp_path / "cp.jsonl"),
            LOGIN_LIMIT_PER_ADDRESS="3 per minute",
        )
    )
    limiter.reset()
    with proxied.app_context():
        db.create_all()
        yield proxied
        db.session.remove()
        db.engine.dispose()
    limiter.reset()


def test_behind_a_proxy_limits_and_records_apply_per_real_client(proxied_app):
    client = proxied_app.test_client()

    def attempt(address: str) -> int:
        token = csrf_token(client, "/auth/login")
        return client.post(
            "/auth/login",
            data={"email": f"{address}@example.test", "password": "x" * 12, "csrf_token": token},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(4)][-1] == 429
    assert attempt("198.51.100.9") == 200  # another client is not held back
    details = db.session.scalars(
        AuditEvent.__table__.select().with_only_columns(AuditEvent.details)
    ).all()
    assert any("198.51.100.9" in d for d in details)


def test_production_refuses_per_process_rate_limits(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "s" * 64)
    monkeypatch.setattr(ProductionConfig, "PUBLIC_BASE_URL", "https://training.example.gov")
    monkeypatch.setattr(ProductionConfig, "AUDIT_HMAC_KEY", "k" * 64)
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        ProductionConfig()
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    monkeypatch.setattr(ProductionConfig, "AUDIT_HMAC_KEY", None)
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY"):
        ProductionConfig()
    monkeypatch.setattr(ProductionConfig, "AUDIT_HMAC_KEY", "k" * 64)
    assert ProductionConfig().PROXY_COUNT == 1


def test_deactivated_user_cannot_use_an_old_cookie_even_if_reactivated(app, client, make):
    """Reactivation does not revive sessions from before the deactivation."""
    org = make.org()
    person = make.user(org)
    login(client, person)
    admin = make.user(role="admin")
    from trainer.orgs import services as orgs

    orgs.set_staff_active(person, False, actor=admin)
    db.session.commit()
    orgs.set_staff_active(db.session.get(User, person.id), True, actor=admin)
    db.session.commit()
    assert not _signed_in(client)
