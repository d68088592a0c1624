"""Draw test forms (a pre-test, each post-test attempt) from a module's item bank.

A form is an ordered list of top-level items, each with the order its options are shown
in. The form is recorded with the attempt, so the learner always sees the same form again
after a reload or a restart. The random source is passed in, so a seed repeats a form.

Fresh retakes: a post form draws the items the learner has not seen yet in the module
(`seen`: the pre-test's and every earlier attempt's); when too few are left, it takes
those seen longest ago. A post form also holds one item of each group the module
requires (`requires`, module.yaml `post_test_requires`), drawn the same way. Whether a
bank is large enough for every allowed attempt to be fresh is `trainer.catalog.bank`.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trainer.assessments.scoring import option_ids, questions_of
from trainer.catalog.bank import group_of
from trainer.core.vocabulary import TestKind

FORM_KINDS: tuple[str, ...] = tuple(TestKind)


class BankTooSmall(Exception):  # noqa: N818
    """The item bank holds fewer usable items than the form needs."""

    def __init__(self, kind: str, needed: int, available: int) -> None:
        super().__init__(f"a {kind} form needs {needed} items but only {available} can be drawn")
        self.kind = kind
        self.needed = needed
        self.available = available


@dataclass(frozen=True)
class FormEntry:
    """One item on a form and the order each of its questions shows its options in."""

    item_id: str
    option_order: dict[str, list[str]]

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-able dict for storing with the attempt."""
        return {
            "item_id": self.item_id,
            "option_order": {key: list(order) for key, order in self.option_order.items()},
        }

    @classmethod
    def from_json(cls, data: Any) -> FormEntry:
        """Rebuild an entry from `to_json` output; ValueError if the data is malformed."""
        if not isinstance(data, Mapping):
            raise ValueError("a form entry must be an object")
        item_id = data.get("item_id")
        order = data.get("option_order")
        if not isinstance(item_id, str) or not isinstance(order, Mapping):
            raise ValueError("a form entry needs an item_id string and an option_order object")
        option_order: dict[str, list[str]] = {}
        for key, ids in order.items():
            if (
                not isinstance(key, str)
                or not isinstance(ids, list)
                or not all(isinstance(i, str) for i in ids)
            ):
                raise ValueError(f"bad option order for {key!r} in form entry {item_id!r}")
            option_order[key] = list(ids)
        return cls(item_id=item_id, option_order=option_order)


def form_to_json(form: Iterable[FormEntry]) -> list[dict[str, Any]]:
    """Return a whole form as a JSON-able list."""
    return [entry.to_json() for entry in form]


def form_from_json(data: Any) -> list[FormEntry]:
    """Rebuild a whole form from `form_to_json` output; ValueError if malformed."""
    if not isinstance(data, list):
        raise ValueError("a form must be a list")
    return [FormEntry.from_json(entry) for entry in data]


def usable_by(item: Mapping[str, Any], kind: str) -> bool:
    """Return whether a test of this kind (pre or post) may draw the item."""
    return item["use"] in (kind, "both")


def _check_kind(kind: str) -> None:
    if kind not in FORM_KINDS:
        raise ValueError(f"unknown form kind {kind!r}")


def _option_order(item: Mapping[str, Any], rng: random.Random) -> dict[str, list[str]]:
    order = {}
    for key, question in questions_of(item):
        ids = [] if question["type"] == "true_false" else option_ids(question)
        rng.shuffle(ids)
        order[key] = ids
    return order


def seen_order(forms: Iterable[Iterable[str]]) -> dict[str, int]:
    """Return, for every item on the given forms (oldest form first), the index of the
    last form it was on: a higher number was seen more recently."""
    order: dict[str, int] = {}
    for index, form in enumerate(forms):
        for item_id in form:
            order[item_id] = index
    return order


def _freshest(
    candidates: Sequence[Mapping[str, Any]],
    count: int,
    seen: Mapping[str, int],
    rng: random.Random,
) -> list[Mapping[str, Any]]:
    """Pick `count` candidates: unseen ones first, then those seen longest ago.

    Within a tier (unseen, or seen on the same form) the pick is random.
    """
    unseen = [item for item in candidates if item["id"] not in seen]
    if len(unseen) >= count:
        return rng.sample(unseen, count)
    chosen = list(unseen)
    for when in sorted({seen[item["id"]] for item in candidates if item["id"] in seen}):
        tier = [item for item in candidates if seen.get(item["id"]) == when]
        needed = count - len(chosen)
        if len(tier) >= needed:
            return chosen + rng.sample(tier, needed)
        chosen += tier
    return chosen


def draw_form(
    bank: Sequence[Mapping[str, Any]],
    kind: str,
    length: int,
    rng: random.Random,
    exclude: Collection[str] = (),
    seen: Mapping[str, int] | None = None,
    requires: Sequence[str] = (),
) -> list[FormEntry]:
    """Draw `length` distinct usable items not in `exclude`, in random order, options shuffled.

    Items in `seen` (item id -> when it was last seen, see `seen_order`) are drawn only
    when too few unseen ones are left, those seen longest ago first. With `requires`, the
    form holds exactly one item of each of those groups and fills the rest from items
    outside them.
    """
    _check_kind(kind)
    if length < 0:
        raise ValueError("a form length cannot be negative")
    ids = [item["id"] for item in bank]
    if len(set(ids)) != len(ids):
        raise ValueError("the item bank has repeated item ids")
    if len(set(requires)) != len(requires) or len(requires) > length:
        raise ValueError("required groups must be distinct and fit in the form")
    seen = seen or {}
    excluded = set(exclude)
    candidates = [item for item in bank if usable_by(item, kind) and item["id"] not in excluded]
    chosen: list[Mapping[str, Any]] = []
    for group in requires:
        members = [item for item in candidates if group_of(item) == group]
        if not members:
            raise BankTooSmall(f"{kind} ({group})", 1, 0)
        chosen += _freshest(members, 1, seen, rng)
    required = set(requires)
    general = [item for item in candidates if group_of(item) not in required]
    needed = length - len(requires)
    if len(general) < needed:
        raise BankTooSmall(kind, needed, len(general))
    fill = _freshest(general, needed, seen, rng)
    if chosen or any(item["id"] in seen for item in fill):
        chosen += fill
        rng.shuffle(chosen)  # the picks came in tiers: mix them
    else:
        chosen = fill  # one random sample: already in random order
    return [FormEntry(item_id=item["id"], option_order=_option_order(item, rng)) for item in chosen]


def post_exclusions(pre_form_ids: Iterable[str], share_items: bool) -> set[str]:
    """Return the items a post form may not use: the pre form's, unless items may be shared."""
    return set() if share_items else set(pre_form_ids)
