"""Plain data for the learner's pages, so templates hold no rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from trainer.assessments import services as tests
from trainer.assessments.drawing import form_from_json
from trainer.assessments.models import Attempt
from trainer.auth.models import User
from trainer.core.text import localized
from trainer.learning import services
from trainer.learning.models import Enrollment, ModuleProgress


@dataclass
class Step:
    """One step of a module as the learner sees it."""

    kind: str  # pre, lesson, attest, post
    label: str
    done: bool
    current: bool
    url: str | None = None
    lesson_id: str | None = None


@dataclass
class ModuleOverview:
    """A module's state for its page and for the track list."""

    progress_id: int
    slug: str
    title: str
    summary: str
    component: int
    version: int | None
    is_open: bool
    passed: bool
    best_score: float | None
    next_step: str  # locked, pre, lesson, attest, post, wait, no_attempts, passed
    next_lesson_id: str | None
    lessons: list[dict[str, Any]] = field(default_factory=list)
    has_attestation: bool = False
    attested: bool = False
    post_used: int = 0
    post_allowed: int = 0
    wait_until: datetime | None = None
    open_attempt_id: int | None = None
    pre_attempt_id: int | None = None
    pre_done: bool = False
    pass_mark: int = 80
    minimum_minutes: int = 0
    post_results: list[dict[str, Any]] = field(default_factory=list)
    enrollment_id: int = 0
    is_last: bool = False
    track_completed: bool = False
    next_progress_id: int | None = None

    @property
    def lessons_done(self) -> int:
        """How many lessons are complete."""
        return sum(1 for lesson in self.lessons if lesson["done"])


@dataclass
class StepView:
    """One segment of the USWDS step indicator."""

    label: str
    state: str  # complete, current, upcoming


@dataclass
class StepIndicator:
    """A module's steps and where the learner is: "Step 2 of 4: Lessons (3 of 8)"."""

    steps: list[StepView]
    current: int  # 1-based

    @property
    def heading(self) -> str:
        """The current step's label."""
        return self.steps[self.current - 1].label


def step_indicator(m: ModuleOverview, at: str | None = None) -> StepIndicator:
    """Pre-test, lessons (n of m), [form and procedure], post-test, certificate.

    `at` names the step the page is about (pre, lesson, attest, post); without it the
    first step not done is the current one.
    """
    total = len(m.lessons)
    steps: list[tuple[str, str, bool]] = [
        ("pre", _("Pre-test"), m.pre_done),
        (
            "lesson",
            _("Lessons (%(done)d of %(total)d)", done=m.lessons_done, total=total),
            total > 0 and m.lessons_done == total,
        ),
    ]
    if m.has_attestation:
        steps.append(("attest", _("New form and procedure"), m.attested))
    steps.append(("post", _("Post-test"), m.passed))
    final = _("Certificate") if m.is_last else _("Next module")
    steps.append(("final", final, m.passed))
    keys = [key for key, _label, _done in steps]
    if at in keys:
        current = keys.index(at)
    else:
        current = next((i for i, (_k, _l, done) in enumerate(steps) if not done), len(steps) - 1)
    views = [
        StepView(
            label,
            "current" if i == current else "complete" if done else "upcoming",
        )
        for i, (_key, label, done) in enumerate(steps)
    ]
    return StepIndicator(steps=views, current=current + 1)


def module_overview(progress: ModuleProgress, user: User, language: str) -> ModuleOverview:
    """Where the learner stands in one module and what comes next."""
    is_open = services.is_open(progress)
    version = progress.version or progress.module.current_version
    if version is None:
        raise services.NotAvailable("module has no content")
    overview = ModuleOverview(
        progress_id=progress.id,
        slug=progress.module.slug,
        title=localized(version.title, language),
        summary=localized(version.content.get("summary"), language),
        component=version.component,
        version=version.version,
        is_open=is_open,
        passed=progress.passed_at is not None,
        best_score=progress.best_score,
        next_step="locked",
        next_lesson_id=None,
        pass_mark=version.pass_mark,
        minimum_minutes=version.minimum_minutes,
        has_attestation=bool(version.attestation),
        attested=progress.attested_at is not None,
        enrollment_id=progress.enrollment_id,
        track_completed=progress.enrollment.completed_at is not None,
    )
    ordered = sorted(progress.enrollment.modules, key=lambda p: p.position)
    later = [p for p in ordered if p.position > progress.position]
    overview.is_last = not later
    overview.next_progress_id = later[0].id if later else None
    if progress.passed_at is not None:
        overview.next_step = "passed"
    if not is_open:
        return overview
    pre = tests.pre_test(progress) if progress.module_version_id else None
    overview.pre_attempt_id = pre.id if pre else None
    overview.pre_done = pre is not None and pre.submitted_at is not None
    done = services.completed_lessons(progress)
    for lesson in version.lessons:
        overview.lessons.append(
            {
                "id": lesson["id"],
                "title": localized(lesson["title"], language),
                "done": lesson["id"] in done,
                "minutes": max(1, round(services.lesson_minimum(version, lesson, user) / 60)),
            }
        )
    if overview.passed:
        _post_results(progress, overview)
        return overview
    if not overview.pre_done:
        overview.next_step = "pre"
        return overview
    pending = next((lesson for lesson in overview.lessons if not lesson["done"]), None)
    if pending is not None:
        overview.next_step = "lesson"
        overview.next_lesson_id = pending["id"]
        return overview
    if overview.has_attestation and not overview.attested:
        overview.next_step = "attest"
        return overview
    state = tests.post_test_state(progress)
    overview.post_used, overview.post_allowed = state.used, state.allowed
    overview.open_attempt_id = state.open_attempt.id if state.open_attempt else None
    overview.wait_until = state.wait_until
    _post_results(progress, overview)
    if state.reason == "cooldown":
        overview.next_step = "wait"
    elif state.reason == "no_attempts":
        overview.next_step = "no_attempts"
    else:
        overview.next_step = "post"
    return overview


def _post_results(progress: ModuleProgress, overview: ModuleOverview) -> None:
    overview.post_results = [
        {"id": a.id, "number": a.number, "score": a.score_percent, "passed": a.passed}
        for a in tests.attempts_of(progress, tests.POST)
        if a.submitted_at is not None
    ]


def track_overview(
    enrollment: Enrollment, language: str, today: date, soon: int = 30
) -> dict[str, Any]:
    """A track with its modules' states and its due date's state, for "My training"."""
    modules = []
    for progress in enrollment.modules:
        version = progress.version or progress.module.current_version
        modules.append(
            {
                "progress_id": progress.id,
                "title": localized(version.title, language) if version else progress.module.slug,
                "component": progress.module.component,
                "open": services.is_open(progress),
                "passed": progress.passed_at is not None,
                "started": progress.started_at is not None,
                "score": progress.best_score,
            }
        )
    current = next((m for m in modules if m["open"] and not m["passed"]), None)
    return {
        "id": enrollment.id,
        "title": localized(enrollment.track.title, language),
        "cycle": enrollment.cycle,
        "due_date": enrollment.due_date,
        "due": due_state(enrollment.due_date, enrollment.completed_at is not None, today, soon),
        "completed_at": enrollment.completed_at,
        "modules": modules,
        "current": current,
        "passed_count": sum(1 for m in modules if m["passed"]),
    }


def due_state(due: date | None, completed: bool, today: date, soon_days: int) -> dict[str, Any]:
    """Whether a training is overdue, due soon or just due, and by how many days."""
    if completed or due is None:
        return {"state": "none", "days": 0}
    days = (due - today).days
    if days < 0:
        return {"state": "overdue", "days": -days}
    if days <= soon_days:
        return {"state": "due_soon", "days": days}
    return {"state": "due", "days": days}


def _without_hint(stem: str) -> str:
    """The stem without a closing "Choose all that apply." (the page says it once, as a
    hint under the question)."""
    hint = _("Choose all that apply.").rstrip(".").strip().casefold()
    text = stem.rstrip().rstrip(".").rstrip()
    if hint and text.casefold().endswith(hint):
        return text[: len(text) - len(hint)].rstrip()
    return stem


def _question_view(
    key: str, question: dict[str, Any], order: list[str], saved: Any, language: str
) -> dict[str, Any]:
    qtype = question["type"]
    options_by_id = {o["id"]: o for o in question.get("options") or []}
    if qtype == "true_false":
        options = [
            {"value": "true", "label": None, "tf": True, "checked": saved is True},
            {"value": "false", "label": None, "tf": False, "checked": saved is False},
        ]
    else:
        chosen = set(saved if isinstance(saved, list) else [saved] if saved else [])
        options = [
            {
                "value": oid,
                "label": localized(options_by_id[oid]["text"], language),
                "checked": oid in chosen,
            }
            for oid in order
            if oid in options_by_id
        ]
    stem = localized(question.get("stem"), language)
    if qtype == "multiple":
        stem = _without_hint(stem)
    return {
        "key": key,
        "field": "q:" + key,
        "dom_id": "q-" + key.replace(".", "-"),
        "type": qtype,
        "stem": stem,
        "options": options,
        "multiple": qtype == "multiple",
        "answered": saved is not None,
    }


def attempt_view(attempt: Attempt, language: str) -> dict[str, Any]:
    """The attempt's questions in their drawn order, with saved answers."""
    saved = tests.answers_of(attempt)
    bank = {item["id"]: item for item in attempt.version.items}
    items: list[dict[str, Any]] = []
    for number, entry in enumerate(form_from_json(attempt.form), start=1):
        item = bank[entry.item_id]
        if item["type"] == "scenario":
            questions = [
                _question_view(
                    f"{item['id']}.{sub['id']}",
                    sub,
                    entry.option_order.get(f"{item['id']}.{sub['id']}", []),
                    saved.get(f"{item['id']}.{sub['id']}"),
                    language,
                )
                for sub in item["questions"]
            ]
            case = localized(item.get("case"), language)
        else:
            questions = [
                _question_view(
                    item["id"],
                    item,
                    entry.option_order.get(item["id"], []),
                    saved.get(item["id"]),
                    language,
                )
            ]
            case = None
        items.append({"number": number, "case": case, "questions": questions})
    unanswered = []
    for item in items:
        parts = item["questions"]
        for part, question in enumerate(parts, start=1):
            question["part"] = part if len(parts) > 1 else None
            if not question["answered"]:
                label = (
                    _("Question %(n)d, part %(part)d", n=item["number"], part=part)
                    if len(parts) > 1
                    else _("Question %(n)d", n=item["number"])
                )
                unanswered.append({"label": label, "dom_id": question["dom_id"]})
    answered = sum(1 for item in items for q in item["questions"] if q["answered"])
    total = sum(len(item["questions"]) for item in items)
    return {
        "unanswered": unanswered,
        "count": len(items),
        "pass_mark": attempt.version.pass_mark,
        "id": attempt.id,
        "kind": attempt.kind,
        "number": attempt.number,
        "title": localized(attempt.version.title, language),
        "progress_id": attempt.module_progress_id,
        "entries": items,
        "answered": answered,
        "total": total,
    }


def result_view(attempt: Attempt, language: str) -> dict[str, Any]:
    """Score, pass or not, and the per-question review the module allows."""
    rows = []
    for item, reviews in tests.review(attempt, language):
        case = localized(item.get("case"), language) if item["type"] == "scenario" else None
        stems = {}
        if item["type"] == "scenario":
            for sub in item["questions"]:
                stems[f"{item['id']}.{sub['id']}"] = localized(sub.get("stem"), language)
        else:
            stems[item["id"]] = localized(item.get("stem"), language)
        rows.append(
            {"case": case, "questions": [{"stem": stems.get(r.key, ""), "r": r} for r in reviews]}
        )
    return {
        "attempt": attempt,
        "title": localized(attempt.version.title, language),
        "score": attempt.score_percent,
        "passed": attempt.passed,
        "pass_mark": attempt.version.pass_mark,
        "kind": attempt.kind,
        "rows": rows,
        "progress_id": attempt.module_progress_id,
    }
