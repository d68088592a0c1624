"""Play the deadline rush at 50, 100 and 200 simulated people and tabulate the results.

For each number of users: prepare fresh learner accounts (prepare.py), start gunicorn
(2 sync workers, loopback only) and, when the installed app has `flask jobs worker`, one
job worker; run Locust headless for a bounded time; stop everything it started. The table
(requests, throughput, failures, p50/p95/p99 per request type) goes to stdout and to
bench/results/load-<time>.md. See README.md.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/load500 \\
        .venv/bin/python bench/load/run.py [--users 50,100,200] [--duration 120]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the app did not answer on {url}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _has_jobs_worker(env: dict[str, str]) -> bool:
    check = subprocess.run(
        [str(BIN / "flask"), "jobs", "worker", "--help"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    return check.returncode == 0


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def profile_summary(raw: Path, top: int = 20) -> str:
    """The app's own functions (and the database driver's waits) by share of samples."""
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        frames = {
            re.sub(r":\d+\)$", ")", frame)  # per function, not per line
            for frame in stack.split(";")
            if "trainer/" in frame or "psycopg/connection.py" in frame
        }
        for frame in frames:
            inclusive[frame] += int(count)
    lines = [f"py-spy: {total} samples; share of samples with the function on the stack:"]
    for frame, count in inclusive.most_common(top):
        lines.append(f"  {100 * count / max(total, 1):5.1f} %  {frame}")
    return "\n".join(lines) + "\n"


def run_level(
    users: int, duration: int, port: int, env: dict[str, str], stamp: str, profile: bool
) -> tuple[Path, Path | None]:
    accounts = RESULTS / f"accounts-{stamp}-{users}.json"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "prepare.py"),
            "--learners",
            str(max(50, users * 3)),
            "--out",
            str(accounts),
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--pythonpath",
                    str(HERE),
                    "--log-level",
                    "warning",
                    "benchapp:app",
                ],
                env=env,
                cwd=ROOT,
            )
        )
        if _has_jobs_worker(env):
            started.append(
                subprocess.Popen([str(BIN / "flask"), "jobs", "worker"], env=env, cwd=ROOT)
            )
        else:
            print("run: no `flask jobs worker` in this app: running without a job worker")
        _wait_for(f"http://127.0.0.1:{port}/auth/login")
        prefix = RESULTS / f"locust-{stamp}-{users}"
        raw = None
        if profile:
            raw = RESULTS / f"py-spy-{stamp}-{users}.txt"
            started.append(
                subprocess.Popen(
                    [
                        str(BIN / "py-spy"),
                        "record",
                        "--subprocesses",
                        "--pid",
                        str(started[0].pid),
                        "--format",
                        "raw",
                        "--output",
                        str(raw),
                        "--duration",
                        str(duration),
                        "--rate",
                        "50",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--host",
                f"http://127.0.0.1:{port}",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(1, users // 10)),
                "--run-time",
                f"{duration}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**env, "BENCH_ACCOUNTS": str(accounts)},
            cwd=ROOT,
            check=False,
        )
        if raw is not None:
            started[-1].wait(timeout=60)
        return Path(f"{prefix}_stats.csv"), raw
    finally:
        for process in reversed(started):
            _stop(process)


def table(stats: Path, users: int, duration: int, load: str) -> str:
    lines = [
        f"### {users} users, {duration} s (load average at start: {load})",
        "",
        "| request | count | fail | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    with stats.open() as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda r: (r["Name"] == "Aggregated", r["Name"]))
    for row in rows:
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} "
            f"| {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="Deadline-rush load test (see README.md).")
    parser.add_argument("--users", default="50,100,200")
    parser.add_argument("--duration", type=int, default=120, help="Seconds per level.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--profile", action="store_true", help="Sample the app's workers with py-spy."
    )
    args = parser.parse_args()
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database with generated data")
    env = {**os.environ, "FLASK_APP": "bench.load.benchapp:app", "PYTHONPATH": str(ROOT)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    report = [f"## Deadline rush, {stamp} UTC, {database.rsplit('/', 1)[-1]}", ""]
    for users in (int(u) for u in args.users.split(",")):
        load = _load()
        stats, raw = run_level(users, args.duration, args.port, env, stamp, args.profile)
        section = table(stats, users, args.duration, load)
        if raw is not None and raw.exists():
            section += "\n```\n" + profile_summary(raw) + "```\n"
        print(section, flush=True)
        report.append(section)
    out = RESULTS / f"load-{stamp}.md"
    out.write_text("\n".join(report))
    print(f"run: written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
