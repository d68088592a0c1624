"""The Spanish and Vietnamese catalogs cover every UI string and keep its placeholders."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message, TranslationError
from babel.messages.checkers import python_format
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "trainer" / "translations"
LANGUAGES = {"es": 2, "vi": 1}
# The same keywords as `pybabel extract -k _l -k lazy_gettext -k ngettext:1,2`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}

MsgKey = tuple[str | tuple[str, ...], str | None]


@cache
def extracted() -> dict[MsgKey, str]:
    """Every message the source marks for translation, with one place it comes from."""
    with (TRANSLATIONS / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[MsgKey, str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = tuple(message) if isinstance(message, list | tuple) else message
        found.setdefault((msgid, context), f"{filename}:{lineno}")
    return found


@cache
def catalog(lang: str) -> Catalog:
    """The catalog of one language, as read from its .po file."""
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def forms(message: Message) -> tuple[str, ...]:
    """The translations of a message: one string, or one per plural form."""
    return tuple(message.string) if message.pluralizable else (message.string,)


def placeholders(text: str) -> tuple[frozenset[str], Counter[str], int]:
    """Named placeholders, positional conversion types, and the number of literal `%%`."""
    named: set[str] = set()
    positional: Counter[str] = Counter()
    literal = 0
    for match in PYTHON_FORMAT.finditer(text):
        name, _spec, kind = match.groups()
        if name is not None:
            named.add(name)
        elif kind == "%":
            literal += 1
        else:
            positional[kind] += 1
    return frozenset(named), positional, literal


def placeholder_problems(message: Message, nplurals: int) -> list[str]:
    """How the translations of one message disagree with its msgid about placeholders."""
    ids = message.id if message.pluralizable else (message.id,)
    problems = []
    for index, text in enumerate(forms(message)):
        if not text:
            continue  # an empty translation is reported by the coverage test
        got = placeholders(text)
        if len(ids) == 1 or nplurals > 1:
            want = placeholders(ids[min(index, len(ids) - 1)])
            if got != want:
                problems.append(f"form {index}: {got} instead of {want}")
            continue
        # A language with a single plural form uses it for every count, so it may name any
        # placeholder of the plural msgid, must keep those common to both, and may not name
        # one that the singular msgid lacks when the singular has named ones (Babel's check).
        singular, plural = placeholders(ids[0]), placeholders(ids[1])
        allowed = plural[0] if not singular[0] else singular[0]
        if not (singular[0] & plural[0] <= got[0] <= (allowed | singular[0])):
            problems.append(f"form {index}: names {sorted(got[0])}")
        if got[1:] != plural[1:]:
            problems.append(f"form {index}: positional {got[1:]} instead of {plural[1:]}")
    return problems


def test_the_source_has_messages_to_check():
    ids = {msgid for msgid, _context in extracted()}
    assert "Sign in" in ids
    assert ("%(num)d certificate", "%(num)d certificates, newest first") in ids
    assert len(ids) > 500


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_extracted_message_is_translated(lang):
    cat = catalog(lang)
    missing = []
    for (msgid, context), where in sorted(extracted().items(), key=lambda kv: kv[1]):
        message = cat.get(msgid, context)
        if message is None:
            missing.append(f"{msgid!r} ({where}): not in the catalog")
        elif "fuzzy" in message.flags:
            missing.append(f"{msgid!r} ({where}): marked fuzzy")
        elif not all(forms(message)):
            missing.append(f"{msgid!r} ({where}): empty translation")
        elif message.pluralizable and len(forms(message)) != LANGUAGES[lang]:
            missing.append(f"{msgid!r} ({where}): not {LANGUAGES[lang]} plural forms")
    assert not missing, f"{len(missing)} untranslated in {lang}:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_catalog_header(lang):
    cat = catalog(lang)
    assert not cat.fuzzy
    assert str(cat.locale) == lang
    assert cat.num_plurals == LANGUAGES[lang]
    assert cat.charset.lower() == "utf-8"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_placeholders_match(lang):
    cat = catalog(lang)
    wrong = {
        message.id: problems
        for message in cat
        if message.id and (problems := placeholder_problems(message, cat.num_plurals))
    }
    assert not wrong, "\n".join(f"{msgid!r}: {p}" for msgid, p in wrong.items())


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_catalog_compiles_without_format_errors(lang):
    cat = catalog(lang)
    errors = []
    for message in cat:
        if not message.id:
            continue
        try:
            python_format(cat, message)
        except TranslationError as exc:
            errors.append(f"{message.id!r}: {exc}")
    assert not errors, "\n".join(errors)


def test_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    ok = Message("Hello %(name)s, %(n)d%%", "Hola %(name)s, %(n)d%%")
    dropped = Message("Hello %(name)s, %(n)d%%", "Hola, %(n)d%%")
    renamed = Message("Hello %(name)s, %(n)d%%", "Hola %(nombre)s, %(n)d%%")
    single_percent = Message("Pass mark %(n)d%%", "Aprobado con %(n)d%")
    assert placeholder_problems(ok, 2) == []
    assert placeholder_problems(dropped, 2)
    assert placeholder_problems(renamed, 2)
    assert placeholder_problems(single_percent, 2)


def test_single_plural_form_may_use_the_plural_placeholders():
    msgid = ("every day", "every %(num)d days")
    assert placeholder_problems(Message(msgid, ("mỗi %(num)d ngày",)), 1) == []
    lost = Message(("%(num)d item at %(low)s", "%(num)d items from %(low)s"), ("%(num)d mục",))
    assert placeholder_problems(lost, 1)
