"""The glossary (modules/glossary.yaml): one preferred term per concept and language,
and the variants to avoid (format: modules/README.md, "glossary.yaml").

`load_glossary` validates the file strictly; `check_terms` flags every variant to avoid
in the learner-facing texts of that language: lessons, documents, module and item texts,
tracks and jurisdiction rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from trainer.catalog.itemrules import Finding
from trainer.core import vocabulary
from trainer.core.yamlsrc import LineDict, LineList, Problem, load_yaml

GLOSSARY_FILE = "glossary.yaml"
GLOSSARY_LANGUAGES: tuple[str, ...] = vocabulary.LANGUAGES
"""Languages every glossary term must give."""
OPTIONAL_LANGUAGES: tuple[str, ...] = tuple(
    lang for lang in vocabulary.CONTENT_LANGUAGES if lang not in vocabulary.LANGUAGES
)
_ID = re.compile(r"[a-z0-9-]+")
_MARKDOWN_FILE = re.compile(r".+\.([a-z]{2})\.md")


@dataclass(frozen=True)
class Variant:
    """A wording to avoid in one language, and the term to write instead."""

    term: str
    lang: str
    text: str
    preferred: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Term:
    """One concept: its preferred wording per language and the variants to avoid."""

    id: str
    preferred: dict[str, str]
    avoid: dict[str, tuple[str, ...]]


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Match a phrase as whole words, any case, any white space between its words."""
    words = unicodedata.normalize("NFC", phrase).split()
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


class _Reader:
    """Collects the problems of glossary.yaml while reading it."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown, line, message))

    def fields(self, data: LineDict, required: set[str], optional: set[str], what: str) -> None:
        for key in data:
            if key not in required | optional:
                self.add(data.line_of(key), f"unknown field '{key}' in {what}")
        for key in sorted(required - set(data)):
            self.add(data.line, f"missing required field '{key}' in {what}")

    def text(self, value: Any, line: int, what: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
        self.add(line, f"{what} must be non-empty text, not {value!r}")
        return None

    def language(self, term: LineDict, lang: str, term_id: str) -> tuple[str, list[str]] | None:
        """Return (preferred, variants) of one language of a term."""
        entry = term[lang]
        line = term.line_of(lang)
        if not isinstance(entry, LineDict):
            self.add(line, f"'{lang}' of term '{term_id}' must be a mapping with 'use' and 'avoid'")
            return None
        self.fields(entry, {"use"}, {"avoid"}, f"'{lang}' of term '{term_id}'")
        preferred = self.text(entry.get("use"), entry.line_of("use"), f"'use' in '{lang}'")
        raw = entry.get("avoid", [])
        if raw is None:
            raw = []
        if not isinstance(raw, LineList | list):
            self.add(entry.line_of("avoid"), f"'avoid' in '{lang}' must be a list of texts")
            raw = []
        variants: list[str] = []
        for index, value in enumerate(raw):
            at = raw.line_of(index) if isinstance(raw, LineList) else entry.line_of("avoid")
            variant = self.text(value, at, f"a variant in '{lang}'")
            if variant is None:
                continue
            if variant.casefold() in (v.casefold() for v in variants):
                self.add(at, f"variant '{variant}' listed twice in '{lang}'")
                continue
            variants.append(variant)
        return (preferred, variants) if preferred is not None else None


def _term(reader: _Reader, raw: Any, line: int) -> tuple[Term, LineDict] | None:
    if not isinstance(raw, LineDict):
        reader.add(line, "a term must be a mapping")
        return None
    reader.fields(raw, {"id", *GLOSSARY_LANGUAGES}, {"note", *OPTIONAL_LANGUAGES}, "a term")
    term_id = raw.get("id")
    if not isinstance(term_id, str) or not _ID.fullmatch(term_id):
        reader.add(raw.line_of("id"), f"a term id must match {_ID.pattern}, not {term_id!r}")
        term_id = None
    if "note" in raw:
        reader.text(raw["note"], raw.line_of("note"), "'note'")
    preferred: dict[str, str] = {}
    avoid: dict[str, tuple[str, ...]] = {}
    for lang in (*GLOSSARY_LANGUAGES, *OPTIONAL_LANGUAGES):
        if lang not in raw:
            continue
        found = reader.language(raw, lang, term_id or "?")
        if found is not None:
            preferred[lang], variants = found[0], found[1]
            avoid[lang] = tuple(variants)
    if term_id is None:
        return None
    return Term(term_id, preferred, avoid), raw


def _cross_checks(reader: _Reader, terms: list[tuple[Term, LineDict]]) -> None:
    """Ids unique; a variant belongs to one term and never matches a preferred term."""
    seen_ids: set[str] = set()
    owners: dict[tuple[str, str], str] = {}
    for term, raw in terms:
        if term.id in seen_ids:
            reader.add(raw.line_of("id"), f"duplicate term id '{term.id}'")
        seen_ids.add(term.id)
        for lang, variants in term.avoid.items():
            for variant in variants:
                key = (lang, variant.casefold())
                if key in owners and owners[key] != term.id:
                    reader.add(
                        raw.line_of(lang),
                        f"variant '{variant}' in '{lang}' is also listed under term "
                        f"'{owners[key]}'",
                    )
                owners.setdefault(key, term.id)
                pattern = phrase_pattern(variant)
                for other, _ in terms:
                    preferred = other.preferred.get(lang)
                    if preferred and pattern.search(unicodedata.normalize("NFC", preferred)):
                        reader.add(
                            raw.line_of(lang),
                            f"variant '{variant}' in '{lang}' occurs in the preferred term "
                            f"'{preferred}' of '{other.id}': the check would flag it",
                        )


def load_glossary(path: Path, shown: str) -> tuple[list[Variant], list[Problem]]:
    """Read and check glossary.yaml; return every variant to avoid, and the problems."""
    data, problems = load_yaml(path, shown)
    reader = _Reader(shown)
    reader.problems.extend(problems)
    if problems:
        return [], reader.problems
    if not isinstance(data, LineDict):
        reader.add(getattr(data, "line", 1), "the file's top level must be a mapping")
        return [], reader.problems
    reader.fields(data, {"terms"}, set(), GLOSSARY_FILE)
    raw = data.get("terms")
    if not isinstance(raw, LineList):
        if "terms" in data:
            reader.add(data.line_of("terms"), "'terms' must be a list")
        return [], reader.problems
    terms = [
        found for i, entry in enumerate(raw) if (found := _term(reader, entry, raw.line_of(i)))
    ]
    _cross_checks(reader, terms)
    if reader.problems:
        return [], reader.problems
    variants = [
        Variant(term.id, lang, variant, term.preferred[lang], phrase_pattern(variant))
        for term, _ in terms
        for lang, listed in term.avoid.items()
        for variant in listed
    ]
    return variants, []


# --------------------------------------------------------------------------- scanning


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TEXT_LANGUAGES = frozenset((*GLOSSARY_LANGUAGES, *OPTIONAL_LANGUAGES))


def _yaml_texts(node: yaml.Node | None) -> Iterator[tuple[str, str, int]]:
    """Yield (language, text, line of its key) for every translated text in a YAML tree.

    Walks the composed nodes (the fast parser; the loader checks the files themselves).
    """
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value in _TEXT_LANGUAGES
                and isinstance(value, yaml.ScalarNode)
            ):
                yield key.value, value.value, key.start_mark.line + 1
            else:
                yield from _yaml_texts(value)
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            yield from _yaml_texts(value)


def scan(
    variants: list[Variant], lang: str, text: str, path: str, line: int, module: str, markdown: bool
) -> Iterator[Finding]:
    """Yield a finding for every variant to avoid in one text of language `lang`.

    In Markdown the line is that of the match; in YAML, that of the text's key.
    """
    text = unicodedata.normalize("NFC", text)
    for variant in variants:
        if variant.lang != lang:
            continue
        for match in variant.pattern.finditer(text):
            at = line + text.count("\n", 0, match.start()) if markdown else line
            yield Finding(
                path,
                at,
                f'glossary ({lang}): "{match.group(0)}" is a variant to avoid: write '
                f"\"{variant.preferred}\" (term '{variant.term}')",
                "glossary",
                module,
            )


def _content_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every content file the glossary applies to, with its module (or '')."""
    for name in ("tracks.yaml",):
        if (root / name).is_file():
            yield root / name, ""
    rules = root / "rules"
    if rules.is_dir():
        for path in sorted(rules.glob("*.yaml")):
            yield path, ""
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name[0] not in "._"):
        if folder.name == "rules":
            continue
        for name in ("module.yaml", "questions.yaml"):
            if (folder / name).is_file():
                yield folder / name, folder.name
        for sub in ("lessons", "documents"):
            if (folder / sub).is_dir():
                for path in sorted((folder / sub).glob("*.md")):
                    yield path, folder.name


def check_terms(root: Path, variants: list[Variant]) -> list[Finding]:
    """Return a finding for every variant to avoid in the content under `root`."""
    findings: list[Finding] = []
    if not variants:
        return findings
    for path, module in _content_files(root):
        shown = f"{root.name}/{path.relative_to(root).as_posix()}"
        if path.suffix == ".md":
            match = _MARKDOWN_FILE.fullmatch(path.name)
            if match is None:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # the loader reports unreadable files
            findings += scan(variants, match.group(1), text, shown, 1, module, markdown=True)
            continue
        try:
            tree = yaml.compose(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # the loader (or the rules check) reports it
        for lang, text, line in _yaml_texts(tree):
            findings += scan(variants, lang, text, shown, line, module, markdown=False)
    return findings
