"""Enrollment, gating between components, server-side lesson pacing and attestation.

Rules only: no request, no commit. Views call these and commit once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from trainer.audit import services as audit
from trainer.auth.models import User
from trainer.catalog.models import ModuleVersion, Track
from trainer.catalog.services import active_tracks
from trainer.core.contacts import ContactsBox
from trainer.core.hooks import Hook
from trainer.extensions import db
from trainer.learning.models import Enrollment, LessonProgress, ModuleProgress
from trainer.orgs.sheets import TrainingLine
from trainer.timeutil import utcnow

#: Emitted with the enrollment when its last module is passed (certificates listen).
TRACK_COMPLETED: Hook[[Enrollment], object] = Hook("learning.track_completed")
#: Asks a learner's due date for a new enrollment (compliance answers).
DUE_DATE: Hook[[User], date | None] = Hook("learning.due_date")
#: Asks the minimum minutes a module must last for a learner (jurisdiction rules).
MINIMUM_MINUTES: Hook[[User], int] = Hook("learning.minimum_minutes")
#: Asks the reporting contacts a lesson shows a learner, in a language (compliance).
LESSON_CONTACTS: Hook[[User, str], ContactsBox | None] = Hook("learning.lesson_contacts")


class TooEarly(Exception):  # noqa: N818 - a refusal, not a crash
    """A lesson completion came before its minimum time had passed."""

    def __init__(self, remaining_seconds: int) -> None:
        super().__init__(remaining_seconds)
        self.remaining_seconds = remaining_seconds


class NotAvailable(Exception):  # noqa: N818
    """The learner asked for a step that is not open to them yet."""


# --- enrollment ----------------------------------------------------------------------


def tracks_for(user: User) -> list[Track]:
    """Active tracks whose audience matches the person's organization and job role."""
    org = user.organization
    if org is None:
        return []
    return [
        track
        for track in active_tracks()
        if track.org_kind == org.kind
        and (track.department is None or track.department == org.department)
        and (not track.job_roles or user.job_role in track.job_roles)
    ]


def open_enrollment(user: User, track: Track) -> Enrollment | None:
    """The person's current (not completed) enrollment in a track, if any."""
    return db.session.scalar(
        select(Enrollment)
        .where(
            Enrollment.user_id == user.id,
            Enrollment.track_id == track.id,
            Enrollment.completed_at.is_(None),
        )
        .order_by(Enrollment.cycle.desc())
        .limit(1)
    )


def enroll(
    user: User, track: Track, *, assigned_by: User | None = None, due_date: date | None = None
) -> Enrollment:
    """Enroll the person in a track (or return the open enrollment they already have)."""
    current = open_enrollment(user, track)
    if current is not None:
        return current
    last_cycle = db.session.scalar(
        select(Enrollment.cycle)
        .where(Enrollment.user_id == user.id, Enrollment.track_id == track.id)
        .order_by(Enrollment.cycle.desc())
        .limit(1)
    )
    if due_date is None:
        due_date = next((d for d in DUE_DATE.emit(user) if d is not None), None)
    enrollment = Enrollment(
        user_id=user.id,
        track_id=track.id,
        cycle=(last_cycle or 0) + 1,
        assigned_by_id=assigned_by.id if assigned_by else None,
        due_date=due_date,
    )
    db.session.add(enrollment)
    db.session.flush()
    for step in track.steps:
        db.session.add(
            ModuleProgress(
                enrollment_id=enrollment.id, module_id=step.module_id, position=step.position
            )
        )
    db.session.flush()
    db.session.refresh(enrollment)
    audit.record(
        "enrollment.created",
        actor_id=assigned_by.id if assigned_by else None,
        subject_type="enrollment",
        subject_id=enrollment.id,
        organization_id=user.organization_id,
        details={"user": user.id, "track": track.slug, "cycle": enrollment.cycle},
    )
    return enrollment


def enroll_automatically(user: User) -> list[Enrollment]:
    """Enroll a learner in every track their organization and job role call for."""
    if not user.active or user.role != "learner":
        return []
    return [enroll(user, track) for track in tracks_for(user)]


def enrollments_of(user: User) -> Sequence[Enrollment]:
    """A person's enrollments, newest cycle first."""
    return db.session.scalars(
        select(Enrollment)
        .where(Enrollment.user_id == user.id)
        .order_by(Enrollment.completed_at.is_not(None), Enrollment.assigned_at.desc())
    ).all()


# --- gating --------------------------------------------------------------------------


def trainings_for_sheet(user: User) -> list[TrainingLine]:
    """The person's unfinished trainings (titles and due dates), for their access sheet."""
    return [
        TrainingLine(titles=dict(enrollment.track.title), due_on=enrollment.due_date)
        for enrollment in enrollments_of(user)
        if enrollment.completed_at is None
    ]


def is_open(progress: ModuleProgress) -> bool:
    """A module opens when every module before it in the track has been passed."""
    return all(
        other.passed_at is not None
        for other in progress.enrollment.modules
        if other.position < progress.position
    )


def version_for(progress: ModuleProgress) -> ModuleVersion:
    """The version this learner takes: pinned at start, the current one before that."""
    if progress.version is not None:
        return progress.version
    version = progress.module.current_version
    if version is None:
        raise NotAvailable("module has no content")
    return version


def start_module(progress: ModuleProgress) -> ModuleVersion:
    """Pin the module's current version for this learner, once."""
    if not is_open(progress):
        raise NotAvailable("module locked")
    if progress.module_version_id is None:
        version = version_for(progress)
        progress.module_version_id = version.id
        progress.version = version
        progress.started_at = utcnow()
        db.session.flush()
    return progress.version  # type: ignore[return-value]


# --- pacing --------------------------------------------------------------------------


def pacing_factor(version: ModuleVersion, user: User) -> float:
    """Stretch lesson minimums so the module lasts at least the jurisdiction's minimum."""
    authored = sum(lesson["minimum_seconds"] for lesson in version.lessons)
    required = max([version.minimum_minutes, *MINIMUM_MINUTES.emit(user)]) * 60
    if authored <= 0 or authored >= required:
        return 1.0
    return required / authored


def lesson_minimum(version: ModuleVersion, lesson: dict[str, Any], user: User) -> int:
    """Seconds this learner must spend on this lesson before it can complete."""
    return math.ceil(lesson["minimum_seconds"] * pacing_factor(version, user))


def lesson_contacts(lesson: dict[str, Any], user: User, language: str) -> ContactsBox | None:
    """The contacts box for a lesson marked `contacts: true`, else None."""
    if not lesson.get("contacts"):
        return None
    return next((box for box in LESSON_CONTACTS.emit(user, language) if box), None)


def lesson_index(version: ModuleVersion, lesson_id: str) -> int:
    """Position of a lesson in its module (raises NotAvailable if unknown)."""
    for index, lesson in enumerate(version.lessons):
        if lesson["id"] == lesson_id:
            return index
    raise NotAvailable("no such lesson")


def _progress_of(progress: ModuleProgress, lesson_id: str) -> LessonProgress | None:
    return next((lp for lp in progress.lessons if lp.lesson_id == lesson_id), None)


def completed_lessons(progress: ModuleProgress) -> set[str]:
    """Ids of the lessons this learner has completed in this module."""
    return {lp.lesson_id for lp in progress.lessons if lp.completed_at is not None}


def lessons_done(progress: ModuleProgress) -> bool:
    """True when every lesson of the pinned version is complete."""
    version = version_for(progress)
    return {lesson["id"] for lesson in version.lessons} <= completed_lessons(progress)


def open_lesson(progress: ModuleProgress, lesson_id: str, *, pre_test_done: bool) -> LessonProgress:
    """Start (or resume) a lesson; the server's clock starts at the first opening."""
    version = start_module(progress)
    index = lesson_index(version, lesson_id)
    if not pre_test_done:
        raise NotAvailable("pre-test first")
    done = completed_lessons(progress)
    if any(lesson["id"] not in done for lesson in version.lessons[:index]):
        raise NotAvailable("earlier lesson not complete")
    existing = _progress_of(progress, lesson_id)
    if existing is not None:
        return existing
    row = LessonProgress(module_progress_id=progress.id, lesson_id=lesson_id, opened_at=utcnow())
    db.session.add(row)
    db.session.flush()
    progress.lessons.append(row)
    return row


def seconds_remaining(
    progress: ModuleProgress, lesson_row: LessonProgress, user: User, now: datetime | None = None
) -> int:
    """Seconds left before the lesson may complete (0 when it may)."""
    if lesson_row.completed_at is not None:
        return 0
    version = version_for(progress)
    lesson = version.lessons[lesson_index(version, lesson_row.lesson_id)]
    elapsed = ((now or utcnow()) - lesson_row.opened_at).total_seconds()
    return max(0, math.ceil(lesson_minimum(version, lesson, user) - elapsed))


def complete_lesson(
    progress: ModuleProgress, lesson_id: str, user: User, now: datetime | None = None
) -> LessonProgress:
    """Mark a lesson complete, refusing (TooEarly) before its minimum time has passed."""
    row = _progress_of(progress, lesson_id)
    if row is None:
        raise NotAvailable("lesson not opened")
    if row.completed_at is not None:
        return row
    now = now or utcnow()
    remaining = seconds_remaining(progress, row, user, now)
    if remaining > 0:
        raise TooEarly(remaining)
    row.completed_at = now
    row.seconds_spent = int((now - row.opened_at).total_seconds())
    db.session.flush()
    return row


def attest(progress: ModuleProgress, user: User) -> None:
    """Record that the learner read the new form and procedure (component 3)."""
    version = version_for(progress)
    if not version.attestation:
        raise NotAvailable("no attestation in this module")
    if not lessons_done(progress):
        raise NotAvailable("lessons first")
    if progress.attested_at is None:
        progress.attested_at = utcnow()
        audit.record(
            "module.attested",
            actor_id=user.id,
            subject_type="module_progress",
            subject_id=progress.id,
            organization_id=user.organization_id,
            details={"module": version.slug, "version": version.version},
        )


def mark_passed(progress: ModuleProgress, score: float) -> bool:
    """Record a passed post-test; complete the enrollment when it was the last module.

    Returns True when this call completed the enrollment.
    """
    progress.best_score = max(progress.best_score or 0.0, score)
    if progress.passed_at is None:
        progress.passed_at = utcnow()
    enrollment = progress.enrollment
    db.session.flush()
    if enrollment.completed_at is None and all(m.passed_at for m in enrollment.modules):
        enrollment.completed_at = utcnow()
        db.session.flush()
        TRACK_COMPLETED.emit(enrollment)
        return True
    return False


def module_passed(progress_id: int, score: float) -> None:
    """Grading reports a passed post-test: record it; the track completes with its last module."""
    progress = db.session.get(ModuleProgress, progress_id)
    if progress is not None:
        mark_passed(progress, score)


def grant_extra_round(progress: ModuleProgress, *, actor: User) -> None:
    """Let a learner who used every post-test attempt try another round."""
    progress.extra_rounds += 1
    audit.record(
        "module.extra_round",
        actor_id=actor.id,
        subject_type="module_progress",
        subject_id=progress.id,
        organization_id=progress.enrollment.user.organization_id,
    )


def minutes_spent(progress: ModuleProgress) -> int:
    """Whole minutes spent on completed lessons of a module."""
    return sum(lp.seconds_spent for lp in progress.lessons if lp.completed_at) // 60
