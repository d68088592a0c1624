"""Each kind of problem in module.yaml and the lesson files, at its exact path:line."""

from pathlib import Path

import pytest

from trainer.catalog.loader import load_content

from .builders import (
    MODULE_YAML,
    assert_problem,
    line_of,
    make_tree,
    problem_lines,
    replace_in,
    write,
    write_module,
)

MODULE = "modules/base/module.yaml"


def module_file(root: Path) -> Path:
    return root / "base" / "module.yaml"


def test_valid_tree_has_no_problems(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    content = load_content(root)
    assert content.problems == []
    assert list(content.modules) == ["base"]
    assert [track.slug for track in content.tracks] == ["main"]


def test_bad_yaml(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(module_file(root), "languages: [en, es]", "languages: [en, es")
    content = assert_problem(root, f"{MODULE}:6", "bad YAML")
    assert "base" not in content.modules


def test_missing_module_yaml(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    module_file(root).unlink()
    assert_problem(root, f"{MODULE}:1", "file not found")


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        ("review: feedback", "review: feedback\ncolour: blue", "colour", "unknown field 'colour'"),
        (
            "minimum_seconds: 60",
            "minimum_seconds: 60\n    pause: 3",
            "pause",
            "unknown field 'pause'",
        ),
    ],
)
def test_unknown_field_in_module(
    tmp_path: Path, old: str, new: str, needle: str, fragment: str
) -> None:
    root = make_tree(tmp_path)
    replace_in(module_file(root), old, new)
    assert_problem(root, f"{MODULE}:{line_of(module_file(root), needle)}", fragment)


def test_missing_required_field_in_module(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(module_file(root), "post_test_length: 1\n", "")
    assert_problem(root, f"{MODULE}:1", "missing required field 'post_test_length'")


def test_missing_required_field_in_lesson(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(module_file(root), "    minimum_seconds: 60\n", "")
    line = line_of(module_file(root), "- id: one")
    assert_problem(root, f"{MODULE}:{line}", "missing required field 'minimum_seconds'")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("component: 1", "component: 4", "'component' must be a whole number from 1 to 3"),
        ("component: 1", "component: two", "'component' must be a whole number"),
        ("review: feedback", "pass_mark: 0", "'pass_mark' must be a whole number from 1 to 100"),
        ("review: feedback", "pass_mark: 101", "'pass_mark' must be a whole number from 1 to 100"),
        ("attempts: 2", "attempts: 0", "'attempts' must be a whole number of at least 1"),
        ("review: feedback", "cooldown_minutes: -5", "'cooldown_minutes'"),
        ("pre_test_length: 1", "pre_test_length: 0", "'pre_test_length' must be a whole number"),
        ("post_test_length: 1", "post_test_length: 1.5", "'post_test_length' must be a whole"),
        ("minimum_seconds: 60", "minimum_seconds: 0", "'minimum_seconds' must be a whole number"),
        ("review: feedback", "review: everything", "'review' must be one of none, score"),
        ("review: feedback", "share_items: sometimes", "'share_items' must be true or false"),
        ("component: 1", "component: true", "'component' must be a whole number"),
    ],
)
def test_wrong_type_or_range(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    root = make_tree(tmp_path)
    replace_in(module_file(root), old, new)
    line = line_of(module_file(root), new.split(":")[0].strip())
    content = assert_problem(root, f"{MODULE}:{line}", fragment)
    assert "base" not in content.modules


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        (
            'title: {en: "Module base", es: "Módulo base"}',
            'title: {en: "Module"}',
            "title",
            "missing translation 'es' in 'title'",
        ),
        ("languages: [en, es]", "languages: [en]", "languages", "'languages' must include 'es'"),
        ("languages: [en, es]", "languages: [en, es, fr]", "languages", "unknown language 'fr'"),
        (
            'summary: {en: "About base", es: "Sobre base"}',
            'summary: {en: "About", es: "Sobre", de: "Über"}',
            "summary",
            "unknown language 'de'",
        ),
    ],
)
def test_missing_or_unknown_translation(
    tmp_path: Path, old: str, new: str, needle: str, fragment: str
) -> None:
    root = make_tree(tmp_path)
    replace_in(module_file(root), old, new)
    assert_problem(root, f"{MODULE}:{line_of(module_file(root), needle)}", fragment)


def test_language_of_module_missing_in_a_text(tmp_path: Path) -> None:
    root = tmp_path / "modules"
    text = MODULE_YAML.replace("languages: [en, es]", "languages: [en, es, vi]")
    text = text.replace(
        'summary: {{en: "About {slug}", es: "Sobre {slug}"}}',
        'summary: {{en: "About", es: "Sobre", vi: "Về"}}',
    )
    write_module(root, "base", text)
    write(root / "base" / "lessons" / "one.vi.md", "# Một\n")
    assert_problem(
        root, f"{MODULE}:{line_of(module_file(root), 'title')}", "missing translation 'vi'"
    )
    questions = "modules/base/questions.yaml"
    stem_line = line_of(root / "base" / "questions.yaml", "stem")
    assert_problem(root, f"{questions}:{stem_line}", "missing translation 'vi' in 'stem'")


def test_slug_must_equal_folder(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(module_file(root), "slug: base", "slug: other")
    assert_problem(root, f"{MODULE}:1", "slug 'other' must equal the folder name 'base'")


def test_duplicate_lesson_id(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(
        module_file(root),
        "    minimum_seconds: 60\n",
        "    minimum_seconds: 60\n  - id: one\n    minimum_seconds: 30\n",
    )
    line = line_of(module_file(root), "- id: one", occurrence=2)
    assert_problem(root, f"{MODULE}:{line}", "duplicate lesson id 'one'")


def test_missing_lesson_file_reported_at_the_lesson_entry(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    (root / "base" / "lessons" / "one.es.md").unlink()
    line = line_of(module_file(root), "- id: one")
    assert_problem(root, f"{MODULE}:{line}", "missing file for lesson 'one'")
    assert any("lessons/one.es.md" in problem for problem in problem_lines(root))


def test_lesson_file_without_heading(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    write(root / "base" / "lessons" / "one.es.md", "Sin título\n\n## Sección\n")
    assert_problem(root, "modules/base/lessons/one.es.md:1", "no '# ' heading")


def test_lesson_title_comes_from_heading(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    write(root / "base" / "lessons" / "one.es.md", "Intro\n\n# Qué es la trata\n\nTexto.\n")
    lesson = load_content(root).modules["base"].lessons[0]
    assert lesson.title["es"] == "Qué es la trata"
    assert "<h1>Qué es la trata</h1>" in lesson.html["es"]


def test_missing_document_file(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(
        module_file(root),
        "review: feedback",
        "review: feedback\ndocuments:\n  - id: intake-form\n"
        '    title: {en: "Form", es: "Formulario"}\n'
        'attestation:\n  statement: {en: "I read it.", es: "Lo leí."}',
    )
    write(root / "base" / "documents" / "intake-form.en.md", "# Form\n")
    line = line_of(module_file(root), "- id: intake-form")
    assert_problem(root, f"{MODULE}:{line}", "missing file for document 'intake-form'")
    write(root / "base" / "documents" / "intake-form.es.md", "# Formulario\n")
    module = load_content(root).modules["base"]
    assert [document.id for document in module.documents] == ["intake-form"]
    assert module.attestation == {"statement": {"en": "I read it.", "es": "Lo leí."}}


def test_lessons_shorter_than_minimum_minutes(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(module_file(root), "minimum_minutes: 1", "minimum_minutes: 2")
    line = line_of(module_file(root), "minimum_minutes")
    assert_problem(root, f"{MODULE}:{line}", "add up to 60 s, below minimum_minutes (120 s)")


def test_every_problem_is_reported_and_other_modules_still_load(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    write_module(root, "second")
    replace_in(module_file(root), "component: 1", "component: 9")
    replace_in(module_file(root), "review: feedback", "review: maybe")
    write(root / "base" / "lessons" / "one.en.md", "no heading\n")
    content = load_content(root)
    where = {f"{problem.path}:{problem.line}" for problem in content.problems}
    assert {
        f"{MODULE}:{line_of(module_file(root), 'component')}",
        f"{MODULE}:{line_of(module_file(root), 'review')}",
        "modules/base/lessons/one.en.md:1",
    } <= where
    assert list(content.modules) == ["second"]


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("module.yaml", "", "the file is empty"),
        ("module.yaml", "- just\n- a list\n", "the file's top level must be a mapping"),
        ("questions.yaml", "", "the file is empty"),
        ("questions.yaml", "items: {}\n", "'items' must be a list"),
    ],
)
def test_empty_or_misshapen_files(tmp_path: Path, name: str, text: str, fragment: str) -> None:
    root = make_tree(tmp_path)
    write(root / "base" / name, text)
    content = assert_problem(root, f"modules/base/{name}:1", fragment)
    assert content.modules == {}
