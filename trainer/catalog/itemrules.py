"""Item-writing rules: checks that a test measures what a learner learned, not how
test-wise they are (format and rationale: modules/README.md, "Item-writing rules").

Pure functions over loaded items. Each rule has a stable code; a finding names its code,
and a justified exception is acknowledged on the item in questions.yaml with
``accept: {<code>: "reason"}``. The loader records where every item and text stands
(`ItemSource`) so that each finding is printed as ``path:line: message``.

A *question* is a top-level item that is not a scenario, or one question of a scenario;
single-choice questions include those inside scenarios. What the rules measure in a
question's wording (lengths, keyed options, negative words, counts, durations) is in
`itemwording`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from trainer.catalog.itemwording import (
    ABOVE_PATTERNS,
    COMPARATIVE_PATTERNS,
    DURATION_PATTERNS,
    KEY_LENGTH_RATIO,
    NEGATIVE_PATTERNS,
    asked_part,
    comparative_in,
    counts_named,
    durations_in,
    key_is_single_longest,
    keyed_ids,
    keys_all,
    keys_all_but_one,
    long_keys,
    negative_words,
    normalized,
    text_length,
)

LONGEST_OPTION_SHARE = Fraction(35, 100)
"""At most this share of a module's single-choice questions may key the single longest option."""
ALL_BUT_ONE_SHARE = Fraction(1, 4)
"""At most this share of a module's multi-select questions may key all options but one."""

RULES: dict[str, str] = {
    "longest-option": "the keyed option is the single longest option in at most 35% of a "
    "module's single-choice questions, in every language",
    "key-length": "no keyed option is more than 1.5 times the mean length of the options "
    "not keyed, in any language",
    "multi-all-but-one": "at most a quarter of a module's multi-select questions key all "
    "options but one",
    "multi-all": "no multi-select question keys every option",
    "all-of-the-above": "no 'all of the above' or 'none of the above' option, in any language",
    "negative-stem": "no negative word in a stem unless it is written in capitals",
    "giveaway-count": "no multi-select stem naming the number of keyed options",
    "giveaway-comparison": "no stem that states two durations or dates and asks for the "
    "stricter, shorter or longer one",
    "duplicate-text": "no stem or option text repeated in a module or across the modules of "
    "a track",
}
"""Every rule an item may break, by its stable code (the keys `accept:` may name)."""


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ItemSource:
    """Where an item (or a scenario's question) and its texts stand in questions.yaml.

    `stem`, `case` and each option's text map a language to its line; `accept` maps a
    rule code to the reason given for the exception.
    """

    path: str
    line: int
    module: str
    stem: Mapping[str, int] = field(default_factory=dict)
    case: Mapping[str, int] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    accept: Mapping[str, str] = field(default_factory=dict)
    accept_lines: Mapping[str, int] = field(default_factory=dict)
    questions: Mapping[str, ItemSource] = field(default_factory=dict)

    def text_line(self, where: str, lang: str, option: str | None = None) -> int:
        """Return the line of a text (`stem`, `case` or an `option`) in `lang`."""
        if option is not None:
            return self.options.get(option, {}).get(lang, self.line)
        lines = self.case if where == "case" else self.stem
        return lines.get(lang, self.line)


@dataclass(frozen=True)
class ModuleBank:
    """A module's resolved items with their sources, as the rules see them."""

    slug: str
    component: int
    languages: tuple[str, ...]
    items: tuple[dict[str, Any], ...]
    sources: Mapping[str, ItemSource]
    extends_at: tuple[str, int] | None = None
    """Where module.yaml says `extends` (path, line), for inherited items."""


@dataclass(frozen=True, order=True)
class Finding:
    """One broken rule, printed as ``path:line: code (language): message``."""

    path: str
    line: int
    message: str
    code: str = field(compare=False, default="")
    module: str = field(compare=False, default="")

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Question:
    """One question of a module with where it stands and the texts around it."""

    key: str
    question: Mapping[str, Any]
    source: ItemSource
    item_source: ItemSource
    case: Mapping[str, str]

    @property
    def kind(self) -> str:
        """The question's type: single, multiple or true_false."""
        return self.question["type"]

    def accepts(self, code: str) -> bool:
        """Whether the question or its scenario acknowledges an exception to `code`."""
        return code in self.source.accept or code in self.item_source.accept


def questions_of(bank: ModuleBank) -> Iterator[Question]:
    """Yield every question of a module: top-level items and each scenario's questions."""
    for item in bank.items:
        source = bank.sources[item["id"]]
        if item["type"] == "scenario":
            for sub in item["questions"]:
                sub_source = source.questions.get(sub["id"], source)
                yield Question(f"{item['id']}.{sub['id']}", sub, sub_source, source, item["case"])
        else:
            yield Question(item["id"], item, source, source, {})


# --------------------------------------------------------------------------- hits


@dataclass(frozen=True)
class _Hit:
    """A broken rule before acknowledgements: the questions it concerns and its report.

    An acknowledgement on any of `questions` (or their scenarios) covers the hit.
    """

    code: str
    module: str
    questions: tuple[Question, ...]
    path: str
    line: int
    message: str

    def acknowledged(self) -> bool:
        return any(question.accepts(self.code) for question in self.questions)

    def finding(self) -> Finding:
        return Finding(self.path, self.line, self.message, self.code, self.module)


def _hit(
    code: str, bank: ModuleBank, question: Question, line: int, message: str, lang: str | None
) -> _Hit:
    where = f"{code} ({lang})" if lang else code
    text = f"{where}: {message} [{bank.slug}: {question.key}]"
    return _Hit(code, bank.slug, (question,), question.source.path, line, text)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def longest_option_candidates(bank: ModuleBank, lang: str) -> tuple[list[Question], int]:
    """Return the single-choice questions whose key is the single longest option in
    `lang`, and how many single-choice questions the module has."""
    singles = [q for q in questions_of(bank) if q.kind == "single"]
    return [q for q in singles if key_is_single_longest(q.question, lang)], len(singles)


def all_but_one_candidates(bank: ModuleBank) -> tuple[list[Question], int]:
    """Return the multi-select questions keying all options but one, and how many
    multi-select questions the module has."""
    multiples = [q for q in questions_of(bank) if q.kind == "multiple"]
    return [q for q in multiples if keys_all_but_one(q.question)], len(multiples)


def counted_share(code: str, candidates: Sequence[Question], total: int) -> tuple[int, int]:
    """Return (numerator, denominator) of a share rule: acknowledged questions leave the
    numerator only."""
    return sum(1 for q in candidates if not q.accepts(code)), total


@dataclass(frozen=True)
class _Share:
    code: str
    limit: Fraction
    describe: str


_LONGEST = _Share("longest-option", LONGEST_OPTION_SHARE, "the keyed option is the single longest")
_ALL_BUT_ONE = _Share("multi-all-but-one", ALL_BUT_ONE_SHARE, "every option but one is keyed")


def _share_hits(
    rule: _Share, bank: ModuleBank, candidates: list[Question], total: int, lang: str | None
) -> tuple[bool, list[_Hit]]:
    """Return (over the limit?, a hit per candidate) for a rule on a module's share."""
    counted, _ = counted_share(rule.code, candidates, total)
    tail = (
        f"in this module that holds for {counted} of {total} questions "
        f"({_percent(counted, total)}), at most {round(rule.limit * 100)}% allowed"
    )
    hits = []
    for question in candidates:
        key = question.question["correct"]
        line = (
            question.source.text_line("option", lang, key)
            if lang is not None and isinstance(key, str)
            else question.source.line
        )
        hits.append(_hit(rule.code, bank, question, line, f"{rule.describe}; {tail}", lang))
    return bool(total) and Fraction(counted, total) > rule.limit, hits


def _module_share_hits(bank: ModuleBank) -> tuple[list[_Hit], list[_Hit]]:
    """Return (reported, every candidate) hits of the two share rules."""
    reported: list[_Hit] = []
    every: list[_Hit] = []
    for lang in bank.languages:
        over, hits = _share_hits(_LONGEST, bank, *longest_option_candidates(bank, lang), lang)
        every += hits
        reported += hits if over else []
    over, hits = _share_hits(_ALL_BUT_ONE, bank, *all_but_one_candidates(bank), None)
    every += hits
    reported += hits if over else []
    return reported, every


def _option_hits(bank: ModuleBank, question: Question, lang: str) -> Iterator[_Hit]:
    """key-length and all-of-the-above in one language."""
    q, source = question.question, question.source
    for option_id, length, mean in long_keys(q, lang):
        yield _hit(
            "key-length",
            bank,
            question,
            source.text_line("option", lang, option_id),
            f"keyed option '{option_id}' has {length} characters, more than 1.5 x "
            f"{float(mean):.1f} (the mean length of the options not keyed)",
            lang,
        )
    pattern = ABOVE_PATTERNS.get(lang)
    for option in q["options"]:
        match = pattern.search(option["text"].get(lang, "")) if pattern else None
        if match:
            yield _hit(
                "all-of-the-above",
                bank,
                question,
                source.text_line("option", lang, option["id"]),
                f"option '{option['id']}' says \"{match.group(0)}\": write a real option",
                lang,
            )


def _stem_hits(bank: ModuleBank, question: Question, lang: str) -> Iterator[_Hit]:
    """negative-stem, giveaway-count and giveaway-comparison in one language."""
    q = question.question
    stem = q["stem"].get(lang, "")
    line = question.source.text_line("stem", lang)
    words = list(dict.fromkeys(negative_words(asked_part(stem, q["type"]), lang)))
    if words:
        shown = ", ".join(f'"{word}"' for word in words)
        yield _hit(
            "negative-stem",
            bank,
            question,
            line,
            f"the stem uses {shown}: ask positively, or write the negative word in capitals",
            lang,
        )
    if q["type"] == "multiple":
        keyed = len(keyed_ids(q))
        named = [word for word, value in counts_named(stem, lang) if value == keyed]
        if named:
            yield _hit(
                "giveaway-count",
                bank,
                question,
                line,
                f'the stem says "{named[0]}" and {keyed} options are keyed',
                lang,
            )
    stated = durations_in(f"{question.case.get(lang, '')}\n{stem}", lang)
    comparative = comparative_in(stem, lang)
    if len(stated) >= 2 and comparative:
        shown = ", ".join(f'"{duration}"' for duration in stated)
        yield _hit(
            "giveaway-comparison",
            bank,
            question,
            line,
            f'the stem states {shown} and asks for the "{comparative}" one: ask about one '
            "rule at a time",
            lang,
        )


def _question_hits(bank: ModuleBank, question: Question) -> Iterator[_Hit]:
    """Every rule on one question but the shares and duplicates."""
    q = question.question
    if q["type"] == "multiple" and keys_all(q):
        yield _hit(
            "multi-all",
            bank,
            question,
            question.source.line,
            "every option is keyed: add options that are not",
            None,
        )
    for lang in bank.languages:
        if q["type"] in ("single", "multiple"):
            yield from _option_hits(bank, question, lang)
        yield from _stem_hits(bank, question, lang)


# --------------------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class _Place:
    """One text (a case, a stem or an option) of one question in one language."""

    identity: tuple[str, str, str]  # (path, question or scenario key, text: case|stem|<option>)
    kind: str  # "stem" (stems and cases) or "option": texts are compared within a kind
    lang: str
    text: str
    line: int
    order: tuple[int, str, int]  # the declaring module's component, path, line
    module: str
    question: Question
    what: str


def _places(bank: ModuleBank, component_of: Mapping[str, int]) -> Iterator[_Place]:
    """Every case, stem and option text of a module, in every language it declares."""
    for question in questions_of(bank):
        source, q = question.source, question.question
        component = component_of.get(source.module, bank.component)
        scenario = question.key.split(".", 1)[0]
        for lang in bank.languages:
            # (compared as, field, option id, text, described as)
            texts: list[tuple[str, str, str | None, str, str]] = [
                ("stem", "stem", None, q["stem"].get(lang, ""), "stem")
            ]
            if question.case:
                texts.append(
                    ("stem", "case", None, question.case.get(lang, ""), f"case of '{scenario}'")
                )
            texts += [
                ("option", "option", o["id"], o["text"].get(lang, ""), f"option '{o['id']}'")
                for o in q.get("options", [])
            ]
            for kind, where, option, text, what in texts:
                if not normalized(text):
                    continue
                if where == "case":
                    line = question.item_source.text_line("case", lang)
                    identity = (source.path, scenario, "case")
                else:
                    line = source.text_line(where, lang, option)
                    identity = (source.path, question.key, f"{where}/{option or ''}")
                order = (component, source.path, line)
                yield _Place(
                    identity, kind, lang, normalized(text), line, order, bank.slug, question, what
                )


def _duplicate_hits(scope: Sequence[ModuleBank], component_of: Mapping[str, int]) -> list[_Hit]:
    """Texts repeated in the modules of `scope` (one module, or one track's modules).

    The same item inherited by two modules is one place; `_inherited_hits` reports it.
    Each repeat is reported at the later place (by component, then file and line), once
    for all the languages it repeats in.
    """
    groups: dict[tuple[str, str, str], dict[tuple[str, str, str], _Place]] = defaultdict(dict)
    for bank in scope:
        for place in _places(bank, component_of):
            groups[(place.kind, place.lang, place.text)].setdefault(place.identity, place)
    pairs: dict[tuple[tuple[str, str, str], tuple[str, str, str]], list[_Place]] = {}
    firsts: dict[tuple[tuple[str, str, str], tuple[str, str, str]], _Place] = {}
    for places in groups.values():
        if len(places) < 2:
            continue
        ordered = sorted(places.values(), key=lambda place: place.order)
        for place in ordered[1:]:
            key = (place.identity, ordered[0].identity)
            pairs.setdefault(key, []).append(place)
            firsts.setdefault(key, ordered[0])
    hits = []
    for key, placed in pairs.items():
        place, first = placed[0], firsts[key]
        langs = ", ".join(dict.fromkeys(p.lang for p in placed))
        other = "" if first.module == place.module else f" in module '{first.module}'"
        hits.append(
            _Hit(
                "duplicate-text",
                place.module,
                (place.question, first.question),
                place.question.source.path,
                place.line,
                f"duplicate-text ({langs}): this {place.what} repeats the {first.what} of "
                f"'{first.question.key}'{other} ({first.question.source.path}:{first.line}) "
                f"[{place.module}: {place.question.key}]",
            )
        )
    return hits


def _inherited_hits(track: str, scope: Sequence[ModuleBank]) -> list[_Hit]:
    """Items a module inherits from another module of the same track: asked twice."""
    hits = []
    for index, bank in enumerate(scope):
        earlier = {
            (source.path, item_id): other
            for other in scope[:index]
            for item_id, source in other.sources.items()
        }
        for item in bank.items:
            source = bank.sources[item["id"]]
            other = earlier.get((source.path, item["id"]))
            if other is None or source.module == bank.slug:
                continue
            question = Question(item["id"], item, source, source, item.get("case", {}))
            path, line = bank.extends_at or (source.path, source.line)
            hits.append(
                _Hit(
                    "duplicate-text",
                    bank.slug,
                    (question,),
                    path,
                    line,
                    f"duplicate-text: item '{item['id']}' is in module '{other.slug}' and "
                    f"inherited here, and track '{track}' runs both, so a learner may be asked "
                    f"it twice: drop it (drop_items) or replace it with a parallel item "
                    f"[{bank.slug}: {item['id']}]",
                )
            )
    return hits


# --------------------------------------------------------------------------- checking


def _all_sources(banks: Iterable[ModuleBank]) -> dict[tuple[str, int], ItemSource]:
    found: dict[tuple[str, int], ItemSource] = {}
    for bank in banks:
        for source in bank.sources.values():
            found[(source.path, source.line)] = source
            for sub in source.questions.values():
                found[(sub.path, sub.line)] = sub
    return found


def _stale_acknowledgements(banks: Sequence[ModuleBank], every: Iterable[_Hit]) -> list[Finding]:
    """Acknowledgements naming a rule the item does not break: they must go."""
    used = {
        (source.path, source.line, hit.code)
        for hit in every
        for question in hit.questions
        for source in (question.source, question.item_source)
    }
    stale = []
    for (path, line), source in sorted(_all_sources(banks).items()):
        for code in source.accept:
            if code in RULES and (path, line, code) not in used:
                stale.append(
                    Finding(
                        path,
                        source.accept_lines.get(code, line),
                        f"accept: '{code}' is acknowledged but the item does not break that "
                        "rule: remove the acknowledgement",
                        "accept",
                        source.module,
                    )
                )
    return stale


def check_items(
    banks: Sequence[ModuleBank], tracks: Sequence[tuple[str, Sequence[str]]] = ()
) -> list[Finding]:
    """Return every item-writing finding of the modules, and every stale acknowledgement.

    `tracks` are (slug, module slugs in order): texts are compared across the modules of
    each track and inside every module.
    """
    by_slug = {bank.slug: bank for bank in banks}
    component_of = {bank.slug: bank.component for bank in banks}
    reported: list[_Hit] = []
    every: list[_Hit] = []
    for bank in banks:
        shown, candidates = _module_share_hits(bank)
        reported += shown
        every += candidates
        for question in questions_of(bank):
            hits = list(_question_hits(bank, question))
            reported += hits
            every += hits
        duplicates = _duplicate_hits([bank], component_of)
        reported += duplicates
        every += duplicates
    for slug, modules in tracks:
        scope = [by_slug[module] for module in modules if module in by_slug]
        hits = _duplicate_hits(scope, component_of) + _inherited_hits(slug, scope)
        reported += hits
        every += hits
    findings = {hit.finding() for hit in reported if not hit.acknowledged()}
    findings.update(_stale_acknowledgements(banks, every))
    return sorted(findings)


#: The names moved to the modules above stay importable from here.
__all__ = [
    "ABOVE_PATTERNS",
    "ALL_BUT_ONE_SHARE",
    "COMPARATIVE_PATTERNS",
    "DURATION_PATTERNS",
    "KEY_LENGTH_RATIO",
    "LONGEST_OPTION_SHARE",
    "NEGATIVE_PATTERNS",
    "RULES",
    "Finding",
    "ItemSource",
    "ModuleBank",
    "Question",
    "all_but_one_candidates",
    "asked_part",
    "check_items",
    "comparative_in",
    "counted_share",
    "counts_named",
    "durations_in",
    "key_is_single_longest",
    "keyed_ids",
    "keys_all",
    "keys_all_but_one",
    "long_keys",
    "longest_option_candidates",
    "negative_words",
    "normalized",
    "questions_of",
    "text_length",
]
