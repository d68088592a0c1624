from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer.assessments.drawing import (
    BankTooSmall,
    FormEntry,
    can_draw_disjoint_forms,
    draw_form,
    form_from_json,
    form_to_json,
    post_exclusions,
    usable_by,
)
from trainer.assessments.scoring import question_keys

# --- builders --------------------------------------------------------------------------


def text(word: str) -> dict[str, str]:
    return {"en": word, "es": word}


def question(question_id: str, kind: str, n_options: int = 4) -> dict[str, Any]:
    ids = "abcdef"[:n_options] if kind != "true_false" else ""
    correct: Any = {"single": "a", "multiple": ["a"], "true_false": True}[kind]
    return {
        "id": question_id,
        "type": kind,
        "use": "both",
        "stem": text("stem"),
        "options": [{"id": i, "text": text(i)} for i in ids],
        "correct": correct,
        "scoring": "all_or_nothing",
        "feedback": text("feedback"),
    }


def item(item_id: str, use: str = "both", kind: str = "single", n_options: int = 4) -> dict:
    if kind == "scenario":
        return {
            "id": item_id,
            "type": "scenario",
            "use": use,
            "case": text("case"),
            "questions": [question("q1", "single", 3), question("q2", "true_false")],
        }
    result = question(item_id, kind, n_options)
    result["use"] = use
    return result


def bank_of(pre: int = 0, post: int = 0, both: int = 0) -> list[dict[str, Any]]:
    return (
        [item(f"pre-{i}", "pre") for i in range(pre)]
        + [item(f"post-{i}", "post") for i in range(post)]
        + [item(f"both-{i}", "both") for i in range(both)]
    )


def ids(form: list[FormEntry]) -> list[str]:
    return [entry.item_id for entry in form]


def options_of(bank_item: dict[str, Any]) -> dict[str, list[str]]:
    """Every question key of an item with its authored option ids."""
    if bank_item["type"] == "scenario":
        subs = bank_item["questions"]
        return {
            key: [o["id"] for o in sub["options"]]
            for key, sub in zip(question_keys(bank_item), subs, strict=True)
        }
    return {bank_item["id"]: [o["id"] for o in bank_item["options"]]}


# --- unit tests -------------------------------------------------------------------------


def test_usable_by() -> None:
    assert usable_by(item("x", "pre"), "pre")
    assert not usable_by(item("x", "pre"), "post")
    assert usable_by(item("x", "post"), "post")
    assert not usable_by(item("x", "post"), "pre")
    assert usable_by(item("x", "both"), "pre")
    assert usable_by(item("x", "both"), "post")


def test_pre_form_never_draws_post_only_items() -> None:
    bank = bank_of(pre=3, post=5, both=2)
    for seed in range(30):
        form = draw_form(bank, "pre", 5, random.Random(seed))
        assert set(ids(form)) <= {"pre-0", "pre-1", "pre-2", "both-0", "both-1"}
        assert len(set(ids(form))) == 5


def test_post_form_never_draws_pre_only_items() -> None:
    bank = bank_of(pre=5, post=3, both=2)
    form = draw_form(bank, "post", 5, random.Random(1))
    assert sorted(ids(form)) == ["both-0", "both-1", "post-0", "post-1", "post-2"]


def test_excluded_items_are_not_drawn() -> None:
    bank = bank_of(both=6)
    exclude = {"both-0", "both-2", "both-4"}
    form = draw_form(bank, "post", 3, random.Random(7), exclude=exclude)
    assert sorted(ids(form)) == ["both-1", "both-3", "both-5"]


def test_bank_too_small() -> None:
    bank = bank_of(pre=2, post=4, both=1)
    with pytest.raises(BankTooSmall) as exc:
        draw_form(bank, "pre", 4, random.Random(0))
    assert (exc.value.kind, exc.value.needed, exc.value.available) == ("pre", 4, 3)
    with pytest.raises(BankTooSmall) as exc:
        draw_form(bank, "post", 5, random.Random(0), exclude={"both-0"})
    assert (exc.value.needed, exc.value.available) == (5, 4)


def test_exactly_enough_items_draws_them_all() -> None:
    bank = bank_of(pre=2, post=4, both=1)
    form = draw_form(bank, "pre", 3, random.Random(0))
    assert sorted(ids(form)) == ["both-0", "pre-0", "pre-1"]


def test_zero_length_form_is_empty() -> None:
    assert draw_form(bank_of(both=3), "pre", 0, random.Random(0)) == []


@pytest.mark.parametrize(("kind", "length"), [("final", 1), ("both", 1), ("pre", -1)])
def test_bad_arguments(kind: str, length: int) -> None:
    with pytest.raises(ValueError):
        draw_form(bank_of(both=3), kind, length, random.Random(0))


def test_repeated_item_ids_are_refused() -> None:
    bank = [item("same"), item("same")]
    with pytest.raises(ValueError, match="repeated"):
        draw_form(bank, "pre", 1, random.Random(0))


def test_option_orders_cover_every_question() -> None:
    bank = [
        item("s", kind="single", n_options=5),
        item("m", kind="multiple", n_options=6),
        item("t", kind="true_false"),
        item("case", kind="scenario"),
    ]
    form = {entry.item_id: entry for entry in draw_form(bank, "pre", 4, random.Random(3))}
    assert sorted(form["s"].option_order["s"]) == list("abcde")
    assert sorted(form["m"].option_order["m"]) == list("abcdef")
    assert form["t"].option_order == {"t": []}
    assert set(form["case"].option_order) == {"case.q1", "case.q2"}
    assert sorted(form["case"].option_order["case.q1"]) == list("abc")
    assert form["case"].option_order["case.q2"] == []


def test_options_are_actually_shuffled() -> None:
    bank = [item("s", n_options=6)]
    orders = {
        tuple(draw_form(bank, "pre", 1, random.Random(seed))[0].option_order["s"])
        for seed in range(50)
    }
    assert len(orders) > 20


def test_items_are_drawn_uniformly_and_in_random_order() -> None:
    bank = bank_of(both=5)
    rng = random.Random(2024)
    picked: Counter[str] = Counter()
    first: Counter[str] = Counter()
    draws = 5000
    for _ in range(draws):
        form = ids(draw_form(bank, "pre", 2, rng))
        picked.update(form)
        first[form[0]] += 1
    for i in range(5):
        # each item is on 2/5 of the forms and first on 1/5 of them
        assert abs(picked[f"both-{i}"] - draws * 2 / 5) < draws * 0.04
        assert abs(first[f"both-{i}"] - draws / 5) < draws * 0.03


def test_form_entry_round_trips_through_json() -> None:
    entry = FormEntry("case", {"case.q1": ["c", "a", "b"], "case.q2": []})
    stored = json.loads(json.dumps(entry.to_json()))
    assert FormEntry.from_json(stored) == entry
    form = [entry, FormEntry("s1", {"s1": ["b", "a"]})]
    assert form_from_json(json.loads(json.dumps(form_to_json(form)))) == form


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"item_id": 3, "option_order": {}},
        {"item_id": "x"},
        {"item_id": "x", "option_order": []},
        {"item_id": "x", "option_order": {"x": "abc"}},
        {"item_id": "x", "option_order": {"x": ["a", 2]}},
    ],
)
def test_form_entry_refuses_malformed_json(data: Any) -> None:
    with pytest.raises(ValueError):
        FormEntry.from_json(data)


def test_form_from_json_needs_a_list() -> None:
    with pytest.raises(ValueError):
        form_from_json({"item_id": "x", "option_order": {}})


def test_form_entry_is_frozen() -> None:
    entry = FormEntry("x", {"x": []})
    with pytest.raises(AttributeError):
        entry.item_id = "y"  # type: ignore[misc]


def test_post_exclusions() -> None:
    assert post_exclusions(["a", "b"], share_items=False) == {"a", "b"}
    assert post_exclusions(["a", "b"], share_items=True) == set()


@pytest.mark.parametrize(
    ("bank", "pre_len", "post_len", "share", "expected"),
    [
        # pre-usable items must cover the pre-test
        (bank_of(pre=2, post=100), 3, 1, False, False),
        (bank_of(pre=2, both=1, post=100), 3, 1, False, True),
        # 10 both: a pre form of 5 may take 5 of them, leaving 5 < 2 x 3
        (bank_of(both=10), 5, 3, False, False),
        (bank_of(both=10), 5, 3, True, True),
        (bank_of(both=10), 5, 2, False, True),
        # 6 post + 5 both - min(5, 5) = 6: enough for 2 x 3, not for 2 x 4
        (bank_of(pre=5, both=5, post=6), 5, 3, False, True),
        (bank_of(pre=5, both=5, post=6), 5, 4, False, False),
        (bank_of(pre=5, both=5, post=6), 5, 4, True, True),
        (bank_of(pre=5, both=5, post=6), 5, 6, True, False),
        # the pre form takes at most pre_len of the both items
        (bank_of(pre=0, both=8, post=0), 2, 3, False, True),
        (bank_of(pre=0, both=8, post=0), 3, 3, False, False),
    ],
)
def test_can_draw_disjoint_forms_examples(
    bank: list[dict], pre_len: int, post_len: int, share: bool, expected: bool
) -> None:
    assert can_draw_disjoint_forms(bank, pre_len, post_len, share) is expected


# --- properties -------------------------------------------------------------------------


@st.composite
def banks(draw: st.DrawFn, max_size: int = 14) -> list[dict[str, Any]]:
    n = draw(st.integers(min_value=0, max_value=max_size))
    result = []
    for i in range(n):
        use = draw(st.sampled_from(["pre", "post", "both"]))
        kind = draw(st.sampled_from(["single", "multiple", "true_false", "scenario"]))
        result.append(item(f"item-{i}", use, kind, draw(st.integers(2, 6))))
    return result


@given(data=st.data(), bank=banks(), kind=st.sampled_from(["pre", "post"]), seed=st.integers())
def test_drawn_form_properties(data: st.DataObject, bank: list, kind: str, seed: int) -> None:
    all_ids = [i["id"] for i in bank]
    exclude = data.draw(st.sets(st.sampled_from(all_ids))) if all_ids else set()
    length = data.draw(st.integers(min_value=0, max_value=len(bank) + 1))
    by_id = {i["id"]: i for i in bank}
    available = [i for i in bank if i["use"] in (kind, "both") and i["id"] not in exclude]
    if length > len(available):
        with pytest.raises(BankTooSmall):
            draw_form(bank, kind, length, random.Random(seed), exclude)
        return
    form = draw_form(bank, kind, length, random.Random(seed), exclude)
    drawn = ids(form)
    assert len(drawn) == length
    assert len(set(drawn)) == length
    assert not set(drawn) & exclude
    for entry in form:
        source = by_id[entry.item_id]
        assert source["use"] in (kind, "both")
        authored = options_of(source)
        assert set(entry.option_order) == set(authored)
        for key, order in entry.option_order.items():
            assert sorted(order) == sorted(authored[key])
        assert FormEntry.from_json(entry.to_json()) == entry


@given(bank=banks(), kind=st.sampled_from(["pre", "post"]), seed=st.integers())
def test_same_seed_same_form(bank: list, kind: str, seed: int) -> None:
    length = sum(1 for i in bank if i["use"] in (kind, "both")) // 2
    first = draw_form(bank, kind, length, random.Random(seed))
    again = draw_form(bank, kind, length, random.Random(seed))
    assert first == again


@given(data=st.data(), bank=banks(), seed=st.integers())
def test_pre_and_post_forms_share_no_item(data: st.DataObject, bank: list, seed: int) -> None:
    pre_usable = sum(1 for i in bank if i["use"] in ("pre", "both"))
    pre_len = data.draw(st.integers(min_value=0, max_value=pre_usable))
    rng = random.Random(seed)
    pre_form = draw_form(bank, "pre", pre_len, rng)
    exclude = post_exclusions(ids(pre_form), share_items=False)
    left = sum(1 for i in bank if i["use"] in ("post", "both") and i["id"] not in exclude)
    post_form = draw_form(bank, "post", data.draw(st.integers(0, left)), rng, exclude)
    assert not set(ids(pre_form)) & set(ids(post_form))


@given(
    data=st.data(),
    bank=banks(max_size=16),
    share=st.booleans(),
    seed=st.integers(),
)
def test_bank_rule_guarantees_two_disjoint_post_forms(
    data: st.DataObject, bank: list, share: bool, seed: int
) -> None:
    pre_len = data.draw(st.integers(min_value=0, max_value=6))
    post_len = data.draw(st.integers(min_value=1, max_value=6))
    pre_usable = [i["id"] for i in bank if i["use"] in ("pre", "both")]
    both_ids = [i["id"] for i in bank if i["use"] == "both"]
    if not can_draw_disjoint_forms(bank, pre_len, post_len, share):
        # the rule is tight: too few pre items, or a pre form taking as many `both`
        # items as it can leaves too few for two disjoint post forms
        if len(pre_usable) < pre_len:
            return
        greedy = both_ids[:pre_len]
        greedy += [i for i in pre_usable if i not in greedy][: pre_len - len(greedy)]
        with pytest.raises(BankTooSmall):
            draw_form(
                bank, "post", 2 * post_len, random.Random(seed), post_exclusions(greedy, share)
            )
        return
    # the rule holds: whatever pre form is drawn, two disjoint post forms follow
    pre_ids = data.draw(st.permutations(pre_usable))[:pre_len]
    rng = random.Random(seed)
    exclude = post_exclusions(pre_ids, share)
    first = draw_form(bank, "post", post_len, rng, exclude)
    second = draw_form(bank, "post", post_len, rng, exclude | set(ids(first)))
    assert not set(ids(first)) & set(ids(second))
    if not share:
        assert not set(pre_ids) & (set(ids(first)) | set(ids(second)))
