"""Configuration, health check, language choice and the base layout."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from config import DevConfig, ProductionConfig, _database_url
from tests.conftest import csrf_token, login, make_config
from trainer import create_app
from trainer.auth.models import User
from trainer.extensions import db


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig()


def test_development_keeps_a_generated_secret_in_the_instance_folder(monkeypatch, tmp_path):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setattr(DevConfig, "SECRET_KEY", None)
    first = DevConfig().SECRET_KEY
    second = DevConfig().SECRET_KEY
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").read_text() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_maps_postgres_to_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert _database_url("sqlite://") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert _database_url("sqlite://") == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("DATABASE_URL")
    assert _database_url("sqlite:///x") == "sqlite:///x"


def test_production_cookies_are_secure():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_healthz_answers_200_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] is True


def test_healthz_answers_503_without_the_database(tmp_path):
    broken = create_app(make_config(f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] is False


def test_language_from_the_browser_then_the_switcher(client, make):
    page = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert '<html lang="es">' in page.text
    token = csrf_token(client, "/")
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    page = client.get("/", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in page.text


def test_switching_language_is_saved_on_the_account(client, make):
    user = make.user(make.org())
    login(client, user)
    token = csrf_token(client, "/learn/")
    response = client.post("/language", data={"lang": "es", "next": "/learn/", "csrf_token": token})
    assert response.headers["Location"] == "/learn/"
    assert db.session.scalar(select(User.language).where(User.id == user.id)) == "es"
    assert '<html lang="es">' in client.get("/learn/").text


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    token = csrf_token(client, "/")
    response = client.post(
        "/language", data={"lang": "xx", "next": "https://evil.example/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_base_layout_is_accessible(client, make):
    page = client.get("/auth/login").text
    assert 'class="usa-skipnav" href="#main-content"' in page and 'id="main-content"' in page
    assert "<header" in page and "<main" in page and "<footer" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    # every input has a label
    for tag in re.findall(r"<input[^>]+>", page):
        if 'type="hidden"' in tag:
            continue
        input_id = re.search(r'id="([^"]+)"', tag).group(1)
        assert f'for="{input_id}"' in page, input_id
    # no asset from another host
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_every_role_lands_on_its_home(client, make):
    org = make.org()
    homes = {
        "learner": "/learn/",
        "manager": "/orgs/staff",
        "auditor": "/orgs/",
        "admin": "/orgs/",
    }
    for role, home in homes.items():
        user = make.user(org if role in ("learner", "manager") else None, role=role)
        fresh = client.application.test_client()
        login(fresh, user)
        response = fresh.get("/")
        assert response.status_code == 302 and response.headers["Location"].startswith(home), role
        assert fresh.get(response.headers["Location"]).status_code == 200


def test_sign_out_is_on_every_signed_in_page(client, make):
    user = make.user(make.org())
    login(client, user)
    for url in ["/learn/", "/certificates/mine"]:
        assert 'action="/auth/logout"' in client.get(url).text
