"""The learner's module page, the verify page and the manager's dashboard, each against a
bare Flask page, with the SQL statements each page runs, on one or more generated databases.

Each page is requested N times through the Flask test client (the whole stack: sessions,
CSRF, policy, templates, the database) and timed; in the same run, a bare Flask app renders
a 10-row table template. The ratio page / bare page says how much the stack costs beyond
Flask itself, on this machine, at this moment. SQL statements are counted with an
SQLAlchemy event; on two databases of different sizes the counts should be the same.

Prepare databases as for bench_compliance.py (`flask demo generate --hotels N`), then:

    .venv/bin/python bench/bench_pages.py --runs 50 \\
        --databases postgresql://postgres@127.0.0.1:5432/load500,postgresql://...

Without --databases, DATABASE_URL is used. The script issues an access code to one
generated learner who is part-way through a module (audited, as the service does).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, render_template  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from jinja2 import DictLoader  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from config import Config  # noqa: E402
from trainer import create_app  # noqa: E402
from trainer.auth import services as auth  # noqa: E402
from trainer.auth.models import Role, User  # noqa: E402
from trainer.certificates.models import Certificate  # noqa: E402
from trainer.demo.services import DEMO_PASSWORD  # noqa: E402
from trainer.extensions import db  # noqa: E402
from trainer.learning.models import Enrollment, ModuleProgress  # noqa: E402
from trainer.orgs.models import Organization  # noqa: E402

BARE_TEMPLATE = """<!doctype html><html lang="en"><head><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><table><thead><tr><th>Name</th><th>Status</th><th>Due</th></tr>
</thead><tbody>{% for row in rows %}<tr><td>{{ row.name }}</td><td>{{ row.status }}</td>
<td>{{ row.due }}</td></tr>{% endfor %}</tbody></table></body></html>"""


class BenchConfig(Config):
    """Production-like settings over plain HTTP (the test client), without rate limits."""

    SECRET_KEY = "bench-pages-secret-key"
    AUDIT_HMAC_KEY = "bench-pages-audit-key"
    AUDIT_CHECKPOINT_EVERY = 0
    DEBUG = False
    TESTING = False
    RATELIMIT_ENABLED = False


def bare_app() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"staff.html": BARE_TEMPLATE})  # type: ignore[assignment]

    @app.get("/")
    def page() -> str:
        rows = [
            {"name": f"Person {n}", "status": "due soon", "due": "2027-01-31"} for n in range(10)
        ]
        return render_template("staff.html", title="Staff", rows=rows)

    return app


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html)
    assert match, "no CSRF token"
    return match.group(1)


def subjects(app: Flask) -> dict[str, str]:
    """A part-way learner's code and module page, a certificate code, a manager's email."""
    with app.app_context():
        learner, progress_id, org_id = db.session.execute(
            select(User, ModuleProgress.id, User.organization_id)
            .join(Enrollment, Enrollment.user_id == User.id)
            .join(ModuleProgress, ModuleProgress.enrollment_id == Enrollment.id)
            .join(Organization, Organization.id == User.organization_id)
            .where(
                Organization.jurisdiction == "houston-tx",
                User.role == Role.LEARNER.value,
                User.active.is_(True),
                Enrollment.completed_at.is_(None),
                ModuleProgress.started_at.is_not(None),
                ModuleProgress.passed_at.is_(None),
            )
            .order_by(User.id)
            .limit(1)
        ).one()
        manager = db.session.scalar(
            select(User).where(User.organization_id == org_id, User.role == Role.MANAGER.value)
        )
        code = auth.issue_access_code(learner, actor=manager)
        certificate = db.session.scalar(
            select(Certificate.verification_code).order_by(Certificate.id.desc()).limit(1)
        )
        hotels = db.session.scalar(select(func.count(Organization.id)))
        db.session.commit()
        return {
            "code": code,
            "module": f"/learn/m/{progress_id}",
            "verify": f"/verify/{certificate}",
            "manager": manager.email,
            "hotels": str(hotels),
        }


def signed_in(app: Flask, path: str, data: dict[str, str]) -> FlaskClient:
    client = app.test_client()
    data = {**data, "csrf_token": _token(client.get(path).text)}
    assert client.post(path, data=data).status_code == 302, f"sign-in at {path} failed"
    return client


def measure(client: FlaskClient, url: str, runs: int, counter: list[int]) -> dict[str, float]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    timings = []
    before = counter[0]
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        _ = response.data
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))],
        "statements": (counter[0] - before) / runs,
    }


def one(runs: int) -> dict[str, object]:
    """Measure on the database DATABASE_URL names (called once per database)."""
    app = create_app(BenchConfig)
    found = subjects(app)
    counter = [0]
    with app.app_context():
        event.listen(
            db.engine, "before_cursor_execute", lambda *a: counter.__setitem__(0, counter[0] + 1)
        )
    learner = signed_in(app, "/auth/code", {"code": found["code"]})
    manager = signed_in(app, "/auth/login", {"email": found["manager"], "password": DEMO_PASSWORD})
    public = app.test_client()
    bare = bare_app().test_client()
    pages = {}
    # Interleave the bare page with each page, so both see the same machine load.
    for name, client, url in (
        ("learner module page", learner, found["module"]),
        ("verify page", public, found["verify"]),
        ("manager dashboard", manager, "/compliance/"),
    ):
        pages[name] = measure(client, url, runs, counter)
        pages[f"bare page (beside {name})"] = measure(bare, "/", runs, [0])
    return {"hotels": found["hotels"], "pages": pages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--databases", default="", help="Comma-separated database URLs.")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.runs)))
        return 0
    urls = [u for u in args.databases.split(",") if u] or [os.environ.get("DATABASE_URL", "")]
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load average at start: {load}; {args.runs} runs per page")
    counts: dict[str, set[float]] = {}
    for url in urls:
        out = subprocess.run(
            [sys.executable, __file__, "--one", "--runs", str(args.runs)],
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"\n{url.rsplit('/', 1)[-1]}: {result['hotels']} organizations")
        print("| page | median ms | p95 ms | x bare (median) | x bare (p95) | SQL statements |")
        print("|---|---:|---:|---:|---:|---:|")
        pages = result["pages"]
        for name, figures in pages.items():
            if name.startswith("bare"):
                continue
            bare = pages[f"bare page (beside {name})"]
            counts.setdefault(name, set()).add(figures["statements"])
            print(
                f"| {name} | {figures['median']:.1f} | {figures['p95']:.1f} "
                f"| {figures['median'] / bare['median']:.0f} | {figures['p95'] / bare['p95']:.0f} "
                f"| {figures['statements']:g} |"
            )
        bares = [f for n, f in pages.items() if n.startswith("bare")]
        print(
            f"| bare Flask page, 10 rows | {statistics.median(b['median'] for b in bares):.2f} "
            f"| {statistics.median(b['p95'] for b in bares):.2f} | 1 | 1 | 0 |"
        )
    if len(urls) > 1:
        steady = all(len(values) == 1 for values in counts.values())
        print(f"\nSQL statements per page the same on every database: {'yes' if steady else 'NO'}")
        return 0 if steady else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
