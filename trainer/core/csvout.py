"""The one CSV writer: every CSV the platform writes goes through it.

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@` (and in some programs `|`,
`%`, a tab or a carriage return) as a formula. `defusedcsv` prefixes such cells with an
apostrophe (numbers, including negative ones, are left alone); cells that start with a
tab or a carriage return, which it lets through, get the same apostrophe here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from defusedcsv import csv as defused


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any]) -> Any: ...


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("\t", "\r"):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` whose cells can never run as spreadsheet formulas."""

    def __init__(self, stream: Any, **fmtparams: Any) -> None:
        self._writer: _Writer = defused.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, neutralising formula-like cells."""
        return self._writer.writerow([_neutral(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write every row."""
        for row in rows:
            self.writerow(row)


def writer(stream: Any, **fmtparams: Any) -> SafeWriter:
    """A safe CSV writer on `stream` (same parameters as `csv.writer`)."""
    return SafeWriter(stream, **fmtparams)
