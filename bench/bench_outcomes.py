"""Time the outcomes statistics and the outcomes page (benchmarks, not tests).

Goals: item analysis of 100,000 attempts x 20 items in at most 1 s, and the outcomes page
of a module version on the city-scale demo data in at most 500 ms.

1. Item analysis (no database). ``sparse_item_analysis`` on random forms: 100,000
   attempts, each drawing 10 of a 20-item bank, and each drawing 20 of a 40-item bank
   (both hold 100,000 x 20 marks); and on the complete 100,000 x 20 matrix that
   ``bench_statistics.py`` gives ``item_analysis``. Best of 5.

2. The page, through the whole Flask stack, signed in as an admin (every jurisdiction)
   and as a Houston auditor, on a throwaway database holding the generated city (never
   the test database), for example:

       export DATABASE_URL=sqlite:////tmp/outcomes_bench.sqlite3   # or postgresql://...
       .venv/bin/flask --app trainer:create_app db upgrade
       .venv/bin/flask --app trainer:create_app content sync
       .venv/bin/flask --app trainer:create_app demo generate --hotels 500 --staff 60

   then, with the same DATABASE_URL (the script runs ANALYZE first, as autovacuum would
   on a server, so the planner knows the tables' sizes):

       .venv/bin/python bench/bench_outcomes.py [--runs 7] [--statistics-only]

The script adds a bench admin and a bench auditor when they are missing, and times each
page twice: "computed" (OUTCOMES_MAX_AGE_MINUTES=0: every request reads every attempt,
as the first view of a selection or a recalculation does) and "saved" (the default 15
minutes: the figures computed by the first view are shown again). It prints the median
and best time per page, the number of SQL statements and the attempts analysed, and
exits with status 1 when a goal is missed (the page goal applies to what a viewer waits
for by default, the "saved" figures; the computed times are reported alongside).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.assessments.statistics import item_analysis, sparse_item_analysis  # noqa: E402

ATTEMPTS = 100_000
ITEM_GOAL_S = 1.0
PAGE_GOAL_MS = 500.0
ADMIN_EMAIL = "bench-admin@generated.test"
AUDITOR_EMAIL = "bench-auditor@generated.test"


def rasch(rng: np.random.Generator, attempts: int, items: int) -> np.ndarray:
    """One-mark answers from an ability/difficulty model."""
    ability = rng.normal(size=(attempts, 1))
    difficulty = np.linspace(-2.0, 2.0, items)[None, :]
    chance = 1.0 / (1.0 + np.exp(difficulty - ability))
    return (rng.random((attempts, items)) < chance).astype(np.float64)


def random_forms(bank: int, form: int, seed: int = 20240601) -> np.ndarray:
    """Marks of ``ATTEMPTS`` random forms of ``form`` items from a ``bank``; NaN = not drawn."""
    rng = np.random.default_rng(seed)
    marks = rasch(rng, ATTEMPTS, bank)
    not_drawn = np.argsort(rng.random((ATTEMPTS, bank)), axis=1)[:, form:]
    np.put_along_axis(marks, not_drawn, np.nan, axis=1)
    return marks


def best_of(runs: int, work: Callable[[], object]) -> float:
    """Best wall time of ``runs`` calls, in seconds."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def bench_statistics() -> bool:
    """Time the item analyses; True when every one meets the goal."""
    ok = True
    cases = [
        ("sparse_item_analysis, forms of 10 from 20 items", random_forms(20, 10), True),
        ("sparse_item_analysis, forms of 20 from 40 items", random_forms(40, 20), True),
        (
            "sparse_item_analysis, complete 20 items",
            rasch(np.random.default_rng(7), ATTEMPTS, 20),
            True,
        ),
        ("item_analysis, complete 20 items", rasch(np.random.default_rng(7), ATTEMPTS, 20), False),
    ]
    for label, marks, sparse in cases:
        analyse = sparse_item_analysis if sparse else item_analysis
        seconds = best_of(5, lambda m=marks, f=analyse: f(m))
        met = seconds <= ITEM_GOAL_S
        ok &= met
        print(
            f"{label}: {ATTEMPTS} attempts, best of 5 = {seconds:.3f} s {'ok' if met else 'SLOW'}"
        )
    return ok


def bench_page(runs: int) -> bool:
    """Time the outcomes pages on the database at DATABASE_URL."""
    from sqlalchemy import event, func, select, text

    from config import Config
    from trainer import create_app
    from trainer.assessments.models import Attempt
    from trainer.auth.models import Role, User
    from trainer.auth.services import hash_password
    from trainer.catalog.models import Module
    from trainer.demo.services import DEMO_PASSWORD
    from trainer.extensions import db

    class BenchConfig(Config):
        """Production-like settings without HTTPS-only cookies (the client speaks HTTP)."""

        SECRET_KEY = "bench-secret-key"
        DEBUG = False
        TESTING = False
        RATELIMIT_ENABLED = False

    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL to the generated city's database (see the docstring)")
    app = create_app(BenchConfig)
    with app.app_context():
        for email, role, jurisdiction in (
            (ADMIN_EMAIL, Role.ADMIN, None),
            (AUDITOR_EMAIL, Role.AUDITOR, "houston-tx"),
        ):
            if db.session.scalar(select(User.id).where(User.email == email)) is None:
                db.session.add(
                    User(
                        email=email,
                        first_name="Bench",
                        last_name=role.value,
                        role=role.value,
                        jurisdiction=jurisdiction,
                        password_hash=hash_password(DEMO_PASSWORD),
                    )
                )
        db.session.commit()
        versions = db.session.execute(
            select(Module.slug, Module.current_version_id)
            .where(Module.current_version_id.is_not(None))
            .order_by(Module.slug)
        ).all()
        attempts = dict(
            db.session.execute(
                select(Attempt.module_version_id, func.count(Attempt.id)).group_by(
                    Attempt.module_version_id
                )
            ).all()
        )
        engine = db.engine
        # A freshly generated database has no planner statistics yet (autovacuum would
        # gather them within minutes); without them PostgreSQL picks nested loops that
        # take a minute. Gather them now, as the server would.
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    busiest = sorted(versions, key=lambda v: attempts.get(v.current_version_id, 0), reverse=True)
    busiest = [v for v in busiest if attempts.get(v.current_version_id, 0)][:2]
    if not busiest:
        raise SystemExit("no attempts: run `flask demo generate` first")
    print(f"database: {engine.url.render_as_string(hide_password=True)}")

    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    ok = True
    for email in (ADMIN_EMAIL, AUDITOR_EMAIL):
        client = app.test_client()
        login = client.get("/auth/login")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login.text)
        response = client.post(
            "/auth/login",
            data={
                "email": email,
                "password": DEMO_PASSWORD,
                "csrf_token": token.group(1) if token else "",
            },
        )
        if response.status_code != 302:
            raise SystemExit(f"could not sign in as {email}")
        pages = [
            (
                f"{slug} ({attempts.get(version_id, 0)} attempts)",
                f"/outcomes/{version_id}",
            )
            for slug, version_id in busiest
        ]
        slug, version_id = busiest[0]
        pages += [
            (f"{slug}, pre-tests", f"/outcomes/{version_id}?kind=pre"),
            (f"{slug}, Spanish", f"/outcomes/{version_id}?language=es"),
            (f"{slug}, CSV of the item table", f"/outcomes/{version_id}/export?figure=items"),
            ("index", "/outcomes/"),
            ("partners' summary", "/outcomes/summary"),
        ]
        for mode, max_age in (("computed", 0), ("saved", 15)):
            app.config["OUTCOMES_MAX_AGE_MINUTES"] = max_age
            for label, url in pages:
                if mode == "saved":
                    client.get(url)  # the first view computes and saves the figures
                timings = []
                for _ in range(runs):
                    statements = 0
                    start = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(f"{url}: HTTP {response.status_code}")
                median = statistics.median(timings)
                goal = (
                    mode == "saved"
                    and url.startswith(f"/outcomes/{version_id}")
                    and "export" not in url
                )
                met = median <= PAGE_GOAL_MS or not goal
                ok &= met
                analysed = re.search(
                    r'data-row="attempts".*?data-key="value"[^>]*>([\d,]+)<', response.text, re.S
                )
                extra = f", {analysed.group(1)} attempts analysed" if analysed else ""
                verdict = ("ok" if met else "SLOW") if goal else "(no goal)"
                print(
                    f"{email.split('@')[0]:13} {mode:8} {label:40} median {median:7.1f} ms, "
                    f"best {min(timings):7.1f} ms, {statements} statements{extra} {verdict}"
                )
    event.remove(engine, "before_cursor_execute", count)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--statistics-only", action="store_true")
    args = parser.parse_args()
    ok = bench_statistics()
    if not args.statistics_only:
        ok &= bench_page(args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
