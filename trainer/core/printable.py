"""Text that documents print: names on certificates, access sheets and reports.

The PDFs embed the shipped Noto Sans faces only (Latin, including Vietnamese, Greek and
Cyrillic), so a name in a script those faces lack would print as empty boxes. Such a name
is refused when it is entered, with the characters named, rather than printed wrongly.
Bidirectional control characters (which can reorder what a reader sees) are removed.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from fontTools.ttLib import TTFont
from wtforms.validators import ValidationError

#: The faces every document embeds (regular and bold share one character map).
FONT = Path(__file__).resolve().parent.parent / "certificates" / "fonts" / "NotoSans-Regular.ttf"
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@cache
def _covered() -> frozenset[int]:
    with TTFont(str(FONT), lazy=True) as font:
        return frozenset(font.getBestCmap())


def clean(text: str | None) -> str | None:
    """NFC-normalised, bidirectional controls removed, surrounding space trimmed."""
    if text is None:
        return None
    text = "".join(ch for ch in unicodedata.normalize("NFC", text) if ch not in BIDI_CONTROLS)
    return text.strip()


def unprintable(text: str) -> list[str]:
    """The distinct characters of `text` the documents cannot print, in order of appearance."""
    covered = _covered()
    seen: list[str] = []
    for ch in text:
        if ch.isspace() and ch in " \u00a0":
            continue
        bad = ord(ch) not in covered or unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs")
        if bad and ch not in seen:
            seen.append(ch)
    return seen


class Printable:
    """WTForms validator: every character can be printed on the platform's documents."""

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            return
        bad = unprintable(field.data)
        if bad:
            raise ValidationError(
                _l(
                    "These characters cannot be printed on the certificate: %(chars)s. "
                    "Please write the name in Latin letters, for example as on an ID card.",
                    chars=" ".join(bad[:10]),
                )
            )
