"""Configuration classes, read from the environment.

`DATABASE_URL` selects the database (SQLite at `instance/trainer.sqlite3` by default,
PostgreSQL in production through psycopg 3). See README.md for every variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
#: The development server's address: the default PUBLIC_BASE_URL, refused in production.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _database_url(default: str) -> str:
    """Return DATABASE_URL, mapping plain postgres URLs to the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL", default)
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(name: str, default: bool) -> bool:
    """Read a boolean environment variable (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'trainer.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_SECONDS = float(os.environ.get("SQLITE_BUSY_SECONDS", "30"))
    MODULES_DIR = str(Path(os.environ.get("MODULES_DIR", BASE_DIR / "modules")))
    CERTIFICATE_STORAGE = os.environ.get("CERTIFICATE_STORAGE", "database")
    #: A folder in CERTIFICATE_STORAGE is seen by every app host and worker (a shared mount).
    CERTIFICATE_STORAGE_SHARED = _flag("CERTIFICATE_STORAGE_SHARED", False)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", DEVELOPMENT_BASE_URL)

    LANGUAGES = ("en", "es", "vi")
    BABEL_DEFAULT_LOCALE = "en"
    #: The program's time zone: "today" (due dates, expiry, years, reports) is the date
    #: there, whatever the server's clock zone; dates and times are shown in it too.
    PROGRAM_TIMEZONE = os.environ.get("PROGRAM_TIMEZONE", "America/Chicago")
    BABEL_DEFAULT_TIMEZONE = PROGRAM_TIMEZONE
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "trainer" / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "20"))
    SESSION_MAX_HOURS = float(os.environ.get("SESSION_MAX_HOURS", "12"))
    REMEMBER_COOKIE_DURATION = 0
    #: Proxies in front of the app that set X-Forwarded-For (0: none, serve directly).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    STAFF_IMPORT_MAX_BYTES = int(os.environ.get("STAFF_IMPORT_MAX_BYTES", str(1024 * 1024)))
    #: Staff files with more rows than this are imported by a job with a progress page.
    STAFF_IMPORT_INLINE_ROWS = int(os.environ.get("STAFF_IMPORT_INLINE_ROWS", "200"))
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt:32768:8:1")
    TOKEN_MAX_AGE_SECONDS = int(os.environ.get("TOKEN_MAX_AGE_SECONDS", str(3 * 24 * 3600)))

    #: Redis for jobs (and, in production, rate limits). Where it does not answer, jobs
    #: run inline in the process that asks (development only: production refuses).
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "trainer")
    JOBS_REQUIRE_REDIS = False
    #: Where jobs leave the files they build (ZIPs, packages) for their owner to download.
    #: With more than one app host, this folder is shared by all of them and the workers.
    JOBS_RESULT_FOLDER = os.environ.get("JOBS_RESULT_FOLDER", str(INSTANCE_DIR / "job-results"))
    #: Days a job's file (and an uploaded staff file) is kept after the job ends.
    JOBS_RESULT_DAYS = int(os.environ.get("JOBS_RESULT_DAYS", "2"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per minute")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute")
    VERIFY_LIMIT = os.environ.get("VERIFY_LIMIT", "60 per minute")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", False)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "training@trainer.local")

    EMAIL_ALLOW_TEST_DOMAINS = _flag("EMAIL_ALLOW_TEST_DOMAINS", True)
    OUTCOMES_MAX_AGE_MINUTES = int(os.environ.get("OUTCOMES_MAX_AGE_MINUTES", "15"))
    DUE_SOON_DAYS = int(os.environ.get("DUE_SOON_DAYS", "30"))
    RENEWAL_LEAD_DAYS = int(os.environ.get("RENEWAL_LEAD_DAYS", "30"))
    # Who runs the program: named in the header, the footer and on every document.
    PROGRAM_NAME = os.environ.get("PROGRAM_NAME", "Houston Anti-Trafficking Training")
    #: The jurisdiction whose contacts the content preview shows first.
    PREVIEW_JURISDICTION = os.environ.get("PREVIEW_JURISDICTION", "houston-tx")
    PROGRAM_OFFICE = os.environ.get("PROGRAM_OFFICE", "Mayor's Office")
    PROGRAM_CITY = os.environ.get("PROGRAM_CITY", "City of Houston")
    # The certificate's issuer block: a seal (SVG or PNG file; empty: the neutral seal
    # shipped in trainer/static/img/seal.svg) and, when a name is given, the signatory.
    CERTIFICATE_SEAL = os.environ.get("CERTIFICATE_SEAL", "")
    CERTIFICATE_SIGNATORY_NAME = os.environ.get("CERTIFICATE_SIGNATORY_NAME", "")
    CERTIFICATE_SIGNATORY_TITLE = os.environ.get("CERTIFICATE_SIGNATORY_TITLE", "")

    #: Keys the audit log's event hashes (HMAC-SHA256); kept outside the database, so
    #: someone who can write to the database cannot recompute the chain.
    AUDIT_HMAC_KEY: str | None = os.environ.get("AUDIT_HMAC_KEY")
    #: Earlier keys, comma-separated, still accepted when verifying older events.
    AUDIT_HMAC_OLD_KEYS = [
        k for k in os.environ.get("AUDIT_HMAC_OLD_KEYS", "").split(",") if k.strip()
    ]
    #: Where signed checkpoints of the chain's head are appended (outside the database).
    AUDIT_CHECKPOINT_FILE = os.environ.get(
        "AUDIT_CHECKPOINT_FILE", str(INSTANCE_DIR / "audit-checkpoints.jsonl")
    )
    #: A checkpoint is written after every this many events (0: only on demand).
    AUDIT_CHECKPOINT_EVERY = int(os.environ.get("AUDIT_CHECKPOINT_EVERY", "100"))


class DevConfig(Config):
    """Local development: a secret key generated once and kept in the instance folder."""

    DEBUG = True

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            self.SECRET_KEY = _instance_secret("secret_key")
        if not self.AUDIT_HMAC_KEY:
            self.AUDIT_HMAC_KEY = _instance_secret("audit_key")


class TestConfig(Config):
    """The test suite: a throwaway SQLite file unless TEST_DATABASE_URL names another."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 - fast hashing for tests only
    WTF_CSRF_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = ""  # jobs inline; the tests that need Redis set it themselves
    MAIL_SERVER = ""
    AUDIT_HMAC_KEY = "test-audit-key-not-for-production"
    AUDIT_CHECKPOINT_EVERY = 0


class ProductionConfig(Config):
    """Production: refuses to start without its secrets or with per-process state."""

    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    EMAIL_ALLOW_TEST_DOMAINS = _flag("EMAIL_ALLOW_TEST_DOMAINS", False)
    # The README runs production behind one TLS-terminating proxy.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1"))
    JOBS_REQUIRE_REDIS = True
    # Rate limits are shared by every app host through Redis unless another store is named.
    RATELIMIT_STORAGE_URI = os.environ.get(
        "RATELIMIT_STORAGE_URI", os.environ.get("REDIS_URL", "memory://")
    )

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production (see README.md).")
        if self.PUBLIC_BASE_URL.rstrip("/") == DEVELOPMENT_BASE_URL:
            raise RuntimeError(
                "PUBLIC_BASE_URL must be the public address of the site in production: "
                f"certificates printed with {DEVELOPMENT_BASE_URL} could not be verified "
                "(see README.md)."
            )
        if not self.AUDIT_HMAC_KEY:
            raise RuntimeError("AUDIT_HMAC_KEY must be set in production (see README.md).")
        if self.CERTIFICATE_STORAGE != "database" and not self.CERTIFICATE_STORAGE_SHARED:
            raise RuntimeError(
                "CERTIFICATE_STORAGE names a folder: in production every app host and worker "
                "must see it; mount it on each and set CERTIFICATE_STORAGE_SHARED=1, or keep "
                "certificates in the database (see README.md)."
            )
        if self.RATELIMIT_STORAGE_URI.startswith("memory://"):
            raise RuntimeError(
                "RATELIMIT_STORAGE_URI must name a shared store such as redis://... in "
                "production: per-process counters let each worker grant its own attempts."
            )


def _instance_secret(name: str) -> str:
    """Return a development secret, creating it in the instance folder once."""
    path = INSTANCE_DIR / name
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


CONFIGS = {"development": DevConfig, "testing": TestConfig, "production": ProductionConfig}


def config_from_env() -> Config:
    """Pick the configuration named by TRAINER_ENV (development by default)."""
    name = os.environ.get("TRAINER_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"TRAINER_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]()
