"""Configuration, health check, language choice and the base layout."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from config import DevConfig, ProductionConfig, _database_url
from tests.support.backends import make_config
from tests.support.web import csrf_token, login
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
        "auditor": "/compliance/city",
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


def test_production_refuses_the_development_address(monkeypatch):
    from config import DEVELOPMENT_BASE_URL

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 64)
    monkeypatch.setattr(ProductionConfig, "AUDIT_HMAC_KEY", "y" * 64)
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    monkeypatch.setattr(ProductionConfig, "PUBLIC_BASE_URL", DEVELOPMENT_BASE_URL + "/")
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        ProductionConfig()
    monkeypatch.setattr(ProductionConfig, "PUBLIC_BASE_URL", "https://training.example.gov")
    assert ProductionConfig().PUBLIC_BASE_URL == "https://training.example.gov"


def test_header_footer_and_seal_name_the_operator(tmp_path):
    seal = tmp_path / "seal.png"
    seal.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    app = create_app(
        make_config(
            "sqlite://",
            PROGRAM_NAME="Bayou Training",
            PROGRAM_OFFICE="Office of Human Trafficking",
            PROGRAM_CITY="City of Testville",
            CERTIFICATE_SEAL=str(seal),
        )
    )
    client = app.test_client()
    page = client.get("/auth/login").text
    header = page[page.index("<header") : page.index("</header>")]
    footer = page[page.index("<footer") : page.index("</footer>")]
    for part in (header, footer):
        assert "Office of Human Trafficking, City of Testville" in part
    assert "Bayou Training" in header and 'src="/seal"' in header
    served = client.get("/seal")
    assert served.mimetype == "image/png" and served.data == seal.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("seal.gif", b"GIF89a", "must be an .svg or .png"),
        ("missing.svg", None, "cannot be read"),
        ("fake.png", b"<svg></svg>", "is not a .png image"),
    ],
)
def test_an_unusable_seal_stops_the_start(tmp_path, name, content, problem):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RuntimeError, match=problem):
        create_app(make_config("sqlite://", CERTIFICATE_SEAL=str(path)))


def test_design_system_is_served_by_the_app(client):
    """USWDS comes from package.json's pinned version; every file its CSS needs is served."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    package = json.loads((root / "package.json").read_text())
    lock = json.loads((root / "package-lock.json").read_text())
    version = package["dependencies"]["@uswds/uswds"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "pin an exact version"
    assert lock["packages"]["node_modules/@uswds/uswds"]["version"] == version
    page = client.get("/auth/login").text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert "/static/uswds/css/uswds.min.css" in assets
    assert "/static/uswds/js/uswds.min.js" in assets
    for css in ("/static/uswds/css/uswds.min.css", "/static/css/app.css"):
        response = client.get(css)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        response.close()
        if "uswds.min" in css:
            assert f"uswds v{version}" in text[:200]
        base = css.rsplit("/", 1)[0]
        for url in set(re.findall(r"url\((?:\"|')?(\.\./[^)\"']+)", text)):
            target = client.get(f"{base}/{url}".replace("/css/../", "/"))
            assert target.status_code == 200, url
            target.close()
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()
