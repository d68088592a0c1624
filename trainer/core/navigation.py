"""The header's links, contributed by each feature when its blueprint is registered.

A feature's `views.py` lists its links (`NAVIGATION`); the application factory adds them
with `add_links`, and every page shows those the signed-in person may follow, ordered by
`order` (so a new feature's links take their place without editing a central list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user

EXTENSION_KEY = "trainer.navigation"


@dataclass(frozen=True)
class NavLink:
    """One link of the header: where it goes, its label, its place, and who sees it."""

    endpoint: str
    label: object  # a lazy translated string
    order: int
    visible: Callable[[Any], bool]


def add_links(app: Flask, links: Iterable[NavLink]) -> None:
    """Add a feature's links to the header (once per endpoint)."""
    registered: list[NavLink] = app.extensions.setdefault(EXTENSION_KEY, [])
    known = {link.endpoint for link in registered}
    registered.extend(link for link in links if link.endpoint not in known)
    registered.sort(key=lambda link: link.order)


def navigation() -> list[dict[str, object]]:
    """Links the signed-in person may follow, in a stable order."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return []
    return [
        {
            "url": url_for(link.endpoint),
            "label": link.label,
            "current": request.endpoint == link.endpoint,
        }
        for link in current_app.extensions.get(EXTENSION_KEY, [])
        if link.endpoint in current_app.view_functions and link.visible(current_user)
    ]
