"""Small request-safety helpers shared by views."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site (no scheme, host or `//`).

    Control characters (CR/LF would split the Location header), spaces and backslashes
    are refused too, as is anything longer than a URL needs to be.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if len(target) > 2000 or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target
