"""Fresh retakes over HTTP: every post-test attempt asks items the learner has not seen.

Once on the shipped intro module (the first module of every track), and once on a built
module with a required group, synced into an app of its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from tests.support import journey
from tests.support.backends import ROOT, IsolatedClient, make_config
from tests.support.factory import Factory
from tests.support.web import login
from trainer import create_app
from trainer.assessments.models import Attempt
from trainer.catalog import bank
from trainer.catalog.loader import load_content
from trainer.catalog.services import sync_content
from trainer.extensions import db, limiter
from trainer.learning import services as learning


def _allow_next_attempt(attempt: Attempt) -> None:
    """Move a submitted attempt an hour into the past, past any cooldown."""
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(submitted_at=attempt.submitted_at - timedelta(hours=1))
    )
    db.session.commit()


def _every_attempt(client: FlaskClient, user, progress_id: int, rounds: int) -> list[Attempt]:
    """The pre-test, the lessons, then `rounds` failed post-test attempts."""
    taken = [journey.take_test(client, progress_id, "pre", right=False)]
    journey.read_lessons(client, progress_id, user)
    for _ in range(rounds):
        taken.append(journey.take_test(client, progress_id, "post", right=False))
        _allow_next_attempt(taken[-1])
    return taken


def _item_ids(attempt: Attempt) -> list[str]:
    return [entry["item_id"] for entry in attempt.form]


def _groups_on(attempt: Attempt) -> dict[str, int]:
    group_of = {item["id"]: item.get("group") for item in attempt.version.items}
    counts: dict[str, int] = {}
    for item_id in _item_ids(attempt):
        group = group_of[item_id]
        if group is not None:
            counts[group] = counts.get(group, 0) + 1
    return counts


def test_three_post_test_attempts_of_the_intro_module_never_repeat_an_item(
    client: FlaskClient, make
) -> None:
    user = make.user(make.org())
    login(client, user)
    intro = learning.enrollments_of(user)[0].modules[0]
    version = learning.version_for(journey.progress(intro.id))
    assert version.slug == "intro-indicators" and version.attempts >= 3
    # the bank guarantees it whatever the pre-test draws ...
    worst = bank.worst_case_repeats(
        version.items,
        pre_test_length=version.pre_test_length,
        post_test_length=version.post_test_length,
        attempts=version.attempts,
        share_items=version.share_items,
        requires=version.post_test_requires,
    )
    assert worst == 0, f"a learner may see {worst} item(s) twice in intro-indicators"
    # ... and a learner taking every attempt sees each item once
    taken = _every_attempt(client, user, intro.id, version.attempts)
    shown = [item_id for attempt in taken for item_id in _item_ids(attempt)]
    assert len(shown) == len(set(shown))
    for attempt in taken[1:]:
        on_form = _groups_on(attempt)
        assert all(on_form.get(group) == 1 for group in version.post_test_requires)


# --------------------------------------------------------------------------- built bank

MODULE_YAML = """\
slug: fresh
component: 1
title: {en: "Fresh retakes", es: "Repeticiones nuevas"}
summary: {en: "A module to retake.", es: "Un módulo para repetir."}
languages: [en, es]
attempts: 3
cooldown_minutes: 10
minimum_minutes: 1
pre_test_length: 2
post_test_length: 3
post_test_requires: [hotline]
lessons:
  - id: one
    minimum_seconds: 60
"""
TRACKS_YAML = """\
tracks:
  - slug: fresh-track
    title: {en: "Fresh track", es: "Ruta nueva"}
    audience: {org_kind: hotel, department: null, job_roles: []}
    modules: [fresh]
    certificate:
      title: {en: "Certificate", es: "Certificado"}
"""
ITEM = """\
  - id: {id}
    type: true_false
    use: {use}
{group}    stem: {{en: "Statement {id} is true.", es: "La afirmación {id} es verdadera."}}
    correct: true
    feedback: {{en: "It is true.", es: "Es verdadera."}}
"""
# 2 pre + 2 both for a pre-test of 2; forms of 3 = 1 hotline item + 2 others, so 3
# attempts need 3 hotline items and 6 others after the pre-test took both `both` items.
BANK = (
    [("pre-1", "pre", None), ("pre-2", "pre", None), ("both-1", "both", None)]
    + [("both-2", "both", None)]
    + [(f"hotline-{n}", "post", "hotline") for n in range(1, 4)]
    + [(f"post-{n}", "post", None) for n in range(1, 7)]
)


def write_built_tree(root: Path) -> None:
    """The 'fresh' module, a hotel track for it, and the shipped jurisdiction rules."""
    (root / "fresh" / "lessons").mkdir(parents=True)
    (root / "fresh" / "module.yaml").write_text(MODULE_YAML, encoding="utf-8")
    for lang in ("en", "es"):
        (root / "fresh" / "lessons" / f"one.{lang}.md").write_text(f"# One ({lang})\n\nText.\n")
    items = "".join(
        ITEM.format(id=item_id, use=use, group=f"    group: {group}\n" if group else "")
        for item_id, use, group in BANK
    )
    (root / "fresh" / "questions.yaml").write_text("items:\n" + items, encoding="utf-8")
    (root / "tracks.yaml").write_text(TRACKS_YAML, encoding="utf-8")
    shutil.copytree(ROOT / "modules" / "rules", root / "rules")


@pytest.fixture
def built_app(tmp_path: Path) -> Iterator[Flask]:
    """An app of its own (SQLite) with only the built module synced."""
    root = tmp_path / "modules"
    write_built_tree(root)
    app = create_app(make_config(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", MODULES_DIR=str(root)))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        report = sync_content(root)
        assert not report.problems, report.problems
        db.session.commit()
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_built_bank_meets_the_rules_with_no_room_to_spare(tmp_path: Path) -> None:
    root = tmp_path / "modules"
    write_built_tree(root)
    content = load_content(root)
    assert content.problems == [] and content.findings == []
    # one item fewer outside the group, and a third attempt could repeat one
    (root / "fresh" / "questions.yaml").write_text(
        (root / "fresh" / "questions.yaml").read_text().split("  - id: post-6")[0]
    )
    assert [f.code for f in load_content(root).findings] == ["fresh-retakes"]


def test_every_post_test_attempt_is_fresh_and_asks_one_hotline_item(built_app: Flask) -> None:
    make = Factory()
    client = built_app.test_client()
    user = make.user(make.org())
    login(client, user)
    progress_id = learning.enrollments_of(user)[0].modules[0].id
    taken = _every_attempt(client, user, progress_id, 3)
    pre, posts = taken[0], taken[1:]
    shown = [item_id for attempt in taken for item_id in _item_ids(attempt)]
    assert len(shown) == len(set(shown)) == 2 + 3 * 3
    for attempt in posts:
        assert _groups_on(attempt) == {"hotline": 1}
    # a manager's extra round: the hotline items are used up, so it asks the one seen
    # longest ago; the others are the unseen ones left, then the first attempt's
    progress = journey.progress(progress_id)
    progress.extra_rounds = 1
    db.session.commit()
    extra = set(_item_ids(journey.take_test(client, progress_id, "post", right=False)))
    first = set(_item_ids(posts[0]))
    hotline = {item_id for item_id in extra if item_id.startswith("hotline-")}
    assert len(hotline) == 1 and hotline <= first
    general = {i for i, use, group in BANK if use != "pre" and group is None}
    unseen = general - set(_item_ids(pre)) - set(shown)
    others = extra - hotline
    if len(unseen) >= 2:
        assert others <= unseen
    else:
        assert unseen <= others and others - unseen <= first
