"""Fixtures of the outcomes tests: six learners with known pre-test and post-test scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.outcomes.builders import (
    add_attempt,
    add_lessons,
    bank_ids,
    intro_version,
    progress_of,
    scores,
)
from trainer.extensions import db

# name: (pre %, [post % per attempt], language, job role, lesson seconds)
LEARNERS: dict[str, tuple[int, list[int], str, str, list[int]]] = {
    "A": (40, [80], "en", "front_desk", [600, 300]),
    "B": (50, [70, 90], "en", "front_desk", [600, 300]),
    "C": (60, [60, 70, 80], "en", "housekeeping", [600, 300]),
    "D": (20, [90], "es", "housekeeping", [1200, 600]),
    "E": (100, [90], "en", "front_desk", [600, 300]),
    "F": (30, [50], "es", "housekeeping", [600, 300]),
}


@dataclass
class Six:
    version: Any
    org: Any
    users: dict[str, Any]
    progress: dict[str, Any]


@pytest.fixture
def six(app, make) -> Six:
    """Six learners of one Houston hotel on the intro module, with known scores.

    Each attempt has 10 items; post-test attempts draw different items (random forms).
    """
    version = intro_version()
    org = make.org(name="Hotel Six")
    pre_items = bank_ids(version, "pre")[:10]
    post_bank = bank_ids(version, "post")
    users, progress = {}, {}
    for index, (name, (pre, posts, language, job_role, lessons)) in enumerate(LEARNERS.items()):
        user = make.user(org, first_name=name, job_role=job_role, language=language)
        run = progress_of(user, version)
        add_attempt(run, "pre", 1, scores(pre_items, pre // 10), language=language)
        for number, post in enumerate(posts, start=1):
            offset = (index * 3 + number * 5) % (len(post_bank) - 10)
            items = post_bank[offset : offset + 10]
            add_attempt(run, "post", number, scores(items, post // 10), language=language)
        add_lessons(run, lessons)
        users[name], progress[name] = user, run
    db.session.commit()
    return Six(version, org, users, progress)


@pytest.fixture(autouse=True)
def fresh_figures(request):
    """Compute the figures on every request (snapshot reuse has its own tests)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    old = app.config.get("OUTCOMES_MAX_AGE_MINUTES")
    app.config["OUTCOMES_MAX_AGE_MINUTES"] = 0
    yield
    if old is None:
        app.config.pop("OUTCOMES_MAX_AGE_MINUTES", None)
    else:
        app.config["OUTCOMES_MAX_AGE_MINUTES"] = old
