"""Problems in questions.yaml, and the normalized shape of valid items."""

from pathlib import Path

import pytest

from trainer.catalog.loader import load_content

from .builders import QUESTIONS_YAML, assert_problem, dedent, line_of, make_tree, replace_in, write

QUESTIONS = "modules/base/questions.yaml"

SCENARIO = dedent(
    """
      - id: case
        type: scenario
        use: post
        case: {en: "A case.", es: "Un caso."}
        questions:
          - id: s1
            type: true_false
            stem: {en: "One?", es: "¿Uno?"}
            correct: true
            feedback: {en: "F", es: "F"}
          - id: s2
            type: single
            stem: {en: "Two?", es: "¿Dos?"}
            options:
              - id: a
                text: {en: "A", es: "A"}
              - id: b
                text: {en: "B", es: "B"}
            correct: b
            feedback: {en: "F", es: "F"}
    """
)

SUB_ITEM = (
    "      - id: {id}\n"
    "        type: true_false\n"
    '        stem: {{en: "More?", es: "¿Más?"}}\n'
    "        correct: false\n"
    '        feedback: {{en: "F", es: "F"}}\n'
)


def questions_file(root: Path) -> Path:
    return root / "base" / "questions.yaml"


def with_scenario(tmp_path: Path, extra_subs: list[str] | None = None) -> Path:
    root = make_tree(tmp_path)
    text = QUESTIONS_YAML + "  " + SCENARIO.replace("\n", "\n  ").rstrip() + "\n"
    for sub_id in extra_subs or []:
        text += SUB_ITEM.format(id=sub_id)
    write(questions_file(root), text)
    return root


def at(root: Path, needle: str, occurrence: int = 1) -> str:
    return f"{QUESTIONS}:{line_of(questions_file(root), needle, occurrence)}"


def test_scenario_fixture_is_valid(tmp_path: Path) -> None:
    root = with_scenario(tmp_path)
    assert load_content(root).problems == []


def test_bad_yaml_in_questions(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), "correct: a", "correct: a: b")
    assert_problem(root, at(root, "correct: a: b"), "bad YAML")


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        (
            "correct: a",
            "correct: a\n    hint: {en: x, es: x}",
            "hint",
            "unknown field 'hint' in an item",
        ),
        (
            "      - id: b\n",
            "      - id: b\n        weight: 2\n",
            "weight",
            "unknown field 'weight' in an option",
        ),
        (
            "correct: true",
            "correct: true\n    scoring: partial",
            "scoring",
            "unknown field 'scoring'",
        ),
        (
            "correct: true",
            "correct: true\n    options: []",
            "options: []",
            "unknown field 'options'",
        ),
    ],
)
def test_unknown_field_in_items(
    tmp_path: Path, old: str, new: str, needle: str, fragment: str
) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), old, new)
    assert_problem(root, at(root, needle), fragment)


def test_unknown_field_use_in_scenario_question(tmp_path: Path) -> None:
    root = with_scenario(tmp_path)
    replace_in(questions_file(root), "      - id: s1\n", "      - id: s1\n        use: pre\n")
    assert_problem(root, at(root, "use: pre", 2), "unknown field 'use' in a question")


def test_missing_required_field_in_item(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), '    stem: {en: "Which?", es: "¿Cuál?"}\n', "")
    assert_problem(root, at(root, "- id: q1"), "missing required field 'stem' in an item")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "type: single",
            "type: essay",
            "'type' must be one of single, multiple, true_false, scenario",
        ),
        ("use: pre", "use: sometimes", "'use' must be one of pre, post, both"),
        ("- id: q1", "- id: Q_1", "an item id must match"),
        ("      - id: b", "      - id: b-2", "an option id must match"),
        (
            "correct: false",
            "correct: maybe",
            "'correct' of a true_false item must be true or false",
        ),
        ("correct: a", "correct: [a]", "'correct' of a single item must be one option id"),
    ],
)
def test_wrong_type_or_value_in_item(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), old, new)
    assert_problem(root, at(root, new.strip()), fragment)


def test_missing_translation_in_option(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), 'text: {en: "B", es: "B"}', 'text: {en: "B"}')
    assert_problem(root, at(root, 'text: {en: "B"}'), "missing translation 'es' in 'text'")


def test_correct_must_name_an_option(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), "correct: a", "correct: c")
    assert_problem(root, at(root, "correct: c"), "'correct' names 'c', which is not an option")


def test_multiple_correct_must_be_a_list_of_options(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), "type: single", "type: multiple\n    scoring: partial")
    assert_problem(root, at(root, "correct: a"), "must be a list of one or more option ids")
    replace_in(questions_file(root), "correct: a", "correct: [a, z]")
    assert_problem(root, at(root, "correct: [a, z]"), "'correct' names 'z'")


def test_option_count_limits(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), '      - id: b\n        text: {en: "B", es: "B"}\n', "")
    assert_problem(root, at(root, "options:"), "an item needs 2 to 6 options, not 1")


def test_duplicate_item_id(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), "- id: q2", "- id: q1")
    assert_problem(root, at(root, "- id: q1", 2), "duplicate item id 'q1'")


def test_duplicate_option_id(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), "      - id: b", "      - id: a")
    assert_problem(root, at(root, "      - id: a", 2), "duplicate option id 'a'")


def test_duplicate_scenario_question_id(tmp_path: Path) -> None:
    root = with_scenario(tmp_path)
    replace_in(questions_file(root), "- id: s2", "- id: s1")
    assert_problem(root, at(root, "- id: s1", 2), "duplicate scenario question id 's1'")


def test_scenario_with_one_question(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    scenario = SCENARIO[: SCENARIO.index("    - id: s2")]
    write(
        questions_file(root), QUESTIONS_YAML + "  " + scenario.replace("\n", "\n  ").rstrip() + "\n"
    )
    assert_problem(root, at(root, "questions:"), "a scenario needs 2 to 4 questions, not 1")


def test_scenario_with_five_questions(tmp_path: Path) -> None:
    root = with_scenario(tmp_path, ["s3", "s4"])
    assert load_content(root).problems == []
    root = with_scenario(tmp_path / "five", ["s3", "s4", "s5"])
    assert_problem(root, at(root, "questions:"), "a scenario needs 2 to 4 questions, not 5")


def test_nested_scenario(tmp_path: Path) -> None:
    root = with_scenario(tmp_path)
    replace_in(questions_file(root), "        type: true_false\n", "        type: scenario\n")
    assert_problem(
        root, at(root, "type: scenario", 2), "a scenario cannot contain another scenario"
    )


def test_bank_too_small_for_pre_test(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    module = root / "base" / "module.yaml"
    replace_in(module, "pre_test_length: 1", "pre_test_length: 2")
    line = line_of(module, "pre_test_length")
    assert_problem(
        root, f"modules/base/module.yaml:{line}", "the pre-test draws 2 items but only 1"
    )


def test_normalized_item_shapes(tmp_path: Path) -> None:
    root = with_scenario(tmp_path)
    replace_in(
        questions_file(root),
        "    type: single\n    use: post",
        "    type: multiple\n    use: both\n    scoring: partial",
    )
    replace_in(questions_file(root), "correct: a\n", "correct: [a, b]\n")
    items = {item["id"]: item for item in load_content(root).modules["base"].items}
    assert list(items) == ["p1", "q1", "q2", "case"]
    assert items["p1"] == {
        "id": "p1",
        "type": "true_false",
        "use": "pre",
        "stem": {"en": "Pre?", "es": "¿Pre?"},
        "options": [],
        "correct": True,
        "scoring": "all_or_nothing",
        "feedback": {"en": "Yes.", "es": "Sí."},
    }
    assert items["q1"]["type"] == "multiple"
    assert items["q1"]["scoring"] == "partial"
    assert items["q1"]["correct"] == ["a", "b"]
    assert items["q1"]["options"] == [
        {"id": "a", "text": {"en": "A", "es": "A"}},
        {"id": "b", "text": {"en": "B", "es": "B"}},
    ]
    case = items["case"]
    assert case["case"] == {"en": "A case.", "es": "Un caso."}
    assert (case["stem"], case["options"], case["correct"], case["feedback"]) == ({}, [], None, {})
    assert [sub["id"] for sub in case["questions"]] == ["s1", "s2"]
    assert {sub["use"] for sub in case["questions"]} == {"post"}
    assert case["questions"][1]["correct"] == "b"
    assert "case" not in items["q2"] and "questions" not in items["q2"]
