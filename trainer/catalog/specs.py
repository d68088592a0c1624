"""The content format's vocabulary, and the checked content as plain frozen data.

Lessons, documents, modules and tracks, as `trainer.catalog.loader` returns them.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from trainer.catalog.itemrules import Finding, ModuleBank
from trainer.core import vocabulary
from trainer.core.yamlcheck import ID, pick
from trainer.core.yamlsrc import Problem

LANGUAGES: tuple[str, ...] = vocabulary.CONTENT_LANGUAGES
"""Language codes content may use, in the platform's order."""
REQUIRED_LANGUAGES: tuple[str, ...] = vocabulary.REQUIRED_LANGUAGES
"""Languages every translatable text must have."""
ORG_KINDS: tuple[str, ...] = tuple(vocabulary.ORG_KINDS)
ITEM_TYPES: tuple[str, ...] = ("single", "multiple", "true_false", "scenario")
ITEM_USES: tuple[str, ...] = vocabulary.ITEM_USES
SCORINGS: tuple[str, ...] = ("all_or_nothing", "partial")
REVIEWS: tuple[str, ...] = ("none", "score", "answers", "feedback")

NOT_MODULE_FOLDERS = frozenset({"rules"})
_ID = ID
OPTION_ID = re.compile(r"[a-z0-9]+")
JOB_ROLE_ID = re.compile(r"[a-z0-9_-]+")

MODULE_REQUIRED = frozenset(
    [
        "slug",
        "component",
        "title",
        "summary",
        "languages",
        "minimum_minutes",
        "pre_test_length",
        "post_test_length",
        "lessons",
    ]
)
MODULE_OPTIONAL = frozenset(
    [
        "extends",
        "pass_mark",
        "attempts",
        "cooldown_minutes",
        "share_items",
        "review",
        "drop_lessons",
        "drop_items",
        "documents",
        "attestation",
        "post_test_requires",
    ]
)
ITEM_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # type: (required, optional); `group` is for top-level items only
    "single": (
        frozenset({"id", "type", "use", "stem", "options", "correct", "feedback"}),
        frozenset({"accept", "group"}),
    ),
    "multiple": (
        frozenset({"id", "type", "use", "stem", "options", "correct", "feedback"}),
        frozenset({"scoring", "accept", "group"}),
    ),
    "true_false": (
        frozenset({"id", "type", "use", "stem", "correct", "feedback"}),
        frozenset({"accept", "group"}),
    ),
    "scenario": (
        frozenset({"id", "type", "use", "case", "questions"}),
        frozenset({"feedback", "accept", "group"}),
    ),
}
ALL_ITEM_FIELDS = frozenset().union(*(req | opt for req, opt in ITEM_FIELDS.values()))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class LessonSpec:
    """One paced lesson: its title, Markdown and rendered HTML per language."""

    id: str
    minimum_seconds: int
    title: dict[str, str]
    markdown: dict[str, str]
    html: dict[str, str]
    contacts: bool = False  # show the learner's reporting contacts with this lesson

    def as_json(self, with_html: bool = True) -> dict[str, Any]:
        """Return the lesson as JSON-ready data (`contacts` only when set)."""
        data: dict[str, Any] = {
            "id": self.id,
            "minimum_seconds": self.minimum_seconds,
            "title": dict(self.title),
            "markdown": dict(self.markdown),
        }
        if self.contacts:
            data["contacts"] = True
        if with_html:
            data["html"] = dict(self.html)
        return data

    def in_languages(self, languages: tuple[str, ...]) -> LessonSpec:
        """Return a copy that keeps only `languages`."""
        return LessonSpec(
            id=self.id,
            minimum_seconds=self.minimum_seconds,
            title=pick(self.title, languages),
            markdown=pick(self.markdown, languages),
            html=pick(self.html, languages),
            contacts=self.contacts,
        )


@dataclass(frozen=True)
class DocumentSpec:
    """A form or policy a component 3 module presents before its post-test."""

    id: str
    title: dict[str, str]
    markdown: dict[str, str]
    html: dict[str, str]

    def as_json(self, with_html: bool = True) -> dict[str, Any]:
        """Return the document as JSON-ready data."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": dict(self.title),
            "markdown": dict(self.markdown),
        }
        if with_html:
            data["html"] = dict(self.html)
        return data


@dataclass(frozen=True)
class ModuleSpec:
    """A fully resolved, valid module (its `extends` already applied)."""

    slug: str
    component: int
    extends: str | None
    title: dict[str, str]
    summary: dict[str, str]
    languages: tuple[str, ...]
    pass_mark: int
    attempts: int
    cooldown_minutes: int
    minimum_minutes: int
    pre_test_length: int
    post_test_length: int
    share_items: bool
    review: str
    lessons: tuple[LessonSpec, ...]
    items: tuple[dict[str, Any], ...]
    documents: tuple[DocumentSpec, ...]
    attestation: dict[str, Any] | None
    post_test_requires: tuple[str, ...] = ()
    content_hash: str = ""

    def _data(self, with_html: bool) -> dict[str, Any]:
        """Return every field but the hash, with or without rendered HTML.

        `post_test_requires` is left out when empty, so content without required groups
        keeps the hash it had before groups existed.
        """
        data = {
            "slug": self.slug,
            "component": self.component,
            "extends": self.extends,
            "title": dict(self.title),
            "summary": dict(self.summary),
            "languages": list(self.languages),
            "pass_mark": self.pass_mark,
            "attempts": self.attempts,
            "cooldown_minutes": self.cooldown_minutes,
            "minimum_minutes": self.minimum_minutes,
            "pre_test_length": self.pre_test_length,
            "post_test_length": self.post_test_length,
            "share_items": self.share_items,
            "review": self.review,
            "lessons": [lesson.as_json(with_html) for lesson in self.lessons],
            "items": copy.deepcopy(list(self.items)),
            "documents": [document.as_json(with_html) for document in self.documents],
            "attestation": copy.deepcopy(self.attestation),
        }
        if self.post_test_requires:
            data["post_test_requires"] = list(self.post_test_requires)
        return data

    def as_json(self) -> dict[str, Any]:
        """Return the whole module as JSON-ready data, hash included."""
        return {**self._data(with_html=True), "content_hash": self.content_hash}

    def computed_hash(self) -> str:
        """Return the SHA-256 of the canonical JSON of what a learner sees."""
        canonical = json.dumps(
            self._data(with_html=False), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TrackSpec:
    """An audience's ordered modules and the certificate they earn."""

    slug: str
    title: dict[str, str]
    audience_org_kind: str
    audience_department: str | None
    audience_job_roles: tuple[str, ...]
    modules: tuple[str, ...]
    certificate_title: dict[str, str]


@dataclass(frozen=True)
class LoadedContent:
    """The valid modules and tracks, every problem and every finding in the content.

    `banks` holds each valid module's items with where they stand (for the rules and
    `flask content check --stats`).
    """

    modules: dict[str, ModuleSpec]
    tracks: list[TrackSpec]
    problems: list[Problem]
    findings: list[Finding] = field(default_factory=list)
    banks: dict[str, ModuleBank] = field(default_factory=dict)
