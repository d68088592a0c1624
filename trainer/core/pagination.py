"""One page of a longer list."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list."""

    items: list[T]
    number: int
    pages: int
    total: int
    size: int

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown (0 when the list is empty)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        """1-based position of the last item shown."""
        return self.first_index + len(self.items) - 1 if self.items else 0


def paginate(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> Page[T]:
    """Cut out one page; a page past the end shows the last page, below 1 the first."""
    pages = max(1, math.ceil(len(items) / size))
    number = min(max(1, page), pages)
    start = (number - 1) * size
    return Page(list(items[start : start + size]), number, pages, len(items), size)
