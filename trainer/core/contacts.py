"""Reporting contacts as lessons show them, and lenient phone numbers.

The contacts come from two places: the jurisdiction's rule file (emergency, police,
hotlines; see `modules/rules/README.md`) and the organization's own (a security desk, a
manager on duty). The compliance feature puts them together in a `ContactsBox`, already
in the learner's language; lessons and the content preview only display it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Kinds of contact; `workplace` is an organization's own.
WORKPLACE = "workplace"
EMERGENCY = "emergency"

_PHONE_RE = re.compile(
    r"""^\s*
    (?P<main>\+?[0-9(][0-9 ().\-/]*)?      # a number: digits and the usual separators
    \s*
    (?:(?:ext\.?|extension|x)\s*(?P<ext>[0-9]{1,6}))?   # an extension
    \s*$""",
    re.IGNORECASE | re.VERBOSE,
)
MAX_PHONE_DIGITS = 15


@dataclass(frozen=True)
class PhoneNumber:
    """A phone number as typed, cleaned up, with a `tel:` link when it can be dialed."""

    shown: str
    tel: str | None


def parse_phone(value: str) -> PhoneNumber | None:
    """Read a phone number leniently; None when it is not one.

    Accepted: digits with spaces, `+ - . ( ) /`, and an extension after `ext`, `ext.`,
    `extension` or `x` ("(713) 555-0100 ext. 12", "911", "ext 4500"). A `tel:` link is made
    for a three-digit service number (911) or a number of ten digits or more; a short
    internal extension is shown without one, since a mobile phone cannot dial it.
    """
    match = _PHONE_RE.fullmatch(value or "")
    if match is None:
        return None
    main, ext = match["main"], match["ext"]
    digits = re.sub(r"\D", "", main or "")
    if not digits and not ext:
        return None
    if main and not digits:
        return None
    if len(digits) > MAX_PHONE_DIGITS:
        return None
    shown = " ".join(value.split())
    tel = None
    if len(digits) == 3 and not (main or "").strip().startswith("+"):
        tel = f"tel:{digits}"
    elif len(digits) >= 10:
        if (main or "").strip().startswith("+"):
            number = f"+{digits}"
        elif len(digits) == 10:
            number = f"+1{digits}"
        elif len(digits) == 11 and digits.startswith("1"):
            number = f"+{digits}"
        else:
            number = digits
        tel = f"tel:{number}" + (f";ext={ext}" if ext else "")
    return PhoneNumber(shown, tel)


def tel_uri(phone: str) -> str | None:
    """The `tel:` link for a phone number, or None (see `parse_phone`)."""
    parsed = parse_phone(phone)
    return parsed.tel if parsed else None


@dataclass(frozen=True)
class ContactLine:
    """One contact in the learner's language, ready to display.

    An `unconfirmed` contact has no number: `where` says where to find it (the sign
    posted at the workplace). Never show a number that is not given here.
    """

    label: str
    kind: str
    phone: str | None = None
    tel: str | None = None
    text: str | None = None
    text_keyword: str | None = None
    note: str = ""
    where: str = ""
    unconfirmed: bool = False
    source: str = ""


@dataclass(frozen=True)
class ContactsBox:
    """What a lesson's contacts box shows: emergency first, the workplace's, the others."""

    emergency: tuple[ContactLine, ...] = ()
    workplace: tuple[ContactLine, ...] = ()
    others: tuple[ContactLine, ...] = ()
    workplace_name: str = ""

    def __bool__(self) -> bool:
        return bool(self.emergency or self.workplace or self.others)
