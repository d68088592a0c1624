"""Text folded for searching: no accents, no case ("González" and "GONZALEZ" -> "gonzalez")."""

from __future__ import annotations

import unicodedata

# Letters that carry their mark inside the letter itself (Unicode does not decompose them).
_PLAIN = str.maketrans(
    {"đ": "d", "ø": "o", "ł": "l", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe"}
)


def fold(text: str | None) -> str:
    """Lower-case `text` without accents or other marks, with its spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.translate(_PLAIN).split())


def like_pattern(text: str) -> str:
    """A LIKE pattern that finds the folded `text` anywhere (with `escape="\\\\"`)."""
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
