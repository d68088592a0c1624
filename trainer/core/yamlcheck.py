"""Checks of YAML read by `yamlsrc`, shared by the content loader and the rule loader.

Fields, numbers, choices, ids and translated texts: each failure is recorded as a
`Problem` (`path:line: message`) at the line of the value, and the check returns a
default so that one pass reports every problem of a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from trainer.core import vocabulary
from trainer.core.yamlsrc import LineDict, LineList, Problem

#: What an id looks like unless a check names another pattern.
ID = re.compile(r"[a-z0-9-]+")


@dataclass
class Ctx:
    """Where problems of one file go, and which languages its texts must have."""

    path: str
    problems: list[Problem]
    required_languages: tuple[str, ...] = vocabulary.REQUIRED_LANGUAGES
    kept_languages: tuple[str, ...] = vocabulary.CONTENT_LANGUAGES
    known_languages: tuple[str, ...] = vocabulary.CONTENT_LANGUAGES
    module: str = ""

    def add(self, line: int, message: str) -> None:
        """Record a problem at `line` of this file."""
        self.problems.append(Problem(self.path, line, message))

    def for_file(self, path: str) -> Ctx:
        """Return a context for another file sharing the problems and languages."""
        return replace(self, path=path)


def value_line(data: Any) -> int:
    """Return the line a parsed YAML value starts on (1 for plain scalars)."""
    return getattr(data, "line", 1)


def is_int(value: Any) -> bool:
    """Tell whether `value` is a whole number (and not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def mapping(ctx: Ctx, value: Any, line: int, what: str) -> LineDict | None:
    """Return `value` if it is a mapping, else record a problem."""
    if isinstance(value, LineDict):
        return value
    ctx.add(line, f"{what} must be a mapping")
    return None


def list_field(ctx: Ctx, data: LineDict, key: str) -> LineList:
    """Return the list under `key` (empty when absent or null, with a problem if not a list)."""
    value = data.get(key)
    if value is None:
        return empty_list(data.line_of(key))
    if isinstance(value, LineList):
        return value
    ctx.add(data.line_of(key), f"'{key}' must be a list")
    return empty_list(data.line_of(key))


def empty_list(line: int) -> LineList:
    """Return an empty LineList placed at `line`."""
    result = LineList()
    result.line = line
    result.item_lines = []
    return result


def empty_mapping() -> LineDict:
    """Return an empty LineDict placed at line 1."""
    result = LineDict()
    result.key_lines = {}
    return result


def unknown_keys(data: LineDict, allowed: Iterable[str]) -> Iterator[tuple[int, str]]:
    """The line and name of each key of `data` that is not allowed, in the file's order."""
    known = frozenset(allowed)
    return ((data.line_of(key), key) for key in data if key not in known)


def missing_keys(data: LineDict, required: Iterable[str]) -> list[str]:
    """The required keys `data` lacks, in the order given."""
    return [key for key in required if key not in data]


def language_problems(
    text: LineDict, known: Iterable[str], required: Iterable[str]
) -> tuple[list[tuple[int, str, str]], list[str]]:
    """What is wrong with a translated text (a mapping of language to text).

    First, in the file's order, `(line, language, "unknown")` for a language not known and
    `(line, language, "empty")` for a value that is not non-empty text; then the required
    languages it lacks.
    """
    languages = frozenset(known)
    wrong: list[tuple[int, str, str]] = []
    for lang, value in text.items():
        if lang not in languages:
            wrong.append((text.line_of(lang), lang, "unknown"))
        elif not isinstance(value, str) or not value.strip():
            wrong.append((text.line_of(lang), lang, "empty"))
    return wrong, missing_keys(text, required)


def check_fields(
    ctx: Ctx, data: LineDict, required: Iterable[str], optional: Iterable[str], what: str
) -> None:
    """Report unknown fields and missing required fields of one mapping."""
    required = frozenset(required)
    for line, key in unknown_keys(data, required | frozenset(optional)):
        ctx.add(line, f"unknown field '{key}' in {what}")
    for key in missing_keys(data, sorted(required)):
        ctx.add(data.line, f"missing required field '{key}' in {what}")


def int_field(
    ctx: Ctx, data: LineDict, key: str, low: int, high: int | None = None, default: int = 0
) -> int:
    """Return a whole number in [low, high], or `default` with a problem."""
    if key not in data:
        return default
    value = data[key]
    if is_int(value) and value >= low and (high is None or value <= high):
        return value
    bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
    ctx.add(data.line_of(key), f"'{key}' must be a whole number {bounds}, not {value!r}")
    return default


def choice_field(
    ctx: Ctx, data: LineDict, key: str, choices: tuple[str, ...], default: str | None = None
) -> str | None:
    """Return one of `choices`, or `default` with a problem."""
    if key not in data:
        return default
    value = data[key]
    if isinstance(value, str) and value in choices:
        return value
    ctx.add(data.line_of(key), f"'{key}' must be one of {', '.join(choices)}, not {value!r}")
    return default


def bool_field(ctx: Ctx, data: LineDict, key: str, default: bool) -> bool:
    """Return true or false, or `default` with a problem."""
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    ctx.add(data.line_of(key), f"'{key}' must be true or false, not {value!r}")
    return default


def id_value(
    ctx: Ctx, value: Any, line: int, what: str, pattern: re.Pattern[str] = ID
) -> str | None:
    """Return `value` as an id matching `pattern`, or None with a problem."""
    if is_int(value):
        value = str(value)
    if isinstance(value, str) and pattern.fullmatch(value):
        return value
    ctx.add(line, f"{what} must match {pattern.pattern}, not {value!r}")
    return None


def id_field(
    ctx: Ctx, data: LineDict, key: str, what: str, pattern: re.Pattern[str] = ID
) -> str | None:
    """Return the id under `key` (None when absent or invalid)."""
    if key not in data:
        return None
    return id_value(ctx, data[key], data.line_of(key), what, pattern)


def text_field(ctx: Ctx, data: LineDict, key: str) -> dict[str, str]:
    """Return a translated text {lang: str}; report missing or unknown languages."""
    if key not in data:
        return {}
    value = mapping(ctx, data[key], data.line_of(key), f"'{key}' (one text per language)")
    if value is None:
        return {}
    wrong, missing = language_problems(value, ctx.known_languages, ctx.required_languages)
    for line, lang, kind in wrong:
        if kind == "unknown":
            ctx.add(line, f"unknown language '{lang}' in '{key}'")
        else:
            ctx.add(line, f"'{key}' in '{lang}' must be non-empty text")
    for lang in missing:
        ctx.add(data.line_of(key), f"missing translation '{lang}' in '{key}'")
    return {lang: value[lang] for lang in ctx.kept_languages if isinstance(value.get(lang), str)}


def duplicates(entries: Iterable[tuple[str | None, int]]) -> list[tuple[str, int]]:
    """Return the (id, line) pairs whose id already appeared earlier in `entries`."""
    seen: set[str] = set()
    repeated: list[tuple[str, int]] = []
    for entry_id, line in entries:
        if entry_id is not None and entry_id in seen:
            repeated.append((entry_id, line))
        if entry_id is not None:
            seen.add(entry_id)
    return repeated


def report_duplicates(ctx: Ctx, entries: Iterable[tuple[str | None, int]], what: str) -> None:
    """Report every id seen before in `entries` (pairs of id and line)."""
    for entry_id, line in duplicates(entries):
        ctx.add(line, f"duplicate {what} id '{entry_id}'")


def pick(texts: dict[str, str], languages: tuple[str, ...]) -> dict[str, str]:
    """Return the texts of `languages` only, in that order."""
    return {lang: texts[lang] for lang in languages if lang in texts}
