"""The ``flask stats`` command group: item analysis of a marks CSV file, and the export.

``flask stats items --csv FILE [--max N] [--allow-missing]`` reads one row per attempt
and one column per item (an optional first column named ``attempt`` is an attempt label)
and prints every item and test statistic of ``trainer.assessments.statistics`` as JSON.
With ``--allow-missing`` an empty cell means "this item was not on the attempt's form"
(random forms), and columns where every mark is the same are kept (and flagged), as the
outcomes page does. The statistics are always computed by ``sparse_item_analysis``,
which equals ``item_analysis`` when no mark is missing.

``flask stats export-marks --module SLUG --version N [--kind post] -o FILE`` writes the
marks of a module version's attempts in exactly that format, selected as the outcomes
page selects them (same filters), so ``flask stats items --allow-missing`` on the file
gives the page's figures. Bad input ends with a one-line message on stderr and exit
status 2.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
import numpy as np
from flask.cli import with_appcontext
from numpy.typing import NDArray

from trainer.assessments.statistics import (
    StatisticsInputError,
    flag_items,
    sparse_item_analysis,
)
from trainer.core.vocabulary import TestKind

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class MarksFileError(ValueError):
    """A marks file that cannot be analysed; the message says where and why."""


class StatsInputError(click.ClickException):
    """Bad command input: printed as one ``Error: ...`` line, exit status 2."""

    exit_code = 2


def _format_mark(value: float) -> str:
    """Return a mark without a needless trailing ``.0``."""
    return str(int(value)) if value.is_integer() else repr(value)


def _read_text(path: Path) -> str:
    """Read a UTF-8 text file (a byte-order mark is allowed)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MarksFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MarksFileError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise MarksFileError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MarksFileError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None


def _read_rows(path: Path, text: str) -> list[tuple[int, list[str]]]:
    """Split CSV text into ``(line number, cells)`` rows, skipping blank lines."""
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            if cells and any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise MarksFileError(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None
    return rows


def _item_ids(path: Path, header: list[str]) -> tuple[bool, list[str]]:
    """Return whether the first column is an attempt label, and the item ids."""
    names = [cell.strip() for cell in header]
    has_attempt = bool(names) and names[0].lower() == "attempt"
    ids = names[1:] if has_attempt else names
    offset = 2 if has_attempt else 1
    seen: dict[str, int] = {}
    for index, item_id in enumerate(ids):
        column = index + offset
        if not item_id:
            raise MarksFileError(f"{path}: line 1: column {column} has no item id")
        if item_id in seen:
            raise MarksFileError(
                f"{path}: line 1: duplicate item id {item_id!r} (columns {seen[item_id]} "
                f"and {column})"
            )
        seen[item_id] = column
    if len(ids) < 2:
        raise MarksFileError(f"{path}: at least 2 item columns are needed, found {len(ids)}")
    return has_attempt, ids


def load_marks_csv(
    path: Path, max_mark: float, allow_missing: bool = False
) -> tuple[list[str], NDArray[np.float64]]:
    """Read and check a marks CSV; return the item ids and the attempts x items matrix.

    With ``allow_missing`` an empty cell becomes NaN (not on that attempt's form).
    """
    rows = _read_rows(path, _read_text(path))
    if not rows:
        raise MarksFileError(f"{path}: the file is empty")
    _, header = rows[0]
    has_attempt, ids = _item_ids(path, header)
    width = len(header)
    skip = 1 if has_attempt else 0
    marks = np.empty((len(rows) - 1, len(ids)), dtype=np.float64)
    for row_index, (line, cells) in enumerate(rows[1:]):
        if len(cells) != width:
            raise MarksFileError(
                f"{path}: line {line} has {len(cells)} fields, the header has {width}"
            )
        where = f"line {line}"
        if has_attempt:
            where += f" (attempt {cells[0].strip()!r})"
        for col, (item_id, cell) in enumerate(zip(ids, cells[skip:], strict=True)):
            text = cell.strip()
            place = f"{path}: {where}, column {item_id!r}"
            if not text:
                if allow_missing:
                    marks[row_index, col] = np.nan
                    continue
                raise MarksFileError(
                    f"{place}: missing mark (use --allow-missing when items were drawn "
                    "at random and this one was not on the attempt's form)"
                )
            if not _NUMBER.fullmatch(text):
                raise MarksFileError(f"{place}: {text!r} is not a number")
            value = float(text)
            if value < 0:
                raise MarksFileError(f"{place}: mark {text} is negative")
            if value > max_mark:
                raise MarksFileError(
                    f"{place}: mark {text} is above the maximum {_format_mark(max_mark)}"
                )
            marks[row_index, col] = value
    if marks.shape[0] < 2:
        raise MarksFileError(
            f"{path}: {marks.shape[0]} attempt(s); at least 2 are needed for item statistics"
        )
    if allow_missing:
        present = ~np.isnan(marks)
        for empty in np.flatnonzero(~present.any(axis=0)):
            raise MarksFileError(f"{path}: item {ids[empty]!r} has no mark in any attempt")
        for blank in np.flatnonzero(~present.any(axis=1)):
            line = rows[int(blank) + 1][0]
            raise MarksFileError(f"{path}: line {line} has no mark at all")
        return ids, marks
    constant = np.flatnonzero(marks.max(axis=0) == marks.min(axis=0))
    if constant.size:
        listed = ", ".join(
            f"{ids[i]!r} (always {_format_mark(float(marks[0, i]))})" for i in constant
        )
        raise MarksFileError(
            f"{path}: every attempt has the same mark on item(s) {listed}; "
            "their discrimination is undefined, so leave such columns out"
        )
    return ids, marks


def items_report(ids: list[str], marks: NDArray[np.float64], max_mark: float) -> dict[str, Any]:
    """Build the JSON-ready report of item and test statistics plus review flags."""
    analysis = sparse_item_analysis(marks, max_marks=max_mark, item_ids=ids)
    report = analysis.to_dict()
    report["flags"] = [
        {"item_id": item_id, "reason": reason} for item_id, reason in flag_items(analysis.items)
    ]
    return report


@click.group("stats")
def stats_group() -> None:
    """Program outcome statistics."""


@stats_group.command("items")
@click.option(
    "--csv",
    "csv_path",
    required=True,
    type=str,
    help="Marks CSV: header of item ids (optional first column 'attempt'), a row per attempt.",
)
@click.option(
    "--max",
    "max_mark",
    type=float,
    default=1.0,
    show_default=True,
    help="Maximum mark of each item.",
)
@click.option(
    "--allow-missing",
    is_flag=True,
    help="An empty cell means the item was not on that attempt's form (random forms).",
)
def items_command(csv_path: str, max_mark: float, allow_missing: bool) -> None:
    """Print Moodle-style item analysis of a marks CSV file as JSON."""
    if not math.isfinite(max_mark) or max_mark <= 0:
        raise StatsInputError(f"--max must be a positive number, not {max_mark!r}")
    try:
        ids, marks = load_marks_csv(Path(csv_path), max_mark, allow_missing)
        report = items_report(ids, marks, max_mark)
    except (MarksFileError, StatisticsInputError) as exc:
        raise StatsInputError(str(exc)) from None
    click.echo(json.dumps(report, indent=2, sort_keys=True, allow_nan=False))


def _parse_day(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option value (None when not given)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise StatsInputError(f"{option} must be a date as YYYY-MM-DD, not {value!r}") from None


@stats_group.command("export-marks")
@click.option("--module", "slug", required=True, help="Module slug.")
@click.option("--version", "number", required=True, type=int, help="Module version number.")
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in TestKind]),
    default="post",
    show_default=True,
    help="Which test's attempts.",
)
@click.option("-o", "--output", "output", required=True, help="CSV file to write ('-': stdout).")
@click.option("--organization", "organization_id", type=int, help="Only this organization.")
@click.option("--department", help="Only organizations of this city department.")
@click.option("--job-role", "job_role", help="Only learners with this job role.")
@click.option("--language", help="Only attempts taken in this language.")
@click.option("--jurisdiction", help="Only organizations in this jurisdiction.")
@click.option("--from", "date_from", help="First day (YYYY-MM-DD, program time zone).")
@click.option("--to", "date_to", help="Last day (YYYY-MM-DD, program time zone).")
@with_appcontext
def export_marks_command(
    slug: str,
    number: int,
    kind: str,
    output: str,
    organization_id: int | None,
    department: str | None,
    job_role: str | None,
    language: str | None,
    jurisdiction: str | None,
    date_from: str | None,
    date_to: str | None,
) -> None:
    """Write a module version's marks (empty cell: item not on the form) for `stats items`."""
    from flask import current_app

    from trainer.outcomes import services as outcomes

    version = outcomes.find_version(slug, number)
    if version is None:
        raise StatsInputError(f"no version {number} of module {slug!r}")
    filters = outcomes.Filters(
        organization_id=organization_id,
        department=department or None,
        job_role=job_role or None,
        language=language or None,
        date_from=_parse_day(date_from, "--from"),
        date_to=_parse_day(date_to, "--to"),
        timezone=current_app.config["PROGRAM_TIMEZONE"],
        jurisdiction=jurisdiction or None,
    )
    rows = outcomes.load_attempts(version.id, filters)
    bank = [str(item["id"]) for item in version.items]
    matrix = outcomes.marks_matrix(rows, kind, bank)
    if output == "-":
        outcomes.write_marks_csv(matrix, sys.stdout)
    else:
        try:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                outcomes.write_marks_csv(matrix, stream)
        except OSError as exc:
            raise StatsInputError(f"{output}: cannot be written ({exc.strerror})") from None
    click.echo(
        f"{len(matrix.attempt_ids)} attempts x {len(matrix.item_ids)} items written",
        err=True,
    )
