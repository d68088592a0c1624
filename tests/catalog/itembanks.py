"""Small item banks for the item-writing rule tests, written as questions.yaml text."""

from __future__ import annotations

import json
from pathlib import Path

from .builders import TRACKS_YAML, line_of, make_tree, write, write_lessons, write_module

Text = str | tuple[str, ...]

PRE_ITEM = """\
  - id: p1
    type: true_false
    use: pre
    stem: {stem}
    correct: true
    feedback: {feedback}
"""
FILLERS = ("Filler statement one.", "Filler statement two.")


def _text(value: Text, langs: tuple[str, ...]) -> str:
    """A flow mapping of one text per language; a plain str is used for every language
    (with the language code appended after the first, so translations differ)."""
    if isinstance(value, str):
        values = [value if i == 0 else f"{value} ({lang})" for i, lang in enumerate(langs)]
    else:
        values = list(value)
    return (
        "{"
        + ", ".join(
            f"{lang}: {json.dumps(v, ensure_ascii=False)}"
            for lang, v in zip(langs, values, strict=False)
        )
        + "}"
    )


text = _text


def _accept(accept: dict[str, str] | None, indent: str) -> str:
    if not accept:
        return ""
    lines = "".join(
        f"{indent}  {code}: {json.dumps(reason, ensure_ascii=False)}\n"
        for code, reason in accept.items()
    )
    return f"{indent}accept:\n{lines}"


def choice(
    item_id: str,
    options: list[Text],
    correct: str | list[str] = "a",
    stem: Text | None = None,
    *,
    langs: tuple[str, ...] = ("en", "es"),
    use: str = "post",
    accept: dict[str, str] | None = None,
    indent: str = "  ",
    nested: bool = False,
) -> str:
    """A single (correct is an id) or multiple (correct is a list) question, as YAML."""
    kind = "multiple" if isinstance(correct, list) else "single"
    pad = indent + "  "
    lines = [f"{indent}- id: {item_id}\n", f"{pad}type: {kind}\n"]
    if not nested:
        lines.append(f"{pad}use: {use}\n")
    lines.append(_accept(accept, pad))
    lines.append(f"{pad}stem: {text(stem or f'Question {item_id}?', langs)}\n")
    lines.append(f"{pad}options:\n")
    for index, option in enumerate(options):
        lines.append(f"{pad}  - id: {'abcdef'[index]}\n")
        lines.append(f"{pad}    text: {text(option, langs)}\n")
    shown = correct if isinstance(correct, str) else "[" + ", ".join(correct) + "]"
    lines.append(f"{pad}correct: {shown}\n")
    lines.append(f"{pad}feedback: {text('Because.', langs)}\n")
    return "".join(lines)


def statement(
    item_id: str,
    stem: Text,
    *,
    langs: tuple[str, ...] = ("en", "es"),
    use: str = "post",
    accept: dict[str, str] | None = None,
    indent: str = "  ",
    nested: bool = False,
) -> str:
    """A true/false question, as YAML."""
    pad = indent + "  "
    lines = [f"{indent}- id: {item_id}\n", f"{pad}type: true_false\n"]
    if not nested:
        lines.append(f"{pad}use: {use}\n")
    lines.append(_accept(accept, pad))
    lines.append(f"{pad}stem: {text(stem, langs)}\n")
    lines.append(f"{pad}correct: true\n")
    lines.append(f"{pad}feedback: {text('Because.', langs)}\n")
    return "".join(lines)


def scenario(
    item_id: str,
    case: Text,
    questions: list[str],
    *,
    langs: tuple[str, ...] = ("en", "es"),
    accept: dict[str, str] | None = None,
) -> str:
    """A scenario whose questions are built with nested=True, indent='      '."""
    lines = [
        f"  - id: {item_id}\n",
        "    type: scenario\n",
        "    use: post\n",
        _accept(accept, "    "),
        f"    case: {text(case, langs)}\n",
        "    questions:\n",
    ]
    return "".join(lines) + "".join(questions)


def questions_yaml(items: list[str], langs: tuple[str, ...] = ("en", "es"), tag: str = "") -> str:
    """questions.yaml: a pre item, the given items, and two true/false fillers (their
    texts carry `tag`, so that two modules' fillers differ)."""
    pre = PRE_ITEM.format(stem=text(f"Pre statement{tag}.", langs), feedback=text("Yes.", langs))
    fillers = [
        statement(f"filler-{i}", f"{stem[:-1]}{tag}.", langs=langs)
        for i, stem in enumerate(FILLERS)
    ]
    return "items:\n" + pre + "".join(items) + "".join(fillers)


def module_yaml(langs: tuple[str, ...]) -> str:
    """module.yaml of a valid module (slug and component are formatted in later)."""

    def text(value: str, langs: tuple[str, ...]) -> str:
        return _text(value, langs).replace("{", "{{").replace("}", "}}")

    return (
        "slug: {slug}\n"
        "component: {component}\n"
        f"title: {text('Module', langs)}\n"
        f"summary: {text('About it', langs)}\n"
        f"languages: [{', '.join(langs)}]\n"
        "minimum_minutes: 1\n"
        "pre_test_length: 1\n"
        "post_test_length: 1\n"
        "attempts: 2\n"
        "lessons:\n"
        "  - id: one\n"
        "    minimum_seconds: 60\n"
    )


def bank_tree(tmp_path: Path, items: list[str], langs: tuple[str, ...] = ("en", "es")) -> Path:
    """A content tree whose module 'base' holds `items` (plus a pre item and fillers)."""
    root = make_tree(tmp_path)
    write(root / "base" / "module.yaml", module_yaml(langs).format(slug="base", component=1))
    write_lessons(root, "base", ["one"], langs)
    write(root / "base" / "questions.yaml", questions_yaml(items, langs))
    return root


def add_module(
    root: Path, slug: str, items: list[str], component: int = 2, in_track: bool = True
) -> None:
    """Add module `slug` (component 2 by default) and, if asked, append it to the track."""
    questions = questions_yaml(items, tag=f" of {slug}")
    write_module(root, slug, module_yaml(("en", "es")), questions, component=component)
    if in_track:
        tracks = TRACKS_YAML.replace("      - base\n", "      - base\n" + f"      - {slug}\n")
        write(root / "tracks.yaml", tracks)


def questions_file(root: Path, slug: str = "base") -> Path:
    """The questions.yaml of a module."""
    return root / slug / "questions.yaml"


def at(root: Path, needle: str, slug: str = "base", occurrence: int = 1) -> str:
    """'modules/<slug>/questions.yaml:<line>' of the line containing `needle`."""
    return (
        f"modules/{slug}/questions.yaml:{line_of(questions_file(root, slug), needle, occurrence)}"
    )
