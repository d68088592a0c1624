"""Tiny content trees for the loader tests, written into a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

from trainer.catalog.loader import LoadedContent, load_content

MODULE_YAML = """\
slug: {slug}
component: {component}
title: {{en: "Module {slug}", es: "Módulo {slug}"}}
summary: {{en: "About {slug}", es: "Sobre {slug}"}}
languages: [en, es]
minimum_minutes: 1
pre_test_length: 1
post_test_length: 1
attempts: 2
review: feedback
lessons:
  - id: one
    minimum_seconds: 60
"""

QUESTIONS_YAML = """\
items:
  - id: p1
    type: true_false
    use: pre
    stem: {en: "Pre?", es: "¿Pre?"}
    correct: true
    feedback: {en: "Yes.", es: "Sí."}
  - id: q1
    type: single
    use: post
    stem: {en: "Which?", es: "¿Cuál?"}
    options:
      - id: a
        text: {en: "A", es: "A"}
      - id: b
        text: {en: "B", es: "B"}
    correct: a
    feedback: {en: "A.", es: "A."}
  - id: q2
    type: true_false
    use: post
    stem: {en: "True?", es: "¿Verdad?"}
    correct: false
    feedback: {en: "No.", es: "No."}
"""

TRACKS_YAML = """\
tracks:
  - slug: main
    title: {en: "Main track", es: "Ruta principal"}
    audience:
      org_kind: hotel
      department: null
      job_roles: []
    modules:
      - base
    certificate:
      title: {en: "Certificate", es: "Certificado"}
"""


def dedent(text: str) -> str:
    """Strip the common indentation of a YAML snippet written inside a test."""
    return textwrap.dedent(text).lstrip("\n")


def write(path: Path, text: str) -> Path:
    """Write `text` to `path`, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lesson_text(lesson_id: str, lang: str) -> str:
    """A lesson file with a title heading."""
    return f"# {lesson_id} ({lang})\n\nBody of {lesson_id} in {lang}.\n"


def write_lessons(
    root: Path, slug: str, lesson_ids: list[str], langs: tuple[str, ...] = ("en", "es")
) -> None:
    """Write a lesson file per id and language."""
    for lesson_id in lesson_ids:
        for lang in langs:
            write(root / slug / "lessons" / f"{lesson_id}.{lang}.md", lesson_text(lesson_id, lang))


def write_module(
    root: Path,
    slug: str,
    module_yaml: str | None = None,
    questions_yaml: str | None = None,
    lessons: list[str] | None = None,
    component: int = 1,
) -> None:
    """Write one module folder (defaults give a valid module with lesson 'one')."""
    text = module_yaml if module_yaml is not None else MODULE_YAML
    write(root / slug / "module.yaml", text.format(slug=slug, component=component))
    write(
        root / slug / "questions.yaml", QUESTIONS_YAML if questions_yaml is None else questions_yaml
    )
    write_lessons(root, slug, ["one"] if lessons is None else lessons)


def make_tree(tmp_path: Path) -> Path:
    """Write a valid tree: module 'base' and tracks.yaml; return the modules folder."""
    root = tmp_path / "modules"
    write_module(root, "base")
    write(root / "tracks.yaml", TRACKS_YAML)
    return root


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """Return the 1-based line of the `occurrence`-th line of `path` containing `needle`."""
    found = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found {occurrence} time(s) in {path}")


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace the single occurrence of `old` in a fixture file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def problem_lines(root: Path) -> list[str]:
    """Load `root` and return its problems as printed lines."""
    return [str(problem) for problem in load_content(root).problems]


def assert_problem(root: Path, where: str, fragment: str) -> LoadedContent:
    """Assert that loading `root` reports a problem at `where` (path:line) containing `fragment`."""
    content = load_content(root)
    printed = [str(problem) for problem in content.problems]
    matches = [line for line in printed if line.startswith(f"{where}: ") and fragment in line]
    assert matches, f"no problem at {where} with {fragment!r}; got:\n" + "\n".join(printed)
    return content
