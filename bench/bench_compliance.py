"""Time the compliance pages on a generated city, through the whole Flask stack.

Goals: the manager's dashboard at most 150 ms, the city (auditor) view at most 300 ms,
and the CSV export of every staff member of the jurisdiction (30,000 for 500 hotels of
60) at most 3 s, streamed, with memory that stays flat as rows go out.

Prepare a throwaway database first (never the test database), for example:

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3     # or postgresql://.../bench
    .venv/bin/flask --app trainer:create_app db upgrade
    .venv/bin/flask --app trainer:create_app content sync
    .venv/bin/flask --app trainer:create_app demo generate --hotels 500 --staff 60

then run, with the same DATABASE_URL:

    .venv/bin/python bench/bench_compliance.py [--runs 15]

The script adds one auditor account (bench-auditor@generated.test) when it is missing,
signs in through the login form, and prints medians, the number of SQL statements per
page, and the memory traced while the CSV streams. It exits with status 1 when a goal
is missed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from config import Config  # noqa: E402
from trainer import create_app  # noqa: E402
from trainer.auth.models import Role, User  # noqa: E402
from trainer.auth.services import hash_password  # noqa: E402
from trainer.demo.services import DEMO_PASSWORD  # noqa: E402
from trainer.extensions import db  # noqa: E402
from trainer.orgs.models import Organization  # noqa: E402

AUDITOR_EMAIL = "bench-auditor@generated.test"
GOALS_MS = {"manager dashboard": 150.0, "auditor view": 300.0, "staff CSV export": 3000.0}


class BenchConfig(Config):
    """Production-like settings without HTTPS-only cookies (the test client speaks HTTP)."""

    SECRET_KEY = "bench-secret-key"
    DEBUG = False
    TESTING = False
    RATELIMIT_ENABLED = False


def accounts(app: Flask) -> tuple[str, str, int]:
    """A generated Houston manager's email, the bench auditor's, and the staff count."""
    with app.app_context():
        manager = db.session.scalar(
            select(User.email)
            .join(Organization, Organization.id == User.organization_id)
            .where(
                User.role == Role.MANAGER.value,
                User.email.like("manager@hotel%.generated.test"),
                Organization.jurisdiction == "houston-tx",
            )
            .order_by(User.id)
            .limit(1)
        )
        if manager is None:
            raise SystemExit("no generated hotels: run `flask demo generate` first")
        if db.session.scalar(select(User.id).where(User.email == AUDITOR_EMAIL)) is None:
            db.session.add(
                User(
                    email=AUDITOR_EMAIL,
                    first_name="Bench",
                    last_name="Auditor",
                    role=Role.AUDITOR.value,
                    jurisdiction="houston-tx",
                    password_hash=hash_password(DEMO_PASSWORD),
                )
            )
            db.session.commit()
        staff = db.session.scalar(
            select(func.count(User.id))
            .join(Organization, Organization.id == User.organization_id)
            .where(
                Organization.jurisdiction == "houston-tx",
                User.active.is_(True),
                User.role.in_((Role.LEARNER.value, Role.MANAGER.value)),
            )
        )
        return manager, AUDITOR_EMAIL, staff or 0


def sign_in(client: FlaskClient, email: str) -> None:
    page = client.get("/auth/login")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
    if token is None:
        token = re.search(
            r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page.text
        )
    assert token, "no CSRF token on the login page"
    response = client.post(
        "/auth/login",
        data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302, f"sign-in of {email} failed ({response.status_code})"


class Statements:
    """Counts the SQL statements the engine runs."""

    def __init__(self, app: Flask) -> None:
        self.count = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self.tick)

    def tick(self, *args: object) -> None:
        self.count += 1


def time_page(
    client: FlaskClient, url: str, runs: int, statements: Statements
) -> tuple[list[float], int]:
    """Milliseconds per full request (body read), after two warm-up requests."""
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    timings = []
    before = statements.count
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        _ = response.data
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return timings, (statements.count - before) // runs


def stream_csv(
    client: FlaskClient, url: str, on_chunk: Callable[[int], None] | None = None
) -> tuple[float, int]:
    """Read a streamed CSV chunk by chunk; milliseconds and data lines."""
    start = time.perf_counter()
    response = client.get(url, buffered=False)
    assert response.status_code == 200, url
    lines = 0
    for chunk in response.response:
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        if on_chunk is not None:
            on_chunk(lines)
    response.close()
    return (time.perf_counter() - start) * 1000, lines - 1


def memory_profile(client: FlaskClient, url: str, total: int) -> list[tuple[int, float]]:
    """Traced memory peak (MB) after about 10 %, 25 %, 50 %, 75 % and 100 % of the rows."""
    marks = [int(total * share) for share in (0.1, 0.25, 0.5, 0.75)]
    seen: list[tuple[int, float]] = []

    def check(lines: int) -> None:
        while marks and lines >= marks[0]:
            marks.pop(0)
            seen.append((lines, tracemalloc.get_traced_memory()[1] / 1e6))

    tracemalloc.start()
    _ms, lines = stream_csv(client, url, check)
    seen.append((lines, tracemalloc.get_traced_memory()[1] / 1e6))
    tracemalloc.stop()
    return seen


def report(name: str, timings: list[float], statements: int | None = None) -> bool:
    median = statistics.median(timings)
    goal = GOALS_MS[name]
    extra = f", {statements} SQL statements" if statements is not None else ""
    verdict = "ok" if median <= goal else "MISSED"
    print(
        f"{name}: median {median:.0f} ms, min {min(timings):.0f} ms, max {max(timings):.0f} ms"
        f" (goal <= {goal:.0f} ms: {verdict}){extra}"
    )
    return median <= goal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--csv-runs", type=int, default=3)
    args = parser.parse_args()

    app = create_app(BenchConfig)
    with app.app_context():
        print(f"database: {db.engine.dialect.name} ({db.engine.url.render_as_string()})")
    manager_email, auditor_email, staff = accounts(app)
    statements = Statements(app)
    ok = True

    manager = app.test_client()
    sign_in(manager, manager_email)
    timings, per_page = time_page(manager, "/compliance/", args.runs, statements)
    ok &= report("manager dashboard", timings, per_page)

    auditor = app.test_client()
    sign_in(auditor, auditor_email)
    timings, per_page = time_page(auditor, "/compliance/city", args.runs, statements)
    ok &= report("auditor view", timings, per_page)

    url = "/compliance/city/staff.csv"
    stream_csv(auditor, url)  # warm-up
    runs = [stream_csv(auditor, url) for _ in range(args.csv_runs)]
    rows = runs[-1][1]
    print(f"staff CSV export: {rows} rows (staff in the jurisdiction: {staff})")
    ok &= report("staff CSV export", [ms for ms, _ in runs])
    profile = memory_profile(auditor, url, rows)
    print(
        "staff CSV export memory (traced peak): "
        + ", ".join(f"{mb:.1f} MB after {lines} rows" for lines, mb in profile)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
