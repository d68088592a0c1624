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
    draw_form,
    form_from_json,
    form_to_json,
    post_exclusions,
    seen_order,
    usable_by,
)
from trainer.assessments.scoring import question_keys
from trainer.catalog import bank as bank_rules

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


def test_seen_order_keeps_the_last_form_an_item_was_on() -> None:
    assert seen_order([["a", "b"], ["c"], ["b", "d"]]) == {"a": 0, "b": 2, "c": 1, "d": 2}
    assert seen_order([]) == {}


def test_unseen_items_first_then_those_seen_longest_ago() -> None:
    bank = bank_of(post=6)
    seen = {"post-0": 2, "post-1": 0, "post-2": 1, "post-3": 0}
    form = ids(draw_form(bank, "post", 2, random.Random(1), seen=seen))
    assert sorted(form) == ["post-4", "post-5"]
    form = ids(draw_form(bank, "post", 4, random.Random(1), seen=seen))
    assert sorted(form) == ["post-1", "post-3", "post-4", "post-5"]
    form = ids(draw_form(bank, "post", 5, random.Random(1), seen=seen))
    assert sorted(form) == ["post-1", "post-2", "post-3", "post-4", "post-5"]


def grouped(bank: list[dict[str, Any]], group: str, count: int) -> list[dict[str, Any]]:
    """`bank` plus `count` post items in `group`."""
    extra = [item(f"{group}-{i}", "post") for i in range(count)]
    for entry in extra:
        entry["group"] = group
    return bank + extra


def test_a_post_form_holds_one_item_of_each_required_group() -> None:
    bank = grouped(grouped(bank_of(post=4), "hotline", 3), "never-confront", 2)
    for seed in range(20):
        form = ids(
            draw_form(bank, "post", 4, random.Random(seed), requires=["hotline", "never-confront"])
        )
        assert sum(1 for i in form if i.startswith("hotline-")) == 1
        assert sum(1 for i in form if i.startswith("never-confront-")) == 1
        assert sum(1 for i in form if i.startswith("post-")) == 2
    # without the requirement a group is only a label: any number may be drawn
    counts = {
        sum(1 for i in ids(draw_form(bank, "post", 9, random.Random(s))) if "hotline" in i)
        for s in range(5)
    }
    assert counts == {3}


def test_required_group_prefers_its_unseen_item() -> None:
    bank = grouped(bank_of(post=2), "hotline", 3)
    seen = {"hotline-0": 0, "hotline-2": 1}
    for seed in range(10):
        form = ids(draw_form(bank, "post", 2, random.Random(seed), seen=seen, requires=["hotline"]))
        assert "hotline-1" in form


def test_required_group_that_cannot_be_drawn() -> None:
    bank = bank_of(post=3)
    with pytest.raises(BankTooSmall):
        draw_form(bank, "post", 2, random.Random(0), requires=["hotline"])
    with pytest.raises(ValueError, match="required groups"):
        draw_form(grouped(bank, "a", 1), "post", 1, random.Random(0), requires=["a", "a"])


@st.composite
def grouped_banks(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str]]:
    """A bank with some items in up to two groups, and the groups a module requires."""
    bank = draw(banks(max_size=16))
    groups = draw(st.lists(st.sampled_from(["g1", "g2"]), unique=True, max_size=2))
    for group in groups:
        bank = grouped(bank, group, draw(st.integers(0, 4)))
    return bank, groups


@given(data=st.data(), drawn=grouped_banks(), seed=st.integers())
def test_freshest_items_are_drawn(data: st.DataObject, drawn: tuple, seed: int) -> None:
    bank, requires = drawn
    all_ids = [i["id"] for i in bank]
    history = (
        data.draw(st.lists(st.lists(st.sampled_from(all_ids), unique=True), max_size=4))
        if all_ids
        else []
    )
    seen = seen_order(history)
    usable = [i for i in bank if i["use"] in ("post", "both")]
    length = data.draw(st.integers(len(requires), max(len(requires), len(usable) + 1)))
    general = [i for i in usable if i.get("group") not in requires]
    if len(general) < length - len(requires) or any(
        not any(i.get("group") == g for i in usable) for g in requires
    ):
        with pytest.raises(BankTooSmall):
            draw_form(bank, "post", length, random.Random(seed), seen=seen, requires=requires)
        return
    form = ids(draw_form(bank, "post", length, random.Random(seed), seen=seen, requires=requires))
    assert len(set(form)) == len(form) == length
    pools = [[i for i in usable if i.get("group") == g] for g in requires] + [general]
    for pool in pools:
        pool_ids = {i["id"] for i in pool}
        chosen = [i for i in form if i in pool_ids]
        if pool is not general:
            assert len(chosen) == 1
        left_out = pool_ids - set(chosen)
        # nothing left out was fresher than anything chosen
        never = -1
        worst_chosen = max((seen.get(i, never) for i in chosen), default=never)
        best_left = min((seen.get(i, never) for i in left_out), default=len(history))
        assert worst_chosen <= best_left


def simulate(
    bank: list[dict[str, Any]],
    pre_ids: list[str],
    post_len: int,
    rounds: int,
    share: bool,
    requires: list[str],
    seed: int,
) -> list[list[str]]:
    """The forms a learner sees: the given pre form, then `rounds` post attempts."""
    rng = random.Random(seed)
    forms = [pre_ids]
    for _ in range(rounds):
        form = draw_form(
            bank,
            "post",
            post_len,
            rng,
            exclude=post_exclusions(pre_ids, share),
            seen=seen_order(forms),
            requires=requires,
        )
        forms.append(ids(form))
    return forms


def repeats(forms: list[list[str]]) -> int:
    return sum(len(form) for form in forms) - len({i for form in forms for i in form})


@given(data=st.data(), drawn=grouped_banks(), share=st.booleans(), seed=st.integers())
def test_the_bank_rule_makes_every_allowed_attempt_fresh(
    data: st.DataObject, drawn: tuple, share: bool, seed: int
) -> None:
    bank, requires = drawn
    pre_len = data.draw(st.integers(0, 5))
    post_len = data.draw(st.integers(max(1, len(requires)), 5))
    attempts = data.draw(st.integers(1, 4))
    counts = bank_rules.bank_counts(bank, requires)
    pre_usable = [i["id"] for i in bank if i["use"] in ("pre", "both")]
    uses = {i["id"]: i["use"] for i in bank}
    slots = bank_rules.general_slots(post_len, requires)
    if (
        counts.pre_usable < pre_len
        or bank_rules.drawable_general(counts, pre_len, share) < slots
        or any(size == 0 for size in counts.groups.values())
    ):
        return  # the loader reports a problem: the module is not used
    # the adversary: a pre form taking as many `both` items as it can
    both_first = sorted(pre_usable, key=lambda i: uses[i] != "both")[:pre_len]
    worst = bank_rules.worst_case_repeats(
        bank,
        pre_test_length=pre_len,
        post_test_length=post_len,
        attempts=attempts,
        share_items=share,
        requires=requires,
    )
    assert repeats(simulate(bank, both_first, post_len, attempts, share, requires, seed)) == worst
    # any other pre form does no worse
    pre_ids = data.draw(st.permutations(pre_usable))[:pre_len]
    assert repeats(simulate(bank, pre_ids, post_len, attempts, share, requires, seed)) <= worst
    needed, fresh = bank_rules.fresh_retakes_shortfall(
        bank,
        pre_test_length=pre_len,
        post_test_length=post_len,
        attempts=attempts,
        requires=requires,
    )
    rule_holds = fresh >= needed and all(size >= attempts for size in counts.groups.values())
    assert rule_holds is (worst == 0)


@given(seed=st.integers(), extra=st.integers(1, 3))
def test_extra_rounds_repeat_the_items_seen_longest_ago(seed: int, extra: int) -> None:
    # 2 pre, 2 both, 6 post; forms of 3: 6 + 2 - 2 = 6 fresh items for 2 attempts
    bank = bank_of(pre=2, both=2, post=6)
    pre_ids = ["both-0", "both-1"]
    forms = simulate(bank, pre_ids, 3, 2 + extra, False, [], seed)
    assert repeats(forms[:3]) == 0
    for index in range(3, len(forms)):
        earlier = seen_order(forms[:index])
        allowed = [i for i in earlier if not i.startswith(("pre-", "both-"))]
        oldest = sorted(earlier[i] for i in allowed)[:3]
        assert sorted(earlier[i] for i in forms[index]) == oldest
