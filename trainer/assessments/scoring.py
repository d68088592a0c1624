"""Read, check and score answers to test questions, and say what a result page may show.

Items are the plain dicts made by the content loader from `questions.yaml`. A top-level
item that is not a scenario is one question, answered under its own id; a scenario holds
sub-questions, each answered under `"<item id>.<sub id>"`. Answers are stored as plain
JSON values: an option id for `single`, a sorted list of option ids for `multiple`, and a
bool for `true_false`.

Each question type is a small class in a registry built at import time; this module only
computes, it never reads a request or touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, TypeAlias

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from trainer.core.text import localized

Answer: TypeAlias = str | list[str] | bool
Text: TypeAlias = str | LazyString

SCENARIO = "scenario"
REVIEW_LEVELS: tuple[str, ...] = ("none", "score", "answers", "feedback")
SCORING_MODES: tuple[str, ...] = ("all_or_nothing", "partial")

_ZERO = Fraction(0)
_ONE = Fraction(1)


class InvalidAnswer(ValueError):  # noqa: N818
    """A submitted answer that does not fit its question; `message` is shown to the learner."""

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


def option_ids(question: Mapping[str, Any]) -> list[str]:
    """Return the ids of a question's options in their authored order."""
    return [str(option["id"]) for option in question.get("options") or ()]


class QuestionType:
    """How one kind of question reads, scores and explains its answers."""

    name: ClassVar[str]

    def parse(self, question: Mapping[str, Any], raw: Sequence[str]) -> Answer:
        """Turn the posted form values into a normalized answer, or raise InvalidAnswer."""
        raise NotImplementedError

    def score(self, question: Mapping[str, Any], answer: object) -> Fraction:
        """Score a normalized answer between 0 and 1; a malformed answer scores 0."""
        raise NotImplementedError

    def correct_texts(self, question: Mapping[str, Any], language: str) -> list[Text]:
        """Return the texts of the correct answer(s) in `language`."""
        raise NotImplementedError


class SingleChoice(QuestionType):
    """One option is correct and exactly one is chosen."""

    name = "single"

    def parse(self, question: Mapping[str, Any], raw: Sequence[str]) -> Answer:
        """Accept exactly one value naming one of the question's options."""
        if len(raw) != 1:
            raise InvalidAnswer(_l("Choose exactly one answer."))
        value = raw[0]
        if value not in option_ids(question):
            raise InvalidAnswer(_l("That answer is not one of the choices for this question."))
        return value

    def score(self, question: Mapping[str, Any], answer: object) -> Fraction:
        """Score 1 for the correct option, else 0."""
        return _ONE if isinstance(answer, str) and answer == question["correct"] else _ZERO

    def correct_texts(self, question: Mapping[str, Any], language: str) -> list[Text]:
        """Return the text of the correct option."""
        return [
            localized(option.get("text"), language)
            for option in question.get("options") or ()
            if option["id"] == question["correct"]
        ]


class MultipleChoice(QuestionType):
    """Any number of options may be chosen; scored all or nothing, or with partial credit."""

    name = "multiple"

    def parse(self, question: Mapping[str, Any], raw: Sequence[str]) -> Answer:
        """Accept distinct known option ids; choosing none is a valid answer."""
        known = set(option_ids(question))
        if any(value not in known for value in raw):
            raise InvalidAnswer(_l("That answer is not one of the choices for this question."))
        if len(set(raw)) != len(raw):
            raise InvalidAnswer(_l("The same choice was sent more than once."))
        return sorted(raw)

    def score(self, question: Mapping[str, Any], answer: object) -> Fraction:
        """Score all or nothing, or (share of correct chosen - share of wrong chosen) >= 0."""
        if not isinstance(answer, list | tuple) or not all(isinstance(a, str) for a in answer):
            return _ZERO
        options = set(option_ids(question))
        chosen = set(answer)
        if not chosen <= options:
            return _ZERO
        correct = set(question["correct"])
        mode = question.get("scoring") or "all_or_nothing"
        if mode == "all_or_nothing":
            return _ONE if chosen == correct else _ZERO
        if mode != "partial":
            raise ValueError(f"unknown scoring mode {mode!r}")
        wrong = options - correct
        share = Fraction(len(chosen & correct), len(correct))
        if wrong:
            share -= Fraction(len(chosen & wrong), len(wrong))
        return max(share, _ZERO)

    def correct_texts(self, question: Mapping[str, Any], language: str) -> list[Text]:
        """Return the texts of the correct options in their authored order."""
        correct = set(question["correct"])
        return [
            localized(option.get("text"), language)
            for option in question.get("options") or ()
            if option["id"] in correct
        ]


class TrueFalse(QuestionType):
    """A statement the learner marks true or false."""

    name = "true_false"

    def parse(self, question: Mapping[str, Any], raw: Sequence[str]) -> Answer:
        """Accept exactly one value, "true" or "false"."""
        if len(raw) != 1 or raw[0] not in ("true", "false"):
            raise InvalidAnswer(_l("Answer true or false."))
        return raw[0] == "true"

    def score(self, question: Mapping[str, Any], answer: object) -> Fraction:
        """Score 1 when the answer matches, else 0."""
        return _ONE if isinstance(answer, bool) and answer == question["correct"] else _ZERO

    def correct_texts(self, question: Mapping[str, Any], language: str) -> list[Text]:
        """Return "True" or "False", translated when rendered."""
        return [_l("True") if question["correct"] else _l("False")]


QUESTION_TYPES: dict[str, QuestionType] = {
    kind.name: kind for kind in (SingleChoice(), MultipleChoice(), TrueFalse())
}


def question_type(question: Mapping[str, Any]) -> QuestionType:
    """Return the registered type of a question; scenarios are items, not questions."""
    try:
        return QUESTION_TYPES[question["type"]]
    except KeyError:
        raise ValueError(f"not a question type: {question.get('type')!r}") from None


def question_keys(item: Mapping[str, Any]) -> list[str]:
    """Return the keys the item's questions are answered under, in order."""
    if item["type"] == SCENARIO:
        return [f"{item['id']}.{sub['id']}" for sub in item["questions"]]
    return [str(item["id"])]


def questions_of(item: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Return (key, question) for every question of the item, in order."""
    if item["type"] == SCENARIO:
        return list(zip(question_keys(item), item["questions"], strict=True))
    return [(str(item["id"]), item)]


def find_question(item: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """Return the question of `item` answered under `key`; KeyError if it has none."""
    for question_key, question in questions_of(item):
        if question_key == key:
            return question
    raise KeyError(key)


def parse_answer(question: Mapping[str, Any], raw: Sequence[str]) -> Answer:
    """Check the posted values for one question and return the normalized answer."""
    return question_type(question).parse(question, list(raw))


def _question_fraction(question: Mapping[str, Any], answer: object) -> Fraction:
    if answer is None:
        return _ZERO
    return question_type(question).score(question, answer)


def _item_fraction(item: Mapping[str, Any], answers: Mapping[str, Answer]) -> Fraction:
    pairs = questions_of(item)
    if not pairs:
        return _ZERO
    total = sum((_question_fraction(q, answers.get(key)) for key, q in pairs), _ZERO)
    return total / len(pairs)


def score_question(question: Mapping[str, Any], answer: Answer | None) -> float:
    """Score one question's answer in [0, 1]; no answer scores 0."""
    return float(_question_fraction(question, answer))


def score_item(item: Mapping[str, Any], answers: Mapping[str, Answer]) -> float:
    """Score a top-level item in [0, 1]; a scenario scores the mean of its questions."""
    return float(_item_fraction(item, answers))


@dataclass(frozen=True)
class FormScore:
    """The result of a whole test form."""

    percent: float
    item_scores: dict[str, float]
    correct_count: int


def score_form(items: Sequence[Mapping[str, Any]], answers: Mapping[str, Answer]) -> FormScore:
    """Score every item of a form; percent is the mean item score x 100, to 2 decimals."""
    fractions = {str(item["id"]): _item_fraction(item, answers) for item in items}
    if fractions:
        percent = float(round(sum(fractions.values(), _ZERO) * 100 / len(fractions), 2))
    else:
        percent = 0.0
    return FormScore(
        percent=percent,
        item_scores={item_id: float(value) for item_id, value in fractions.items()},
        correct_count=sum(1 for value in fractions.values() if value == _ONE),
    )


def passed(percent: float, pass_mark: float) -> bool:
    """Return whether a form's percent reaches the module's pass mark."""
    return percent >= pass_mark


@dataclass(frozen=True)
class QuestionReview:
    """What the result page may show about one question; None means not shown."""

    key: str
    score: float | None = None
    is_correct: bool | None = None
    correct_answers: tuple[Text, ...] | None = None
    feedback: str | None = None


def review_for(
    item: Mapping[str, Any], answers: Mapping[str, Answer], language: str, review: str
) -> list[QuestionReview]:
    """Return, per question of the item, what the module's review setting lets a learner see."""
    if review not in REVIEW_LEVELS:
        raise ValueError(f"unknown review setting {review!r}")
    level = REVIEW_LEVELS.index(review)
    if level == 0:
        return []
    reviews = []
    for key, question in questions_of(item):
        score = _question_fraction(question, answers.get(key))
        details: dict[str, Any] = {"score": float(score)}
        if level >= REVIEW_LEVELS.index("answers"):
            details["is_correct"] = score == _ONE
            details["correct_answers"] = tuple(
                question_type(question).correct_texts(question, language)
            )
        if level >= REVIEW_LEVELS.index("feedback"):
            details["feedback"] = localized(question.get("feedback"), language) or None
        reviews.append(QuestionReview(key=key, **details))
    return reviews


def correct_values(question: Mapping[str, Any]) -> list[str]:
    """The values an HTML form posts to answer a question correctly (demo data, tests)."""
    correct = question["correct"]
    if question_type(question).name == TrueFalse.name:
        return ["true" if correct else "false"]
    if isinstance(correct, list):
        return [str(value) for value in correct]
    return [str(correct)]
