"""Crafted attempts for the outcomes tests: known scores, known items, known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from trainer.assessments.models import Attempt, Response
from trainer.catalog.models import Module, ModuleVersion
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import LessonProgress, ModuleProgress

BASE_TIME = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def intro_version() -> ModuleVersion:
    """The current version of the introductory module (every track starts with it)."""
    module = db.session.scalar(select(Module).where(Module.slug == "intro-indicators"))
    return module.current_version


def bank_ids(version: ModuleVersion, use: str) -> list[str]:
    """Ids of the bank's items a test of this kind may draw, in bank order."""
    return [item["id"] for item in version.items if item["use"] in (use, "both")]


def progress_of(user: Any, version: ModuleVersion) -> ModuleProgress:
    """The learner's run of the version (pinned to it)."""
    for enrollment in learning.enrollments_of(user):
        for progress in enrollment.modules:
            if progress.module_id == version.module_id:
                progress.module_version_id = version.id
                progress.started_at = progress.started_at or BASE_TIME
                db.session.flush()
                return progress
    raise AssertionError("the learner is not enrolled in the module")


def add_attempt(
    progress: ModuleProgress,
    kind: str,
    number: int,
    item_scores: dict[str, float],
    *,
    language: str = "en",
    when: datetime | None = None,
    answers: dict[str, Any] | None = None,
    pass_mark: float = 80.0,
) -> Attempt:
    """A submitted attempt with exactly these item scores (and optional saved answers)."""
    percent = round(100.0 * sum(item_scores.values()) / len(item_scores), 2)
    submitted = when or BASE_TIME + timedelta(hours=number if kind == "post" else 0)
    attempt = Attempt(
        module_progress_id=progress.id,
        user_id=progress.enrollment.user_id,
        module_version_id=progress.module_version_id,
        kind=kind,
        number=number,
        language=language,
        form=[{"item_id": item_id, "option_order": {}} for item_id in item_scores],
        started_at=submitted - timedelta(minutes=10),
        submitted_at=submitted,
        score_percent=percent,
        passed=(percent >= pass_mark) if kind == "post" else None,
        item_scores=dict(item_scores),
    )
    db.session.add(attempt)
    db.session.flush()
    for key, answer in (answers or {}).items():
        db.session.add(
            Response(attempt_id=attempt.id, question_key=key, answer=answer, answered_at=submitted)
        )
    db.session.flush()
    return attempt


def scores(items: list[str], right: int) -> dict[str, float]:
    """Full marks on the first ``right`` items, none on the rest."""
    return {item_id: (1.0 if i < right else 0.0) for i, item_id in enumerate(items)}


def add_lessons(progress: ModuleProgress, seconds: list[int]) -> None:
    """Completed lesson rows with these seconds spent."""
    for index, spent in enumerate(seconds):
        db.session.add(
            LessonProgress(
                module_progress_id=progress.id,
                lesson_id=f"lesson-{index}",
                opened_at=BASE_TIME,
                completed_at=BASE_TIME + timedelta(seconds=spent),
                seconds_spent=spent,
            )
        )
    db.session.flush()
