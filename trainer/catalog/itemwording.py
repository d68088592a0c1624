"""What the item-writing rules measure in one question, in every content language.

Option lengths, keyed options, negative words, counts, durations and comparatives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

KEY_LENGTH_RATIO = Fraction(3, 2)
"""No keyed option may be longer than this times the mean length of the options not keyed."""

# --------------------------------------------------------------------------- measuring


def text_length(text: str) -> int:
    """Return a text's length in characters (NFC, runs of white space counted as one)."""
    return len(" ".join(unicodedata.normalize("NFC", text).split()))


def normalized(text: str) -> str:
    """Return a text folded for comparison: case, punctuation, symbols and spacing."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in folded)
    return " ".join(kept.split())


def keyed_ids(question: Mapping[str, Any]) -> list[str]:
    """Return the keyed option ids of a single or multiple question."""
    correct = question["correct"]
    return [correct] if isinstance(correct, str) else list(correct or [])


def _option_lengths(question: Mapping[str, Any], lang: str) -> dict[str, int]:
    return {
        option["id"]: text_length(option["text"].get(lang, "")) for option in question["options"]
    }


def key_is_single_longest(question: Mapping[str, Any], lang: str) -> bool:
    """Whether a single-choice question's keyed option is strictly longer than every other."""
    lengths = _option_lengths(question, lang)
    key = question["correct"]
    others = [length for option_id, length in lengths.items() if option_id != key]
    return bool(others) and lengths.get(key, 0) > max(others)


def long_keys(question: Mapping[str, Any], lang: str) -> list[tuple[str, int, Fraction]]:
    """Return the keyed options longer than 1.5x the mean of the options not keyed.

    Each as (option id, its length, the mean of the options not keyed).
    """
    lengths = _option_lengths(question, lang)
    keyed = set(keyed_ids(question))
    others = [length for option_id, length in lengths.items() if option_id not in keyed]
    if not others:
        return []
    mean = Fraction(sum(others), len(others))
    return [
        (option_id, lengths[option_id], mean)
        for option_id in lengths
        if option_id in keyed and lengths[option_id] > KEY_LENGTH_RATIO * mean
    ]


def keys_all_but_one(question: Mapping[str, Any]) -> bool:
    """Whether a multi-select question keys every option but one (and has 3 or more)."""
    count = len(question["options"])
    return count >= 3 and len(keyed_ids(question)) == count - 1


def keys_all(question: Mapping[str, Any]) -> bool:
    """Whether a multi-select question keys every option."""
    return len(set(keyed_ids(question))) >= len(question["options"])


# --------------------------------------------------------------------------- wording

_ABOVE: dict[str, tuple[str, ...]] = {
    "en": (
        r"\b(all|none|neither|both|each|any) (of )?(the )?(above|previous|preceding)\b",
        r"\b(all|none|neither|both) of (these|them|those)\b",
        r"\ball (answers|options|choices) (are|above)\b",
    ),
    "es": (
        r"\b(todas|todos|ninguna|ninguno|ambas|ambos|las dos|los dos|cualquiera)( de)?"
        r"( las| los)?( (opciones|respuestas|alternativas))? anteriores\b",
        r"\b(todo|nada) (de )?lo anterior\b",
        r"\b(todas|ninguna) de (estas|ellas)\b",
    ),
    "vi": (
        r"(?<!\w)(tất cả|cả hai|cả ba|các|những)( các| những)? (ý|đáp án|câu|phương án|"
        r"lựa chọn|điều|câu trả lời)( ở)? trên(?!\w)",
        r"(?<!\w)tất cả đều (đúng|sai)(?!\w)",
        r"(?<!\w)không (có )?(ý|đáp án|câu|phương án|lựa chọn|điều|câu trả lời) nào(?!\w)",
    ),
    "zh": (r"以上(都|皆|均|全)", r"以上全部"),
}
ABOVE_PATTERNS: dict[str, re.Pattern[str]] = {
    lang: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    for lang, patterns in _ABOVE.items()
}
"""'All of the above' and 'none of the above' in each language."""

_NEGATIVE: dict[str, str] = {
    "en": r"\b(?:not|never|no|none|nobody|nothing|neither|nor|except|cannot|least|"
    r"\w+n['\u2019]t)\b",
    "es": r"\b(?:no|nunca|jamás|excepto|salvo|ningún|ninguno|ninguna|nadie|nada|tampoco|ni)\b",
    "vi": r"(?<!\w)(?:không bao giờ|không phải|không|chưa bao giờ|chưa|chẳng|đừng|chớ|"
    r"ngoại trừ)(?!\w)",
}
NEGATIVE_PATTERNS: dict[str, re.Pattern[str]] = {
    lang: re.compile(pattern, re.IGNORECASE) for lang, pattern in _NEGATIVE.items()
}
"""Negative words in stems, by language (Chinese is not checked)."""

_VI_NOT_NEGATIVE_AFTER = frozenset({"khí", "gian", "trung", "lưu", "phận", "quân"})
"""Vietnamese words that make `không` part of a noun (không khí: air; không gian: space)."""


_NOT_ONLY: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"\b(?:not|no) (?:only|just)\b", re.IGNORECASE),
    "es": re.compile(r"\bno (?:solo|sólo|solamente|únicamente)\b", re.IGNORECASE),
    "vi": re.compile(r"(?<!\w)không (?:chỉ|những)(?!\w)", re.IGNORECASE),
}
"""'Not only ... but': a negative word that does not make the question negative."""
_QUOTED = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d|\u00ab[^\u00bb]*\u00bb')
_SENTENCE_END = re.compile(r"(?<=[.?!\u3002\uff1f])\s+")


def asked_part(stem: str, kind: str) -> str:
    """Return what a stem asks: a true/false statement whole; otherwise its question
    sentences (those ending in '?'), or its last sentence; quoted words left out.

    A negative word in the situation a stem describes ("a companion will not leave the
    room. What does the form say?") does not make the question negative.
    """
    text = _QUOTED.sub(" ", unicodedata.normalize("NFC", stem))
    if kind == "true_false":
        return text
    sentences = [part for part in _SENTENCE_END.split(text.strip()) if part]
    asked = [part for part in sentences if part.rstrip().endswith(("?", "\uff1f"))]
    return " ".join(asked) if asked else (sentences[-1] if sentences else "")


def _emphasised(words: str) -> bool:
    """A negative word written in capitals (NOT, NUNCA, KHÔNG phải) is emphasised."""
    word = words.split()[0]
    return any(ch.isalpha() for ch in word) and word == word.upper()


def _vi_question_particle(text: str, match: re.Match[str]) -> bool:
    """Whether a Vietnamese `không`/`chưa` is a question particle or part of a noun."""
    word = match.group(0).casefold()
    if word not in ("không", "chưa"):
        return False
    after = text[match.end() :]
    before = text[: match.start()]
    if re.match(r"\s*[?\uff1f]", after) or re.search(r"(?<!\w)hay\s*$", before, re.IGNORECASE):
        return True
    next_word = re.match(r"\s+(\w+)", after)
    if word == "không" and next_word and next_word.group(1).casefold() in _VI_NOT_NEGATIVE_AFTER:
        return True
    return word == "không" and bool(re.search(r"(?<!\w)hàng\s*$", before, re.IGNORECASE))


def negative_words(text: str, lang: str) -> list[str]:
    """Return the negative words of a text that are not emphasised (written in capitals).

    Pass the part of the stem that asks (`asked_part`).
    """
    pattern = NEGATIVE_PATTERNS.get(lang)
    if pattern is None:
        return []
    text = unicodedata.normalize("NFC", text)
    not_only = _NOT_ONLY.get(lang)
    if not_only is not None:
        text = not_only.sub(lambda m: " " * len(m.group(0)), text)
    found = []
    for match in pattern.finditer(text):
        word = match.group(0)
        if _emphasised(word):
            continue
        if lang == "vi" and _vi_question_particle(text, match):
            continue
        if (
            lang == "es"
            and word.casefold() == "salvo"
            and re.search(r"(?<!\w)a\s*$", text[: match.start()], re.IGNORECASE)
        ):
            continue  # "a salvo": safe
        found.append(word)
    return found


_COUNT_WORDS: dict[str, dict[str, int]] = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6},
    "es": {"dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6},
    "vi": {"hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6},
    "zh": {},
}
_UNITS: dict[str, str] = {
    "en": r"(?:calendar |business |working )?(?:minutes?|hours?|days?|weeks?|months?|years?|"
    r"percent|times)\b",
    "es": r"(?:minutos?|horas?|días?|semanas?|mes(?:es)?|años?|por ciento|veces)\b",
    "vi": r"(?:phút|giờ|ngày|tuần|tháng|năm|lần|phần trăm|tuổi)(?!\w)",
    "zh": r"(?:分钟|小时|天|周|个月|年)",
}
_VI_YEAR_BEFORE = re.compile(
    r"(?<!\w)(?:\d+|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mỗi|hàng|hằng|trong|các|những|"
    r"cả|thứ)\s*$",
    re.IGNORECASE,
)


def counts_named(text: str, lang: str) -> list[tuple[str, int]]:
    """Return the counts a stem names ("three parts", "tres", "hai"), as (word, number).

    Numbers followed by a unit of time or a percentage are durations, not counts; so is
    a Vietnamese `năm` (five, or year) after another number word; `thứ hai` is an ordinal.
    """
    words = _COUNT_WORDS.get(lang, {})
    alternatives = [r"[2-6]", *map(re.escape, words)]
    pattern = re.compile(r"(?<![\w.,:/$])(" + "|".join(alternatives) + r")(?![\w.,:%/])", re.I)
    unit = re.compile(r"\s*" + _UNITS[lang], re.IGNORECASE)
    found = []
    text = unicodedata.normalize("NFC", text)
    for match in pattern.finditer(text):
        word = match.group(1)
        if unit.match(text, match.end()):
            continue
        before = text[: match.start()]
        if lang == "vi" and re.search(r"(?<!\w)thứ\s*$", before, re.IGNORECASE):
            continue
        if lang == "vi" and word.casefold() == "năm" and _VI_YEAR_BEFORE.search(before):
            continue
        value = int(word) if word.isdigit() else words[word.casefold()]
        found.append((word, value))
    return found


_NUMBER_WORDS = {
    "en": r"\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|sixty|ninety",
    "es": r"\d+|una?|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|doce|quince|veinte|"
    r"treinta|cuarenta|sesenta|noventa",
    "vi": r"\d+|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|ba mươi|chín mươi",
}
_MONTHS = {
    "en": "january|february|march|april|may|june|july|august|september|october|november|december",
    "es": "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    "noviembre|diciembre",
}
_DURATIONS: dict[str, str] = {
    "en": rf"\b(?:(?:{_NUMBER_WORDS['en']})[ -]{_UNITS['en']}|(?:every|each) "
    rf"(?:day|week|month|year)\b|annual(?:ly)?\b|yearly\b|(?:{_MONTHS['en']}) \d{{1,2}}\b|"
    rf"\b\d{{1,2}} (?:{_MONTHS['en']})\b|\d{{4}}-\d{{2}}-\d{{2}})",
    "es": rf"\b(?:(?:{_NUMBER_WORDS['es']})\s+{_UNITS['es']}|cada (?:día|semana|mes|año)\b|"
    rf"anual(?:mente)?\b|\d{{1,2}} de (?:{_MONTHS['es']})\b|\d{{4}}-\d{{2}}-\d{{2}})",
    "vi": r"(?<!\w)(?:ngày \d{1,2} tháng \d{1,2}(?: năm \d{4})?|"
    rf"(?:{_NUMBER_WORDS['vi']})\s+{_UNITS['vi']}|(?:mỗi|hằng|hàng) "
    r"(?:ngày|tuần|tháng|năm)(?!\w))",
}
DURATION_PATTERNS: dict[str, re.Pattern[str]] = {
    lang: re.compile(pattern, re.IGNORECASE) for lang, pattern in _DURATIONS.items()
}
"""Durations and dates ("30 days", "every year", "31 March") by language."""
_COMPARATIVES: dict[str, str] = {
    "en": r"\b(?:strict|stricter|strictest|shorter|shortest|longer|longest|earlier|earliest|"
    r"sooner|soonest|later|latest|tighter|tightest|first|(?:more|most|less|least) "
    r"(?:strict|demanding|time))\b",
    "es": r"\b(?:más|menos) (?:estrict[oa]s?|exigentes?|cort[oa]s?|larg[oa]s?|breves?|pronto|"
    r"temprano|tarde|riguros[oa]s?|tiempo)\b|\b(?:primero|antes)\b",
    "vi": r"(?<!\w)(?:(?:nghiêm ngặt|nghiêm|khắt khe|chặt chẽ|ngắn|dài|sớm|muộn|trễ)\s*"
    r"(?:hơn|nhất)|trước tiên)(?!\w)",
}
COMPARATIVE_PATTERNS: dict[str, re.Pattern[str]] = {
    lang: re.compile(pattern, re.IGNORECASE) for lang, pattern in _COMPARATIVES.items()
}
"""Words asking for the stricter, shorter, longer or earlier of two, by language."""


_RATE_BEFORE = re.compile(r"(?:[$\u20ac\u00a3]\s?[\d.,]+|\bper|\bpor|\bmỗi)\s*$", re.IGNORECASE)
"""A money amount or 'per' before a duration makes it a rate ("$15 an hour")."""


def durations_in(text: str, lang: str) -> list[str]:
    """Return the different durations and dates a text states (rates left out)."""
    pattern = DURATION_PATTERNS.get(lang)
    if pattern is None:
        return []
    text = unicodedata.normalize("NFC", text)
    found: dict[str, str] = {}
    for match in pattern.finditer(text):
        if _RATE_BEFORE.search(text[: match.start()]):
            continue
        found.setdefault(" ".join(match.group(0).casefold().split()), match.group(0))
    return list(found.values())


def comparative_in(text: str, lang: str) -> str | None:
    """Return the first comparative word of a text ("stricter", "más corto"), or None."""
    pattern = COMPARATIVE_PATTERNS.get(lang)
    match = None if pattern is None else pattern.search(unicodedata.normalize("NFC", text))
    return match.group(0) if match else None
