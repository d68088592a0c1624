"""Selecting the attempts of a module version and shaping them into runs and marks.

Rules only: no request, no commit.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO, TypeVar, TypeVarTuple
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Integer, Text, and_, case, cast, func, literal, select
from sqlalchemy.sql import ColumnElement, Select

from trainer.assessments.models import Attempt, Response
from trainer.assessments.statistics import ItemAnalysis, sparse_item_analysis
from trainer.auth.models import User
from trainer.core import csvout
from trainer.core.vocabulary import TestKind
from trainer.extensions import db
from trainer.learning.models import LessonProgress, ModuleProgress
from trainer.orgs.models import Organization

K = TypeVar("K", bound=Hashable)

PRE = TestKind.PRE.value
POST = TestKind.POST.value
KINDS = (PRE, POST)


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """Which attempts count: learner filters, attempt filters and the viewer's scope.

    ``jurisdiction`` is the scope, not a filter the viewer picks: None for every
    jurisdiction (admins), else only learners of organizations in it (auditors).
    """

    organization_id: int | None = None
    department: str | None = None
    job_role: str | None = None
    language: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    timezone: str = "UTC"
    jurisdiction: str | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The selected days as [start, end) instants in UTC (None: open)."""
        zone = ZoneInfo(self.timezone)
        start = end = None
        if self.date_from is not None:
            start = datetime.combine(self.date_from, time(0), zone).astimezone(UTC)
        if self.date_to is not None:
            end = datetime.combine(self.date_to + timedelta(days=1), time(0), zone)
            end = end.astimezone(UTC)
        return start, end

    def query_args(self) -> dict[str, str]:
        """The viewer's filters as URL query arguments (the scope is never in the URL)."""
        args = {
            "org": str(self.organization_id) if self.organization_id is not None else "",
            "department": self.department or "",
            "job_role": self.job_role or "",
            "language": self.language or "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in args.items() if value}

    @property
    def active(self) -> bool:
        """True when the viewer narrowed the data with at least one filter."""
        return bool(self.query_args())


def _learner_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """SQL conditions on the learner (User) and their organization."""
    conditions: list[ColumnElement[bool]] = []
    if filters.jurisdiction is not None:
        conditions.append(Organization.jurisdiction == filters.jurisdiction)
    if filters.organization_id is not None:
        conditions.append(User.organization_id == filters.organization_id)
    if filters.department is not None:
        conditions.append(Organization.department == filters.department)
    if filters.job_role is not None:
        conditions.append(User.job_role == filters.job_role)
    return conditions


def _attempt_window(filters: Filters) -> list[ColumnElement[bool]]:
    """SQL conditions selecting attempts by language and submission day."""
    conditions: list[ColumnElement[bool]] = []
    start, end = filters.bounds()
    if filters.language is not None:
        conditions.append(Attempt.language == filters.language)
    if start is not None:
        conditions.append(Attempt.submitted_at >= start)
    if end is not None:
        conditions.append(Attempt.submitted_at < end)
    return conditions


_Columns = TypeVarTuple("_Columns")


def scoped(query: Select[*_Columns], filters: Filters) -> Select[*_Columns]:
    """Join attempts to their learner and organization and apply the learner filters."""
    return (
        query.join(User, User.id == Attempt.user_id)
        .join(Organization, Organization.id == User.organization_id)
        .where(*_learner_conditions(filters))
    )


# --------------------------------------------------------------------------- loading


def _window_flag(filters: Filters) -> ColumnElement[int]:
    """1 when an attempt is in the selected language and days, else 0 (computed in SQL)."""
    conditions = _attempt_window(filters)
    if not conditions:
        return literal(1, Integer)
    return case((and_(*conditions), 1), else_=0)


#: The attempt fields every run is built from (`build_runs`), by the names it reads.
RUN_COLUMNS = (
    Attempt.id.label("id"),
    Attempt.module_progress_id.label("run"),
    Attempt.user_id.label("user"),
    Attempt.kind.label("kind"),
    Attempt.number.label("number"),
    Attempt.language.label("language"),
    Attempt.score_percent.label("score"),
    Attempt.passed.label("passed"),
)


def load_attempts(version_id: int, filters: Filters) -> list[Any]:
    """Every submitted attempt on a version by the selected learners, oldest id first.

    Each row: ``id, run, user, kind, number, language, score, passed, selected, scores``,
    where ``selected`` says whether the attempt is in the selected language and days (a
    run is dated by its first post-test, which must be found among all its attempts) and
    ``scores`` is the item scores' JSON text, parsed only where needed (``parse_scores``).
    """
    query = select(
        *RUN_COLUMNS,
        _window_flag(filters).label("selected"),
        cast(Attempt.item_scores, Text).label("scores"),
    ).where(Attempt.module_version_id == version_id, Attempt.submitted_at.is_not(None))
    return list(db.session.execute(scoped(query, filters).order_by(Attempt.id)))


def parse_scores(rows: Sequence[Any]) -> dict[int, dict[str, float]]:
    """The item scores of these attempt rows by attempt id, parsed in one pass."""
    texts = [row.scores or "null" for row in rows]
    try:
        documents = json.loads("[" + ",".join(texts) + "]")
    except ValueError:
        documents = None
    if not isinstance(documents, list) or len(documents) != len(texts):
        documents = []
        for text in texts:
            try:
                documents.append(json.loads(text))
            except ValueError:
                documents.append(None)
    return {
        row.id: (document if isinstance(document, dict) else {})
        for row, document in zip(rows, documents, strict=True)
    }


def lesson_seconds(version_id: int) -> dict[int, int]:
    """Seconds spent on the version's lessons, per run."""
    query = (
        select(LessonProgress.module_progress_id, func.sum(LessonProgress.seconds_spent))
        .join(ModuleProgress, ModuleProgress.id == LessonProgress.module_progress_id)
        .where(ModuleProgress.module_version_id == version_id)
        .group_by(LessonProgress.module_progress_id)
    )
    return {run: int(seconds or 0) for run, seconds in db.session.execute(query)}


def answer_counts(version_id: int, filters: Filters, kind: str) -> dict[str, Counter_]:
    """How often each answer was given per question, over the selected attempts (in SQL)."""
    answer_text = cast(Response.answer, Text)
    query = (
        select(Response.question_key, answer_text, func.count())
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(
            Attempt.module_version_id == version_id,
            Attempt.kind == kind,
            Attempt.submitted_at.is_not(None),
            *_attempt_window(filters),
        )
        .group_by(Response.question_key, answer_text)
    )
    if _learner_conditions(filters):
        query = scoped(query, filters)
    counts: dict[str, Counter_] = defaultdict(Counter_)
    for key, text, count in db.session.execute(query):
        try:
            answer = json.loads(text) if text is not None else None
        except ValueError:
            continue
        counts[key].add(answer, int(count))
    return counts


class Counter_:  # noqa: N801 - a tiny tally, named to avoid shadowing collections.Counter
    """Answer tallies of one question: options chosen and answers given."""

    def __init__(self) -> None:
        self.options: dict[str, int] = defaultdict(int)
        self.answers = 0

    def add(self, answer: Any, count: int) -> None:
        """Count ``count`` answers equal to ``answer`` (a list counts each option)."""
        self.answers += count
        if isinstance(answer, list):
            for option in answer:
                self.options[str(option)] += count
        elif isinstance(answer, bool):
            self.options["true" if answer else "false"] += count
        elif answer is not None:
            self.options[str(answer)] += count


# --------------------------------------------------------------------------- runs


@dataclass
class Run:
    """One learner's way through the version: baseline pre-test and post-test attempts."""

    run_id: int
    user_id: int
    pre: Any = None
    posts: list[Any] = field(default_factory=list)

    @property
    def first_post(self) -> Any:
        """The first submitted post-test attempt (None if there is none)."""
        return self.posts[0] if self.posts else None


def build_runs(rows: Iterable[Any]) -> dict[int, Run]:
    """Group attempt rows into runs (pre-test: the first by number; posts by number)."""
    runs: dict[int, Run] = {}
    for row in rows:
        run = runs.get(row.run)
        if run is None:
            run = runs[row.run] = Run(row.run, row.user)
        if row.kind == PRE:
            if run.pre is None or row.number < run.pre.number:
                run.pre = row
        elif row.kind == POST:
            run.posts.append(row)
    for run in runs.values():
        if len(run.posts) > 1:
            run.posts.sort(key=lambda attempt: attempt.number)
    return runs


def selected_runs(runs: Mapping[int, Run]) -> list[Run]:
    """Runs whose first post-test attempt is in the selected language and dates."""
    return [run for run in runs.values() if run.first_post is not None and run.first_post.selected]


# --------------------------------------------------------------------------- marks


@dataclass(frozen=True)
class MarksMatrix:
    """Attempts x items marks (NaN: the item was not on that attempt's form)."""

    attempt_ids: tuple[int, ...]
    item_ids: tuple[str, ...]
    marks: NDArray[np.float64]


def marks_matrix(
    rows: Iterable[Any],
    kind: str,
    bank_order: Sequence[str],
    scores: Mapping[int, Mapping[str, float]] | None = None,
) -> MarksMatrix:
    """The marks of the selected attempts of one kind, items in bank order.

    Items no selected attempt drew are left out; items unknown to the bank come after
    the known ones (in the order first seen). ``scores`` are the parsed item scores by
    attempt id (parsed here when not given).
    """
    chosen = [row for row in rows if row.kind == kind and row.selected and row.scores]
    parsed = scores if scores is not None else parse_scores(chosen)
    documents = [parsed.get(row.id) or {} for row in chosen]
    seen: dict[str, None] = {}
    for document in documents:
        for item_id in document:
            seen.setdefault(item_id, None)
    known = set(bank_order)
    ordered = [item_id for item_id in bank_order if item_id in seen]
    ordered += [item_id for item_id in seen if item_id not in known]
    column = {item_id: j for j, item_id in enumerate(ordered)}
    row_index: list[int] = []
    col_index: list[int] = []
    values: list[float] = []
    for i, document in enumerate(documents):
        row_index.extend([i] * len(document))
        col_index.extend(map(column.__getitem__, document))
        values.extend(document.values())
    marks = np.full((len(documents), len(ordered)), np.nan)
    if values:
        marks[row_index, col_index] = np.asarray(values, dtype=np.float64)
    return MarksMatrix(tuple(row.id for row in chosen), tuple(ordered), marks)


def write_marks_csv(matrix: MarksMatrix, stream: TextIO) -> None:
    """Write marks in ``flask stats items`` format: empty cell = not on the form."""
    writer = csvout.writer(stream, lineterminator="\n")
    writer.writerow(["attempt", *matrix.item_ids])
    for attempt_id, row in zip(matrix.attempt_ids, matrix.marks, strict=True):
        writer.writerow([attempt_id, *("" if math.isnan(v) else repr(float(v)) for v in row)])


def analyse_marks(matrix: MarksMatrix) -> ItemAnalysis | None:
    """Item analysis of a marks matrix (None when there is no attempt to analyse)."""
    if matrix.marks.shape[0] == 0 or matrix.marks.shape[1] == 0:
        return None
    return sparse_item_analysis(matrix.marks, 1.0, matrix.item_ids)
