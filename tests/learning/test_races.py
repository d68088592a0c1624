"""Races closed: concurrent post-test starts, and answers racing a submit.

Each worker is a thread with its own application context and database session (its own
connection), as concurrent requests in several server workers would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.support import journey
from tests.support.web import login
from trainer.assessments import scoring
from trainer.assessments import services as tests
from trainer.assessments.models import Attempt, Response
from trainer.auth.models import User
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import ModuleProgress

STARTS = 50


def _together(app: Any, workers: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(n)` in `workers` threads released at the same instant; their results."""
    barrier = threading.Barrier(workers, timeout=120)
    results: list[object] = [None] * workers

    def run(number: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[number] = work(number)
                db.session.commit()
            except BaseException as exc:  # collected and checked by the caller
                db.session.rollback()
                results[number] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
        assert not thread.is_alive()
    return results


@pytest.fixture
def ready(app, client, make) -> tuple[int, int]:
    """A learner who took the intro pre-test and read every lesson: (user id, progress id)."""
    user = make.user(make.org())
    login(client, user)
    progress = learning.enrollments_of(user)[0].modules[0]
    journey.take_test(client, progress.id, "pre", right=False)
    journey.read_lessons(client, progress.id, user)
    return user.id, progress.id


def _start(user_id: int, progress_id: int) -> Callable[[int], object]:
    def work(_number: int) -> object:
        person = db.session.get(User, user_id)
        progress = db.session.get(ModuleProgress, progress_id)
        try:
            return tests.start_post_test(progress, person).id
        except tests.AttemptRefused as refused:
            return ("refused", str(refused.message))

    return work


def _post_attempts(progress_id: int) -> list[Attempt]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.module_progress_id == progress_id, Attempt.kind == "post")
            .order_by(Attempt.number)
        )
    )


def _fail_open_attempt(user_id: int, progress_id: int, *, minutes_ago: int) -> None:
    """Submit the open post-test attempt with wrong answers, `minutes_ago` minutes ago."""
    attempt = next(a for a in _post_attempts(progress_id) if a.submitted_at is None)
    person = db.session.get(User, user_id)
    tests.save_answers(attempt, person, {k[2:]: v for k, v in _wrong(attempt).items()})
    tests.submit(attempt, person)
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(submitted_at=attempt.submitted_at - timedelta(minutes=minutes_ago))
    )
    db.session.commit()


def _wrong(attempt: Attempt) -> dict[str, list[str]]:
    return journey.answers_for(attempt, right=False)


def _errors(results: list[object]) -> list[object]:
    return [r for r in results if isinstance(r, BaseException)]


def test_concurrent_starts_open_one_attempt_and_respect_limit_and_cooldown(app, ready):
    user_id, progress_id = ready
    allowed = db.session.get(ModuleProgress, progress_id).module.current_version.attempts
    assert allowed >= 2
    # every attempt but the last used up, each long past its cooldown
    for _ in range(allowed - 1):
        tests.start_post_test(
            db.session.get(ModuleProgress, progress_id), db.session.get(User, user_id)
        )
        db.session.commit()
        _fail_open_attempt(user_id, progress_id, minutes_ago=60)

    results = _together(app, STARTS, _start(user_id, progress_id))
    assert _errors(results) == []
    attempts = _post_attempts(progress_id)
    assert len(attempts) == allowed  # exactly one new attempt, the last one allowed
    open_ids = {a.id for a in attempts if a.submitted_at is None}
    assert len(open_ids) == 1 and set(results) == open_ids  # everyone resumed the same one

    # the limit holds: once the last attempt is used, no start succeeds
    _fail_open_attempt(user_id, progress_id, minutes_ago=60)
    results = _together(app, STARTS, _start(user_id, progress_id))
    assert _errors(results) == []
    assert all(isinstance(r, tuple) and r[0] == "refused" for r in results)
    assert len(_post_attempts(progress_id)) == allowed

    # the cooldown holds: another round, but the last attempt was just submitted
    manager = db.session.get(User, user_id)
    learning.grant_extra_round(db.session.get(ModuleProgress, progress_id), actor=manager)
    last = _post_attempts(progress_id)[-1]
    db.session.execute(update(Attempt).where(Attempt.id == last.id).values(submitted_at=func.now()))
    db.session.commit()
    results = _together(app, STARTS, _start(user_id, progress_id))
    assert _errors(results) == []
    assert all(isinstance(r, tuple) and r[0] == "refused" for r in results)
    assert len(_post_attempts(progress_id)) == allowed


def test_answers_racing_a_submit_never_change_after_grading(app, ready):
    user_id, progress_id = ready
    progress = db.session.get(ModuleProgress, progress_id)
    attempt = tests.start_post_test(progress, db.session.get(User, user_id))
    db.session.commit()
    attempt_id = attempt.id
    right = journey.answers_for(attempt, right=True)
    wrong = journey.answers_for(attempt, right=False)
    keys = sorted(right)
    savers = 8
    first_saves = threading.Barrier(savers + 1, timeout=120)

    def work(number: int) -> object:
        mine = db.session.get(Attempt, attempt_id)
        person = db.session.get(User, user_id)
        if number == savers:  # the last worker submits, once every saver saved once
            first_saves.wait()
            return tests.submit(mine, person)
        saved = 0
        for round_ in range(3):
            for key in keys[number::savers]:
                answers = right if (number + round_) % 2 else wrong
                try:
                    tests.save_answer(mine, person, key[2:], answers[key])
                    db.session.commit()
                    saved += 1
                except tests.AttemptRefused:
                    db.session.rollback()
                    return saved
                if saved == 1:
                    first_saves.wait()
        return saved

    results = _together(app, savers + 1, work)
    assert _errors(results) == []
    assert results[savers] is True
    db.session.expire_all()
    graded = db.session.get(Attempt, attempt_id)
    rows = db.session.scalars(select(Response).where(Response.attempt_id == attempt_id)).all()
    assert rows, "some answers were saved before the submit"
    assert all(row.answered_at <= graded.submitted_at for row in rows)
    # the stored score is the score of exactly the answers stored
    result = scoring.score_form(tests.items_of(graded), tests.answers_of(graded))
    assert result.percent == graded.score_percent
    for row in rows:
        item = next(i for i in tests.items_of(graded) if i["id"] == row.question_key.split(".")[0])
        expected = scoring.score_question(scoring.find_question(item, row.question_key), row.answer)
        assert row.mark == expected, row.question_key
    # and a save after grading is refused, changing nothing
    before = {row.question_key: row.answer for row in rows}
    with pytest.raises(tests.AttemptRefused):
        tests.save_answer(graded, db.session.get(User, user_id), keys[0][2:], right[keys[0]])
    db.session.rollback()
    db.session.expire_all()
    after = {
        row.question_key: row.answer
        for row in db.session.scalars(select(Response).where(Response.attempt_id == attempt_id))
    }
    assert after == before
