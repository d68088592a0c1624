"""Walk a learner through modules over HTTP, as the browser would (for tests).

Pacing is real: instead of sleeping, `read_lessons` moves a lesson's server-side
opening time into the past by its minimum, then completes it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.support.web import csrf_token
from trainer.assessments.models import Attempt
from trainer.assessments.scoring import correct_values
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import LessonProgress, ModuleProgress

correct_answer = correct_values


def wrong_answer(question: dict[str, Any]) -> list[str]:
    """Posted values that answer a question wrongly."""
    if question["type"] == "true_false":
        return ["false" if question["correct"] else "true"]
    correct = set(correct_answer(question))
    wrong = [o["id"] for o in question["options"] if o["id"] not in correct]
    return wrong[:1]


def answers_for(attempt: Attempt, *, right: bool) -> dict[str, list[str]]:
    """Form fields ("q:<key>") answering every question of the attempt."""
    bank = {item["id"]: item for item in attempt.version.items}
    fields: dict[str, list[str]] = {}
    for entry in attempt.form:
        item = bank[entry["item_id"]]
        questions = (
            [(f"{item['id']}.{q['id']}", q) for q in item["questions"]]
            if item["type"] == "scenario"
            else [(item["id"], item)]
        )
        for key, question in questions:
            fields["q:" + key] = correct_answer(question) if right else wrong_answer(question)
    return fields


def progress(progress_id: int) -> ModuleProgress:
    """Fresh progress row."""
    db.session.expire_all()
    return db.session.get(ModuleProgress, progress_id)


def attempt_from(response: Any) -> Attempt:
    """The attempt a start-test redirect points at."""
    match = re.search(r"/learn/attempt/(\d+)", response.headers["Location"])
    assert match, response.headers.get("Location")
    db.session.expire_all()
    return db.session.get(Attempt, int(match.group(1)))


def take_test(client: FlaskClient, progress_id: int, kind: str, *, right: bool) -> Attempt:
    """Start (or resume) the pre- or post-test, answer everything and submit."""
    token = csrf_token(client, f"/learn/m/{progress_id}")
    response = client.post(f"/learn/m/{progress_id}/{kind}", data={"csrf_token": token})
    assert response.status_code == 302, response.text
    attempt = attempt_from(response)
    data: dict[str, Any] = {**answers_for(attempt, right=right), "csrf_token": token}
    data["action"] = "submit"
    response = client.post(f"/learn/attempt/{attempt.id}", data=data)
    assert response.status_code == 302, response.text
    db.session.expire_all()
    return db.session.get(Attempt, attempt.id)


def age_lesson(progress_id: int, lesson_id: str, seconds: int) -> None:
    """Move a lesson's opening time `seconds` into the past."""
    row = db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.module_progress_id == progress_id, LessonProgress.lesson_id == lesson_id
        )
    )
    db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.id == row.id)
        .values(opened_at=row.opened_at - timedelta(seconds=seconds))
    )
    db.session.commit()


def read_lessons(client: FlaskClient, progress_id: int, user: Any) -> None:
    """Open every lesson, let its minimum time pass on the server's clock, complete it."""
    mp = progress(progress_id)
    version = learning.version_for(mp)
    for lesson in version.lessons:
        page = client.get(f"/learn/m/{progress_id}/lesson/{lesson['id']}")
        assert page.status_code == 200, page.text
        mp = progress(progress_id)
        age_lesson(progress_id, lesson["id"], learning.lesson_minimum(version, lesson, user) + 1)
        token = csrf_token(client, f"/learn/m/{progress_id}")
        done = client.post(
            f"/learn/m/{progress_id}/lesson/{lesson['id']}", data={"csrf_token": token}
        )
        assert done.status_code == 302, done.text
        # Done: on to the next lesson (or the module page); refused: the same lesson again.
        assert not done.headers["Location"].endswith(f"/lesson/{lesson['id']}"), (
            "completion was refused"
        )


def attest(client: FlaskClient, progress_id: int) -> None:
    """Tick the component 3 attestation."""
    token = csrf_token(client, f"/learn/m/{progress_id}/attest")
    response = client.post(
        f"/learn/m/{progress_id}/attest", data={"confirm": "yes", "csrf_token": token}
    )
    assert response.status_code == 302


def pass_module(client: FlaskClient, progress_id: int, user: Any) -> Attempt:
    """Pre-test, lessons, attestation when asked, and a passing post-test."""
    take_test(client, progress_id, "pre", right=False)
    read_lessons(client, progress_id, user)
    if learning.version_for(progress(progress_id)).attestation:
        attest(client, progress_id)
    return take_test(client, progress_id, "post", right=True)
