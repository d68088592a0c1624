"""Draw test forms (a pre-test, each post-test attempt) from a module's item bank.

A form is an ordered list of top-level items, each with the order its options are shown
in. The form is recorded with the attempt, so the learner always sees the same form again
after a reload or a restart. The random source is passed in, so a seed repeats a form.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trainer.assessments.scoring import option_ids, questions_of

FORM_KINDS: tuple[str, ...] = ("pre", "post")


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


def draw_form(
    bank: Sequence[Mapping[str, Any]],
    kind: str,
    length: int,
    rng: random.Random,
    exclude: Collection[str] = (),
) -> list[FormEntry]:
    """Draw `length` distinct usable items not in `exclude`, in random order, options shuffled."""
    _check_kind(kind)
    if length < 0:
        raise ValueError("a form length cannot be negative")
    ids = [item["id"] for item in bank]
    if len(set(ids)) != len(ids):
        raise ValueError("the item bank has repeated item ids")
    excluded = set(exclude)
    candidates = [item for item in bank if usable_by(item, kind) and item["id"] not in excluded]
    if len(candidates) < length:
        raise BankTooSmall(kind, length, len(candidates))
    chosen = rng.sample(candidates, length)
    return [FormEntry(item_id=item["id"], option_order=_option_order(item, rng)) for item in chosen]


def post_exclusions(pre_form_ids: Iterable[str], share_items: bool) -> set[str]:
    """Return the items a post form may not use: the pre form's, unless items may be shared."""
    return set() if share_items else set(pre_form_ids)


def can_draw_disjoint_forms(
    bank: Sequence[Mapping[str, Any]], pre_len: int, post_len: int, share_items: bool
) -> bool:
    """Return whether the bank meets the rule: a pre form, then two post forms sharing no item.

    `pre >= pre_len`, and `post_only + both - min(pre_len, both) >= 2 x post_len`
    (`post_only + both >= 2 x post_len` when pre and post forms may share items).
    """
    uses = [item["use"] for item in bank]
    pre_usable = sum(1 for use in uses if use in ("pre", "both"))
    post_only = uses.count("post")
    both = uses.count("both")
    if pre_usable < pre_len:
        return False
    taken_by_pre = 0 if share_items else min(pre_len, both)
    return post_only + both - taken_by_pre >= 2 * post_len
