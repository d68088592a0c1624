"""One module folder read and checked: settings, languages, lessons, documents, items."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trainer.catalog.itemrules import ItemSource
from trainer.catalog.items import read_item
from trainer.catalog.markdown import first_heading, render_markdown
from trainer.catalog.specs import (
    LANGUAGES,
    MODULE_OPTIONAL,
    MODULE_REQUIRED,
    REQUIRED_LANGUAGES,
    REVIEWS,
    DocumentSpec,
    LessonSpec,
)
from trainer.core.yamlcheck import (
    Ctx,
    bool_field,
    check_fields,
    choice_field,
    empty_mapping,
    id_field,
    id_value,
    int_field,
    list_field,
    mapping,
    report_duplicates,
    text_field,
    value_line,
)
from trainer.core.yamlsrc import LineDict, LineList, Problem, load_yaml

# --------------------------------------------------------------------------- files


def load_mapping(ctx: Ctx, path: Path) -> LineDict | None:
    """Parse a YAML file whose top level must be a mapping; None (with a problem) if not."""
    data, problems = load_yaml(path, ctx.path)
    ctx.problems.extend(problems)
    if problems:
        return None
    if data is None:
        ctx.add(1, "the file is empty")
        return None
    return mapping(ctx, data, value_line(data), "the file's top level")


def _read_text(ctx: Ctx, path: Path, line: int, what: str) -> str | None:
    """Read a UTF-8 file; on failure record a problem at `line` of the context's file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        ctx.add(line, f"missing file for {what}")
    except UnicodeDecodeError:
        ctx.add(line, f"file for {what} is not UTF-8 text")
    return None


def _markdown_files(
    ctx: Ctx, folder: Path, shown: str, entry_id: str, line: int, what: str
) -> dict[str, str]:
    """Read `<folder>/<id>.<lang>.md` for every language of the module."""
    texts: dict[str, str] = {}
    for lang in ctx.kept_languages:
        name = f"{entry_id}.{lang}.md"
        text = _read_text(ctx, folder / name, line, f"{what} '{entry_id}' ({shown}/{name})")
        if text is not None:
            texts[lang] = text
    return texts


def _lesson_titles(ctx: Ctx, shown: str, lesson_id: str, texts: dict[str, str]) -> dict[str, str]:
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


# --------------------------------------------------------------------------- modules


@dataclass
class OwnEntry:
    """A lesson or item a module file declares, with where it stood."""

    value: Any
    entry_id: str | None
    line: int
    after: str | None = None
    source: ItemSource | None = None


@dataclass
class Draft:
    """One module folder as read, before `extends` is resolved."""

    slug: str
    ctx: Ctx
    data: LineDict
    settings: dict[str, Any] = field(default_factory=dict)
    extends: str | None = None
    lessons: list[OwnEntry] = field(default_factory=list)
    items: list[OwnEntry] = field(default_factory=list)
    drop_lessons: list[tuple[str, int]] = field(default_factory=list)
    drop_items: list[tuple[str, int]] = field(default_factory=list)
    documents: tuple[DocumentSpec, ...] = ()
    attestation: dict[str, Any] | None = None
    requires: list[tuple[str, int]] = field(default_factory=list)


def _languages(ctx: Ctx, data: LineDict) -> tuple[str, ...]:
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


def _settings(ctx: Ctx, data: LineDict, folder: str) -> dict[str, Any]:
    """Return the module's own settings (everything but lessons, items and documents)."""
    slug = id_field(ctx, data, "slug", "'slug'")
    if slug is not None and slug != folder:
        ctx.add(data.line_of("slug"), f"slug '{slug}' must equal the folder name '{folder}'")
    return {
        "slug": folder,
        "component": int_field(ctx, data, "component", 1, 3, default=1),
        "title": text_field(ctx, data, "title"),
        "summary": text_field(ctx, data, "summary"),
        "languages": ctx.kept_languages,
        "pass_mark": int_field(ctx, data, "pass_mark", 1, 100, default=80),
        "attempts": int_field(ctx, data, "attempts", 1, default=3),
        "cooldown_minutes": int_field(ctx, data, "cooldown_minutes", 0, default=0),
        "minimum_minutes": int_field(ctx, data, "minimum_minutes", 1, default=1),
        "pre_test_length": int_field(ctx, data, "pre_test_length", 1, default=1),
        "post_test_length": int_field(ctx, data, "post_test_length", 1, default=1),
        "share_items": bool_field(ctx, data, "share_items", default=False),
        "review": choice_field(ctx, data, "review", REVIEWS, "feedback"),
    }


def _own_lessons(ctx: Ctx, data: LineDict, folder: Path, shown: str) -> list[OwnEntry]:
    """Read the module's lesson list and each lesson's Markdown files."""
    raw = list_field(ctx, data, "lessons")
    lessons: list[OwnEntry] = []
    for index, entry in enumerate(raw):
        line = raw.line_of(index)
        lesson = mapping(ctx, entry, line, "a lesson")
        if lesson is None:
            continue
        check_fields(ctx, lesson, {"id", "minimum_seconds"}, {"after", "contacts"}, "a lesson")
        lesson_id = id_field(ctx, lesson, "id", "a lesson id")
        after = id_field(ctx, lesson, "after", "'after'")
        seconds = int_field(ctx, lesson, "minimum_seconds", 1, default=0)
        contacts = bool_field(ctx, lesson, "contacts", default=False)
        spec = _lesson(ctx, folder, shown, lesson_id, seconds, line)
        if spec is not None and contacts:
            spec = replace(spec, contacts=True)
        lessons.append(OwnEntry(spec, lesson_id, line, after))
    report_duplicates(ctx, ((own.entry_id, own.line) for own in lessons), "lesson")
    return lessons


def _lesson(
    ctx: Ctx, folder: Path, shown: str, lesson_id: str | None, seconds: int, line: int
) -> LessonSpec | None:
    """Read one lesson's files; None when its id is unusable."""
    if lesson_id is None:
        return None
    lessons_dir, lessons_shown = folder / "lessons", f"{shown}/lessons"
    texts = _markdown_files(ctx, lessons_dir, lessons_shown, lesson_id, line, "lesson")
    titles = _lesson_titles(ctx, lessons_shown, lesson_id, texts)
    return LessonSpec(lesson_id, seconds, titles, texts, _render_all(texts))


def _drops(ctx: Ctx, data: LineDict, key: str) -> list[tuple[str, int]]:
    """Return the ids listed under `key` (drop_lessons, drop_items, post_test_requires)."""
    raw = list_field(ctx, data, key)
    ids = [
        (id_value(ctx, value, raw.line_of(i), f"an id in '{key}'"), raw.line_of(i))
        for i, value in enumerate(raw)
    ]
    return [(entry_id, line) for entry_id, line in ids if entry_id is not None]


def _documents(ctx: Ctx, data: LineDict, folder: Path, shown: str) -> tuple[DocumentSpec, ...]:
    """Read the module's documents and their Markdown files."""
    raw = list_field(ctx, data, "documents")
    documents: list[tuple[DocumentSpec, int]] = []
    for index, entry in enumerate(raw):
        line = raw.line_of(index)
        document = mapping(ctx, entry, line, "a document")
        if document is None:
            continue
        check_fields(ctx, document, {"id", "title"}, (), "a document")
        doc_id = id_field(ctx, document, "id", "a document id")
        if doc_id is None:
            continue
        texts = _markdown_files(
            ctx, folder / "documents", f"{shown}/documents", doc_id, line, "document"
        )
        spec = DocumentSpec(doc_id, text_field(ctx, document, "title"), texts, _render_all(texts))
        documents.append((spec, line))
    report_duplicates(ctx, ((spec.id, line) for spec, line in documents), "document")
    return tuple(spec for spec, _ in documents)


def _attestation(ctx: Ctx, data: LineDict) -> dict[str, Any] | None:
    """Return the attestation ({"statement": {lang: str}}) or None."""
    if data.get("attestation") is None:
        return None
    raw = mapping(ctx, data["attestation"], data.line_of("attestation"), "'attestation'")
    if raw is None:
        return None
    check_fields(ctx, raw, {"statement"}, (), "'attestation'")
    return {"statement": text_field(ctx, raw, "statement")}


def _own_items(ctx: Ctx, folder: Path) -> list[OwnEntry]:
    """Read questions.yaml: the module's own items."""
    data = load_mapping(ctx, folder / "questions.yaml")
    if data is None:
        return []
    check_fields(ctx, data, {"items"}, (), "questions.yaml")
    raw = list_field(ctx, data, "items")
    items = [read_item(ctx, entry, raw.line_of(index)) for index, entry in enumerate(raw)]
    owns = [
        OwnEntry(item, item["id"], item.pop("_line"), source=item.pop("_source"))
        for item in items
        if item is not None
    ]
    report_duplicates(ctx, ((own.entry_id, own.line) for own in owns), "item")
    return owns


def read_module(folder: Path, shown: str, problems: list[Problem]) -> Draft:
    """Read and check one module folder's own files (an unreadable one gives an empty draft)."""
    ctx = Ctx(f"{shown}/module.yaml", problems, module=folder.name)
    data = load_mapping(ctx, folder / "module.yaml")
    if data is None:
        return Draft(folder.name, ctx, empty_mapping())
    check_fields(ctx, data, MODULE_REQUIRED, MODULE_OPTIONAL, "module.yaml")
    languages = _languages(ctx, data)
    ctx = replace(ctx, required_languages=languages, kept_languages=languages)
    draft = Draft(folder.name, ctx, data, _settings(ctx, data, folder.name))
    draft.extends = id_field(ctx, data, "extends", "'extends'") if data.get("extends") else None
    draft.lessons = _own_lessons(ctx, data, folder, shown)
    draft.drop_lessons = _drops(ctx, data, "drop_lessons")
    draft.drop_items = _drops(ctx, data, "drop_items")
    draft.documents = _documents(ctx, data, folder, shown)
    draft.attestation = _attestation(ctx, data)
    draft.requires = _drops(ctx, data, "post_test_requires")
    report_duplicates(ctx, draft.requires, "required group")
    draft.settings["post_test_requires"] = tuple(dict.fromkeys(g for g, _ in draft.requires))
    draft.items = _own_items(ctx.for_file(f"{shown}/questions.yaml"), folder)
    return draft
