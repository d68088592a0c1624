"""Load and validate the training content in `modules/` (format: modules/README.md).

`load_content(root)` reads every module folder and `tracks.yaml`, resolves `extends`,
and returns the modules and tracks that are valid together with every problem found,
each as `path:line: message`. Nothing here touches the database or Flask.

A normalized item (``ModuleSpec.items``) is a plain dict::

    {"id": str, "type": "single" | "multiple" | "true_false" | "scenario",
     "use": "pre" | "post" | "both", "stem": {lang: str},
     "options": [{"id": str, "text": {lang: str}}],   # [] for true_false and scenario
     "correct": str | list[str] | bool | None,        # None for scenario
     "scoring": "all_or_nothing" | "partial", "feedback": {lang: str},
     "case": {lang: str}, "questions": [sub-item, ...]}   # the last two: scenario only

A scenario's `stem` is `{}` and its `feedback` is `{}` when the file gives none. Its
sub-items have the same shape with their local id (`q1`) and the scenario's `use`. A
top-level item in a group also has `"group": str` (the key is absent otherwise, so that
content without groups keeps its hash).

Problems make content unusable: the module (or track) is left out and `flask content
sync` refuses to run. Findings (the item-writing rules of `itemrules`, fresh retakes,
the glossary) make `flask content check` fail but leave the content usable.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from trainer.catalog import bank
from trainer.catalog.glossary import GLOSSARY_FILE, check_terms, load_glossary
from trainer.catalog.itemrules import RULES, Finding, ItemSource, ModuleBank, check_items
from trainer.catalog.markdown import first_heading, render_markdown
from trainer.core import vocabulary
from trainer.core.yamlsrc import LineDict, LineList, Problem, load_yaml

logger = logging.getLogger(__name__)

LANGUAGES: tuple[str, ...] = vocabulary.CONTENT_LANGUAGES
"""Language codes content may use, in the platform's order."""
REQUIRED_LANGUAGES: tuple[str, ...] = vocabulary.REQUIRED_LANGUAGES
"""Languages every translatable text must have."""
ORG_KINDS: tuple[str, ...] = tuple(vocabulary.ORG_KINDS)
ITEM_TYPES: tuple[str, ...] = ("single", "multiple", "true_false", "scenario")
ITEM_USES: tuple[str, ...] = vocabulary.ITEM_USES
SCORINGS: tuple[str, ...] = ("all_or_nothing", "partial")
REVIEWS: tuple[str, ...] = ("none", "score", "answers", "feedback")

_NOT_MODULE_FOLDERS = frozenset({"rules"})
_ID = re.compile(r"[a-z0-9-]+")
_OPTION_ID = re.compile(r"[a-z0-9]+")
_JOB_ROLE = re.compile(r"[a-z0-9_-]+")

_MODULE_REQUIRED = frozenset(
    [
        "slug",
        "component",
        "title",
        "summary",
        "languages",
        "minimum_minutes",
        "pre_test_length",
        "post_test_length",
        "lessons",
    ]
)
_MODULE_OPTIONAL = frozenset(
    [
        "extends",
        "pass_mark",
        "attempts",
        "cooldown_minutes",
        "share_items",
        "review",
        "drop_lessons",
        "drop_items",
        "documents",
        "attestation",
        "post_test_requires",
    ]
)
_ITEM_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # type: (required, optional); `group` is for top-level items only
    "single": (
        frozenset({"id", "type", "use", "stem", "options", "correct", "feedback"}),
        frozenset({"accept", "group"}),
    ),
    "multiple": (
        frozenset({"id", "type", "use", "stem", "options", "correct", "feedback"}),
        frozenset({"scoring", "accept", "group"}),
    ),
    "true_false": (
        frozenset({"id", "type", "use", "stem", "correct", "feedback"}),
        frozenset({"accept", "group"}),
    ),
    "scenario": (
        frozenset({"id", "type", "use", "case", "questions"}),
        frozenset({"feedback", "accept", "group"}),
    ),
}
_ALL_ITEM_FIELDS = frozenset().union(*(req | opt for req, opt in _ITEM_FIELDS.values()))

T = TypeVar("T")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class LessonSpec:
    """One paced lesson: its title, Markdown and rendered HTML per language."""

    id: str
    minimum_seconds: int
    title: dict[str, str]
    markdown: dict[str, str]
    html: dict[str, str]
    contacts: bool = False  # show the learner's reporting contacts with this lesson

    def as_json(self, with_html: bool = True) -> dict[str, Any]:
        """Return the lesson as JSON-ready data (`contacts` only when set)."""
        data: dict[str, Any] = {
            "id": self.id,
            "minimum_seconds": self.minimum_seconds,
            "title": dict(self.title),
            "markdown": dict(self.markdown),
        }
        if self.contacts:
            data["contacts"] = True
        if with_html:
            data["html"] = dict(self.html)
        return data

    def in_languages(self, languages: tuple[str, ...]) -> LessonSpec:
        """Return a copy that keeps only `languages`."""
        return LessonSpec(
            id=self.id,
            minimum_seconds=self.minimum_seconds,
            title=_pick(self.title, languages),
            markdown=_pick(self.markdown, languages),
            html=_pick(self.html, languages),
            contacts=self.contacts,
        )


@dataclass(frozen=True)
class DocumentSpec:
    """A form or policy a component 3 module presents before its post-test."""

    id: str
    title: dict[str, str]
    markdown: dict[str, str]
    html: dict[str, str]

    def as_json(self, with_html: bool = True) -> dict[str, Any]:
        """Return the document as JSON-ready data."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": dict(self.title),
            "markdown": dict(self.markdown),
        }
        if with_html:
            data["html"] = dict(self.html)
        return data


@dataclass(frozen=True)
class ModuleSpec:
    """A fully resolved, valid module (its `extends` already applied)."""

    slug: str
    component: int
    extends: str | None
    title: dict[str, str]
    summary: dict[str, str]
    languages: tuple[str, ...]
    pass_mark: int
    attempts: int
    cooldown_minutes: int
    minimum_minutes: int
    pre_test_length: int
    post_test_length: int
    share_items: bool
    review: str
    lessons: tuple[LessonSpec, ...]
    items: tuple[dict[str, Any], ...]
    documents: tuple[DocumentSpec, ...]
    attestation: dict[str, Any] | None
    post_test_requires: tuple[str, ...] = ()
    content_hash: str = ""

    def _data(self, with_html: bool) -> dict[str, Any]:
        """Return every field but the hash, with or without rendered HTML.

        `post_test_requires` is left out when empty, so content without required groups
        keeps the hash it had before groups existed.
        """
        data = {
            "slug": self.slug,
            "component": self.component,
            "extends": self.extends,
            "title": dict(self.title),
            "summary": dict(self.summary),
            "languages": list(self.languages),
            "pass_mark": self.pass_mark,
            "attempts": self.attempts,
            "cooldown_minutes": self.cooldown_minutes,
            "minimum_minutes": self.minimum_minutes,
            "pre_test_length": self.pre_test_length,
            "post_test_length": self.post_test_length,
            "share_items": self.share_items,
            "review": self.review,
            "lessons": [lesson.as_json(with_html) for lesson in self.lessons],
            "items": copy.deepcopy(list(self.items)),
            "documents": [document.as_json(with_html) for document in self.documents],
            "attestation": copy.deepcopy(self.attestation),
        }
        if self.post_test_requires:
            data["post_test_requires"] = list(self.post_test_requires)
        return data

    def as_json(self) -> dict[str, Any]:
        """Return the whole module as JSON-ready data, hash included."""
        return {**self._data(with_html=True), "content_hash": self.content_hash}

    def computed_hash(self) -> str:
        """Return the SHA-256 of the canonical JSON of what a learner sees."""
        canonical = json.dumps(
            self._data(with_html=False), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TrackSpec:
    """An audience's ordered modules and the certificate they earn."""

    slug: str
    title: dict[str, str]
    audience_org_kind: str
    audience_department: str | None
    audience_job_roles: tuple[str, ...]
    modules: tuple[str, ...]
    certificate_title: dict[str, str]


@dataclass(frozen=True)
class LoadedContent:
    """The valid modules and tracks, every problem and every finding in the content.

    `banks` holds each valid module's items with where they stand (for the rules and
    `flask content check --stats`).
    """

    modules: dict[str, ModuleSpec]
    tracks: list[TrackSpec]
    problems: list[Problem]
    findings: list[Finding] = field(default_factory=list)
    banks: dict[str, ModuleBank] = field(default_factory=dict)


# --------------------------------------------------------------------------- checking


@dataclass
class _Ctx:
    """Where problems of one file go, and which languages its texts must have."""

    path: str
    problems: list[Problem]
    required_languages: tuple[str, ...] = REQUIRED_LANGUAGES
    kept_languages: tuple[str, ...] = LANGUAGES
    module: str = ""

    def add(self, line: int, message: str) -> None:
        """Record a problem at `line` of this file."""
        self.problems.append(Problem(self.path, line, message))

    def for_file(self, path: str) -> _Ctx:
        """Return a context for another file sharing the problems and languages."""
        return replace(self, path=path)


def _line(data: Any) -> int:
    """Return the line a parsed YAML value starts on (1 for plain scalars)."""
    return getattr(data, "line", 1)


def _is_int(value: Any) -> bool:
    """Tell whether `value` is a whole number (and not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _mapping(ctx: _Ctx, value: Any, line: int, what: str) -> LineDict | None:
    """Return `value` if it is a mapping, else record a problem."""
    if isinstance(value, LineDict):
        return value
    ctx.add(line, f"{what} must be a mapping")
    return None


def _list(ctx: _Ctx, data: LineDict, key: str) -> LineList:
    """Return the list under `key` (empty when absent or null, with a problem if not a list)."""
    value = data.get(key)
    if value is None:
        return _empty_list(data.line_of(key))
    if isinstance(value, LineList):
        return value
    ctx.add(data.line_of(key), f"'{key}' must be a list")
    return _empty_list(data.line_of(key))


def _empty_list(line: int) -> LineList:
    """Return an empty LineList placed at `line`."""
    result = LineList()
    result.line = line
    result.item_lines = []
    return result


def _empty_mapping() -> LineDict:
    """Return an empty LineDict placed at line 1."""
    result = LineDict()
    result.key_lines = {}
    return result


def _check_fields(
    ctx: _Ctx, data: LineDict, required: Iterable[str], optional: Iterable[str], what: str
) -> None:
    """Report unknown fields and missing required fields of one mapping."""
    required = frozenset(required)
    allowed = required | frozenset(optional)
    for key in data:
        if key not in allowed:
            ctx.add(data.line_of(key), f"unknown field '{key}' in {what}")
    for key in sorted(required - set(data)):
        ctx.add(data.line, f"missing required field '{key}' in {what}")


def _int_field(
    ctx: _Ctx, data: LineDict, key: str, low: int, high: int | None = None, default: int = 0
) -> int:
    """Return a whole number in [low, high], or `default` with a problem."""
    if key not in data:
        return default
    value = data[key]
    if _is_int(value) and value >= low and (high is None or value <= high):
        return value
    bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
    ctx.add(data.line_of(key), f"'{key}' must be a whole number {bounds}, not {value!r}")
    return default


def _choice_field(
    ctx: _Ctx, data: LineDict, key: str, choices: tuple[str, ...], default: str | None = None
) -> str | None:
    """Return one of `choices`, or `default` with a problem."""
    if key not in data:
        return default
    value = data[key]
    if isinstance(value, str) and value in choices:
        return value
    ctx.add(data.line_of(key), f"'{key}' must be one of {', '.join(choices)}, not {value!r}")
    return default


def _bool_field(ctx: _Ctx, data: LineDict, key: str, default: bool) -> bool:
    """Return true or false, or `default` with a problem."""
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    ctx.add(data.line_of(key), f"'{key}' must be true or false, not {value!r}")
    return default


def _id_value(
    ctx: _Ctx, value: Any, line: int, what: str, pattern: re.Pattern[str] = _ID
) -> str | None:
    """Return `value` as an id matching `pattern`, or None with a problem."""
    if _is_int(value):
        value = str(value)
    if isinstance(value, str) and pattern.fullmatch(value):
        return value
    ctx.add(line, f"{what} must match {pattern.pattern}, not {value!r}")
    return None


def _id_field(
    ctx: _Ctx, data: LineDict, key: str, what: str, pattern: re.Pattern[str] = _ID
) -> str | None:
    """Return the id under `key` (None when absent or invalid)."""
    if key not in data:
        return None
    return _id_value(ctx, data[key], data.line_of(key), what, pattern)


def _text_field(ctx: _Ctx, data: LineDict, key: str) -> dict[str, str]:
    """Return a translated text {lang: str}; report missing or unknown languages."""
    if key not in data:
        return {}
    value = _mapping(ctx, data[key], data.line_of(key), f"'{key}' (one text per language)")
    if value is None:
        return {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            ctx.add(value.line_of(lang), f"unknown language '{lang}' in '{key}'")
        elif not isinstance(text, str) or not text.strip():
            ctx.add(value.line_of(lang), f"'{key}' in '{lang}' must be non-empty text")
    for lang in ctx.required_languages:
        if lang not in value:
            ctx.add(data.line_of(key), f"missing translation '{lang}' in '{key}'")
    return {lang: value[lang] for lang in ctx.kept_languages if isinstance(value.get(lang), str)}


def _duplicates(entries: Iterable[tuple[str | None, int]]) -> list[tuple[str, int]]:
    """Return the (id, line) pairs whose id already appeared earlier in `entries`."""
    seen: set[str] = set()
    repeated: list[tuple[str, int]] = []
    for entry_id, line in entries:
        if entry_id is not None and entry_id in seen:
            repeated.append((entry_id, line))
        if entry_id is not None:
            seen.add(entry_id)
    return repeated


def _report_duplicates(ctx: _Ctx, entries: Iterable[tuple[str | None, int]], what: str) -> None:
    """Report every id seen before in `entries` (pairs of id and line)."""
    for entry_id, line in _duplicates(entries):
        ctx.add(line, f"duplicate {what} id '{entry_id}'")


def _pick(texts: dict[str, str], languages: tuple[str, ...]) -> dict[str, str]:
    """Return the texts of `languages` only, in that order."""
    return {lang: texts[lang] for lang in languages if lang in texts}


# --------------------------------------------------------------------------- files


def _load_mapping(ctx: _Ctx, path: Path) -> LineDict | None:
    """Parse a YAML file whose top level must be a mapping; None (with a problem) if not."""
    data, problems = load_yaml(path, ctx.path)
    ctx.problems.extend(problems)
    if problems:
        return None
    if data is None:
        ctx.add(1, "the file is empty")
        return None
    return _mapping(ctx, data, _line(data), "the file's top level")


def _read_text(ctx: _Ctx, path: Path, line: int, what: str) -> str | None:
    """Read a UTF-8 file; on failure record a problem at `line` of the context's file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        ctx.add(line, f"missing file for {what}")
    except UnicodeDecodeError:
        ctx.add(line, f"file for {what} is not UTF-8 text")
    return None


def _markdown_files(
    ctx: _Ctx, folder: Path, shown: str, entry_id: str, line: int, what: str
) -> dict[str, str]:
    """Read `<folder>/<id>.<lang>.md` for every language of the module."""
    texts: dict[str, str] = {}
    for lang in ctx.kept_languages:
        name = f"{entry_id}.{lang}.md"
        text = _read_text(ctx, folder / name, line, f"{what} '{entry_id}' ({shown}/{name})")
        if text is not None:
            texts[lang] = text
    return texts


def _lesson_titles(ctx: _Ctx, shown: str, lesson_id: str, texts: dict[str, str]) -> dict[str, str]:
    """Return each language's title (first `# ` heading); report files without one."""
    titles: dict[str, str] = {}
    for lang, text in texts.items():
        heading = first_heading(text)
        if heading is None:
            file_ctx = ctx.for_file(f"{shown}/{lesson_id}.{lang}.md")
            file_ctx.add(1, "no '# ' heading: a lesson's title is its first '# ' heading")
        else:
            titles[lang] = heading
    return titles


def _render_all(texts: dict[str, str]) -> dict[str, str]:
    """Render each language's Markdown to sanitized HTML."""
    return {lang: render_markdown(text) for lang, text in texts.items()}


# --------------------------------------------------------------------------- items


def _options(ctx: _Ctx, item: LineDict) -> list[dict[str, Any]]:
    """Return the normalized options of a single or multiple item."""
    raw = _list(ctx, item, "options")
    if "options" in item and not 2 <= len(raw) <= 6:
        ctx.add(item.line_of("options"), f"an item needs 2 to 6 options, not {len(raw)}")
    options: list[dict[str, Any]] = []
    lines: list[int] = []
    for index, entry in enumerate(raw):
        option = _mapping(ctx, entry, raw.line_of(index), "an option")
        if option is None:
            continue
        _check_fields(ctx, option, {"id", "text"}, (), "an option")
        option_id = _id_field(ctx, option, "id", "an option id", _OPTION_ID)
        options.append({"id": option_id, "text": _text_field(ctx, option, "text")})
        lines.append(option.line)
    _report_duplicates(ctx, zip((o["id"] for o in options), lines, strict=True), "option")
    return options


def _correct(ctx: _Ctx, item: LineDict, kind: str | None, option_ids: set[str]) -> Any:
    """Return the validated `correct` value for an item of type `kind`."""
    if "correct" not in item or kind not in ("single", "multiple", "true_false"):
        return None
    value, line = item["correct"], item.line_of("correct")
    if kind == "true_false":
        if not isinstance(value, bool):
            ctx.add(line, f"'correct' of a true_false item must be true or false, not {value!r}")
        return value
    if kind == "single":
        if not (isinstance(value, str) or _is_int(value)):
            ctx.add(line, f"'correct' of a single item must be one option id, not {value!r}")
            return None
        answers = [str(value)]
    else:
        if not isinstance(value, list) or not value:
            ctx.add(line, "'correct' of a multiple item must be a list of one or more option ids")
            return None
        answers = [str(answer) for answer in value]
        if len(set(answers)) != len(answers):
            ctx.add(line, "'correct' names an option more than once")
    for answer in answers:
        if option_ids and answer not in option_ids:
            ctx.add(line, f"'correct' names '{answer}', which is not an option of this item")
    return answers[0] if kind == "single" else answers


def _scoring(ctx: _Ctx, item: LineDict, kind: str | None) -> str:
    """Return a multiple item's scoring rule (all_or_nothing for every other type)."""
    if kind != "multiple":
        return "all_or_nothing"
    return _choice_field(ctx, item, "scoring", SCORINGS, "all_or_nothing") or "all_or_nothing"


def _questions(ctx: _Ctx, item: LineDict, use: str | None) -> list[dict[str, Any]]:
    """Return the normalized sub-items of a scenario (2 to 4, none a scenario)."""
    raw = _list(ctx, item, "questions")
    if "questions" in item and not 2 <= len(raw) <= 4:
        ctx.add(item.line_of("questions"), f"a scenario needs 2 to 4 questions, not {len(raw)}")
    subs = [_item(ctx, entry, raw.line_of(index), use or "both") for index, entry in enumerate(raw)]
    found = [sub for sub in subs if sub is not None]
    _report_duplicates(ctx, ((s["id"], s["_line"]) for s in found), "scenario question")
    for sub in found:
        del sub["_line"]
    return found


def _text_lines(data: LineDict, key: str) -> dict[str, int]:
    """Return the line of each language of a translated text."""
    value = data.get(key)
    return {lang: value.line_of(lang) for lang in value} if isinstance(value, LineDict) else {}


def _option_lines(item: LineDict) -> dict[str, dict[str, int]]:
    """Return, per option id, the line of each language of its text."""
    raw = item.get("options")
    lines: dict[str, dict[str, int]] = {}
    for entry in raw if isinstance(raw, LineList) else []:
        if isinstance(entry, LineDict) and (
            isinstance(entry.get("id"), str) or _is_int(entry.get("id"))
        ):
            lines[str(entry["id"])] = _text_lines(entry, "text")
    return lines


def _accept(ctx: _Ctx, item: LineDict) -> tuple[dict[str, str], dict[str, int]]:
    """Return the acknowledged exceptions ({rule code: reason}) and the line of each."""
    if "accept" not in item:
        return {}, {}
    raw = _mapping(ctx, item["accept"], item.line_of("accept"), "'accept' (rule code: reason)")
    accepted: dict[str, str] = {}
    lines: dict[str, int] = {}
    for code, reason in (raw or {}).items():
        line = raw.line_of(code) if raw is not None else item.line
        if code not in RULES:
            ctx.add(line, f"'accept' names unknown rule '{code}' (rules: {', '.join(RULES)})")
        elif not isinstance(reason, str) or len(reason.split()) < 2:
            ctx.add(
                line,
                f"'accept' of '{code}' needs a reason: a few words on why this item is a "
                "justified exception",
            )
        else:
            accepted[code], lines[code] = " ".join(reason.split()), line
    return accepted, lines


def _source(ctx: _Ctx, item: LineDict, questions: list[dict[str, Any]] | None = None) -> ItemSource:
    """Return where an item and its texts stand; takes its questions' sources out of them."""
    accept, accept_lines = _accept(ctx, item)
    subs = {str(sub["id"]): sub.pop("_source") for sub in questions or [] if "_source" in sub}
    return ItemSource(
        path=ctx.path,
        line=item.line,
        module=ctx.module,
        stem=_text_lines(item, "stem"),
        case=_text_lines(item, "case"),
        options=_option_lines(item),
        accept=accept,
        accept_lines=accept_lines,
        questions=subs,
    )


def _item_type(ctx: _Ctx, item: LineDict, nested: bool) -> str | None:
    """Return the item's type, reporting unknown types and nested scenarios."""
    kind = _choice_field(ctx, item, "type", ITEM_TYPES)
    if nested and kind == "scenario":
        ctx.add(item.line_of("type"), "a scenario cannot contain another scenario")
        return None
    return kind


def _item(ctx: _Ctx, raw: Any, line: int, scenario_use: str | None = None) -> dict[str, Any] | None:
    """Return one normalized item (with its line under '_line'); None if not a mapping.

    A scenario's question is read with `scenario_use` set: it takes the scenario's `use`.
    """
    nested = scenario_use is not None
    item = _mapping(ctx, raw, line, "a question" if nested else "an item")
    if item is None:
        return None
    kind = _item_type(ctx, item, nested)
    required, optional = _ITEM_FIELDS.get(kind or "", (frozenset({"id", "type"}), _ALL_ITEM_FIELDS))
    if nested:
        required, optional = required - {"use"}, optional - {"use", "group"}
    _check_fields(ctx, item, required, optional, "a question" if nested else "an item")
    use = scenario_use if nested else _choice_field(ctx, item, "use", ITEM_USES)
    options = _options(ctx, item) if kind in ("single", "multiple") else []
    option_ids = {option["id"] for option in options if option["id"] is not None}
    result: dict[str, Any] = {
        "id": _id_field(ctx, item, "id", "an item id"),
        "type": kind,
        "use": use,
        "stem": _text_field(ctx, item, "stem"),
        "options": options,
        "correct": _correct(ctx, item, kind, option_ids) if kind != "scenario" else None,
        "scoring": _scoring(ctx, item, kind),
        "feedback": _text_field(ctx, item, "feedback"),
        "_line": item.line,
    }
    group = None if nested else _id_field(ctx, item, "group", "'group'")
    if group is not None:
        result["group"] = group
    if kind == "scenario":
        result["case"] = _text_field(ctx, item, "case")
        result["questions"] = _questions(ctx, item, use)
    result["_source"] = _source(ctx, item, result.get("questions"))
    return result


def _trim_item(item: dict[str, Any], languages: tuple[str, ...]) -> dict[str, Any]:
    """Return a deep copy of a normalized item keeping only `languages` in its texts."""
    result = copy.deepcopy(item)
    for key in ("stem", "feedback", "case"):
        if key in result:
            result[key] = _pick(result[key], languages)
    for option in result["options"]:
        option["text"] = _pick(option["text"], languages)
    if "questions" in result:
        result["questions"] = [_trim_item(sub, languages) for sub in result["questions"]]
    return result


# --------------------------------------------------------------------------- modules


@dataclass
class _Own:
    """A lesson or item a module file declares, with where it stood."""

    value: Any
    entry_id: str | None
    line: int
    after: str | None = None
    source: ItemSource | None = None


@dataclass
class _Draft:
    """One module folder as read, before `extends` is resolved."""

    slug: str
    ctx: _Ctx
    data: LineDict
    settings: dict[str, Any] = field(default_factory=dict)
    extends: str | None = None
    lessons: list[_Own] = field(default_factory=list)
    items: list[_Own] = field(default_factory=list)
    drop_lessons: list[tuple[str, int]] = field(default_factory=list)
    drop_items: list[tuple[str, int]] = field(default_factory=list)
    documents: tuple[DocumentSpec, ...] = ()
    attestation: dict[str, Any] | None = None
    requires: list[tuple[str, int]] = field(default_factory=list)


def _languages(ctx: _Ctx, data: LineDict) -> tuple[str, ...]:
    """Return the module's languages (always including en and es)."""
    raw = data.get("languages")
    line = data.line_of("languages")
    if "languages" in data and not isinstance(raw, LineList):
        ctx.add(line, "'languages' must be a list of language codes")
    if not isinstance(raw, LineList):
        raw = LineList()
    found: list[str] = []
    for index, lang in enumerate(raw):
        if lang not in LANGUAGES:
            ctx.add(
                raw.line_of(index), f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})"
            )
        elif lang in found:
            ctx.add(raw.line_of(index), f"language '{lang}' listed twice")
        else:
            found.append(lang)
    for lang in REQUIRED_LANGUAGES:
        if "languages" in data and lang not in found:
            ctx.add(line, f"'languages' must include '{lang}'")
    return tuple(lang for lang in LANGUAGES if lang in found or lang in REQUIRED_LANGUAGES)


def _settings(ctx: _Ctx, data: LineDict, folder: str) -> dict[str, Any]:
    """Return the module's own settings (everything but lessons, items and documents)."""
    slug = _id_field(ctx, data, "slug", "'slug'")
    if slug is not None and slug != folder:
        ctx.add(data.line_of("slug"), f"slug '{slug}' must equal the folder name '{folder}'")
    return {
        "slug": folder,
        "component": _int_field(ctx, data, "component", 1, 3, default=1),
        "title": _text_field(ctx, data, "title"),
        "summary": _text_field(ctx, data, "summary"),
        "languages": ctx.kept_languages,
        "pass_mark": _int_field(ctx, data, "pass_mark", 1, 100, default=80),
        "attempts": _int_field(ctx, data, "attempts", 1, default=3),
        "cooldown_minutes": _int_field(ctx, data, "cooldown_minutes", 0, default=0),
        "minimum_minutes": _int_field(ctx, data, "minimum_minutes", 1, default=1),
        "pre_test_length": _int_field(ctx, data, "pre_test_length", 1, default=1),
        "post_test_length": _int_field(ctx, data, "post_test_length", 1, default=1),
        "share_items": _bool_field(ctx, data, "share_items", default=False),
        "review": _choice_field(ctx, data, "review", REVIEWS, "feedback"),
    }


def _own_lessons(ctx: _Ctx, data: LineDict, folder: Path, shown: str) -> list[_Own]:
    """Read the module's lesson list and each lesson's Markdown files."""
    raw = _list(ctx, data, "lessons")
    lessons: list[_Own] = []
    for index, entry in enumerate(raw):
        line = raw.line_of(index)
        lesson = _mapping(ctx, entry, line, "a lesson")
        if lesson is None:
            continue
        _check_fields(ctx, lesson, {"id", "minimum_seconds"}, {"after", "contacts"}, "a lesson")
        lesson_id = _id_field(ctx, lesson, "id", "a lesson id")
        after = _id_field(ctx, lesson, "after", "'after'")
        seconds = _int_field(ctx, lesson, "minimum_seconds", 1, default=0)
        contacts = _bool_field(ctx, lesson, "contacts", default=False)
        spec = _lesson(ctx, folder, shown, lesson_id, seconds, line)
        if spec is not None and contacts:
            spec = replace(spec, contacts=True)
        lessons.append(_Own(spec, lesson_id, line, after))
    _report_duplicates(ctx, ((own.entry_id, own.line) for own in lessons), "lesson")
    return lessons


def _lesson(
    ctx: _Ctx, folder: Path, shown: str, lesson_id: str | None, seconds: int, line: int
) -> LessonSpec | None:
    """Read one lesson's files; None when its id is unusable."""
    if lesson_id is None:
        return None
    lessons_dir, lessons_shown = folder / "lessons", f"{shown}/lessons"
    texts = _markdown_files(ctx, lessons_dir, lessons_shown, lesson_id, line, "lesson")
    titles = _lesson_titles(ctx, lessons_shown, lesson_id, texts)
    return LessonSpec(lesson_id, seconds, titles, texts, _render_all(texts))


def _drops(ctx: _Ctx, data: LineDict, key: str) -> list[tuple[str, int]]:
    """Return the ids listed under `key` (drop_lessons, drop_items, post_test_requires)."""
    raw = _list(ctx, data, key)
    ids = [
        (_id_value(ctx, value, raw.line_of(i), f"an id in '{key}'"), raw.line_of(i))
        for i, value in enumerate(raw)
    ]
    return [(entry_id, line) for entry_id, line in ids if entry_id is not None]


def _documents(ctx: _Ctx, data: LineDict, folder: Path, shown: str) -> tuple[DocumentSpec, ...]:
    """Read the module's documents and their Markdown files."""
    raw = _list(ctx, data, "documents")
    documents: list[tuple[DocumentSpec, int]] = []
    for index, entry in enumerate(raw):
        line = raw.line_of(index)
        document = _mapping(ctx, entry, line, "a document")
        if document is None:
            continue
        _check_fields(ctx, document, {"id", "title"}, (), "a document")
        doc_id = _id_field(ctx, document, "id", "a document id")
        if doc_id is None:
            continue
        texts = _markdown_files(
            ctx, folder / "documents", f"{shown}/documents", doc_id, line, "document"
        )
        spec = DocumentSpec(doc_id, _text_field(ctx, document, "title"), texts, _render_all(texts))
        documents.append((spec, line))
    _report_duplicates(ctx, ((spec.id, line) for spec, line in documents), "document")
    return tuple(spec for spec, _ in documents)


def _attestation(ctx: _Ctx, data: LineDict) -> dict[str, Any] | None:
    """Return the attestation ({"statement": {lang: str}}) or None."""
    if data.get("attestation") is None:
        return None
    raw = _mapping(ctx, data["attestation"], data.line_of("attestation"), "'attestation'")
    if raw is None:
        return None
    _check_fields(ctx, raw, {"statement"}, (), "'attestation'")
    return {"statement": _text_field(ctx, raw, "statement")}


def _own_items(ctx: _Ctx, folder: Path) -> list[_Own]:
    """Read questions.yaml: the module's own items."""
    data = _load_mapping(ctx, folder / "questions.yaml")
    if data is None:
        return []
    _check_fields(ctx, data, {"items"}, (), "questions.yaml")
    raw = _list(ctx, data, "items")
    items = [_item(ctx, entry, raw.line_of(index)) for index, entry in enumerate(raw)]
    owns = [
        _Own(item, item["id"], item.pop("_line"), source=item.pop("_source"))
        for item in items
        if item is not None
    ]
    _report_duplicates(ctx, ((own.entry_id, own.line) for own in owns), "item")
    return owns


def _read_module(folder: Path, shown: str, problems: list[Problem]) -> _Draft:
    """Read and check one module folder's own files (an unreadable one gives an empty draft)."""
    ctx = _Ctx(f"{shown}/module.yaml", problems, module=folder.name)
    data = _load_mapping(ctx, folder / "module.yaml")
    if data is None:
        return _Draft(folder.name, ctx, _empty_mapping())
    _check_fields(ctx, data, _MODULE_REQUIRED, _MODULE_OPTIONAL, "module.yaml")
    languages = _languages(ctx, data)
    ctx = replace(ctx, required_languages=languages, kept_languages=languages)
    draft = _Draft(folder.name, ctx, data, _settings(ctx, data, folder.name))
    draft.extends = _id_field(ctx, data, "extends", "'extends'") if data.get("extends") else None
    draft.lessons = _own_lessons(ctx, data, folder, shown)
    draft.drop_lessons = _drops(ctx, data, "drop_lessons")
    draft.drop_items = _drops(ctx, data, "drop_items")
    draft.documents = _documents(ctx, data, folder, shown)
    draft.attestation = _attestation(ctx, data)
    draft.requires = _drops(ctx, data, "post_test_requires")
    _report_duplicates(ctx, draft.requires, "required group")
    draft.settings["post_test_requires"] = tuple(dict.fromkeys(g for g, _ in draft.requires))
    draft.items = _own_items(ctx.for_file(f"{shown}/questions.yaml"), folder)
    return draft


# --------------------------------------------------------------------------- extends


@dataclass(frozen=True)
class _Body:
    """A module's resolved lessons and items."""

    lessons: tuple[LessonSpec, ...]
    items: tuple[dict[str, Any], ...]
    sources: dict[str, ItemSource] = field(default_factory=dict)


def _merge(
    ctx: _Ctx,
    inherited: list[T],
    own: list[_Own],
    drops: list[tuple[str, int]],
    id_of: Callable[[T], str],
    what: str,
) -> list[T]:
    """Apply drops, in-place replacements, `after` placements and appends."""
    merged = list(inherited)
    inherited_ids = {id_of(entry) for entry in inherited}
    for drop_id, line in drops:
        if drop_id not in inherited_ids:
            ctx.add(line, f"cannot drop {what} '{drop_id}': it is not inherited")
    dropped = {drop_id for drop_id, _ in drops}
    merged = [entry for entry in merged if id_of(entry) not in dropped]
    last_after: dict[str, str] = {}
    for entry in own:
        if entry.value is None:
            continue
        ids = [id_of(existing) for existing in merged]
        if entry.entry_id in ids:
            if entry.after is not None:
                ctx.add(
                    entry.line,
                    f"'after' is only for new {what}s: '{entry.entry_id}' replaces an "
                    "inherited one in place",
                )
            merged[ids.index(entry.entry_id)] = entry.value
        elif entry.after is None:
            merged.append(entry.value)
        elif entry.after in ids:
            anchor = last_after.get(entry.after, entry.after)
            merged.insert(ids.index(anchor) + 1, entry.value)
            last_after[entry.after] = entry.entry_id or entry.after
        else:
            ctx.add(entry.line, f"'after' names unknown {what} '{entry.after}'")
    return merged


def _find_cycle(slug: str, drafts: dict[str, _Draft]) -> list[str] | None:
    """Return the `extends` chain from `slug` back to itself, or None."""
    chain = [slug]
    current = drafts[slug].extends
    while current is not None and current in drafts and current not in chain:
        chain.append(current)
        current = drafts[current].extends
    return [*chain, slug] if current == slug else None


def _parent_body(
    draft: _Draft, drafts: dict[str, _Draft], bodies: dict[str, _Body | None], failed: set[str]
) -> _Body | None:
    """Return the parent's resolved body, or an empty body without `extends`; None on error."""
    if draft.extends is None:
        return _Body((), ())
    line = draft.data.line_of("extends")
    if draft.extends not in drafts:
        draft.ctx.add(line, f"'extends' names unknown module '{draft.extends}'")
        return None
    cycle = _find_cycle(draft.slug, drafts)
    if cycle is not None:
        draft.ctx.add(line, f"'extends' forms a cycle: {' -> '.join(cycle)}")
        return None
    parent = _resolve(draft.extends, drafts, bodies, failed)
    if parent is None:
        draft.ctx.add(line, f"'extends' names module '{draft.extends}', which has problems")
        return None
    if not set(draft.ctx.kept_languages) <= set(drafts[draft.extends].ctx.kept_languages):
        draft.ctx.add(
            draft.data.line_of("languages"),
            f"'languages' must be among those of '{draft.extends}' (it extends that module)",
        )
        return None
    return parent


def _resolve(
    slug: str, drafts: dict[str, _Draft], bodies: dict[str, _Body | None], failed: set[str]
) -> _Body | None:
    """Resolve a module's lessons and items through `extends`; None if it has problems."""
    if slug in bodies:
        return bodies[slug]
    bodies[slug] = None  # guards against re-entry while a cycle is being reported
    draft = drafts[slug]
    parent = _parent_body(draft, drafts, bodies, failed)
    if parent is None:
        return None
    before = len(draft.ctx.problems)
    languages = draft.ctx.kept_languages
    lessons = _merge(
        draft.ctx,
        [lesson.in_languages(languages) for lesson in parent.lessons],
        draft.lessons,
        draft.drop_lessons,
        lambda lesson: lesson.id,
        "lesson",
    )
    items: list[dict[str, Any]] = _merge(
        draft.ctx,
        [_trim_item(item, languages) for item in parent.items],
        draft.items,
        draft.drop_items,
        lambda item: item["id"],
        "item",
    )
    if len(draft.ctx.problems) > before or slug in failed:
        return None
    own = {
        o.entry_id: o.source
        for o in draft.items
        if o.value is not None and o.source and o.entry_id is not None
    }
    sources: dict[str, ItemSource] = {**parent.sources, **own}
    bodies[slug] = _Body(tuple(lessons), tuple(items), {i["id"]: sources[i["id"]] for i in items})
    return bodies[slug]


# --------------------------------------------------------------------------- module rules


def _check_minimum_time(draft: _Draft, body: _Body) -> None:
    """Report lessons whose minimum times add up to less than `minimum_minutes`."""
    total = sum(lesson.minimum_seconds for lesson in body.lessons)
    needed = draft.settings["minimum_minutes"] * 60
    if total < needed:
        draft.ctx.add(
            draft.data.line_of("minimum_minutes"),
            f"the lessons' minimum_seconds add up to {total} s, below minimum_minutes ({needed} s)",
        )


def _check_groups(draft: _Draft, body: _Body) -> None:
    """Report required groups that are empty, too small or hold items the pre-test may ask."""
    settings = draft.settings
    for group, line in draft.requires:
        members = [item for item in body.items if item.get("group") == group]
        if not members:
            draft.ctx.add(line, f"post_test_requires names group '{group}', but no item is in it")
            continue
        for item in members:
            if item["use"] != "post":
                source = body.sources[item["id"]]
                draft.ctx.problems.append(
                    Problem(
                        source.path,
                        source.line,
                        f"item '{item['id']}' is in group '{group}', which module "
                        f"'{draft.slug}' requires on every post-test: its use must be post "
                        "(the pre-test asks its own item)",
                    )
                )
        posts = sum(1 for item in members if item["use"] == "post")
        if posts < settings["attempts"]:
            draft.ctx.add(
                line,
                f"group '{group}' holds {posts} post item(s); each of the "
                f"{settings['attempts']} attempts needs one the learner has not seen",
            )


def _check_bank(draft: _Draft, body: _Body, findings: list[Finding]) -> None:
    """Report a bank too small to draw the tests, and (as a finding) one too small for
    fresh retakes. The rules are in modules/README.md ("The bank rules")."""
    settings = draft.settings
    requires = settings["post_test_requires"]
    counts = bank.bank_counts(body.items, requires)
    pre_length, post_length = settings["pre_test_length"], settings["post_test_length"]
    if counts.pre_usable < pre_length:
        draft.ctx.add(
            draft.data.line_of("pre_test_length"),
            f"item bank too small: the pre-test draws {pre_length} items but only "
            f"{counts.pre_usable} have use pre or both",
        )
    if len(requires) > post_length:
        draft.ctx.add(
            draft.data.line_of("post_test_requires"),
            f"post_test_requires names {len(requires)} groups, more than post_test_length "
            f"({post_length})",
        )
    _check_groups(draft, body)
    slots = bank.general_slots(post_length, requires)
    left = bank.drawable_general(counts, pre_length, settings["share_items"])
    if left < slots:
        draft.ctx.add(
            draft.data.line_of("post_test_length"),
            f"item bank too small: a post form draws {slots} items outside the required "
            f"groups, only {left} remain after the pre-test (see modules/README.md)",
        )
        return
    needed, fresh = bank.fresh_retakes_shortfall(
        body.items,
        pre_test_length=pre_length,
        post_test_length=post_length,
        attempts=settings["attempts"],
        requires=requires,
    )
    if fresh < needed:
        findings.append(
            Finding(
                draft.ctx.path,
                draft.data.line_of("post_test_length"),
                f"fresh-retakes: {settings['attempts']} attempts x {slots} items need "
                f"{needed} post items the pre-test cannot have taken, the bank has {fresh}: a "
                f"learner may see {needed - fresh} item(s) again (see modules/README.md, "
                f'"The bank rules")',
                "fresh-retakes",
                draft.slug,
            )
        )


def _module_spec(draft: _Draft, body: _Body) -> ModuleSpec:
    """Build the final ModuleSpec, content hash included."""
    spec = ModuleSpec(
        **draft.settings,
        extends=draft.extends,
        lessons=body.lessons,
        items=body.items,
        documents=draft.documents,
        attestation=draft.attestation,
    )
    return replace(spec, content_hash=spec.computed_hash())


def _module_folders(root: Path) -> list[Path]:
    """Return the module folders under `root` (every folder but rules/ and hidden ones)."""
    return sorted(
        path
        for path in root.iterdir()
        if path.is_dir() and path.name not in _NOT_MODULE_FOLDERS and path.name[0] not in "._"
    )


def _load_modules(
    root: Path, problems: list[Problem], findings: list[Finding]
) -> tuple[dict[str, ModuleSpec], dict[str, _Draft], dict[str, ModuleBank]]:
    """Read, resolve and check every module; return the valid ones, all drafts, and the
    valid ones' banks (items with where they stand)."""
    drafts: dict[str, _Draft] = {}
    failed: set[str] = set()
    for folder in _module_folders(root):
        found = len(problems)
        drafts[folder.name] = _read_module(folder, f"{root.name}/{folder.name}", problems)
        if len(problems) > found:
            failed.add(folder.name)
    bodies: dict[str, _Body | None] = {}
    modules: dict[str, ModuleSpec] = {}
    banks: dict[str, ModuleBank] = {}
    for slug, draft in drafts.items():
        body = _resolve(slug, drafts, bodies, failed)
        if body is None:
            continue
        before = len(problems)
        module_findings: list[Finding] = []
        _check_minimum_time(draft, body)
        _check_bank(draft, body, module_findings)
        if len(problems) == before:
            modules[slug] = _module_spec(draft, body)
            banks[slug] = _module_bank(draft, body, modules[slug])
            findings += module_findings
    return modules, drafts, banks


def _module_bank(draft: _Draft, body: _Body, spec: ModuleSpec) -> ModuleBank:
    """The module's items and sources, as the item-writing rules see them."""
    return ModuleBank(
        slug=spec.slug,
        component=spec.component,
        languages=spec.languages,
        items=body.items,
        sources=body.sources,
        extends_at=(draft.ctx.path, draft.data.line_of("extends")) if spec.extends else None,
    )


# --------------------------------------------------------------------------- tracks


def _audience(ctx: _Ctx, track: LineDict) -> tuple[str | None, str | None, tuple[str, ...]]:
    """Return a track's (org_kind, department, job_roles)."""
    if "audience" not in track:
        return None, None, ()
    audience = _mapping(ctx, track["audience"], track.line_of("audience"), "'audience'")
    if audience is None:
        return None, None, ()
    _check_fields(ctx, audience, {"org_kind"}, {"department", "job_roles"}, "'audience'")
    org_kind = _choice_field(ctx, audience, "org_kind", ORG_KINDS)
    department = None
    if audience.get("department") is not None:
        department = _id_field(ctx, audience, "department", "'department'")
    roles = _list(ctx, audience, "job_roles")
    job_roles = [
        _id_value(ctx, role, roles.line_of(index), "a job role", _JOB_ROLE)
        for index, role in enumerate(roles)
    ]
    return org_kind, department, tuple(role for role in job_roles if role is not None)


def _certificate_title(ctx: _Ctx, track: LineDict) -> dict[str, str]:
    """Return the title printed on the track's certificate."""
    if "certificate" not in track:
        return {}
    certificate = _mapping(ctx, track["certificate"], track.line_of("certificate"), "'certificate'")
    if certificate is None:
        return {}
    _check_fields(ctx, certificate, {"title"}, (), "'certificate'")
    return _text_field(ctx, certificate, "title")


def _track_modules(
    ctx: _Ctx, track: LineDict, modules: dict[str, ModuleSpec], drafts: dict[str, _Draft]
) -> tuple[str, ...]:
    """Return a track's module slugs, checking they exist and run components 1, 2, 3."""
    raw = _list(ctx, track, "modules")
    if "modules" in track and not raw:
        ctx.add(track.line_of("modules"), "a track needs at least one module")
    slugs: list[str] = []
    for index, value in enumerate(raw):
        line = raw.line_of(index)
        slug = _id_value(ctx, value, line, "a module slug")
        if slug is None:
            continue
        if slug not in drafts:
            ctx.add(line, f"unknown module '{slug}'")
        elif slug not in modules:
            ctx.add(line, f"module '{slug}' has problems")
        else:
            expected = len(slugs) + 1
            if modules[slug].component != expected:
                ctx.add(
                    line,
                    f"module '{slug}' is component {modules[slug].component}, but position "
                    f"{expected} needs component {expected} (components must be 1, 2, 3 in order)",
                )
        slugs.append(slug)
    return tuple(slugs)


def _track(
    ctx: _Ctx, track: LineDict, modules: dict[str, ModuleSpec], drafts: dict[str, _Draft]
) -> TrackSpec:
    """Check and build one track (fields may be empty when the track has problems)."""
    _check_fields(
        ctx, track, {"slug", "title", "audience", "modules", "certificate"}, (), "a track"
    )
    org_kind, department, job_roles = _audience(ctx, track)
    return TrackSpec(
        slug=_id_field(ctx, track, "slug", "a track slug") or "",
        title=_text_field(ctx, track, "title"),
        audience_org_kind=org_kind or "",
        audience_department=department,
        audience_job_roles=job_roles,
        modules=_track_modules(ctx, track, modules, drafts),
        certificate_title=_certificate_title(ctx, track),
    )


def _load_tracks(
    root: Path, modules: dict[str, ModuleSpec], drafts: dict[str, _Draft], problems: list[Problem]
) -> list[TrackSpec]:
    """Read tracks.yaml; return the tracks that have no problems."""
    ctx = _Ctx(f"{root.name}/tracks.yaml", problems)
    data = _load_mapping(ctx, root / "tracks.yaml")
    if data is None:
        return []
    _check_fields(ctx, data, {"tracks"}, (), "tracks.yaml")
    raw = _list(ctx, data, "tracks")
    tracks: list[TrackSpec] = []
    seen: list[tuple[str | None, int]] = []
    for index, entry in enumerate(raw):
        line = raw.line_of(index)
        track = _mapping(ctx, entry, line, "a track")
        if track is None:
            continue
        before = len(problems)
        spec = _track(ctx, track, modules, drafts)
        seen.append((spec.slug or None, track.line_of("slug")))
        if len(problems) == before:
            tracks.append(spec)
    _report_duplicates(ctx, seen, "track")
    duplicated = {slug for slug, _ in _duplicates(seen)}
    return [track for track in tracks if track.slug not in duplicated]


# --------------------------------------------------------------------------- public


def load_content(root: Path) -> LoadedContent:
    """Load every module and track under `root`; invalid ones are left out."""
    problems: list[Problem] = []
    findings: list[Finding] = []
    if not root.is_dir():
        problems.append(Problem(str(root), 1, "content folder not found"))
        return LoadedContent({}, [], problems)
    modules, drafts, banks = _load_modules(root, problems, findings)
    tracks = _load_tracks(root, modules, drafts, problems)
    findings += check_items(list(banks.values()), [(t.slug, t.modules) for t in tracks])
    if (root / GLOSSARY_FILE).is_file():
        variants, glossary_problems = load_glossary(
            root / GLOSSARY_FILE, f"{root.name}/{GLOSSARY_FILE}"
        )
        problems += glossary_problems
        findings += check_terms(root, variants)
    logger.debug(
        "loaded %d modules, %d tracks, %d problems, %d findings",
        len(modules),
        len(tracks),
        len(problems),
        len(findings),
    )
    return LoadedContent(modules, tracks, sorted(set(problems)), sorted(set(findings)), banks)


def report_lines(content: LoadedContent) -> tuple[list[str], int]:
    """Return the printable lines of `flask content check` for loaded content, and its
    exit status: every problem and finding in file order, then a summary."""
    entries: list[Problem | Finding] = [*content.problems, *content.findings]
    entries.sort(key=lambda e: (e.path, e.line))
    lines = [str(entry) for entry in entries]
    if content.problems or content.findings:
        lines.append(
            f"{len(content.problems)} problem(s) and {len(content.findings)} finding(s) found"
        )
        return lines, 1
    lines.append(f"content ok: {len(content.modules)} modules, {len(content.tracks)} tracks")
    return lines, 0


def check_report(root: Path) -> tuple[list[str], int]:
    """Return the printable lines of `flask content check` and its exit status."""
    return report_lines(load_content(root))
