"""Two app hosts (separate processes, ports and instance folders) and one job worker on
the same PostgreSQL and Redis, as production runs them: what one host does, the other
sees; a rate limit reached on one holds on the other; the worker renders certificates.

It drives the hosts over real HTTP and reaches the database only to set up people and
to let lessons' minimum times pass (as the other journeys do)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, select, text

from tests.support import journey
from tests.support.backends import ROOT, make_config, postgres_url
from tests.support.factory import PASSWORD, Factory
from tests.support.mailbox import free_port
from trainer import create_app
from trainer.certificates.models import Certificate
from trainer.extensions import db
from trainer.learning import services as learning

pytestmark = pytest.mark.postgres
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET = "two-hosts-" + secrets.token_hex(8)
AUDIT_KEY = "test-audit-key-not-for-production"  # the test configuration's key


class Host:
    """A test-client look-alike over HTTP, so the journey helpers drive a real host."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def get(self, path: str, follow_redirects: bool = False, **kw: Any) -> Any:
        return _Page(self.http.get(self.base + path, allow_redirects=follow_redirects, **kw))

    def post(self, path: str, data: Any = None, follow_redirects: bool = False) -> Any:
        return _Page(self.http.post(self.base + path, data=data, allow_redirects=follow_redirects))


class _Page:
    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.text = response.text
        self.data = response.content


@dataclass
class Cluster:
    a: str
    b: str
    database_url: str
    env: dict[str, str]


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{base} exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(base + "/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} did not answer:\n{log.read_text()[-3000:]}")


def _log(logs: list[Any], path: Path) -> Any:
    handle = path.open("wb")
    logs.append(handle)
    return handle


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    base_url = postgres_url()
    in_ci = os.environ.get("CI", "").lower() == "true"
    if base_url is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisDown as error:
        if in_ci:
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    name = f"two_hosts_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = base_url.rsplit("/", 1)[0] + "/" + name
    work = tmp_path_factory.mktemp("two-hosts")
    env = {
        **os.environ,
        "TRAINER_ENV": "development",
        "FLASK_APP": "trainer:create_app",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "AUDIT_HMAC_KEY": AUDIT_KEY,
        "AUDIT_CHECKPOINT_FILE": str(work / "checkpoints.jsonl"),
        "REDIS_URL": REDIS_URL,
        "JOBS_QUEUE": f"two-hosts-{secrets.token_hex(4)}",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "MAIL_SERVER": "",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
    }
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask"]
    for command in (["db", "upgrade"], ["content", "sync"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[Any] = []
    bases = []
    try:
        for label in ("a", "b"):
            port = free_port()
            log = work / f"host-{label}.log"
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    "1",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "trainer:create_app()",
                ],
                cwd=ROOT,
                env={**env, "INSTANCE_PATH": str(work / label)},
                stdout=_log(logs, log),
                stderr=subprocess.STDOUT,
            )
            processes.append(process)
            bases.append((f"http://127.0.0.1:{port}", process, log))
        worker_log = work / "worker.log"
        processes.append(
            subprocess.Popen(
                [*flask, "jobs", "worker"],
                cwd=ROOT,
                env=env,
                stdout=_log(logs, worker_log),
                stderr=subprocess.STDOUT,
            )
        )
        for base, process, log in bases:
            _wait_until_up(base, process, log)
        yield Cluster(bases[0][0], bases[1][0], database_url, env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for handle in logs:
            handle.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def local(cluster: Cluster) -> Iterator[Any]:
    """This process's view of the cluster's database (to set up people)."""
    app = create_app(make_config(cluster.database_url, SERVER_NAME=None))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _sign_in(host: Host, email: str, password: str = PASSWORD) -> Any:
    token = journey.csrf_token(host, "/auth/login")  # type: ignore[arg-type]
    return host.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    )


def test_a_rate_limit_reached_on_one_host_holds_on_the_other(cluster, local):
    make = Factory()
    email = f"limit-{secrets.token_hex(4)}@example.test"  # the limit's key: new each run
    person = make.user(make.org(name="Limit Inn"), role="manager", email=email)
    a, b = Host(cluster.a), Host(cluster.b)
    for _attempt in range(5):  # LOGIN_LIMIT_PER_ACCOUNT: 5 per minute
        assert _sign_in(a, person.email, "not the password").status_code == 200
    assert _sign_in(b, person.email, "not the password").status_code == 429
    assert _sign_in(b, person.email).status_code == 429  # even with the right password


def test_a_learner_finishes_on_one_host_and_the_certificate_verifies_on_the_other(cluster, local):
    make = Factory()
    learner = make.user(make.org(name="Two Hosts Hotel"), first_name="Lan", last_name="Pham")
    a = Host(cluster.a)
    assert _sign_in(a, learner.email).status_code == 302
    enrollment = learning.enrollments_of(learner)[0]
    for progress in enrollment.modules:
        journey.pass_module(a, progress.id, learner)  # type: ignore[arg-type]
    finished = time.monotonic()
    cert = None
    while time.monotonic() - finished < 60:  # the worker renders the PDF after the commit
        db.session.expire_all()
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == learner.id))
        if cert is not None and cert.pdf_sha256:
            break
        time.sleep(0.2)
    assert cert is not None and cert.pdf_sha256, "the worker did not render the certificate"
    print(f"certificate ready {time.monotonic() - finished:.2f} s after the last submit")
    page = Host(cluster.b).get(f"/verify/{cert.verification_code}")
    assert page.status_code == 200 and cert.serial in page.text
    record = requests.get(f"{cluster.b}/verify/{cert.verification_code}.json", timeout=10).json()
    assert record["status"] == "valid" and record["pdf_sha256"] == cert.pdf_sha256
    # the session cookie signed on host A is good on host B too (one SECRET_KEY)
    earned = a.http.get(f"{cluster.b}/certificates/earned/{cert.enrollment_id}", timeout=10)
    assert earned.status_code == 200 and re.search(r"/certificates/\d+/download", earned.text)
