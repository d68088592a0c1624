"""modules/glossary.yaml: checked strictly, and its variants flagged in the content."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.catalog.glossary import load_glossary
from trainer.catalog.loader import load_content

from .builders import assert_problem, dedent, line_of, make_tree, replace_in, write

GLOSSARY = "modules/glossary.yaml"
SHIPPED = Path(__file__).resolve().parents[2] / "modules" / GLOSSARY.split("/")[1]

TERMS = dedent(
    """
    terms:
      - id: ordinance
        note: "A city's law."
        en: {use: "ordinance"}
        es: {use: "ordenanza", avoid: ["reglamento", "reglamentos"]}
        vi: {use: "sắc lệnh", avoid: ["pháp lệnh"]}
      - id: trafficking
        en: {use: "human trafficking"}
        es: {use: "trata de personas", avoid: ["trata de blancas"]}
        vi: {use: "buôn người"}
    """
)


def glossary_tree(tmp_path: Path, glossary: str = TERMS) -> Path:
    root = make_tree(tmp_path)
    write(root / "glossary.yaml", glossary)
    return root


def glossary_findings(root: Path) -> list[str]:
    content = load_content(root)
    assert content.problems == [], "\n".join(map(str, content.problems))
    return [str(f) for f in content.findings if f.code == "glossary"]


def test_the_shipped_glossary_is_valid() -> None:
    variants, problems = load_glossary(SHIPPED, GLOSSARY)
    assert problems == []
    preferred = {(v.term, v.lang): v.preferred for v in variants}
    assert preferred[("ordinance", "es")] == "ordenanza"
    assert preferred[("training", "vi")] == "huấn luyện"


def test_no_glossary_no_check(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(
        root / "base" / "questions.yaml",
        '{en: "Which?", es: "¿Cuál?"}',
        '{en: "Which?", es: "¿Cuál reglamento?"}',
    )
    assert load_content(root).findings == []


def test_a_variant_in_an_item_is_flagged_at_its_line(tmp_path: Path) -> None:
    root = glossary_tree(tmp_path)
    questions = root / "base" / "questions.yaml"
    replace_in(questions, 'es: "¿Cuál?"', 'es: "Según el Reglamento de Houston, ¿cuál?"')
    assert glossary_findings(root) == [
        f"modules/base/questions.yaml:{line_of(questions, 'Reglamento de Houston')}: glossary "
        '(es): "Reglamento" is a variant to avoid: write "ordenanza" (term \'ordinance\')'
    ]


def test_only_the_texts_of_that_language_and_whole_words(tmp_path: Path) -> None:
    root = glossary_tree(tmp_path)
    questions = root / "base" / "questions.yaml"
    # English text may say "reglamento"; "reglamentario" is another word
    replace_in(
        questions,
        '{en: "Which?", es: "¿Cuál?"}',
        '{en: "Which reglamento?", es: "¿Es reglamentario?"}',
    )
    assert glossary_findings(root) == []


def test_a_variant_in_a_lesson_is_flagged_at_the_line_it_starts_on(tmp_path: Path) -> None:
    root = glossary_tree(tmp_path)
    lesson = root / "base" / "lessons" / "one.es.md"
    write(lesson, "# Uno\n\nTexto.\n\nEsto es trata de\nblancas, dicen.\n")
    assert glossary_findings(root) == [
        'modules/base/lessons/one.es.md:5: glossary (es): "trata de\nblancas" is a variant '
        "to avoid: write \"trata de personas\" (term 'trafficking')"
    ]


def test_documents_module_texts_tracks_and_rules_are_checked(tmp_path: Path) -> None:
    root = glossary_tree(tmp_path)
    write(root / "base" / "documents" / "policy.es.md", "# Política\n\nEl reglamento dice.\n")
    replace_in(root / "base" / "module.yaml", 'es: "Sobre base"', 'es: "Sobre el reglamento"')
    replace_in(root / "tracks.yaml", 'es: "Ruta principal"', 'es: "Ruta del reglamento"')
    write(
        root / "rules" / "somewhere.yaml",
        "name:\n  en: Somewhere\n  es: Reglamentos de algún lugar\n",
    )
    found = [f.split(": glossary")[0] for f in glossary_findings(root)]
    assert found == [
        "modules/base/documents/policy.es.md:3",
        f"modules/base/module.yaml:{line_of(root / 'base' / 'module.yaml', 'Sobre el')}",
        "modules/rules/somewhere.yaml:3",
        f"modules/tracks.yaml:{line_of(root / 'tracks.yaml', 'Ruta del')}",
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        (
            "  - id: trafficking\n",
            "  - id: trafficking\n    domain: law\n",
            "domain:",
            "unknown field 'domain' in a term",
        ),
        (
            '    vi: {use: "buôn người"}\n',
            "",
            "- id: trafficking",
            "missing required field 'vi' in a term",
        ),
        (
            'en: {use: "ordinance"}',
            "en: {avoid: []}",
            "en: {avoid",
            "missing required field 'use' in 'en'",
        ),
        (
            'en: {use: "ordinance"}',
            'en: {use: ""}',
            'en: {use: ""}',
            "'use' in 'en' must be non-empty text",
        ),
        (
            'en: {use: "ordinance"}',
            'en: "ordinance"',
            'en: "ordinance"',
            "'en' of term 'ordinance' must be a mapping",
        ),
        (
            "- id: trafficking",
            "- id: ordinance  # again",
            "# again",
            "duplicate term id 'ordinance'",
        ),
        ("- id: trafficking", "- id: Trafficking", "- id: Trafficking", "a term id must match"),
        (
            'avoid: ["reglamento", "reglamentos"]',
            'avoid: ["reglamento", "Reglamento"]',
            "Reglamento",
            "variant 'Reglamento' listed twice in 'es'",
        ),
        (
            'avoid: ["trata de blancas"]',
            'avoid: ["reglamento"]',
            "trata de personas",
            "variant 'reglamento' in 'es' is also listed under term 'ordinance'",
        ),
        (
            'avoid: ["trata de blancas"]',
            'avoid: ["personas"]',
            "trata de personas",
            "variant 'personas' in 'es' occurs in the preferred term 'trata de personas'",
        ),
        (
            'avoid: ["pháp lệnh"]',
            "avoid: pháp lệnh",
            "avoid: pháp lệnh",
            "'avoid' in 'vi' must be a list of texts",
        ),
        (
            'avoid: ["pháp lệnh"]',
            "avoid: [3]",
            "avoid: [3]",
            "a variant in 'vi' must be non-empty text",
        ),
    ],
)
def test_the_glossary_is_checked_strictly(
    tmp_path: Path, old: str, new: str, needle: str, fragment: str
) -> None:
    root = glossary_tree(tmp_path)
    replace_in(root / "glossary.yaml", old, new)
    line = line_of(root / "glossary.yaml", needle)
    assert_problem(root, f"{GLOSSARY}:{line}", fragment)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("terms: []\nextra: 1\n", 2, "unknown field 'extra' in glossary.yaml"),
        ("terms: {}\n", 1, "'terms' must be a list"),
        ("- a\n", 1, "the file's top level must be a mapping"),
        ("terms: [\n", 2, "bad YAML"),
        ("terms:\n  - just text\n", 2, "a term must be a mapping"),
    ],
)
def test_a_malformed_glossary(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    root = glossary_tree(tmp_path, text)
    content = assert_problem(root, f"{GLOSSARY}:{line}", fragment)
    assert "base" in content.modules
