"""The deadline rush, as Locust plays it (run by run.py; see README.md).

Three kinds of people, in the proportions of a rush week:
- learners (weight 8): sign in with their access code, open each module, take the
  pre-test (each answer autosaved as given, then submitted), read and complete every
  lesson, take the post-test and, after the last module, open their certificate page;
  each simulated learner then takes the next prepared account;
- managers (weight 1): sign in with their password and open their dashboard, again and
  again;
- the public (weight 1): open certificate verification pages.

Accounts come from the file prepare.py writes (BENCH_ACCOUNTS). Request names group
the statistics per request type.
"""

from __future__ import annotations

import json
import os
import random
import re
from itertools import count
from typing import Any

import gevent
from locust import HttpUser, between, task
from locust.exception import StopUser

DATA: dict[str, Any] = json.loads(open(os.environ["BENCH_ACCOUNTS"]).read())  # noqa: SIM115
NEXT_LEARNER = count()
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
ATTEMPT_URL = re.compile(r"/learn/attempt/(\d+)")
FIELD = re.compile(r'name="q:([^"]+)"')


def csrf(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise StopUser("no CSRF token on the page")
    return match.group(1)


def think(low: float = 0.5, high: float = 2.0) -> None:
    gevent.sleep(random.uniform(low, high))


class Learner(HttpUser):
    """A learner finishing their track before the deadline."""

    weight = 8
    wait_time = between(1, 3)

    def get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                raise StopUser()
            return response.text

    def post(self, url: str, data: dict[str, Any], name: str, expect: int = 302) -> str:
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"status {response.status_code}")
                raise StopUser()
            return response.headers.get("Location", "")

    def test(self, start_url: str, token: str, kind: str, completes: bool = False) -> None:
        where = self.post(start_url, {"csrf_token": token}, f"learner: start {kind}-test")
        page = self.get(where, f"learner: {kind}-test page")
        attempt = ATTEMPT_URL.search(where)
        assert attempt is not None
        token = csrf(page)
        keys = list(dict.fromkeys(FIELD.findall(page)))
        answers = DATA["answers"]
        for key in keys:
            think(0.5, 2.0)
            self.post(
                f"/learn/attempt/{attempt.group(1)}/answer",
                {"csrf_token": token, "question": key, "answer": answers[key]},
                "learner: autosave answer",
                expect=200,
            )
        form: dict[str, Any] = {"csrf_token": token, "action": "submit"}
        for key in keys:
            form[f"q:{key}"] = answers[key]
        name = "learner: submit post-test, completing the track" if completes else None
        where = self.post(
            f"/learn/attempt/{attempt.group(1)}", form, name or f"learner: submit {kind}-test"
        )
        self.get(where, f"learner: {kind}-test result")

    @task
    def finish_track(self) -> None:
        number = next(NEXT_LEARNER)
        if number >= len(DATA["learners"]):
            think(5, 10)  # every prepared account is used: idle
            return
        account = DATA["learners"][number]
        token = csrf(self.get("/auth/code", "learner: sign-in page"))
        self.post("/auth/code", {"csrf_token": token, "code": account["code"]}, "learner: sign in")
        self.get("/learn/", "learner: home")
        modules = account["modules"]
        for index, module in enumerate(modules):
            base = f"/learn/m/{module['progress_id']}"
            page = self.get(base, "learner: module page")
            think()
            self.test(f"{base}/pre", csrf(page), "pre")
            for lesson in module["lessons"]:
                page = self.get(f"{base}/lesson/{lesson}", "learner: lesson")
                think(1, 3)
                self.post(
                    f"{base}/lesson/{lesson}", {"csrf_token": csrf(page)}, "learner: lesson done"
                )
            if module["attest"]:
                page = self.get(f"{base}/attest", "learner: attestation page")
                self.post(
                    f"{base}/attest",
                    {"csrf_token": csrf(page), "confirm": "yes"},
                    "learner: attest",
                )
            page = self.get(base, "learner: module page")
            self.test(f"{base}/post", csrf(page), "post", completes=index == len(modules) - 1)
        self.get(f"/certificates/earned/{account['enrollment_id']}", "learner: certificate page")
        page = self.get("/learn/", "learner: home")
        self.post("/auth/logout", {"csrf_token": csrf(page)}, "learner: sign out")


class Manager(HttpUser):
    """A hotel manager checking who is still due."""

    weight = 1
    wait_time = between(2, 6)

    def on_start(self) -> None:
        email = random.choice(DATA["managers"])
        page = self.client.get("/auth/login", name="manager: sign-in page")
        self.client.post(
            "/auth/login",
            data={"csrf_token": csrf(page.text), "email": email, "password": DATA["password"]},
            name="manager: sign in",
            allow_redirects=False,
        )

    @task
    def dashboard(self) -> None:
        self.client.get("/compliance/", name="manager: dashboard")


class Public(HttpUser):
    """Someone checking a certificate (an employer, an inspector)."""

    weight = 1
    wait_time = between(1, 4)

    @task
    def verify(self) -> None:
        code = random.choice(DATA["verification_codes"])
        self.client.get(f"/verify/{code}", name="public: verify certificate")
