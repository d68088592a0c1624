from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import given
from hypothesis import strategies as st

from trainer.assessments.scoring import (
    QUESTION_TYPES,
    FormScore,
    InvalidAnswer,
    find_question,
    localized,
    parse_answer,
    passed,
    question_keys,
    review_for,
    score_form,
    score_item,
    score_question,
)

# --- builders --------------------------------------------------------------------------


def text(word: str) -> dict[str, str]:
    return {"en": f"{word} (en)", "es": f"{word} (es)"}


def options(*ids: str) -> list[dict[str, Any]]:
    return [{"id": option_id, "text": text(f"option {option_id}")} for option_id in ids]


def single(item_id: str = "s1", correct: str = "b", ids: str = "abc") -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "single",
        "use": "both",
        "stem": text("stem"),
        "options": options(*ids),
        "correct": correct,
        "scoring": "all_or_nothing",
        "feedback": text(f"feedback {item_id}"),
    }


def multiple(
    item_id: str = "m1",
    correct: tuple[str, ...] = ("a", "c"),
    ids: str = "abcde",
    scoring: str = "all_or_nothing",
) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "multiple",
        "use": "both",
        "stem": text("stem"),
        "options": options(*ids),
        "correct": list(correct),
        "scoring": scoring,
        "feedback": text(f"feedback {item_id}"),
    }


def true_false(item_id: str = "t1", correct: bool = True) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "true_false",
        "use": "both",
        "stem": text("stem"),
        "options": [],
        "correct": correct,
        "scoring": "all_or_nothing",
        "feedback": text(f"feedback {item_id}"),
    }


def scenario(item_id: str = "case", *subs: dict[str, Any]) -> dict[str, Any]:
    questions = list(subs) or [
        single("q1", correct="a"),
        multiple("q2", correct=("b",), ids="abc", scoring="partial"),
        true_false("q3", correct=False),
    ]
    return {
        "id": item_id,
        "type": "scenario",
        "use": "both",
        "case": text("case"),
        "questions": questions,
        "scoring": "all_or_nothing",
        "feedback": text("unused"),
    }


@pytest.fixture
def babel_app() -> Flask:
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(app)
    return app


def rendered(exc: pytest.ExceptionInfo[InvalidAnswer], app: Flask) -> str:
    with app.app_context():
        return str(exc.value.message)


# --- keys -------------------------------------------------------------------------------


def test_plain_item_is_answered_under_its_id() -> None:
    for item in (single("alpha"), multiple("beta"), true_false("gamma")):
        assert question_keys(item) == [item["id"]]
        assert find_question(item, item["id"]) is item


def test_scenario_questions_are_answered_under_item_dot_sub_id() -> None:
    item = scenario("case-housekeeping")
    assert question_keys(item) == [
        "case-housekeeping.q1",
        "case-housekeeping.q2",
        "case-housekeeping.q3",
    ]
    assert find_question(item, "case-housekeeping.q2") is item["questions"][1]


@pytest.mark.parametrize(
    ("item", "key"),
    [
        (scenario("case"), "case"),
        (scenario("case"), "q1"),
        (scenario("case"), "case.q9"),
        (single("s1"), "s1.q1"),
        (single("s1"), "s2"),
    ],
)
def test_find_question_rejects_unknown_keys(item: dict[str, Any], key: str) -> None:
    with pytest.raises(KeyError):
        find_question(item, key)


# --- parsing ----------------------------------------------------------------------------


def test_single_answer_is_the_option_id() -> None:
    assert parse_answer(single(), ["c"]) == "c"


@pytest.mark.parametrize("raw", [[], ["a", "b"], ["a", "a"]])
def test_single_needs_exactly_one_value(raw: list[str], babel_app: Flask) -> None:
    with pytest.raises(InvalidAnswer) as exc:
        parse_answer(single(), raw)
    assert rendered(exc, babel_app) == "Choose exactly one answer."


@pytest.mark.parametrize("raw", [["z"], [""], ["A"], ["true"]])
def test_single_rejects_unknown_option(raw: list[str], babel_app: Flask) -> None:
    with pytest.raises(InvalidAnswer) as exc:
        parse_answer(single(), raw)
    assert rendered(exc, babel_app) == "That answer is not one of the choices for this question."


def test_multiple_answer_is_sorted_and_may_be_empty() -> None:
    assert parse_answer(multiple(), ["e", "a", "c"]) == ["a", "c", "e"]
    assert parse_answer(multiple(), []) == []


def test_multiple_rejects_unknown_option(babel_app: Flask) -> None:
    with pytest.raises(InvalidAnswer) as exc:
        parse_answer(multiple(), ["a", "x"])
    assert rendered(exc, babel_app) == "That answer is not one of the choices for this question."


def test_multiple_rejects_repeated_option(babel_app: Flask) -> None:
    with pytest.raises(InvalidAnswer) as exc:
        parse_answer(multiple(), ["a", "c", "a"])
    assert rendered(exc, babel_app) == "The same choice was sent more than once."


def test_true_false_answer_is_a_bool() -> None:
    assert parse_answer(true_false(), ["true"]) is True
    assert parse_answer(true_false(), ["false"]) is False


@pytest.mark.parametrize("raw", [[], ["True"], ["yes"], ["1"], [""], ["true", "false"]])
def test_true_false_rejects_anything_else(raw: list[str], babel_app: Flask) -> None:
    with pytest.raises(InvalidAnswer) as exc:
        parse_answer(true_false(), raw)
    assert rendered(exc, babel_app) == "Answer true or false."


def test_invalid_answer_message_stays_lazy_until_rendered() -> None:
    with pytest.raises(InvalidAnswer) as exc:
        parse_answer(true_false(), ["maybe"])
    assert not isinstance(exc.value.message, str)


def test_a_scenario_is_not_a_question() -> None:
    with pytest.raises(ValueError, match="not a question type"):
        parse_answer(scenario(), ["a"])


def test_parse_answer_of_a_scenario_sub_question() -> None:
    item = scenario("case")
    assert parse_answer(find_question(item, "case.q2"), ["b"]) == ["b"]
    assert parse_answer(find_question(item, "case.q3"), ["false"]) is False


# --- scoring one question ---------------------------------------------------------------


def test_single_scores_one_or_zero() -> None:
    assert score_question(single(correct="b"), "b") == 1.0
    assert score_question(single(correct="b"), "a") == 0.0


def test_true_false_scores_one_or_zero() -> None:
    assert score_question(true_false(correct=False), False) == 1.0
    assert score_question(true_false(correct=False), True) == 0.0
    assert score_question(true_false(correct=True), True) == 1.0


@pytest.mark.parametrize(
    "question", [single(), multiple(), multiple(scoring="partial"), true_false()]
)
def test_unanswered_scores_zero(question: dict[str, Any]) -> None:
    assert score_question(question, None) == 0.0


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (true_false(correct=True), "true"),
        (true_false(correct=True), 1),
        (single(correct="b"), ["b"]),
        (multiple(correct=("a", "c")), "a"),
        (multiple(correct=("a", "c")), ["a", "c", "zz"]),
        (multiple(correct=("a", "c"), scoring="partial"), ["a", "c", "zz"]),
    ],
)
def test_malformed_stored_answer_scores_zero(question: dict[str, Any], answer: Any) -> None:
    assert score_question(question, answer) == 0.0


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["a", "c"], 1.0),
        (["a"], 0.0),
        (["a", "b", "c"], 0.0),
        ([], 0.0),
        (["b", "d"], 0.0),
    ],
)
def test_multiple_all_or_nothing(chosen: list[str], expected: float) -> None:
    assert score_question(multiple(correct=("a", "c")), chosen) == expected


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        # two correct (a, c) and three wrong (b, d, e) options
        (["a", "c"], 1.0),
        (["a"], 1 / 2),
        (["a", "c", "b"], 1 - 1 / 3),
        (["a", "b"], 1 / 2 - 1 / 3),
        (["a", "b", "d"], 0.0),  # 1/2 - 2/3 is below zero
        (["a", "c", "b", "d", "e"], 0.0),  # everything chosen: 1 - 1
        (["b"], 0.0),
        ([], 0.0),
    ],
)
def test_multiple_partial_credit(chosen: list[str], expected: float) -> None:
    question = multiple(correct=("a", "c"), ids="abcde", scoring="partial")
    assert score_question(question, chosen) == pytest.approx(expected)


def test_partial_credit_without_wrong_options() -> None:
    question = multiple(correct=("a", "b", "c"), ids="abc", scoring="partial")
    assert score_question(question, ["a"]) == pytest.approx(1 / 3)
    assert score_question(question, ["a", "b", "c"]) == 1.0
    assert score_question(question, []) == 0.0


def test_unknown_scoring_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="scoring mode"):
        score_question(multiple(scoring="generous"), ["a"])


# --- items and forms --------------------------------------------------------------------


def test_scenario_scores_the_mean_of_its_questions() -> None:
    item = scenario("case")
    all_right = {"case.q1": "a", "case.q2": ["b"], "case.q3": False}
    assert score_item(item, all_right) == 1.0
    assert score_item(item, {"case.q1": "a", "case.q2": ["b"], "case.q3": True}) == (
        pytest.approx(2 / 3)
    )
    # partial credit inside a scenario: b right, a wrong -> 1 - 1/2 = 0.5 for q2
    assert score_item(item, {"case.q1": "a", "case.q2": ["a", "b"]}) == pytest.approx(
        (1 + 0.5 + 0) / 3
    )
    assert score_item(item, {}) == 0.0


def test_scenario_answers_under_plain_sub_ids_do_not_count() -> None:
    assert score_item(scenario("case"), {"q1": "a", "q2": ["b"], "q3": False}) == 0.0


def test_score_form_percent_items_and_correct_count() -> None:
    items = [single("s1", correct="a"), true_false("t1", correct=True), scenario("case")]
    answers = {
        "s1": "a",
        "t1": False,
        "case.q1": "a",
        "case.q2": ["b"],
        "case.q3": True,  # scenario scores 2/3
    }
    result = score_form(items, answers)
    assert isinstance(result, FormScore)
    assert result.item_scores == {"s1": 1.0, "t1": 0.0, "case": pytest.approx(2 / 3)}
    assert result.correct_count == 1
    assert result.percent == 55.56  # (1 + 0 + 2/3) / 3 = 55.555...%


def test_score_form_rounds_to_two_decimals() -> None:
    items = [single(f"s{i}", correct="a") for i in range(3)]
    result = score_form(items, {"s0": "a", "s1": "a", "s2": "b"})
    assert result.percent == 66.67
    assert result.correct_count == 2


def test_score_form_of_a_perfect_and_an_empty_sheet() -> None:
    items = [single("s1", correct="a"), multiple("m1", correct=("a", "c"))]
    assert score_form(items, {"s1": "a", "m1": ["a", "c"]}).percent == 100.0
    blank = score_form(items, {})
    assert blank.percent == 0.0
    assert blank.correct_count == 0
    assert score_form([], {}).percent == 0.0


def test_passed_is_percent_at_or_above_the_mark() -> None:
    assert passed(80.0, 80)
    assert passed(100.0, 80)
    assert not passed(79.99, 80)
    # 4 of 5 right reaches an 80% mark exactly
    items = [single(f"s{i}", correct="a") for i in range(5)]
    answers = {f"s{i}": "a" for i in range(4)}
    assert passed(score_form(items, answers).percent, 80)


# --- review -----------------------------------------------------------------------------


def test_review_none_shows_nothing() -> None:
    assert review_for(single(), {"s1": "b"}, "en", "none") == []


def test_review_score_shows_only_the_score() -> None:
    [review] = review_for(single(correct="b"), {"s1": "b"}, "es", "score")
    assert review.key == "s1"
    assert review.score == 1.0
    assert review.is_correct is None
    assert review.correct_answers is None
    assert review.feedback is None


def test_review_answers_shows_correct_option_texts_in_the_language() -> None:
    question = multiple(correct=("a", "c"), scoring="partial")
    [review] = review_for(question, {"m1": ["a"]}, "es", "answers")
    assert review.score == pytest.approx(0.5)
    assert review.is_correct is False
    assert review.correct_answers == ("option a (es)", "option c (es)")
    assert review.feedback is None


def test_review_feedback_adds_feedback_text() -> None:
    [review] = review_for(single(correct="b"), {"s1": "b"}, "es", "feedback")
    assert review.is_correct is True
    assert review.correct_answers == ("option b (es)",)
    assert review.feedback == "feedback s1 (es)"


def test_review_falls_back_to_english() -> None:
    [review] = review_for(single(correct="c"), {}, "vi", "feedback")
    assert review.score == 0.0
    assert review.is_correct is False
    assert review.correct_answers == ("option c (en)",)
    assert review.feedback == "feedback s1 (en)"


def test_review_of_true_false_names_true_or_false(babel_app: Flask) -> None:
    [review] = review_for(true_false(correct=False), {"t1": False}, "en", "answers")
    assert review.is_correct is True
    assert review.correct_answers is not None
    with babel_app.app_context():
        assert [str(t) for t in review.correct_answers] == ["False"]


def test_review_of_a_scenario_lists_each_question() -> None:
    item = scenario("case")
    reviews = review_for(item, {"case.q1": "a", "case.q3": True}, "en", "feedback")
    assert [r.key for r in reviews] == ["case.q1", "case.q2", "case.q3"]
    assert [r.is_correct for r in reviews] == [True, False, False]
    assert [r.feedback for r in reviews] == [
        "feedback q1 (en)",
        "feedback q2 (en)",
        "feedback q3 (en)",
    ]
    assert reviews[1].correct_answers == ("option b (en)",)


def test_review_without_feedback_text_gives_none() -> None:
    question = single()
    del question["feedback"]
    [review] = review_for(question, {"s1": "b"}, "en", "feedback")
    assert review.feedback is None


def test_unknown_review_setting_is_an_error() -> None:
    with pytest.raises(ValueError, match="review"):
        review_for(single(), {}, "en", "everything")


def test_localized_fallbacks() -> None:
    assert localized({"en": "Hi", "es": "Hola"}, "es") == "Hola"
    assert localized({"en": "Hi", "es": "Hola"}, "vi") == "Hi"
    assert localized({"es": "Hola"}, "vi") == "Hola"
    assert localized({"en": "", "es": "Hola"}, "en") == "Hola"
    assert localized(None, "en") == ""


# --- properties -------------------------------------------------------------------------

OPTION_POOL = "abcdef"


@st.composite
def choice_questions(draw: st.DrawFn, kind: str | None = None) -> dict[str, Any]:
    kind = kind or draw(st.sampled_from(["single", "multiple", "true_false"]))
    if kind == "true_false":
        return true_false(correct=draw(st.booleans()))
    n = draw(st.integers(min_value=2, max_value=len(OPTION_POOL)))
    ids = OPTION_POOL[:n]
    if kind == "single":
        return single(correct=draw(st.sampled_from(ids)), ids=ids)
    correct = draw(st.sets(st.sampled_from(ids), min_size=1))
    scoring = draw(st.sampled_from(["all_or_nothing", "partial"]))
    return multiple(correct=tuple(sorted(correct)), ids=ids, scoring=scoring)


def ids_of(question: dict[str, Any]) -> list[str]:
    return [option["id"] for option in question["options"]]


@st.composite
def valid_answers(draw: st.DrawFn, question: dict[str, Any]) -> Any:
    kind = question["type"]
    if kind == "true_false":
        return draw(st.booleans())
    if kind == "single":
        return draw(st.sampled_from(ids_of(question)))
    return sorted(draw(st.sets(st.sampled_from(ids_of(question)))))


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=3),
    st.lists(st.text(alphabet="abcxyz", max_size=2), max_size=4),
)


@given(data=st.data(), question=choice_questions())
def test_scores_are_always_between_zero_and_one(data: st.DataObject, question: dict) -> None:
    answer = data.draw(st.one_of(valid_answers(question), junk))
    assert 0.0 <= score_question(question, answer) <= 1.0


@given(data=st.data(), question=choice_questions("multiple"))
def test_all_or_nothing_is_one_iff_the_exact_set(data: st.DataObject, question: dict) -> None:
    question["scoring"] = "all_or_nothing"
    chosen = data.draw(valid_answers(question))
    exact = set(chosen) == set(question["correct"])
    assert score_question(question, chosen) == (1.0 if exact else 0.0)


@given(data=st.data(), question=choice_questions("multiple"))
def test_partial_is_one_iff_exactly_correct(data: st.DataObject, question: dict) -> None:
    question["scoring"] = "partial"
    chosen = data.draw(valid_answers(question))
    exact = set(chosen) == set(question["correct"])
    assert (score_question(question, chosen) == 1.0) == exact


@given(data=st.data(), question=choice_questions("multiple"))
def test_partial_is_monotone(data: st.DataObject, question: dict) -> None:
    question["scoring"] = "partial"
    chosen = set(data.draw(valid_answers(question)))
    unchosen = sorted(set(ids_of(question)) - chosen)
    if not unchosen:
        return
    added = data.draw(st.sampled_from(unchosen))
    before = score_question(question, sorted(chosen))
    after = score_question(question, sorted(chosen | {added}))
    if added in question["correct"]:
        assert after >= before
        # in the (uncapped) positive range, a correct choice strictly helps
        if before > 0:
            assert after > before
    else:
        assert after <= before


@given(data=st.data(), question=choice_questions("multiple"))
def test_partial_matches_its_definition(data: st.DataObject, question: dict) -> None:
    question["scoring"] = "partial"
    chosen = set(data.draw(valid_answers(question)))
    correct = set(question["correct"])
    wrong = set(ids_of(question)) - correct
    share = Fraction(len(chosen & correct), len(correct))
    if wrong:
        share -= Fraction(len(chosen & wrong), len(wrong))
    assert score_question(question, sorted(chosen)) == pytest.approx(float(max(share, 0)))


@given(data=st.data(), question=choice_questions())
def test_posted_values_parse_to_an_answer_that_scores_the_same(
    data: st.DataObject, question: dict
) -> None:
    answer = data.draw(valid_answers(question))
    if question["type"] == "true_false":
        raw = ["true" if answer else "false"]
    elif question["type"] == "single":
        raw = [answer]
    else:
        raw = data.draw(st.permutations(answer))
    parsed = parse_answer(question, raw)
    assert parsed == answer
    assert score_question(question, parsed) == score_question(question, answer)


@given(
    question=choice_questions(),
    raw=st.lists(st.text(alphabet="abcdefgxyz", max_size=2), max_size=4),
)
def test_parse_accepts_only_well_formed_values(question: dict, raw: list[str]) -> None:
    kind = question["type"]
    known = set(ids_of(question))
    if kind == "single":
        valid = len(raw) == 1 and raw[0] in known
    elif kind == "multiple":
        valid = set(raw) <= known and len(set(raw)) == len(raw)
    else:
        valid = False  # the alphabet never spells "true" or "false"
    if valid:
        parse_answer(question, raw)
    else:
        with pytest.raises(InvalidAnswer):
            parse_answer(question, raw)


@given(data=st.data(), subs=st.lists(choice_questions(), min_size=2, max_size=4))
def test_scenario_score_is_the_mean_of_its_questions(data: st.DataObject, subs: list) -> None:
    for index, sub in enumerate(subs):
        sub["id"] = f"q{index}"
    item = scenario("case", *subs)
    answers = {}
    for key, sub in zip(question_keys(item), subs, strict=True):
        if data.draw(st.booleans()):
            answers[key] = data.draw(valid_answers(sub))
    expected = sum(
        score_question(sub, answers.get(key))
        for key, sub in zip(question_keys(item), subs, strict=True)
    ) / len(subs)
    assert score_item(item, answers) == pytest.approx(expected)


@given(data=st.data(), questions=st.lists(choice_questions(), min_size=1, max_size=8))
def test_form_percent_is_the_rounded_mean(data: st.DataObject, questions: list) -> None:
    for index, question in enumerate(questions):
        question["id"] = f"i{index}"
    answers = {q["id"]: data.draw(st.one_of(st.none(), valid_answers(q))) for q in questions}
    answers = {key: value for key, value in answers.items() if value is not None}
    result = score_form(questions, answers)
    assert 0.0 <= result.percent <= 100.0
    mean = sum(result.item_scores.values()) / len(questions)
    assert abs(result.percent - 100 * mean) <= 0.005 + 1e-9
    assert result.correct_count == sum(1 for s in result.item_scores.values() if s == 1.0)
    assert (result.percent == 100.0) == (result.correct_count == len(questions))


def test_every_question_type_is_registered() -> None:
    assert set(QUESTION_TYPES) == {"single", "multiple", "true_false"}
