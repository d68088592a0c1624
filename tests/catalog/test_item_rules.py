"""The item-writing rules, rule by rule, on small built banks (format: modules/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.catalog import itemrules
from trainer.catalog.loader import load_content

from .builders import assert_problem, line_of, write
from .itembanks import add_module, at, bank_tree, choice, questions_file, scenario, statement

VI = ("en", "es", "vi")


def findings(root: Path, code: str | None = None) -> list[str]:
    content = load_content(root)
    assert content.problems == [], "\n".join(map(str, content.problems))
    return [str(f) for f in content.findings if code is None or f.code == code]


def codes(root: Path) -> list[str]:
    return sorted({f.code for f in load_content(root).findings})


# --------------------------------------------------------------------------- longest-option

SHORT = ("Call the hotline", "Llamar a la línea", "Gọi đường dây")
SHORT2 = ("Write it all down", "Anotarlo todo", "Ghi lại mọi thứ")
LONG = ("Tell a supervisor now", "Avisar al supervisor", "Báo người giám sát")
"""The key may be the longest option (by up to 1.5 x the others' mean) in every language."""


def numbered(number: int, *options: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The options with the item's number appended, so that no two items share an option."""
    return [tuple(f"{text} {number}" for text in option) for option in options]


def test_a_bank_within_every_rule_has_no_findings(tmp_path: Path) -> None:
    items = [
        choice("s1", numbered(1, SHORT, SHORT2, LONG), "a", langs=VI),
        choice("s2", numbered(2, LONG, SHORT, SHORT2), "b", langs=VI),
        choice("s3", numbered(3, SHORT2, LONG, SHORT), "c", langs=VI),
    ]
    assert findings(bank_tree(tmp_path, items, VI)) == []


def test_longest_option_share_over_35_percent_reports_each_question(tmp_path: Path) -> None:
    # the key is the single longest in s1 and s2: 2 of 3 single-choice questions (67%)
    items = [
        choice("s1", numbered(1, LONG, SHORT, SHORT2), "a"),
        choice("s2", numbered(2, SHORT, LONG, SHORT2), "b"),
        choice("s3", numbered(3, SHORT2, LONG, SHORT), "c"),
    ]
    root = bank_tree(tmp_path, items)
    found = findings(root, "longest-option")
    tail = "in this module that holds for 2 of 3 questions (67%), at most 35% allowed"
    assert found == [
        f"{at(root, LONG[0] + ' 1')}: longest-option (en): the keyed option is the single "
        f"longest; {tail} [base: s1]",
        f"{at(root, LONG[0] + ' 1')}: longest-option (es): the keyed option is the single "
        f"longest; {tail} [base: s1]",
        f"{at(root, LONG[0] + ' 2')}: longest-option (en): the keyed option is the single "
        f"longest; {tail} [base: s2]",
        f"{at(root, LONG[0] + ' 2')}: longest-option (es): the keyed option is the single "
        f"longest; {tail} [base: s2]",
    ]


@pytest.mark.parametrize(("longest", "total", "reported"), [(1, 3, False), (2, 5, True)])
def test_longest_option_limit_is_35_percent(
    tmp_path: Path, longest: int, total: int, reported: bool
) -> None:
    items = [
        choice(
            f"s{i}",
            numbered(i, LONG, SHORT, SHORT2) if i < longest else numbered(i, SHORT, LONG, SHORT2),
            "a",
        )
        for i in range(total)
    ]
    assert bool(findings(bank_tree(tmp_path, items), "longest-option")) is reported


def test_a_tie_for_longest_does_not_count(tmp_path: Path) -> None:
    tie = ("Report it to a supervisors", "Avisar al supervisores")  # as long as LONG + 1
    items = [
        choice("s1", [(LONG[0] + "!", LONG[1] + "!"), tie, SHORT[:2]], "a"),
        choice("s2", [(LONG[0] + "!", LONG[1] + "!"), SHORT[:2], tie], "a"),
    ]
    assert findings(bank_tree(tmp_path, items), "longest-option") == []
    assert not itemrules.key_is_single_longest(
        {
            "correct": "a",
            "options": [{"id": "a", "text": {"en": "ab"}}, {"id": "b", "text": {"en": "cd"}}],
        },
        "en",
    )


def test_a_translation_that_gives_the_answer_away_is_reported_in_its_language(
    tmp_path: Path,
) -> None:
    # English options of equal length; in Vietnamese the key is much the longest
    key = ("Report it", "Reportar", "Báo cho giám sát")
    others = [("Ignore it", "Ignorar", "Bỏ qua"), ("Post it", "Publicar", "Đăng lên")]
    items = [choice(f"s{i}", numbered(i, key, *others), langs=VI) for i in range(3)]
    root = bank_tree(tmp_path, items, VI)
    longest = findings(root, "longest-option")
    assert len(longest) == 3 and all("longest-option (vi):" in f for f in longest)
    assert [f.split(":")[1] for f in longest] == [
        str(line_of(questions_file(root), f"{key[2]} {n}")) for n in (0, 1, 2)
    ]


def test_scenario_single_questions_count_as_single_choice(tmp_path: Path) -> None:
    questions = [
        choice("q1", numbered(1, LONG, SHORT), "a", indent="      ", nested=True),
        statement("q2", "A statement about the case.", indent="      ", nested=True),
    ]
    items = [scenario("case", "A case.", questions), choice("s1", numbered(2, SHORT, LONG, SHORT2))]
    root = bank_tree(tmp_path, items)
    # 1 of 2 single-choice questions: the scenario's q1
    found = findings(root, "longest-option")
    assert len(found) == 2 and all("[base: case.q1]" in f for f in found)
    assert "holds for 1 of 2 questions (50%)" in found[0]


def test_acknowledged_longest_option_leaves_the_numerator_only(tmp_path: Path) -> None:
    reason = {"longest-option": "The law's full name is the only right answer."}
    items = [
        choice("s1", numbered(1, LONG, SHORT, SHORT2), "a", accept=reason),
        choice("s2", numbered(2, SHORT, LONG, SHORT2), "b"),
        choice("s3", numbered(3, SHORT2, LONG, SHORT), "c"),
    ]
    # counted: 1 of 3 (33%): within the limit, nothing reported
    assert findings(bank_tree(tmp_path, items)) == []
    candidates, total = itemrules.longest_option_candidates(
        load_content(bank_tree(tmp_path / "again", items)).banks["base"], "en"
    )
    assert [q.key for q in candidates] == ["s1", "s2"] and total == 3
    assert itemrules.counted_share("longest-option", candidates, total) == (1, 3)


# --------------------------------------------------------------------------- key-length


@pytest.mark.parametrize(("key_length", "reported"), [(15, False), (16, True)])
def test_key_length_limit_is_one_and_a_half_times_the_others_mean(
    tmp_path: Path, key_length: int, reported: bool
) -> None:
    key = "k" * key_length
    # the others average 10 characters; the key is also the longest in only 1 of 3 items
    items = [
        choice("s1", [(key, "clave"), ("o" * 8, "otra"), ("p" * 12, "otras")]),
        choice("s2", numbered(2, SHORT, LONG, SHORT2), "a"),
        choice("s3", numbered(3, SHORT2, LONG, SHORT), "a"),
    ]
    root = bank_tree(tmp_path, items)
    found = findings(root, "key-length")
    if reported:
        assert found == [
            f"{at(root, key)}: key-length (en): keyed option 'a' has 16 characters, more than "
            "1.5 x 10.0 (the mean length of the options not keyed) [base: s1]"
        ]
    else:
        assert found == []


def test_key_length_compares_a_multi_selects_keys_with_the_options_not_keyed(
    tmp_path: Path,
) -> None:
    long_key = ("A much longer keyed option text", "Una opción correcta mucho más larga")
    items = [
        choice("m1", [long_key, ("Short one", "Corta"), ("Short two", "Otra"), SHORT], ["a", "b"]),
    ]
    found = findings(bank_tree(tmp_path, items), "key-length")
    assert [f.split(": ", 2)[1] for f in found] == ["key-length (en)", "key-length (es)"]
    assert all("keyed option 'a'" in f for f in found)


# --------------------------------------------------------------------------- multi-select


def multi(item_id: str, correct: list[str]) -> str:
    options = [("Sign one", "Señal uno"), ("Sign two", "Señal dos"), ("Sign tri", "Señal tres")]
    return choice(item_id, [*options, ("Sign for", "Señal cua")], correct, f"Which {item_id}?")


def test_multi_all_but_one_at_most_a_quarter(tmp_path: Path) -> None:
    items = [multi("m1", ["a", "b", "c"]), *(multi(f"m{i}", ["a", "b"]) for i in (2, 3, 4))]
    assert findings(bank_tree(tmp_path, items), "multi-all-but-one") == []
    items[1] = multi("m2", ["b", "c", "d"])
    root = bank_tree(tmp_path / "two", items)
    found = findings(root, "multi-all-but-one")
    tail = "in this module that holds for 2 of 4 questions (50%), at most 25% allowed"
    assert found == [
        f"{at(root, '- id: m1')}: multi-all-but-one: every option but one is keyed; {tail} "
        "[base: m1]",
        f"{at(root, '- id: m2')}: multi-all-but-one: every option but one is keyed; {tail} "
        "[base: m2]",
    ]


def test_multi_all_but_one_acknowledged(tmp_path: Path) -> None:
    reason = {"multi-all-but-one": "Three of the four are the statute's own list."}
    items = [
        choice("m1", [("A1", "A1"), ("B1", "B1"), ("C1", "C1")], ["a", "b"], accept=reason),
        choice("m2", [("A2", "A2"), ("B2", "B2"), ("C2", "C2")], ["a", "b"]),
        choice("m3", [("A3", "A3"), ("B3", "B3"), ("C3", "C3")], ["a"]),
        choice("m4", [("A4", "A4"), ("B4", "B4"), ("C4", "C4")], ["c"]),
    ]
    # counted 1 (m2) of 4: 25%, within the limit
    assert findings(bank_tree(tmp_path, items), "multi-all-but-one") == []


def test_multi_all_keyed(tmp_path: Path) -> None:
    items = [choice("m1", [("One", "Uno"), ("Two", "Dos")], ["a", "b"])]
    root = bank_tree(tmp_path, items)
    assert findings(root, "multi-all") == [
        f"{at(root, '- id: m1')}: multi-all: every option is keyed: add options that are not "
        "[base: m1]"
    ]


# --------------------------------------------------------------------------- wording


@pytest.mark.parametrize(
    ("lang", "option"),
    [
        ("en", "All of the above"),
        ("en", "none of the above"),
        ("en", "Both of the above"),
        ("es", "Todas las anteriores"),
        ("es", "Ninguna de las anteriores"),
        ("es", "Todas las opciones anteriores"),
        ("vi", "Tất cả các ý trên"),
        ("vi", "Không có ý nào đúng"),
        ("vi", "Tất cả đều đúng"),
    ],
)
def test_all_of_the_above_in_every_language(tmp_path: Path, lang: str, option: str) -> None:
    texts = {"en": "Call the hotline", "es": "Llamar a la línea", "vi": "Gọi đường dây nóng"}
    texts[lang] = option
    odd = (texts["en"], texts["es"], texts["vi"])
    items = [
        choice("s1", [*numbered(1, SHORT), odd, *numbered(1, SHORT2)], "a", langs=VI),
        choice("s2", numbered(2, LONG, SHORT, SHORT2), "b", langs=VI),
    ]
    root = bank_tree(tmp_path, items, VI)
    found = findings(root, "all-of-the-above")
    assert len(found) == 1
    assert found[0].startswith(f"{at(root, option)}: all-of-the-above ({lang}): option 'b' says")


@pytest.mark.parametrize(
    ("lang", "stem", "flagged"),
    [
        ("en", "Which of these is not a sign?", True),
        ("en", "Which of these is NOT a sign?", False),
        ("en", "Which step would you never take?", True),
        ("en", "Which is a sign, except when the guest is a minor?", True),
        ("en", "What don't you do?", True),
        ("en", "A companion will not leave the room. What does the form say to do?", False),
        ("en", "Why must every employee be trained, not only managers?", False),
        ("en", 'For which questions is "No" the answer of concern?', False),
        ("es", "¿Qué no debe hacer?", True),
        ("es", "¿Qué NO debe hacer?", False),
        ("es", "¿Qué acción nunca debe tomar?", True),
        ("es", "¿Todas son señales excepto cuál?", True),
        ("es", "¿Dónde puede ponerse a salvo?", False),
        ("vi", "Điều nào không phải là dấu hiệu?", True),
        ("vi", "Điều nào KHÔNG phải là dấu hiệu?", False),
        ("vi", "Bạn có nên gọi 911 không?", False),
        ("vi", "Ai quyết định việc đó hay không?", False),
        ("vi", "Vì sao mọi nhân viên, không chỉ các quản lý, phải học?", False),
        ("vi", "Bạn đừng làm gì?", True),
    ],
)
def test_negative_stems(tmp_path: Path, lang: str, stem: str, flagged: bool) -> None:
    texts = {"en": "Which sign?", "es": "¿Qué señal?", "vi": "Dấu hiệu nào?"}
    texts[lang] = stem
    items = [
        choice("s1", [SHORT, LONG, SHORT2], "a", (texts["en"], texts["es"], texts["vi"]), langs=VI)
    ]
    root = bank_tree(tmp_path, items, VI)
    found = findings(root, "negative-stem")
    if flagged:
        assert len(found) == 1
        assert found[0].startswith(f"{at(root, stem)}: negative-stem ({lang}): the stem uses ")
    else:
        assert found == []


def test_a_true_false_statement_is_checked_whole(tmp_path: Path) -> None:
    items = [
        statement(
            "t1", ("A guest who pays cash is never a victim.", "Un huésped nunca es víctima.")
        ),
        statement("t2", ("A guest may pay cash.", "Un huésped puede pagar en efectivo.")),
    ]
    root = bank_tree(tmp_path, items)
    assert findings(root, "negative-stem") == [
        f"{at(root, '- id: t1', occurrence=1).rsplit(':', 1)[0]}:"
        f"{line_of(questions_file(root), 'never a victim')}: negative-stem (en): the stem uses "
        '"never": ask positively, or write the negative word in capitals [base: t1]',
        f"{at(root, 'never a victim').rsplit(':', 1)[0]}:"
        f"{line_of(questions_file(root), 'never a victim')}: negative-stem (es): the stem uses "
        '"nunca": ask positively, or write the negative word in capitals [base: t1]',
    ]


def count_item(stem: tuple[str, str, str], correct: list[str]) -> str:
    options = [("Force", "Fuerza", "Vũ lực"), ("Fraud", "Fraude", "Lừa gạt")]
    options += [("Coercion", "Coerción", "Cưỡng ép"), ("Weather", "Clima", "Thời tiết")]
    return choice("m1", options, correct, stem, langs=VI)


def test_giveaway_count_names_the_number_of_keys(tmp_path: Path) -> None:
    stem = (
        "Trafficking has three means. Which are they?",
        "La trata tiene tres medios. ¿Cuáles son?",
        "Buôn người có ba phương thức. Đó là gì?",
    )
    root = bank_tree(tmp_path, [count_item(stem, ["a", "b", "c"])], VI)
    found = findings(root, "giveaway-count")
    assert [f.split(": ", 2)[1:] for f in found] == [
        ["giveaway-count (en)", 'the stem says "three" and 3 options are keyed [base: m1]'],
        ["giveaway-count (es)", 'the stem says "tres" and 3 options are keyed [base: m1]'],
        ["giveaway-count (vi)", 'the stem says "ba" and 3 options are keyed [base: m1]'],
    ]
    other = bank_tree(tmp_path / "two-keys", [count_item(stem, ["a", "b"])], VI)
    assert findings(other, "giveaway-count") == []


@pytest.mark.parametrize(
    ("lang", "stem", "counts"),
    [
        ("en", "Which three signs?", [3]),
        ("en", "Within 3 days, which signs?", []),
        ("en", "Which 2 apply?", [2]),
        ("es", "¿Cuáles son las dos formas?", [2]),
        ("es", "En tres días, ¿qué hace?", []),
        ("vi", "Hai hình thức chính là gì?", [2]),
        ("vi", "Trong hai năm, điều gì xảy ra?", []),
        ("vi", "Thứ hai, bạn làm gì?", []),
        ("vi", "Mỗi năm phải học lại không?", []),
        ("vi", "Có năm dấu hiệu nào?", [5]),
    ],
)
def test_counts_named(lang: str, stem: str, counts: list[int]) -> None:
    assert [value for _, value in itemrules.counts_named(stem, lang)] == counts


def test_giveaway_comparison_two_deadlines_and_a_comparative(tmp_path: Path) -> None:
    stem = (
        "Houston requires training within 30 days of hire and Texas within 90 days. "
        "Which deadline is stricter?",
        "Houston exige la capacitación en 30 días y Texas en 90 días. ¿Qué plazo es más estricto?",
        "Houston yêu cầu trong 30 ngày và Texas trong 90 ngày. Thời hạn nào nghiêm ngặt hơn?",
    )
    items = [
        choice(
            "s1",
            [("30 days", "30 días", "30 ngày"), ("90 days", "90 días", "90 ngày")],
            "a",
            stem,
            langs=VI,
        )
    ]
    root = bank_tree(tmp_path, items, VI)
    found = findings(root, "giveaway-comparison")
    assert [f.split(": ", 2)[1] for f in found] == [
        "giveaway-comparison (en)",
        "giveaway-comparison (es)",
        "giveaway-comparison (vi)",
    ]
    assert '"30 days", "90 days"' in found[0] and '"stricter"' in found[0]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Houston allows 30 days and Texas 90 days.", ["30 days", "90 days"]),
        ("en", "The agency promised $15 an hour, then paid $5 an hour.", []),
        ("en", "Training is due every year, by March 31.", ["every year", "March 31"]),
        ("en", "Within 30 days, or 30 days at the latest.", ["30 days"]),
        ("es", "Houston da 30 días y Texas 90 días.", ["30 días", "90 días"]),
        ("vi", "Hạn chót là ngày 31 tháng 3 năm 2021.", ["ngày 31 tháng 3 năm 2021"]),
        ("vi", "Trong 30 ngày hoặc 90 ngày.", ["30 ngày", "90 ngày"]),
    ],
)
def test_durations_in(lang: str, text: str, expected: list[str]) -> None:
    assert itemrules.durations_in(text, lang) == expected


def test_one_duration_or_no_comparative_is_fine(tmp_path: Path) -> None:
    items = [
        choice(
            "s1",
            numbered(1, SHORT, LONG, SHORT2),
            "a",
            ("Within 30 days of hire, who must be trained first?", "¿Quién primero?"),
        ),
        choice(
            "s2",
            numbered(2, SHORT2, LONG, SHORT),
            "a",
            ("Houston allows 30 days and Texas 90 days. Which applies to you?", "¿Cuál aplica?"),
        ),
    ]
    assert findings(bank_tree(tmp_path, items), "giveaway-comparison") == []


def test_a_scenarios_case_counts_for_its_questions_durations(tmp_path: Path) -> None:
    case = ("Houston allows 30 days; Texas allows 90 days.", "Houston da 30 días; Texas 90 días.")
    questions = [
        choice(
            "q1",
            [SHORT, LONG],
            "a",
            ("Which is shorter?", "¿Cuál es más corto?"),
            indent="      ",
            nested=True,
        ),
        statement("q2", "Both apply.", indent="      ", nested=True),
    ]
    root = bank_tree(tmp_path, [scenario("case", case, questions)])
    found = findings(root, "giveaway-comparison")
    assert [f.split(": ", 2)[1] for f in found] == [
        "giveaway-comparison (en)",
        "giveaway-comparison (es)",
    ]


# --------------------------------------------------------------------------- duplicates


def test_duplicate_stem_inside_a_module_after_folding(tmp_path: Path) -> None:
    items = [
        statement("t1", ("A single sign proves trafficking.", "Una sola señal.")),
        statement("t2", ("a single SIGN   proves trafficking!", "Otra cosa.")),
    ]
    root = bank_tree(tmp_path, items)
    assert findings(root, "duplicate-text") == [
        f"{at(root, 'a single SIGN')}: duplicate-text (en): this stem repeats the stem of 't1' "
        f"({at(root, 'A single sign proves')}) [base: t2]"
    ]


def test_duplicate_option_in_every_language_is_one_finding(tmp_path: Path) -> None:
    items = [
        choice("s1", [SHORT, LONG, SHORT2], "a"),
        choice("s2", [("Ignore it", "Ignorar"), LONG, ("Wait", "Esperar")], "a"),
    ]
    root = bank_tree(tmp_path, items)
    (found,) = findings(root, "duplicate-text")
    assert found == (
        f"{at(root, LONG[0], occurrence=2)}: duplicate-text (en, es): this option 'b' repeats "
        f"the option 'b' of 's1' ({at(root, LONG[0])}) [base: s2]"
    )


def test_duplicate_across_the_modules_of_a_track(tmp_path: Path) -> None:
    root = bank_tree(tmp_path, [statement("t1", ("Trafficking needs no border.", "Sin frontera."))])
    add_module(root, "second", [statement("t9", ("TRAFFICKING needs no border", "Otra."))])
    found = findings(root, "duplicate-text")
    assert found == [
        f"{at(root, 'TRAFFICKING', slug='second')}: duplicate-text (en): this stem repeats the "
        f"stem of 't1' in module 'base' ({at(root, 'Trafficking needs')}) [second: t9]"
    ]


def test_modules_of_different_tracks_may_share_text(tmp_path: Path) -> None:
    root = bank_tree(tmp_path, [statement("t1", ("Trafficking needs no border.", "Sin frontera."))])
    add_module(
        root, "other", [statement("t9", ("Trafficking needs no border.", "Otra."))], in_track=False
    )
    assert findings(root, "duplicate-text") == []


def test_inherited_item_in_the_same_track_is_asked_twice(tmp_path: Path) -> None:
    root = bank_tree(tmp_path, [statement("t1", ("Trafficking needs no border.", "Sin frontera."))])
    add_module(root, "child", [statement("c1", ("Child statement.", "Hijo."))])
    module = root / "child" / "module.yaml"
    text = module.read_text(encoding="utf-8").replace(
        "component: 2\n", "component: 2\nextends: base\n"
    )
    write(module, text.replace("lessons:\n  - id: one\n    minimum_seconds: 60\n", "lessons: []\n"))
    found = findings(root, "duplicate-text")
    line = line_of(module, "extends")
    inherited = [f for f in found if f.startswith(f"modules/child/module.yaml:{line}: ")]
    # p1 and the fillers have the child's own copies (same ids, replaced in place): their
    # texts are reported as repeats in the child's file; t1 is inherited as it is
    assert [f.split(": ", 1)[1] for f in inherited] == [
        "duplicate-text: item 't1' is in module 'base' and inherited here, and track 'main' "
        "runs both, so a learner may be asked it twice: drop it (drop_items) or replace it "
        "with a parallel item [child: t1]"
    ]
    assert all(f.startswith("modules/child/") for f in found)


def test_duplicate_acknowledged_on_either_item(tmp_path: Path) -> None:
    reason = {"duplicate-text": "Both items quote the ordinance's own sentence."}
    items = [
        statement("t1", ("The ordinance text.", "El texto."), accept=reason),
        statement("t2", ("The ordinance text.", "Otro texto.")),
    ]
    assert findings(bank_tree(tmp_path, items), "duplicate-text") == []


# --------------------------------------------------------------------------- acknowledgements


def test_acknowledgement_needs_a_known_rule_and_a_reason(tmp_path: Path) -> None:
    items = [
        statement("t1", "First.", accept={"longest-options": "A typo in the rule code."}),
        statement("t2", "Second.", accept={"negative-stem": "ok"}),
    ]
    root = bank_tree(tmp_path, items)
    assert_problem(
        root, at(root, "longest-options:"), "'accept' names unknown rule 'longest-options'"
    )
    assert_problem(root, at(root, "negative-stem:"), "'accept' of 'negative-stem' needs a reason")


def test_acknowledgement_must_be_a_mapping(tmp_path: Path) -> None:
    root = bank_tree(tmp_path, [statement("t1", "First.")])
    path = questions_file(root)
    write(
        path,
        path.read_text(encoding="utf-8").replace(
            "    correct: true\n", "    accept: [negative-stem]\n    correct: true\n", 1
        ),
    )
    assert_problem(
        root, at(root, "accept: [negative-stem]"), "'accept' (rule code: reason) must be a mapping"
    )


def test_an_acknowledgement_the_item_does_not_need_is_a_finding(tmp_path: Path) -> None:
    items = [
        statement("t1", "A positive statement.", accept={"negative-stem": "It used to say not."})
    ]
    root = bank_tree(tmp_path, items)
    assert findings(root) == [
        f"{at(root, 'negative-stem:')}: accept: 'negative-stem' is acknowledged but the item "
        "does not break that rule: remove the acknowledgement"
    ]


def test_acknowledged_findings_are_not_reported(tmp_path: Path) -> None:
    reason = {"negative-stem": "The form's own question is negative."}
    items = [statement("t1", ("It is not a sign.", "No es una señal."), accept=reason)]
    assert findings(bank_tree(tmp_path, items)) == []


def test_acknowledgement_on_a_scenario_covers_its_questions(tmp_path: Path) -> None:
    questions = [
        statement(
            "q1", ("The guest is not a minor.", "No es menor."), indent="      ", nested=True
        ),
        statement(
            "q2", ("The guest pays cash.", "Paga en efectivo."), indent="      ", nested=True
        ),
    ]
    reason = {"negative-stem": "The case turns on what is not known."}
    root = bank_tree(tmp_path, [scenario("case", "A case.", questions, accept=reason)])
    assert findings(root) == []
    bare = bank_tree(tmp_path / "bare", [scenario("case", "A case.", questions)])
    assert [f.split(": ", 2)[1] for f in findings(bare)] == [
        "negative-stem (en)",
        "negative-stem (es)",
    ]


def test_acknowledgement_and_group_are_not_part_of_the_questions_shape(tmp_path: Path) -> None:
    reason = {"negative-stem": "The form's own question is negative."}
    items = [statement("t1", ("It is not a sign.", "No es una señal."), accept=reason)]
    content = load_content(bank_tree(tmp_path, items))
    item = next(i for i in content.modules["base"].items if i["id"] == "t1")
    assert "accept" not in item and "group" not in item
    assert content.banks["base"].sources["t1"].accept == reason


def test_every_rule_code_is_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "modules" / "README.md").read_text()
    for code in itemrules.RULES:
        assert f"| `{code}` |" in readme
