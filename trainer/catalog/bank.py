"""How many items a module's bank holds for its tests, and how fresh its retakes can be.

Pure arithmetic over normalized items (``{"id", "use", "group"?, ...}``), shared by the
loader (the bank rules in modules/README.md) and the drawing of forms.

A post-test form holds one item of each group the module requires
(``post_test_requires``) and fills the rest from the *general pool*: the post-usable
items (``use: post`` or ``both``) outside the required groups. The pre-test draws from
the ``pre`` and ``both`` items. In the worst case the pre-test takes as many ``both``
items as it can; those are then seen (and, unless ``share_items``, barred from the
post-test). Every post-test attempt draws the items the learner has not seen yet, so
the retakes are fresh as long as the unseen items last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BankCounts:
    """The sizes that decide what a module's bank can serve."""

    pre_only: int
    post_only: int
    both: int
    general_post: int
    general_both: int
    groups: dict[str, int]

    @property
    def pre_usable(self) -> int:
        """Items the pre-test may draw (use pre or both)."""
        return self.pre_only + self.both


def group_of(item: Mapping[str, Any]) -> str | None:
    """Return the item's group, or None."""
    return item.get("group")


def bank_counts(items: Iterable[Mapping[str, Any]], requires: Sequence[str] = ()) -> BankCounts:
    """Count a bank's items by use, with the general pool and each required group apart.

    A required group counts its post-usable items; the general pool is every other
    post-usable item.
    """
    required = set(requires)
    uses = {"pre": 0, "post": 0, "both": 0}
    general_post = general_both = 0
    groups = dict.fromkeys(requires, 0)
    for item in items:
        use = item["use"]
        uses[use] += 1
        if use == "pre":
            continue
        group = group_of(item)
        if group in required:
            groups[group] += 1
        elif use == "post":
            general_post += 1
        else:
            general_both += 1
    return BankCounts(uses["pre"], uses["post"], uses["both"], general_post, general_both, groups)


def pre_takes(counts: BankCounts, pre_test_length: int) -> int:
    """Return how many general-pool items the pre-test can take at most (its worst case)."""
    return min(pre_test_length, counts.general_both)


def fresh_general(counts: BankCounts, pre_test_length: int) -> int:
    """Return the general-pool items still unseen after the pre-test's worst-case draw."""
    return counts.general_post + counts.general_both - pre_takes(counts, pre_test_length)


def drawable_general(counts: BankCounts, pre_test_length: int, share_items: bool) -> int:
    """Return the general-pool items a post form may draw from, in the worst case."""
    taken = 0 if share_items else pre_takes(counts, pre_test_length)
    return counts.general_post + counts.general_both - taken


def general_slots(post_test_length: int, requires: Sequence[str]) -> int:
    """Return how many items of a post form come from the general pool."""
    return max(0, post_test_length - len(requires))


def worst_case_repeats(
    items: Iterable[Mapping[str, Any]],
    *,
    pre_test_length: int,
    post_test_length: int,
    attempts: int,
    share_items: bool = False,
    requires: Sequence[str] = (),
) -> int:
    """Return how many items a learner sees a second time, at worst, over the pre-test and
    `attempts` post-test attempts, when every attempt draws unseen items first.

    0 means every allowed attempt is fresh. The worst case is a pre-test that takes as
    many ``both`` items as it can.
    """
    counts = bank_counts(items, requires)
    general = attempts * general_slots(post_test_length, requires)
    repeats = max(0, general - fresh_general(counts, pre_test_length))
    repeats += sum(max(0, attempts - size) for size in counts.groups.values())
    return repeats


def fresh_retakes_shortfall(
    items: Iterable[Mapping[str, Any]],
    *,
    pre_test_length: int,
    post_test_length: int,
    attempts: int,
    requires: Sequence[str] = (),
) -> tuple[int, int]:
    """Return (needed, available) general-pool items for fresh retakes.

    The rule holds when ``available >= needed``: the post-usable items outside the
    required groups, less the pre-test's worst-case draw, cover `attempts` forms.
    """
    counts = bank_counts(items, requires)
    needed = attempts * general_slots(post_test_length, requires)
    return needed, fresh_general(counts, pre_test_length)
