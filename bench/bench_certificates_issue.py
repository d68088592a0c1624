"""Benchmark: issuing certificates end to end, and download throughput of stored PDFs.

Run from the repository root (it makes its own throwaway databases):

    .venv/bin/python bench/bench_certificates_issue.py [--certificates 30] [--downloads 300]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

For each database it creates learners who completed the hotel track, times
`issue_for_enrollment` (serial, rule lookup, render, store, audit) per certificate, then
times downloads of the stored PDFs through the app (`GET /certificates/<id>/download` as
the learner), and prints medians and throughput.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from config import TestConfig  # noqa: E402
from trainer import create_app  # noqa: E402
from trainer.auth.models import User  # noqa: E402
from trainer.auth.services import hash_password  # noqa: E402
from trainer.catalog.services import sync_content  # noqa: E402
from trainer.certificates import services as certificates  # noqa: E402
from trainer.demo.services import complete_open_tracks  # noqa: E402
from trainer.extensions import db  # noqa: E402
from trainer.learning import services as learning  # noqa: E402
from trainer.orgs import services as org_services  # noqa: E402
from trainer.orgs.models import Organization  # noqa: E402


def _config(url: str) -> type[TestConfig]:
    return type(
        "BenchConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": url, "MODULES_DIR": str(ROOT / "modules")},
    )


def _run(url: str, label: str, n_certs: int, n_downloads: int) -> None:
    app = create_app(_config(url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        sync_content(Path(app.config["MODULES_DIR"]))
        org = Organization(
            kind="hotel", name="Bench Hotel", address="1 Main", jurisdiction="houston-tx"
        )
        db.session.add(org)
        db.session.flush()
        password = hash_password("bench password")
        users = []
        for i in range(n_certs):
            user = User(
                email=f"bench{i}@example.test",
                first_name=f"Bench{i}",
                last_name="Learner",
                organization_id=org.id,
                job_role="front_desk",
                password_hash=password,
            )
            user.organization = org
            db.session.add(user)
            db.session.flush()
            org_services.STAFF_ADDED.emit(user)
            users.append(user)
        db.session.commit()
        # complete the tracks, but take the issuing hook out to time it on its own
        hooks = learning.TRACK_COMPLETED.subscribers
        for hook in hooks:
            learning.TRACK_COMPLETED.disconnect(hook)
        for user in users:
            complete_open_tracks(user)
        db.session.commit()
        for hook in hooks:
            learning.TRACK_COMPLETED.connect(hook)
        issue_times = []
        certs = []
        for user in users:
            enrollment = learning.enrollments_of(user)[0]
            start = time.perf_counter()
            certs.append(certificates.issue_for_enrollment(enrollment))
            db.session.commit()
            issue_times.append(time.perf_counter() - start)
        cert_ids = [(c.id, c.user_id) for c in certs]
        emails = {u.id: u.email for u in users}
    client = app.test_client()
    first_user = cert_ids[0][1]
    token_page = client.get("/auth/login")
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page.text).group(1)
    client.post(
        "/auth/login",
        data={"email": emails[first_user], "password": "bench password", "csrf_token": token},
    )
    own = next(cid for cid, uid in cert_ids if uid == first_user)
    start = time.perf_counter()
    size = 0
    for _ in range(n_downloads):
        response = client.get(f"/certificates/{own}/download")
        size += len(response.data)
        response.close()
    elapsed = time.perf_counter() - start
    print(
        f"{label}: issue median {statistics.median(issue_times) * 1000:.0f} ms "
        f"(p90 {sorted(issue_times)[int(len(issue_times) * 0.9) - 1] * 1000:.0f} ms, n={n_certs}); "
        f"downloads {n_downloads / elapsed:.0f}/s ({size / elapsed / 1e6:.1f} MB/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--certificates", type=int, default=30)
    parser.add_argument("--downloads", type=int, default=300)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _run(f"sqlite:///{folder}/bench.sqlite3", "sqlite", args.certificates, args.downloads)
    admin = create_engine(args.postgres.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("DROP DATABASE IF EXISTS bench_certificates"))
            conn.execute(text("CREATE DATABASE bench_certificates"))
    except Exception as exc:
        print(f"postgresql: skipped ({exc.__class__.__name__})")
        return
    url = args.postgres.rsplit("/", 1)[0] + "/bench_certificates"
    _run(
        url.replace("postgresql://", "postgresql+psycopg://"),
        "postgresql",
        args.certificates,
        args.downloads,
    )


if __name__ == "__main__":
    main()
