"""Pick the right translation out of a content text mapping."""

from __future__ import annotations

from collections.abc import Mapping

FALLBACK_LANGUAGE = "en"


def localized(texts: Mapping[str, str] | None, language: str) -> str:
    """Return the text in `language`, else in English, else any text there is ("" if none)."""
    if not texts:
        return ""
    for lang in (language, FALLBACK_LANGUAGE):
        text = texts.get(lang)
        if text:
            return text
    return next((text for text in texts.values() if text), "")
