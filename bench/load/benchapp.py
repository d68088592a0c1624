"""The application as the load test serves it: `gunicorn benchapp:app` (see README.md).

Production-like (no debug, real password hashing) but over plain HTTP on the loopback
interface, with the sign-in and verification rate limits raised, since every simulated
person comes from 127.0.0.1. Rate limits are kept in Redis when REDIS_URL answers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from config import Config  # noqa: E402
from trainer import create_app  # noqa: E402

#: Shared by the preparation step (access codes are keyed digests) and the served app.
SECRET = os.environ.get("BENCH_SECRET_KEY", "bench-load-secret-key")


class BenchConfig(Config):
    """Production-like settings for a loopback load test."""

    DEBUG = False
    TESTING = False
    SECRET_KEY = SECRET
    AUDIT_HMAC_KEY = SECRET + "-audit"
    AUDIT_CHECKPOINT_EVERY = 0
    LOGIN_LIMIT_PER_ADDRESS = "100000 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "1000 per minute"
    VERIFY_LIMIT = "100000 per minute"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    MAIL_SERVER = ""


app = create_app(BenchConfig)
