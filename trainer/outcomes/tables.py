"""The tables every figure is laid out in (the page, its charts and the CSV read them)."""

from __future__ import annotations

import io
import math
import statistics as pystats
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from trainer.assessments.statistics import (
    FLAG_NEGATIVE_DISCRIMINATION,
    FLAG_NO_DISCRIMINATION,
    FLAG_TOO_EASY,
    FLAG_TOO_HARD,
    FLAG_WEAK_DISCRIMINATION,
    GainSummary,
    ItemAnalysis,
)
from trainer.core import csvout
from trainer.core.text import localized
from trainer.outcomes.groups import SUPPRESSED
from trainer.outcomes.queries import MarksMatrix

#: Width of the score distribution's bins, in percentage points.
BIN_WIDTH = 10

FLAG_REASONS: dict[str, Any] = {
    FLAG_TOO_EASY: _l("Too easy: facility index above 95%"),
    FLAG_TOO_HARD: _l("Too hard: facility index below 20%"),
    FLAG_NO_DISCRIMINATION: _l("No discrimination: everyone had the same mark"),
    FLAG_NEGATIVE_DISCRIMINATION: _l("Negative discrimination: stronger learners did worse"),
    FLAG_WEAK_DISCRIMINATION: _l("Weak discrimination: index below 20%"),
}


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


def pct(value: float | None) -> float | None:
    """A percentage as shown: two decimals."""
    return None if value is None else round(float(value), 2)


def share(value: float | None) -> float | None:
    """A share in 0..1 shown as a percentage with two decimals."""
    return None if value is None else round(100.0 * float(value), 2)


def ratio(value: float | None) -> float | None:
    """A unitless ratio (normalized gain, effect size, skewness): three decimals."""
    return None if value is None else round(float(value), 3)


METRIC_COLUMNS = (
    Column("metric", _l("Measure")),
    Column("label", _l("Meaning")),
    Column("value", _l("Value"), "number"),
)


def metric_table(key: str, title: Any, rows: list[tuple[str, Any, Any, str]]) -> Table:
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


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean (None for no values)."""
    return math.fsum(values) / len(values) if values else None


def median(values: Sequence[float]) -> float | None:
    """The median (None for no values)."""
    return float(pystats.median(values)) if values else None


def item_text(item: Mapping[str, Any] | None, language: str) -> str:
    """A short text naming the item: its stem, or a scenario's case."""
    if item is None:
        return ""
    text = localized(item.get("stem"), language) or localized(item.get("case"), language)
    text = " ".join(text.split())
    return text if len(text) <= 90 else text[:89].rstrip() + "…"
