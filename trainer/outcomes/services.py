"""Program outcomes: what the training changed, per module version, from the attempts.

Rules only: no request, no commit. The numbers come from the pure functions of
``trainer.assessments.statistics``; this module selects the attempts, shapes them into
the inputs those functions take, and lays the results out as tables (the page, its
charts and the CSV export all read the same tables, so they always agree).

Definitions used throughout:

* A *run* is one learner's way through one module version in one enrollment (a
  ``ModuleProgress``); a learner who takes the same version again in a later cycle has a
  second run. Only submitted attempts count.
* A run's outcome is measured by its **first** post-test attempt: it follows the lessons
  once, before any retake, so every learner is measured at the same point. The run is
  dated (and its language taken) from that attempt; the run's pre-test is the baseline.
* Filters: organization, department and job role select learners (as they are now);
  language and date range select attempts (the language the test was taken in, and the
  day it was submitted in the program's time zone). Item statistics, option counts and
  facility indices use every selected attempt of the chosen kind (pre or post).
* Random forms: each attempt draws its own items, so the marks matrix has holes; item
  statistics are computed with ``sparse_item_analysis`` (per item over the attempts that
  drew it).
* Wrong to right: for learners whose pre-test and first post-test both had the item
  (possible only where the module lets the two forms share items), the share of those
  wrong on the pre-test who were right on the post-test. "Right" means full marks.
* Snapshots: computing a page reads every attempt of the version (seconds at city
  scale), so the pages save their tables (``OutcomeSnapshot``) and show them again until
  they are older than the configured age, as Moodle does with its quiz statistics.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import statistics as pystats
import time as time_module
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO, TypeVar, TypeVarTuple
from zoneinfo import ZoneInfo

import numpy as np
from flask_babel import lazy_gettext as _l
from numpy.typing import NDArray
from sqlalchemy import Integer, Text, and_, case, cast, delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import ColumnElement, Select

from trainer.assessments import scoring
from trainer.assessments.models import Attempt, Response
from trainer.assessments.statistics import (
    FLAG_NEGATIVE_DISCRIMINATION,
    FLAG_NO_DISCRIMINATION,
    FLAG_TOO_EASY,
    FLAG_TOO_HARD,
    FLAG_WEAK_DISCRIMINATION,
    GainSummary,
    ItemAnalysis,
    flag_items,
    gain_summary,
    sparse_item_analysis,
    wrong_to_right,
)
from trainer.auth.models import User
from trainer.catalog.models import Module, ModuleVersion
from trainer.core import csvout
from trainer.core.text import localized
from trainer.core.vocabulary import ORG_KIND_PLURALS, TestKind
from trainer.extensions import db
from trainer.learning.models import LessonProgress, ModuleProgress
from trainer.orgs.models import Organization
from trainer.outcomes.groups import (  # also public names of this module
    MIN_GROUP,
    SUPPRESSED,
    group_tables,
    suppressed_groups,
    withhold_small_selection,
)
from trainer.outcomes.models import OutcomeSnapshot
from trainer.timeutil import utcnow

K = TypeVar("K", bound=Hashable)

PRE = TestKind.PRE.value
POST = TestKind.POST.value
KINDS = (PRE, POST)

#: Width of the score distribution's bins, in percentage points.
BIN_WIDTH = 10

FLAG_REASONS: dict[str, Any] = {
    FLAG_TOO_EASY: _l("Too easy: facility index above 95%"),
    FLAG_TOO_HARD: _l("Too hard: facility index below 20%"),
    FLAG_NO_DISCRIMINATION: _l("No discrimination: everyone had the same mark"),
    FLAG_NEGATIVE_DISCRIMINATION: _l("Negative discrimination: stronger learners did worse"),
    FLAG_WEAK_DISCRIMINATION: _l("Weak discrimination: index below 20%"),
}


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


def _scoped(query: Select[*_Columns], filters: Filters) -> Select[*_Columns]:
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


def load_attempts(version_id: int, filters: Filters) -> list[Any]:
    """Every submitted attempt on a version by the selected learners, oldest id first.

    Each row: ``id, run, user, kind, number, language, score, passed, selected, scores``,
    where ``selected`` says whether the attempt is in the selected language and days (a
    run is dated by its first post-test, which must be found among all its attempts) and
    ``scores`` is the item scores' JSON text, parsed only where needed (``parse_scores``).
    """
    query = select(
        Attempt.id.label("id"),
        Attempt.module_progress_id.label("run"),
        Attempt.user_id.label("user"),
        Attempt.kind.label("kind"),
        Attempt.number.label("number"),
        Attempt.language.label("language"),
        Attempt.score_percent.label("score"),
        Attempt.passed.label("passed"),
        _window_flag(filters).label("selected"),
        cast(Attempt.item_scores, Text).label("scores"),
    ).where(Attempt.module_version_id == version_id, Attempt.submitted_at.is_not(None))
    return list(db.session.execute(_scoped(query, filters).order_by(Attempt.id)))


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


def _lesson_seconds(version_id: int) -> dict[int, int]:
    """Seconds spent on the version's lessons, per run."""
    query = (
        select(LessonProgress.module_progress_id, func.sum(LessonProgress.seconds_spent))
        .join(ModuleProgress, ModuleProgress.id == LessonProgress.module_progress_id)
        .where(ModuleProgress.module_version_id == version_id)
        .group_by(LessonProgress.module_progress_id)
    )
    return {run: int(seconds or 0) for run, seconds in db.session.execute(query)}


def _answer_counts(version_id: int, filters: Filters, kind: str) -> dict[str, Counter_]:
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
        query = _scoped(query, filters)
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


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Column:
    """One column of a figure's table: a CSV key, a label and how numbers are shown."""

    key: str
    label: Any
    kind: str = "text"  # text | int | percent | ratio


@dataclass(frozen=True)
class Table:
    """A figure's data: the page shows it, charts draw it, the CSV export writes it."""

    key: str
    title: Any
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]

    def column(self, key: str) -> list[Any]:
        """The values of one column, top to bottom."""
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def value(self, metric: str) -> Any:
        """For a metric/value table: the value of one metric (None if absent)."""
        for row in self.rows:
            if row[0] == metric:
                return row[-1]
        return None

    def to_payload(self) -> dict[str, Any]:
        """The table as plain JSON data (labels as text in the current language)."""
        return {
            "title": str(self.title),
            "columns": [[c.key, str(c.label), c.kind] for c in self.columns],
            "rows": [[_plain(value) for value in row] for row in self.rows],
        }

    @classmethod
    def from_payload(cls, key: str, data: Mapping[str, Any]) -> Table:
        """Rebuild a table saved by ``to_payload``."""
        return cls(
            key,
            data["title"],
            tuple(Column(k, label, kind) for k, label, kind in data["columns"]),
            tuple(tuple(row) for row in data["rows"]),
        )

    def to_csv(self) -> str:
        """The table as CSV: a header of column keys, numbers exactly as on the page."""
        out = io.StringIO()
        writer = csvout.writer(out, lineterminator="\r\n")
        writer.writerow([c.key for c in self.columns])
        for row in self.rows:
            writer.writerow([_csv_cell(value) for value in row])
        return out.getvalue()


def _plain(value: Any) -> Any:
    """A cell as JSON can hold it (lazy texts become text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _csv_cell(value: Any) -> str:
    """One CSV cell: empty for undefined, text neutralized against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and text != SUPPRESSED:
        return "'" + text
    return text


def _pct(value: float | None) -> float | None:
    """A percentage as shown: two decimals."""
    return None if value is None else round(float(value), 2)


def _share(value: float | None) -> float | None:
    """A share in 0..1 shown as a percentage with two decimals."""
    return None if value is None else round(100.0 * float(value), 2)


def _ratio(value: float | None) -> float | None:
    """A unitless ratio (normalized gain, effect size, skewness): three decimals."""
    return None if value is None else round(float(value), 3)


METRIC_COLUMNS = (
    Column("metric", _l("Measure")),
    Column("label", _l("Meaning")),
    Column("value", _l("Value"), "number"),
)


def _metric_table(key: str, title: Any, rows: list[tuple[str, Any, Any, str]]) -> Table:
    """A two-column table of named measures; each row is (key, label, value, kind)."""
    return Table(
        key,
        title,
        METRIC_COLUMNS,
        tuple((metric, label, value) for metric, label, value, _kind in rows),
    )


@dataclass(frozen=True)
class Outcomes:
    """Every figure of one module version under one set of filters."""

    version_id: int
    kind: str
    runs: int
    learners: int
    gain: GainSummary
    first_attempt_pass_rate: float | None
    mean_attempts: float | None
    lesson_minutes_mean: float | None
    lesson_minutes_median: float | None
    analysis: ItemAnalysis | None
    matrix: MarksMatrix
    tables: dict[str, Table]

    @property
    def flags(self) -> Table:
        """Items flagged for review, with the reason."""
        return self.tables["flags"]


def score_bins() -> list[tuple[int, int]]:
    """The distribution's bins as (low, high) percentages; the last includes 100."""
    return [(low, low + BIN_WIDTH) for low in range(0, 100, BIN_WIDTH)]


def bin_counts(scores: Iterable[float]) -> list[int]:
    """How many scores fall in each bin of ``score_bins`` (100 goes in the last)."""
    counts = [0] * (100 // BIN_WIDTH)
    for score in scores:
        index = min(int(float(score) // BIN_WIDTH), len(counts) - 1)
        counts[max(index, 0)] += 1
    return counts


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _median(values: Sequence[float]) -> float | None:
    return float(pystats.median(values)) if values else None


def _item_text(item: Mapping[str, Any] | None, language: str) -> str:
    """A short text naming the item: its stem, or a scenario's case."""
    if item is None:
        return ""
    text = localized(item.get("stem"), language) or localized(item.get("case"), language)
    text = " ".join(text.split())
    return text if len(text) <= 90 else text[:89].rstrip() + "…"


def module_outcomes(
    version: ModuleVersion, filters: Filters, kind: str = POST, language: str = "en"
) -> Outcomes:
    """Compute every figure of a module version for the selected learners and attempts."""
    kind = kind if kind in KINDS else POST
    rows = load_attempts(version.id, filters)
    runs = build_runs(rows)
    chosen = selected_runs(runs)
    pairs = [
        (float(run.pre.score), float(run.first_post.score))
        for run in chosen
        if run.pre is not None and run.pre.score is not None and run.first_post.score is not None
    ]
    gain = gain_summary(pairs)
    pass_rate = _mean([1.0 if run.first_post.passed else 0.0 for run in chosen])
    mean_attempts = _mean([float(len(run.posts)) for run in chosen])
    seconds = _lesson_seconds(version.id)
    minutes = [seconds.get(run.run_id, 0) / 60.0 for run in chosen]
    learners = len({run.user_id for run in chosen})

    needed = {row.id: row for row in rows if row.selected and row.scores}
    for run in chosen:
        if run.pre is not None and run.pre.scores:
            needed[run.pre.id] = run.pre
    scores = parse_scores(list(needed.values()))

    bank = {str(item["id"]): item for item in version.items}
    matrices = {k: marks_matrix(rows, k, list(bank), scores) for k in KINDS}
    matrix = matrices[kind]
    analysis = analyse_marks(matrix)

    tables: dict[str, Table] = {}
    tables["gains"] = _gains_table(
        len(chosen),
        learners,
        gain,
        pass_rate,
        mean_attempts,
        _mean(minutes),
        _median(minutes),
    )
    tables["distribution"] = _distribution_table(pairs)
    tables["items"] = _items_table(analysis, bank, language)
    tables["test"] = _test_table(analysis)
    tables["flags"] = _flags_table(analysis, bank, language)
    answer_counts = _answer_counts(version.id, filters, kind)
    tables["options"] = _options_table(analysis, answer_counts, bank, language)
    tables["transitions"] = _transitions_table(matrices, chosen, scores, bank, language)
    tables.update(group_tables(chosen))
    tables = withhold_small_selection(tables, learners)
    return Outcomes(
        version_id=version.id,
        kind=kind,
        runs=len(chosen),
        learners=learners,
        gain=gain,
        first_attempt_pass_rate=pass_rate,
        mean_attempts=mean_attempts,
        lesson_minutes_mean=_mean(minutes),
        lesson_minutes_median=_median(minutes),
        analysis=analysis,
        matrix=matrix,
        tables=tables,
    )


def _gains_table(
    runs: int,
    learners: int,
    gain: GainSummary,
    pass_rate: float | None,
    mean_attempts: float | None,
    minutes_mean: float | None,
    minutes_median: float | None,
) -> Table:
    """The headline figures of a module version."""
    return _metric_table(
        "gains",
        _l("Learning gains"),
        [
            ("runs", _l("Learners with a post-test"), runs, "int"),
            ("learners", _l("Distinct learners"), learners, "int"),
            ("pairs", _l("Learners with both a pre-test and a post-test"), gain.n, "int"),
            ("pre_mean", _l("Pre-test mean (%)"), _pct(gain.pre_mean), "percent"),
            ("post_mean", _l("Post-test mean (%)"), _pct(gain.post_mean), "percent"),
            ("mean_gain", _l("Mean paired gain (points)"), _pct(gain.mean_gain), "percent"),
            (
                "normalized_gain",
                _l("Normalized gain, per learner averaged"),
                _ratio(gain.normalized_gain),
                "ratio",
            ),
            (
                "normalized_gain_excluded",
                _l("Learners left out of it (100% on the pre-test)"),
                gain.normalized_gain_excluded,
                "int",
            ),
            (
                "class_normalized_gain",
                _l("Normalized gain on the class means"),
                _ratio(gain.class_normalized_gain),
                "ratio",
            ),
            ("cohen_dz", _l("Effect size (Cohen's d_z)"), _ratio(gain.cohen_dz), "ratio"),
            (
                "cohen_dz_ci_low",
                _l("Effect size, 95% confidence interval, low"),
                _ratio(gain.cohen_dz_ci_low),
                "ratio",
            ),
            (
                "cohen_dz_ci_high",
                _l("Effect size, 95% confidence interval, high"),
                _ratio(gain.cohen_dz_ci_high),
                "ratio",
            ),
            (
                "share_improved",
                _l("Learners who improved (%)"),
                _share(gain.share_improved),
                "percent",
            ),
            (
                "first_attempt_pass_rate",
                _l("Passed the post-test at the first attempt (%)"),
                _share(pass_rate),
                "percent",
            ),
            (
                "mean_attempts",
                _l("Post-test attempts per learner, mean"),
                _ratio(mean_attempts),
                "ratio",
            ),
            (
                "lesson_minutes_mean",
                _l("Minutes on lessons, mean"),
                _pct(minutes_mean),
                "percent",
            ),
            (
                "lesson_minutes_median",
                _l("Minutes on lessons, median"),
                _pct(minutes_median),
                "percent",
            ),
        ],
    )


def _distribution_table(pairs: Sequence[tuple[float, float]]) -> Table:
    """How many learners scored in each band, before and after."""
    pre = bin_counts(p for p, _ in pairs)
    post = bin_counts(q for _, q in pairs)
    rows = []
    for (low, high), before, after in zip(score_bins(), pre, post, strict=True):
        label = f"{low}-{high}"
        rows.append((label, before, after))
    return Table(
        "distribution",
        _l("Score distribution"),
        (
            Column("band", _l("Score band (%)")),
            Column("pre_learners", _l("Pre-test"), "int"),
            Column("post_learners", _l("Post-test"), "int"),
        ),
        tuple(rows),
    )


ITEM_COLUMNS = (
    Column("item_id", _l("Item key")),
    Column("text", _l("Question")),
    Column("attempts", _l("Attempts"), "int"),
    Column("facility_index", _l("Facility index (%)"), "percent"),
    Column("standard_deviation", _l("Standard deviation (%)"), "percent"),
    Column("discrimination_index", _l("Discrimination index (%)"), "percent"),
    Column("discriminative_efficiency", _l("Discriminative efficiency (%)"), "percent"),
    Column("intended_weight", _l("Intended weight (%)"), "percent"),
    Column("effective_weight", _l("Effective weight (%)"), "percent"),
    Column("review", _l("Review")),
)


def _items_table(analysis: ItemAnalysis | None, bank: Mapping[str, Any], language: str) -> Table:
    """Moodle's item statistics, one row per item, with its review flags."""
    rows = []
    if analysis is not None:
        reasons: dict[str, list[str]] = defaultdict(list)
        for item_id, reason in flag_items(analysis.items):
            reasons[item_id].append(reason)
        for item in analysis.items:
            rows.append(
                (
                    item.item_id,
                    _item_text(bank.get(item.item_id), language),
                    item.attempts,
                    _pct(item.facility_index),
                    _pct(item.standard_deviation),
                    _pct(item.discrimination_index),
                    _pct(item.discriminative_efficiency),
                    _pct(item.intended_weight),
                    _pct(item.effective_weight),
                    " ".join(reasons.get(item.item_id, [])),
                )
            )
    return Table("items", _l("Item analysis"), ITEM_COLUMNS, tuple(rows))


def _test_table(analysis: ItemAnalysis | None) -> Table:
    """Moodle's test statistics."""
    test = analysis.test if analysis is not None else None

    def get(name: str) -> Any:
        return getattr(test, name) if test is not None else None

    return _metric_table(
        "test",
        _l("Test statistics"),
        [
            ("attempts", _l("Attempts analysed"), get("attempts") or 0, "int"),
            ("items", _l("Items drawn at least once"), get("items") or 0, "int"),
            ("mean", _l("Mean score (%)"), _pct(get("mean")), "percent"),
            ("median", _l("Median score (%)"), _pct(get("median")), "percent"),
            (
                "standard_deviation",
                _l("Standard deviation (%)"),
                _pct(get("standard_deviation")),
                "percent",
            ),
            ("skewness", _l("Skewness"), _ratio(get("skewness")), "ratio"),
            ("kurtosis", _l("Excess kurtosis"), _ratio(get("kurtosis")), "ratio"),
            (
                "coefficient_of_internal_consistency",
                _l("Coefficient of internal consistency (%)"),
                _pct(get("coefficient_of_internal_consistency")),
                "percent",
            ),
            ("error_ratio", _l("Error ratio (%)"), _pct(get("error_ratio")), "percent"),
            ("standard_error", _l("Standard error (%)"), _pct(get("standard_error")), "percent"),
        ],
    )


def _flags_table(analysis: ItemAnalysis | None, bank: Mapping[str, Any], language: str) -> Table:
    """Items to review, one row per reason."""
    rows = []
    if analysis is not None:
        for item_id, reason in flag_items(analysis.items):
            rows.append(
                (
                    item_id,
                    _item_text(bank.get(item_id), language),
                    reason,
                    str(FLAG_REASONS.get(reason, reason)),
                )
            )
    return Table(
        "flags",
        _l("Items to review"),
        (
            Column("item_id", _l("Item key")),
            Column("text", _l("Question")),
            Column("reason", _l("Reason code")),
            Column("explanation", _l("Why")),
        ),
        tuple(rows),
    )


def _option_label(question: Mapping[str, Any], option_id: str, language: str) -> str:
    """The text of an option (True/False for a true-false question)."""
    if question.get("type") == "true_false":
        return str(_l("True")) if option_id == "true" else str(_l("False"))
    for option in question.get("options") or ():
        if str(option["id"]) == option_id:
            return localized(option.get("text"), language)
    return option_id


def _is_correct(question: Mapping[str, Any], option_id: str) -> bool:
    """Whether choosing this option is (part of) the correct answer."""
    correct = question.get("correct")
    if question.get("type") == "true_false":
        return (option_id == "true") == bool(correct)
    if isinstance(correct, list):
        return option_id in {str(c) for c in correct}
    return option_id == str(correct)


def _options_table(
    analysis: ItemAnalysis | None,
    counts: Mapping[str, Counter_],
    bank: Mapping[str, Any],
    language: str,
) -> Table:
    """How often each option was chosen, per question, over the attempts that had it."""
    rows = []
    drawn = {item.item_id: item.attempts for item in analysis.items} if analysis else {}
    for item_id, attempts in drawn.items():
        item = bank.get(item_id)
        if item is None:
            continue
        for key, question in scoring.questions_of(item):
            tally = counts.get(key, Counter_())
            asked = _item_text(question, language) or _item_text(item, language)
            option_ids = (
                ["true", "false"]
                if question.get("type") == "true_false"
                else scoring.option_ids(question)
            )
            for option_id in option_ids:
                chosen = tally.options.get(option_id, 0)
                rows.append(
                    (
                        key,
                        asked,
                        option_id,
                        _option_label(question, option_id, language),
                        _is_correct(question, option_id),
                        chosen,
                        _share(chosen / attempts) if attempts else None,
                    )
                )
            unanswered = max(attempts - tally.answers, 0)
            rows.append(
                (
                    key,
                    asked,
                    "",
                    str(_l("No answer")),
                    False,
                    unanswered,
                    _share(unanswered / attempts) if attempts else None,
                )
            )
    return Table(
        "options",
        _l("How often each option was chosen"),
        (
            Column("question", _l("Question key")),
            Column("question_text", _l("Question")),
            Column("option", _l("Option")),
            Column("text", _l("Answer")),
            Column("correct", _l("Correct")),
            Column("chosen", _l("Times chosen"), "int"),
            Column("share", _l("Share of attempts with the question (%)"), "percent"),
        ),
        tuple(rows),
    )


def _facilities(matrix: MarksMatrix) -> dict[str, float]:
    """Facility index (%) per item of a marks matrix (one-mark items)."""
    present = ~np.isnan(matrix.marks)
    counts = present.sum(axis=0)
    sums = np.where(present, matrix.marks, 0.0).sum(axis=0)
    return {
        item_id: 100.0 * float(sums[j]) / int(counts[j])
        for j, item_id in enumerate(matrix.item_ids)
        if counts[j]
    }


def _right(value: Any) -> bool:
    """Full marks on an item."""
    return value is not None and float(value) >= 1.0 - 1e-9


def _transitions_table(
    matrices: Mapping[str, MarksMatrix],
    runs: Sequence[Run],
    scores: Mapping[int, Mapping[str, float]],
    bank: Mapping[str, Any],
    language: str,
) -> Table:
    """Per item: facility before and after, and the share that went from wrong to right."""
    before = _facilities(matrices[PRE])
    after = _facilities(matrices[POST])
    pairs: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for run in runs:
        if run.pre is None:
            continue
        pre_scores = scores.get(run.pre.id) or {}
        post_scores = scores.get(run.first_post.id) or {}
        for item_id, pre_value in pre_scores.items():
            if item_id in post_scores:
                pairs[item_id].append((_right(pre_value), _right(post_scores[item_id])))
    shares = wrong_to_right(pairs)
    order = [item_id for item_id in bank if item_id in before or item_id in after]
    table_rows = []
    for item_id in order:
        paired = pairs.get(item_id, [])
        wrong = sum(1 for pre_ok, _ in paired if not pre_ok)
        fixed = sum(1 for pre_ok, post_ok in paired if not pre_ok and post_ok)
        table_rows.append(
            (
                item_id,
                _item_text(bank.get(item_id), language),
                _pct(before.get(item_id)),
                _pct(after.get(item_id)),
                len(paired),
                wrong,
                fixed,
                _share(shares.get(item_id)),
            )
        )
    return Table("transitions", TRANSITIONS_TITLE, TRANSITIONS_COLUMNS, tuple(table_rows))


TRANSITIONS_TITLE = _l("Before and after, per item")
TRANSITIONS_COLUMNS = (
    Column("item_id", _l("Item key")),
    Column("text", _l("Question")),
    Column("pre_facility", _l("Facility on pre-tests (%)"), "percent"),
    Column("post_facility", _l("Facility on post-tests (%)"), "percent"),
    Column("paired", _l("Learners with the item on both"), "int"),
    Column("wrong_before", _l("Of them, wrong on the pre-test"), "int"),
    Column("wrong_to_right", _l("Then right on the post-test"), "int"),
    Column("wrong_to_right_share", _l("Wrong to right (%)"), "percent"),
)


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class VersionRow:
    """A module version with how many learners took its tests (within the scope)."""

    version_id: int
    slug: str
    version: int
    component: int
    title: dict[str, str]
    current: bool
    pre_learners: int
    post_learners: int


def version_rows(jurisdiction: str | None) -> list[VersionRow]:
    """Every module version, by slug and version, with learner counts in the scope."""
    counts: dict[tuple[int, str], int] = {}
    query = (
        select(
            Attempt.module_version_id,
            Attempt.kind,
            func.count(func.distinct(Attempt.module_progress_id)),
        )
        .where(Attempt.submitted_at.is_not(None))
        .group_by(Attempt.module_version_id, Attempt.kind)
    )
    for version_id, kind, count in db.session.execute(
        _scoped(query, Filters(jurisdiction=jurisdiction))
    ):
        counts[(version_id, kind)] = int(count)
    versions = db.session.execute(
        select(
            ModuleVersion.id,
            Module.slug,
            ModuleVersion.version,
            ModuleVersion.component,
            ModuleVersion.title,
            Module.current_version_id,
        )
        .join(Module, Module.id == ModuleVersion.module_id)
        .order_by(ModuleVersion.component, Module.slug, ModuleVersion.version.desc())
    ).all()
    return [
        VersionRow(
            version_id=row.id,
            slug=row.slug,
            version=row.version,
            component=row.component,
            title=row.title,
            current=row.current_version_id == row.id,
            pre_learners=counts.get((row.id, PRE), 0),
            post_learners=counts.get((row.id, POST), 0),
        )
        for row in versions
    ]


def find_version(slug: str, number: int) -> ModuleVersion | None:
    """The version ``number`` of the module ``slug``."""
    return db.session.scalar(
        select(ModuleVersion)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(Module.slug == slug, ModuleVersion.version == number)
    )


def organizations_in_scope(jurisdiction: str | None) -> list[tuple[int, str]]:
    """(id, name) of the organizations a viewer may filter by, by name."""
    query = select(Organization.id, Organization.name).order_by(Organization.name)
    if jurisdiction is not None:
        query = query.where(Organization.jurisdiction == jurisdiction)
    return [(row.id, row.name) for row in db.session.execute(query)]


# --------------------------------------------------------------------------- summary


SUMMARY_COLUMNS = (
    Column("module", _l("Module")),
    Column("version", _l("Version"), "int"),
    Column("group", _l("Group")),
    Column("learners", _l("Learners"), "int"),
    Column("pre_mean", _l("Pre-test mean (%)"), "percent"),
    Column("post_mean", _l("Post-test mean (%)"), "percent"),
    Column("mean_gain", _l("Mean gain (points)"), "percent"),
    Column("normalized_gain", _l("Normalized gain"), "ratio"),
    Column("share_improved", _l("Improved (%)"), "percent"),
    Column("first_attempt_pass_rate", _l("Passed at the first attempt (%)"), "percent"),
)


@dataclass
class _Group:
    users: set[int] = field(default_factory=set)
    pairs: list[tuple[float, float]] = field(default_factory=list)
    firsts: list[bool] = field(default_factory=list)


def _summary_row(module: str, version: int, group: str, data: _Group, hide: bool) -> tuple:
    """One row of the summary: numbers, or the suppression marker and nothing else."""
    if hide:
        return (module, version, group, SUPPRESSED, None, None, None, None, None, None)
    gain = gain_summary(data.pairs)
    return (
        module,
        version,
        group,
        len(data.users),
        _pct(gain.pre_mean),
        _pct(gain.post_mean),
        _pct(gain.mean_gain),
        _ratio(gain.normalized_gain),
        _share(gain.share_improved),
        _share(_mean([1.0 if ok else 0.0 for ok in data.firsts])),
    )


ORG_KIND_LABELS: dict[str, Any] = ORG_KIND_PLURALS


def program_summary(language: str = "en", minimum: int = MIN_GROUP) -> dict[str, Table]:
    """Aggregates for partners: per module version, by language, by kind of organization.

    No personal data and no organization names; a group with fewer than ``minimum``
    learners (and whatever would let it be recovered) shows the marker only.
    """
    query = (
        select(
            Attempt.module_version_id.label("version"),
            Attempt.id.label("id"),
            Attempt.module_progress_id.label("run"),
            Attempt.user_id.label("user"),
            Attempt.kind.label("kind"),
            Attempt.number.label("number"),
            Attempt.language.label("language"),
            Attempt.score_percent.label("score"),
            Attempt.passed.label("passed"),
            Organization.kind.label("org_kind"),
        )
        .join(User, User.id == Attempt.user_id)
        .join(Organization, Organization.id == User.organization_id)
        .where(Attempt.submitted_at.is_not(None))
        .order_by(Attempt.id)
    )
    by_version: dict[int, list[Any]] = defaultdict(list)
    for row in db.session.execute(query):
        by_version[row.version].append(row)
    versions = {
        row.id: row
        for row in db.session.execute(
            select(ModuleVersion.id, ModuleVersion.version, ModuleVersion.title, Module.slug)
            .join(Module, Module.id == ModuleVersion.module_id)
            .order_by(ModuleVersion.component, Module.slug, ModuleVersion.version)
        )
    }
    totals: list[tuple] = []
    by_language: list[tuple] = []
    by_org_kind: list[tuple] = []
    for version_id, info in versions.items():
        rows = by_version.get(version_id)
        if not rows:
            continue
        runs = build_runs(rows)
        org_kind = {row.run: row.org_kind for row in rows}
        title = localized(info.title, language) or info.slug
        everyone = _Group()
        languages: dict[str, _Group] = defaultdict(_Group)
        kinds: dict[str, _Group] = defaultdict(_Group)
        for run in runs.values():
            first = run.first_post
            if first is None:
                continue
            belongs = (everyone, languages[first.language], kinds[org_kind[run.run_id]])
            for group in belongs:
                group.users.add(run.user_id)
                group.firsts.append(bool(first.passed))
                if run.pre is not None and run.pre.score is not None and first.score is not None:
                    group.pairs.append((float(run.pre.score), float(first.score)))
        if not everyone.users:
            continue
        hide_all = len(everyone.users) < minimum
        totals.append(
            _summary_row(title, info.version, str(_l("All learners")), everyone, hide_all)
        )
        for groups, rows_out, label in (
            (languages, by_language, _language_label),
            (kinds, by_org_kind, lambda k: str(ORG_KIND_LABELS.get(k, k))),
        ):
            hidden = suppressed_groups({k: len(g.users) for k, g in groups.items()}, minimum)
            for key in sorted(groups):
                rows_out.append(
                    _summary_row(
                        title, info.version, label(key), groups[key], hide_all or key in hidden
                    )
                )
    return {
        "summary": Table("summary", _l("Outcomes by module"), SUMMARY_COLUMNS, tuple(totals)),
        "languages": Table(
            "languages", _l("By language of the test"), SUMMARY_COLUMNS, tuple(by_language)
        ),
        "org_kinds": Table(
            "org_kinds", _l("By kind of organization"), SUMMARY_COLUMNS, tuple(by_org_kind)
        ),
    }


def _language_label(code: str) -> str:
    """The name of a language in itself (the code when unknown)."""
    from trainer.core.vocabulary import LANGUAGE_NAMES

    return LANGUAGE_NAMES.get(code, code)


# --------------------------------------------------------------------------- snapshots

#: Figures are reused for this many minutes unless the app sets OUTCOMES_MAX_AGE_MINUTES.
DEFAULT_MAX_AGE_MINUTES = 15
#: Snapshots not refreshed for this long are deleted when another one is saved.
SNAPSHOT_RETENTION = timedelta(days=2)
#: Bump when the payload's shape or a definition changes: older snapshots are ignored.
SNAPSHOT_SCHEMA = 2


@dataclass(frozen=True)
class Snapshot:
    """A page's tables, when they were computed, and how long that took."""

    tables: dict[str, Table]
    computed_at: datetime
    seconds: float
    reused: bool


def snapshot_key(page: str, **parts: Any) -> str:
    """The key of a snapshot: the page and everything that changes its figures."""
    canonical = json.dumps(
        {"page": page, "schema": SNAPSHOT_SCHEMA, **parts}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _saved(key: str, max_age_minutes: float, now: datetime) -> Snapshot | None:
    """The saved snapshot under ``key`` if it is young enough."""
    if max_age_minutes <= 0:
        return None
    row = db.session.scalar(select(OutcomeSnapshot).where(OutcomeSnapshot.key == key))
    if row is None or now - row.computed_at >= timedelta(minutes=max_age_minutes):
        return None
    tables = {k: Table.from_payload(k, data) for k, data in row.payload["tables"].items()}
    return Snapshot(tables, row.computed_at, row.seconds, reused=True)


def _save(
    key: str, version_id: int | None, tables: Mapping[str, Table], seconds: float, now: datetime
) -> None:
    """Insert or replace the snapshot under ``key``, and drop long-unused ones (flushes)."""
    values = {
        "key": key,
        "module_version_id": version_id,
        "computed_at": now,
        "seconds": seconds,
        "payload": {"tables": {k: table.to_payload() for k, table in tables.items()}},
    }
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(OutcomeSnapshot).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[OutcomeSnapshot.key],
            set_={name: statement.excluded[name] for name in values if name != "key"},
        )
        db.session.execute(statement)
    else:  # pragma: no cover - the platform runs on SQLite and PostgreSQL
        db.session.execute(delete(OutcomeSnapshot).where(OutcomeSnapshot.key == key))
        db.session.add(OutcomeSnapshot(**values))
    db.session.execute(
        delete(OutcomeSnapshot).where(OutcomeSnapshot.computed_at < now - SNAPSHOT_RETENTION)
    )
    db.session.flush()


def module_snapshot(
    version: ModuleVersion,
    filters: Filters,
    kind: str,
    language: str,
    max_age_minutes: float = DEFAULT_MAX_AGE_MINUTES,
    *,
    refresh: bool = False,
) -> Snapshot:
    """The module page's tables: reused while young enough, else computed and saved."""
    kind = kind if kind in KINDS else POST
    key = snapshot_key(
        "module",
        version=version.id,
        scope=filters.jurisdiction,
        filters=filters.query_args(),
        timezone=filters.timezone,
        kind=kind,
        language=language,
    )
    now = utcnow()
    saved = None if refresh else _saved(key, max_age_minutes, now)
    if saved is not None:
        return saved
    started = time_module.perf_counter()
    tables = module_outcomes(version, filters, kind, language).tables
    seconds = time_module.perf_counter() - started
    _save(key, version.id, tables, seconds, now)
    return Snapshot(tables, now, seconds, reused=False)


def summary_snapshot(language: str, max_age_minutes: float = DEFAULT_MAX_AGE_MINUTES) -> Snapshot:
    """The partners' summary tables: reused while young enough, else computed and saved."""
    key = snapshot_key("summary", language=language, minimum=MIN_GROUP)
    now = utcnow()
    saved = _saved(key, max_age_minutes, now)
    if saved is not None:
        return saved
    started = time_module.perf_counter()
    tables = program_summary(language)
    seconds = time_module.perf_counter() - started
    _save(key, None, tables, seconds, now)
    return Snapshot(tables, now, seconds, reused=False)


VERSION_COLUMNS = (
    Column("version_id", _l("Module"), "int"),
    Column("slug", _l("Module")),
    Column("title", _l("Name")),
    Column("version", _l("Version"), "int"),
    Column("component", _l("Component"), "int"),
    Column("current", _l("Current")),
    Column("pre_learners", _l("Learners with a pre-test"), "int"),
    Column("post_learners", _l("Learners with a post-test"), "int"),
)


def index_snapshot(
    jurisdiction: str | None, language: str, max_age_minutes: float = DEFAULT_MAX_AGE_MINUTES
) -> Snapshot:
    """The module versions with learner counts in the scope, reused while young enough."""
    key = snapshot_key("index", scope=jurisdiction, language=language)
    now = utcnow()
    saved = _saved(key, max_age_minutes, now)
    if saved is not None:
        return saved
    started = time_module.perf_counter()
    rows = tuple(
        (
            row.version_id,
            row.slug,
            localized(row.title, language) or row.slug,
            row.version,
            row.component,
            row.current,
            row.pre_learners,
            row.post_learners,
        )
        for row in version_rows(jurisdiction)
    )
    tables = {"versions": Table("versions", _l("Module versions"), VERSION_COLUMNS, rows)}
    seconds = time_module.perf_counter() - started
    _save(key, None, tables, seconds, now)
    return Snapshot(tables, now, seconds, reused=False)
