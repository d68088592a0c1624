"""Named hooks: how a lower feature lets a higher one react or answer, without importing it.

A feature that has something to announce or to ask declares a `Hook` next to the code
that calls it, with the signature its subscribers must have::

    STAFF_ADDED: Hook[[User], object] = Hook("orgs.staff_added")

The application factory connects the features
(`STAFF_ADDED.connect(learning.enroll_automatically)`), so dependencies point one way:
the announcing feature never imports its listeners.
`emit` calls every subscriber in the order they connected and returns their answers; an
event ignores them, a question combines them (the first, the largest, all of them).
Connecting the same function twice changes nothing. Every hook is listed in `REGISTRY`
by its name, which must be unique.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    """A named point other features subscribe to; subscribers share one signature."""

    def __init__(self, name: str) -> None:
        if name in REGISTRY:
            raise ValueError(f"hook {name!r} is declared twice")
        self.name = name
        self._subscribers: list[Callable[P, R]] = []
        REGISTRY[name] = self

    def connect(self, subscriber: Callable[P, R]) -> None:
        """Subscribe a function (once: connecting it again changes nothing)."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)

    def disconnect(self, subscriber: Callable[P, R]) -> None:
        """Remove a subscriber (for tests that swap one in)."""
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    @property
    def subscribers(self) -> tuple[Callable[P, R], ...]:
        """The connected functions, in the order they were connected."""
        return tuple(self._subscribers)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Call every subscriber with the payload; their answers, in order."""
        return [subscriber(*args, **kwargs) for subscriber in self._subscribers]

    def ask(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """The one subscriber's answer, for a question exactly one feature answers."""
        if len(self._subscribers) != 1:
            raise LookupError(
                f"hook {self.name!r} needs exactly one subscriber, has {len(self._subscribers)}"
            )
        return self._subscribers[0](*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name} ({len(self._subscribers)} subscribers)>"


REGISTRY: dict[str, Hook] = {}
