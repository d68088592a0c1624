"""Pre-tests and post-tests: draw a form, save each answer as given, grade once.

Rules only: no request, no commit.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from trainer.assessments import scoring
from trainer.assessments.drawing import (
    draw_form,
    form_from_json,
    form_to_json,
    post_exclusions,
    seen_order,
)
from trainer.assessments.models import Attempt, Response
from trainer.auth.models import User
from trainer.catalog.models import ModuleVersion
from trainer.core.hooks import Hook
from trainer.core.locking import lock_row
from trainer.core.vocabulary import TestKind
from trainer.extensions import db
from trainer.timeutil import utcnow

if TYPE_CHECKING:  # the learner's place in a module belongs to learning, a higher feature
    from trainer.learning.models import ModuleProgress

PRE = TestKind.PRE.value
POST = TestKind.POST.value

#: Asks the version a learner takes (the pinned one, else the current one).
MODULE_VERSION: Hook[[ModuleProgress], ModuleVersion] = Hook("assessments.module_version")
#: Asks learning to open the module (pin its version) before a test starts; the version.
MODULE_START: Hook[[ModuleProgress], ModuleVersion] = Hook("assessments.module_start")
#: Asks whether the learner has completed every lesson of the module.
LESSONS_DONE: Hook[[ModuleProgress], bool] = Hook("assessments.lessons_done")
#: Emitted with the learner's module (its id) and the score when a post-test is passed.
MODULE_PASSED: Hook[[int, float], None] = Hook("assessments.module_passed")


class AttemptRefused(Exception):  # noqa: N818 - a refusal with a message for the learner
    """An answer or a new attempt that the rules do not allow; `message` says why."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def attempts_of(progress: ModuleProgress, kind: str) -> list[Attempt]:
    """The learner's attempts of one kind in this module, oldest first."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.module_progress_id == progress.id, Attempt.kind == kind)
            .order_by(Attempt.number)
        )
    )


def pre_test(progress: ModuleProgress) -> Attempt | None:
    """The pre-test attempt on the pinned version, if started."""
    return next(
        (
            a
            for a in attempts_of(progress, PRE)
            if a.module_version_id == progress.module_version_id
        ),
        None,
    )


def pre_test_done(progress: ModuleProgress) -> bool:
    """True when the baseline pre-test was submitted."""
    attempt = pre_test(progress)
    return attempt is not None and attempt.submitted_at is not None


@dataclass(frozen=True)
class PostTestState:
    """Whether a new post-test attempt may start, and if not, why / when."""

    used: int
    allowed: int
    open_attempt: Attempt | None
    wait_until: datetime | None
    ready: bool
    reason: str | None

    @property
    def remaining(self) -> int:
        """Attempts left."""
        return max(0, self.allowed - self.used)


def post_test_state(progress: ModuleProgress, now: datetime | None = None) -> PostTestState:
    """What the post-test allows now: attempts used, cooldown, prerequisites."""
    now = now or utcnow()
    version = MODULE_VERSION.ask(progress)
    attempts = attempts_of(progress, POST)
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    used = sum(1 for a in attempts if a.submitted_at is not None)
    allowed = version.attempts * (1 + progress.extra_rounds)
    reason: str | None = None
    wait_until = None
    if progress.passed_at is not None:
        reason = "passed"
    elif not pre_test_done(progress):
        reason = "pre_test"
    elif not LESSONS_DONE.ask(progress):
        reason = "lessons"
    elif version.attestation and progress.attested_at is None:
        reason = "attestation"
    elif open_attempt is None and used >= allowed:
        reason = "no_attempts"
    elif open_attempt is None and attempts:
        last = attempts[-1].submitted_at
        if last is not None and version.cooldown_minutes:
            until = last + timedelta(minutes=version.cooldown_minutes)
            if until > now:
                reason, wait_until = "cooldown", until
    return PostTestState(used, allowed, open_attempt, wait_until, reason is None, reason)


def _rng() -> random.Random:
    return random.Random(secrets.randbits(64))  # noqa: S311 - fairness, not secrecy


def _new_attempt(
    progress: ModuleProgress, user: User, kind: str, form: list[dict[str, Any]], number: int
) -> Attempt:
    attempt = Attempt(
        module_progress_id=progress.id,
        user_id=user.id,
        module_version_id=progress.module_version_id,
        kind=kind,
        number=number,
        language=user.language,
        form=form,
        started_at=utcnow(),
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def start_pre_test(progress: ModuleProgress, user: User) -> Attempt:
    """Start (or resume) the baseline pre-test: once per module version, no pass mark."""
    lock_row(type(progress), progress.id)
    version = MODULE_START.ask(progress)
    existing = pre_test(progress)
    if existing is not None:
        return existing
    number = len(attempts_of(progress, PRE)) + 1
    form = draw_form(version.items, PRE, version.pre_test_length, _rng())
    return _new_attempt(progress, user, PRE, form_to_json(form), number)


def start_post_test(progress: ModuleProgress, user: User) -> Attempt:
    """Start a fresh post-test attempt (or resume the open one) if the rules allow it.

    The learner's module row is locked first, so concurrent starts take turns: at most
    one attempt is open, and the attempt limit and the cooldown hold.
    """
    lock_row(type(progress), progress.id)
    version = MODULE_START.ask(progress)
    state = post_test_state(progress)
    if state.open_attempt is not None:
        return state.open_attempt
    if not state.ready:
        raise AttemptRefused(POST_REFUSALS.get(state.reason or "", _l("Not available.")))
    pre = pre_test(progress)
    pre_ids = [entry["item_id"] for entry in (pre.form if pre else [])]
    exclude = post_exclusions(pre_ids, version.share_items)
    form = draw_form(
        version.items,
        POST,
        version.post_test_length,
        _rng(),
        exclude=exclude,
        seen=_seen_items(progress),
        requires=version.post_test_requires,
    )
    number = len(attempts_of(progress, POST)) + 1
    return _new_attempt(progress, user, POST, form_to_json(form), number)


def _seen_items(progress: ModuleProgress) -> dict[str, int]:
    """Every item the learner was shown in this module, by when (see `seen_order`)."""
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.module_progress_id == progress.id)
        .order_by(Attempt.started_at, Attempt.id)
    )
    return seen_order([entry["item_id"] for entry in attempt.form] for attempt in attempts)


POST_REFUSALS = {
    "passed": _l("You already passed this module."),
    "pre_test": _l("Take the pre-test first."),
    "lessons": _l("Finish every lesson first."),
    "attestation": _l("Confirm that you read the new form and procedure first."),
    "no_attempts": _l("You used every attempt. Ask your manager to allow another round."),
    "cooldown": _l("Please wait before your next attempt."),
}


# --- answering -------------------------------------------------------------------------


def items_of(attempt: Attempt) -> list[dict[str, Any]]:
    """The attempt's items in the order they were shown."""
    bank = {item["id"]: item for item in attempt.version.items}
    return [bank[entry.item_id] for entry in form_from_json(attempt.form)]


def _question_in_form(attempt: Attempt, key: str) -> dict[str, Any]:
    item_id = key.split(".", 1)[0]
    in_form = {entry["item_id"] for entry in attempt.form}
    if item_id not in in_form:
        raise AttemptRefused(_l("That question is not part of this test."))
    item = next(item for item in attempt.version.items if item["id"] == item_id)
    try:
        return dict(scoring.find_question(item, key))
    except KeyError:
        raise AttemptRefused(_l("That question is not part of this test.")) from None


def answers_of(attempt: Attempt) -> dict[str, Any]:
    """The saved answers of an attempt by question key."""
    return {r.question_key: r.answer for r in attempt.responses}


def save_answer(attempt: Attempt, user: User, key: str, raw: Sequence[str]) -> Response:
    """Save one answer as it is given (replacing an earlier answer to the same question).

    The attempt's row is locked first, so a save and a submit take turns: once an attempt
    is graded, no answer of it changes.
    """
    if attempt.user_id != user.id:
        raise AttemptRefused(_l("That test is not yours."))
    lock_row(Attempt, attempt.id)
    if attempt.submitted_at is not None:
        raise AttemptRefused(_l("This test was already submitted; answers can no longer change."))
    question = _question_in_form(attempt, key)
    try:
        answer = scoring.parse_answer(question, raw)
    except scoring.InvalidAnswer as exc:
        raise AttemptRefused(exc.message) from None
    row = next((r for r in attempt.responses if r.question_key == key), None)
    if row is None:
        row = _first_response(attempt, key, answer)
        if row is not None:
            return row
        # another request saved this question's first answer at the same moment
        db.session.expire(attempt, ["responses"])
        row = next(r for r in attempt.responses if r.question_key == key)
    if row.answer != answer:
        row.answer = answer
        row.answered_at = utcnow()
        row.changes += 1
    db.session.flush()
    return row


def _first_response(attempt: Attempt, key: str, answer: Any) -> Response | None:
    """Insert the first answer to a question; None when a concurrent request already did."""
    row = Response(attempt_id=attempt.id, question_key=key, answer=answer, answered_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return None
    attempt.responses.append(row)
    return row


def save_answers(attempt: Attempt, user: User, posted: dict[str, list[str]]) -> None:
    """Save every answer of a full-page form post (questions left blank are skipped)."""
    for key, raw in posted.items():
        if raw:
            save_answer(attempt, user, key, raw)


def submit(attempt: Attempt, user: User) -> bool:
    """Grade the attempt once; a second submit changes nothing and returns False."""
    if attempt.user_id != user.id:
        raise AttemptRefused(_l("That test is not yours."))
    lock_row(Attempt, attempt.id)  # answers being saved right now land before the grade
    now = utcnow()
    claimed = cast(
        CursorResult[Any],  # an UPDATE's result: its row count is what matters
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
            .values(submitted_at=now)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if claimed != 1:
        db.session.refresh(attempt)
        return False
    attempt.submitted_at = now
    items = items_of(attempt)
    answers = answers_of(attempt)
    result = scoring.score_form(items, answers)
    attempt.score_percent = result.percent
    attempt.item_scores = dict(result.item_scores)
    for row in attempt.responses:
        item_id = row.question_key.split(".", 1)[0]
        item = next(i for i in items if i["id"] == item_id)
        row.mark = scoring.score_question(scoring.find_question(item, row.question_key), row.answer)
    if attempt.kind == POST:
        attempt.passed = scoring.passed(result.percent, attempt.version.pass_mark)
        if attempt.passed:
            db.session.flush()
            MODULE_PASSED.emit(attempt.module_progress_id, result.percent)
    db.session.flush()
    return True


def review(attempt: Attempt, language: str) -> list[tuple[dict[str, Any], list[Any]]]:
    """Per item, what the result page may show under the module's review setting."""
    answers = answers_of(attempt)
    review_level = attempt.version.review if attempt.kind == POST else "none"
    return [
        (item, scoring.review_for(item, answers, language, review_level))
        for item in items_of(attempt)
    ]


def count_submitted(version: ModuleVersion, kind: str) -> int:
    """How many attempts of a kind were submitted on a version."""
    return (
        db.session.scalar(
            select(func.count(Attempt.id)).where(
                Attempt.module_version_id == version.id,
                Attempt.kind == kind,
                Attempt.submitted_at.is_not(None),
            )
        )
        or 0
    )
