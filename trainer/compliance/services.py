"""The jurisdiction rules as they apply to an organization and a person.

Every page, report and reminder asks these functions, so one rule set decides everywhere.
They live in rooms of their own and stay importable from here: `jurisdictions` (the rules
that apply, due dates, expiry, contacts), `staffstatus` (each person's status and the staff
list), `statuscounts` (statuses counted in SQL), `city` (the auditor's city view) and
`trainer.core.pagination`. This module keeps one person's training history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from trainer.auth.models import User
from trainer.compliance.city import (
    ORG_SORTS,
    CityTotals,
    OrgFilter,
    OrgSummary,
    city_totals,
    filter_orgs,
    org_summaries,
)
from trainer.compliance.jurisdictions import (
    all_rules,
    certificate_facts,
    contacts_box,
    contacts_for_learner,
    due_for,
    expiry_for,
    first_due_date,
    minimum_minutes_for,
    org_rules,
    primary_rule,
    rooms_prompt,
    rules_counting_for,
)
from trainer.compliance.rules import compute_due, rules_for
from trainer.compliance.staffstatus import (
    LATE,
    SORTS,
    STAFF_ROLES,
    STATUS_LABELS,
    STATUS_ORDER,
    Judge,
    StaffFilter,
    StaffRow,
    filter_rows,
    iter_staff_rows,
    person_row,
    staff_facts,
    staff_rows,
    status_counts,
)
from trainer.compliance.statuscounts import (
    Cutoffs,
    cutoffs_for,
    status_counts_by_org,
)
from trainer.core.pagination import (
    PAGE_SIZE,
    Page,
    paginate,
)
from trainer.core.text import localized
from trainer.extensions import db
from trainer.learning.models import Enrollment

# --------------------------------------------------------------------------- one person


@dataclass(frozen=True)
class ModuleHistory:
    """One module of an enrollment as the training history shows it."""

    title: str
    version: int | None
    started_at: datetime | None
    passed_at: datetime | None
    best_score: float | None
    minutes: int
    pre_score: float | None
    post_scores: list[tuple[int, float | None, bool | None]]


@dataclass(frozen=True)
class EnrollmentHistory:
    """One enrollment (a track, one cycle) with its modules."""

    track_title: str
    cycle: int
    assigned_at: datetime
    due_date: date | None
    completed_at: datetime | None
    modules: list[ModuleHistory]


def training_history(user: User, language: str) -> list[EnrollmentHistory]:
    """A person's enrollments, newest first, each with its modules and test scores."""
    from trainer.assessments.models import Attempt

    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.user_id == user.id)
        .order_by(Enrollment.assigned_at.desc(), Enrollment.id.desc())
    ).all()
    attempts = db.session.execute(
        select(
            Attempt.module_progress_id,
            Attempt.kind,
            Attempt.number,
            Attempt.score_percent,
            Attempt.passed,
        )
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.number)
    ).all()
    by_progress: dict[int, list[Any]] = {}
    for attempt in attempts:
        by_progress.setdefault(attempt.module_progress_id, []).append(attempt)
    history = []
    for enrollment in enrollments:
        modules = []
        for progress in enrollment.modules:
            version = progress.version or progress.module.current_version
            taken = by_progress.get(progress.id, [])
            pre = next((a for a in taken if a.kind == "pre"), None)
            modules.append(
                ModuleHistory(
                    title=localized(version.title, language) if version else progress.module.slug,
                    version=progress.version.version if progress.version else None,
                    started_at=progress.started_at,
                    passed_at=progress.passed_at,
                    best_score=progress.best_score,
                    minutes=sum(lp.seconds_spent for lp in progress.lessons if lp.completed_at)
                    // 60,
                    pre_score=pre.score_percent if pre else None,
                    post_scores=[
                        (a.number, a.score_percent, a.passed) for a in taken if a.kind == "post"
                    ],
                )
            )
        history.append(
            EnrollmentHistory(
                track_title=localized(enrollment.track.title, language),
                cycle=enrollment.cycle,
                assigned_at=enrollment.assigned_at,
                due_date=enrollment.due_date,
                completed_at=enrollment.completed_at,
                modules=modules,
            )
        )
    return history


#: The names moved to the modules above stay importable from here.
__all__ = [
    "LATE",
    "ORG_SORTS",
    "PAGE_SIZE",
    "SORTS",
    "STAFF_ROLES",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "CityTotals",
    "Cutoffs",
    "EnrollmentHistory",
    "Judge",
    "ModuleHistory",
    "OrgFilter",
    "OrgSummary",
    "Page",
    "StaffFilter",
    "StaffRow",
    "all_rules",
    "certificate_facts",
    "city_totals",
    "compute_due",
    "contacts_box",
    "contacts_for_learner",
    "cutoffs_for",
    "due_for",
    "expiry_for",
    "filter_orgs",
    "filter_rows",
    "first_due_date",
    "iter_staff_rows",
    "minimum_minutes_for",
    "org_rules",
    "org_summaries",
    "paginate",
    "person_row",
    "primary_rule",
    "rooms_prompt",
    "rules_counting_for",
    "rules_for",
    "staff_facts",
    "staff_rows",
    "status_counts",
    "status_counts_by_org",
    "training_history",
]
