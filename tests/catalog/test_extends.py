"""`extends`: inheriting, replacing, placing and dropping lessons and items; hashes."""

import json
from pathlib import Path

from trainer.catalog.loader import ModuleSpec, load_content

from .builders import (
    MODULE_YAML,
    QUESTIONS_YAML,
    TRACKS_YAML,
    assert_problem,
    dedent,
    line_of,
    make_tree,
    replace_in,
    write,
    write_lessons,
    write_module,
)

CHILD_YAML = """\
slug: {slug}
component: 2
extends: {parent}
title: {{en: "Child", es: "Hijo"}}
summary: {{en: "Child module", es: "Módulo hijo"}}
languages: [en, es]
minimum_minutes: 1
pre_test_length: 1
post_test_length: 1
{extra}lessons:
{lessons}
"""

EXTRA_ITEM = """\
  - id: {id}
    type: true_false
    use: post
    stem: {{en: "{stem}", es: "{stem}"}}
    correct: true
    feedback: {{en: "F", es: "F"}}
"""


def write_child(
    root: Path,
    lessons: str = "  []",
    extra: str = "",
    items: str = "",
    slug: str = "child",
    parent: str = "base",
) -> Path:
    """Write a module extending `parent`; lesson files for every `- id:` in `lessons`."""
    path = write(
        root / slug / "module.yaml",
        CHILD_YAML.format(slug=slug, parent=parent, extra=extra, lessons=lessons),
    )
    write(root / slug / "questions.yaml", "items:\n" + items if items else "items: []\n")
    lesson_ids = [line.split("id:")[1].strip() for line in lessons.splitlines() if "id:" in line]
    write_lessons(root, slug, lesson_ids)
    return path


def parent_with_two_lessons(tmp_path: Path) -> Path:
    root = make_tree(tmp_path)
    replace_in(
        root / "base" / "module.yaml",
        "    minimum_seconds: 60\n",
        "    minimum_seconds: 60\n  - id: two\n    minimum_seconds: 60\n",
    )
    write_lessons(root, "base", ["two"])
    return root


def loaded(root: Path, slug: str = "child") -> ModuleSpec:
    content = load_content(root)
    assert content.problems == [], "\n".join(map(str, content.problems))
    return content.modules[slug]


def lesson_ids(module: ModuleSpec) -> list[str]:
    return [lesson.id for lesson in module.lessons]


def item_ids(module: ModuleSpec) -> list[str]:
    return [item["id"] for item in module.items]


def test_child_starts_with_parent_lessons_and_items(tmp_path: Path) -> None:
    root = parent_with_two_lessons(tmp_path)
    write_child(root)
    child = loaded(root)
    assert lesson_ids(child) == ["one", "two"]
    assert item_ids(child) == ["p1", "q1", "q2"]
    assert child.lessons[0].markdown["en"] == (root / "base/lessons/one.en.md").read_text()
    assert child.extends == "base"


def test_new_lessons_and_items_are_appended(tmp_path: Path) -> None:
    root = parent_with_two_lessons(tmp_path)
    write_child(
        root,
        lessons="  - id: three\n    minimum_seconds: 30",
        items=EXTRA_ITEM.format(id="c1", stem="New"),
    )
    child = loaded(root)
    assert lesson_ids(child) == ["one", "two", "three"]
    assert item_ids(child) == ["p1", "q1", "q2", "c1"]


def test_same_id_replaces_in_place(tmp_path: Path) -> None:
    root = parent_with_two_lessons(tmp_path)
    write_child(
        root,
        lessons="  - id: one\n    minimum_seconds: 90",
        items=EXTRA_ITEM.format(id="q1", stem="Replaced"),
    )
    write(root / "child" / "lessons" / "one.en.md", "# Child version\n")
    child = loaded(root)
    assert lesson_ids(child) == ["one", "two"]
    assert child.lessons[0].minimum_seconds == 90
    assert child.lessons[0].title["en"] == "Child version"
    assert item_ids(child) == ["p1", "q1", "q2"]
    assert child.items[1]["stem"] == {"en": "Replaced", "es": "Replaced"}
    assert child.items[1]["type"] == "true_false"
    assert loaded(root, "base").items[1]["type"] == "single"


def test_after_places_new_lessons_in_order(tmp_path: Path) -> None:
    root = parent_with_two_lessons(tmp_path)
    write_child(
        root,
        lessons=dedent(
            """
              - id: new-a
                minimum_seconds: 30
                after: one
              - id: new-b
                minimum_seconds: 30
                after: one
              - id: last
                minimum_seconds: 30
            """
        ).rstrip(),
    )
    assert lesson_ids(loaded(root)) == ["one", "new-a", "new-b", "two", "last"]


def test_after_naming_an_unknown_lesson(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    path = write_child(root, lessons="  - id: extra\n    minimum_seconds: 30\n    after: nowhere")
    line = line_of(path, "- id: extra")
    content = assert_problem(root, f"modules/child/module.yaml:{line}", "unknown lesson 'nowhere'")
    assert "child" not in content.modules and "base" in content.modules


def test_after_on_a_replacing_lesson(tmp_path: Path) -> None:
    root = parent_with_two_lessons(tmp_path)
    path = write_child(root, lessons="  - id: one\n    minimum_seconds: 30\n    after: two")
    line = line_of(path, "- id: one")
    assert_problem(root, f"modules/child/module.yaml:{line}", "'after' is only for new lessons")


def test_drop_lessons_and_items(tmp_path: Path) -> None:
    root = parent_with_two_lessons(tmp_path)
    write_child(
        root,
        extra="drop_lessons: [one]\ndrop_items: [q2]\n",
        items=EXTRA_ITEM.format(id="c1", stem="New"),
    )
    child = loaded(root)
    assert lesson_ids(child) == ["two"]
    assert item_ids(child) == ["p1", "q1", "c1"]


def test_dropping_an_id_that_is_not_inherited(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    path = write_child(root, extra="drop_lessons:\n  - ghost\ndrop_items:\n  - one\n")
    assert_problem(
        root, f"modules/child/module.yaml:{line_of(path, '- ghost')}", "cannot drop lesson 'ghost'"
    )
    assert_problem(
        root, f"modules/child/module.yaml:{line_of(path, '- one')}", "cannot drop item 'one'"
    )


def test_duplicate_ids_in_a_child(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    path = write_child(
        root,
        lessons="  - id: one\n    minimum_seconds: 30\n  - id: one\n    minimum_seconds: 40",
        items=EXTRA_ITEM.format(id="q1", stem="A") + EXTRA_ITEM.format(id="q1", stem="B"),
    )
    line = line_of(path, "- id: one", occurrence=2)
    assert_problem(root, f"modules/child/module.yaml:{line}", "duplicate lesson id 'one'")
    questions = root / "child" / "questions.yaml"
    line = line_of(questions, "- id: q1", occurrence=2)
    assert_problem(root, f"modules/child/questions.yaml:{line}", "duplicate item id 'q1'")


def test_unknown_extends(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    path = write_child(root, parent="nothing-here")
    line = line_of(path, "extends:")
    assert_problem(root, f"modules/child/module.yaml:{line}", "unknown module 'nothing-here'")


def test_extends_cycle(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    first = write_child(root, slug="first", parent="second")
    second = write_child(root, slug="second", parent="first")
    write_child(root, slug="third", parent="first")
    assert_problem(
        root,
        f"modules/first/module.yaml:{line_of(first, 'extends:')}",
        "cycle: first -> second -> first",
    )
    assert_problem(
        root,
        f"modules/second/module.yaml:{line_of(second, 'extends:')}",
        "cycle: second -> first -> second",
    )
    content = assert_problem(root, "modules/third/module.yaml:3", "'first', which has problems")
    assert set(content.modules) == {"base"}


def test_parent_with_problems_leaves_child_out(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(root / "base" / "module.yaml", "component: 1", "component: 0")
    write_child(root)
    content = assert_problem(root, "modules/child/module.yaml:3", "'base', which has problems")
    assert content.modules == {}


def test_nested_extends(tmp_path: Path) -> None:
    root = parent_with_two_lessons(tmp_path)
    write_child(root, lessons="  - id: middle\n    minimum_seconds: 30")
    write_child(
        root,
        slug="grandchild",
        parent="child",
        extra="drop_lessons: [one]\n",
        lessons="  - id: own\n    minimum_seconds: 30\n    after: two",
        items=EXTRA_ITEM.format(id="g1", stem="G"),
    )
    grandchild = loaded(root, "grandchild")
    assert lesson_ids(grandchild) == ["two", "own", "middle"]
    assert item_ids(grandchild) == ["p1", "q1", "q2", "g1"]
    assert grandchild.lessons[0].markdown["es"] == (root / "base/lessons/two.es.md").read_text()


def test_child_languages_must_be_among_the_parents(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    path = write_child(root)
    replace_in(path, "languages: [en, es]", "languages: [en, es, vi]")
    replace_in(path, '{en: "Child", es: "Hijo"}', '{en: "Child", es: "Hijo", vi: "Con"}')
    replace_in(path, '{en: "Child module", es: "Módulo hijo"}', '{en: "C", es: "H", vi: "C"}')
    line = line_of(path, "languages:")
    assert_problem(root, f"modules/child/module.yaml:{line}", "must be among those of 'base'")


def test_child_keeps_only_its_languages(tmp_path: Path) -> None:
    root = tmp_path / "modules"
    module = MODULE_YAML.replace("languages: [en, es]", "languages: [en, es, vi]")
    module = module.replace('es: "Módulo {slug}"}}', 'es: "Módulo", vi: "Mô-đun"}}')
    module = module.replace('es: "Sobre {slug}"}}', 'es: "Sobre", vi: "Về"}}')
    questions = QUESTIONS_YAML.replace('es: "', 'vi: "V", es: "')
    write_module(root, "base", module, questions)
    write_lessons(root, "base", ["one"], ("vi",))
    write(root / "tracks.yaml", TRACKS_YAML)
    write_child(root)
    assert loaded(root, "base").lessons[0].markdown.keys() == {"en", "es", "vi"}
    child = loaded(root)
    assert child.languages == ("en", "es")
    assert child.lessons[0].markdown.keys() == {"en", "es"}
    assert child.items[1]["stem"].keys() == {"en", "es"}
    assert child.items[1]["options"][0]["text"].keys() == {"en", "es"}


def test_hash_is_stable_and_follows_the_content(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    write_child(root)
    first = loaded(root).content_hash
    assert loaded(root).content_hash == first
    replace_in(root / "child" / "module.yaml", "slug: child", "# a comment\nslug: child")
    assert loaded(root).content_hash == first
    replace_in(
        root / "child" / "module.yaml", "post_test_length: 1", "post_test_length: 1\npass_mark: 70"
    )
    assert loaded(root).content_hash != first


def test_hash_changes_with_the_parent(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    write_child(root)
    before_child, before_base = loaded(root).content_hash, loaded(root, "base").content_hash
    write(root / "base" / "lessons" / "one.es.md", "# Uno\n\nTexto corregido.\n")
    assert loaded(root).content_hash != before_child
    assert loaded(root, "base").content_hash != before_base
    after_lesson = loaded(root).content_hash
    replace_in(root / "base" / "questions.yaml", 'stem: {en: "Pre?"', 'stem: {en: "Pre-test?"')
    assert loaded(root).content_hash != after_lesson


def test_as_json_is_complete_and_serializable(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    write_child(root)
    data = json.loads(json.dumps(loaded(root).as_json()))
    assert data["slug"] == "child" and data["extends"] == "base"
    assert data["content_hash"] == loaded(root).content_hash
    assert data["lessons"][0]["html"]["en"].startswith("<h1>one (en)</h1>")
    assert [item["id"] for item in data["items"]] == ["p1", "q1", "q2"]
