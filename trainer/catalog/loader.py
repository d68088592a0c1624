"""Load and validate the training content in `modules/` (format: modules/README.md).

`load_content(root)` reads every module folder and `tracks.yaml`, resolves `extends`,
and returns the modules and tracks that are valid together with every problem found,
each as `path:line: message`. Nothing here touches the database or Flask.

A normalized item (``ModuleSpec.items``) is a plain dict::

    {"id": str, "type": "single" | "multiple" | "true_false" | "scenario",
     "use": "pre" | "post" | "both", "stem": {lang: str},
     "options": [{"id": str, "text": {lang: str}}],   # [] for true_false and scenario
     "correct": str | list[str] | bool | None,        # None for scenario
     "scoring": "all_or_nothing" | "partial", "feedback": {lang: str},
     "case": {lang: str}, "questions": [sub-item, ...]}   # the last two: scenario only

A scenario's `stem` is `{}` and its `feedback` is `{}` when the file gives none. Its
sub-items have the same shape with their local id (`q1`) and the scenario's `use`. A
top-level item in a group also has `"group": str` (the key is absent otherwise, so that
content without groups keeps its hash).

Problems make content unusable: the module (or track) is left out and `flask content
sync` refuses to run. Findings (the item-writing rules of `itemrules`, fresh retakes,
the glossary) make `flask content check` fail but leave the content usable.

The loader's parts have rooms of their own: `specs` (the format's vocabulary and the
checked content as data), `items`, `modules` (one module folder), `extends` (resolving
`extends`, the whole-module rules, every folder) and `tracks`; the YAML checks they share
with the rule loader are in `trainer.core.yamlcheck`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from trainer.catalog.extends import (
    load_modules,
)
from trainer.catalog.glossary import GLOSSARY_FILE, check_terms, load_glossary
from trainer.catalog.itemrules import Finding, check_items
from trainer.catalog.specs import (
    ITEM_TYPES,
    ITEM_USES,
    LANGUAGES,
    ORG_KINDS,
    REQUIRED_LANGUAGES,
    REVIEWS,
    SCORINGS,
    DocumentSpec,
    LessonSpec,
    LoadedContent,
    ModuleSpec,
    TrackSpec,
)
from trainer.catalog.tracks import (
    load_tracks,
)
from trainer.core.yamlsrc import Problem

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- public


def load_content(root: Path) -> LoadedContent:
    """Load every module and track under `root`; invalid ones are left out."""
    problems: list[Problem] = []
    findings: list[Finding] = []
    if not root.is_dir():
        problems.append(Problem(str(root), 1, "content folder not found"))
        return LoadedContent({}, [], problems)
    modules, drafts, banks = load_modules(root, problems, findings)
    tracks = load_tracks(root, modules, drafts, problems)
    findings += check_items(list(banks.values()), [(t.slug, t.modules) for t in tracks])
    if (root / GLOSSARY_FILE).is_file():
        variants, glossary_problems = load_glossary(
            root / GLOSSARY_FILE, f"{root.name}/{GLOSSARY_FILE}"
        )
        problems += glossary_problems
        findings += check_terms(root, variants)
    logger.debug(
        "loaded %d modules, %d tracks, %d problems, %d findings",
        len(modules),
        len(tracks),
        len(problems),
        len(findings),
    )
    return LoadedContent(modules, tracks, sorted(set(problems)), sorted(set(findings)), banks)


def report_lines(content: LoadedContent) -> tuple[list[str], int]:
    """Return the printable lines of `flask content check` for loaded content, and its
    exit status: every problem and finding in file order, then a summary."""
    entries: list[Problem | Finding] = [*content.problems, *content.findings]
    entries.sort(key=lambda e: (e.path, e.line))
    lines = [str(entry) for entry in entries]
    if content.problems or content.findings:
        lines.append(
            f"{len(content.problems)} problem(s) and {len(content.findings)} finding(s) found"
        )
        return lines, 1
    lines.append(f"content ok: {len(content.modules)} modules, {len(content.tracks)} tracks")
    return lines, 0


def check_report(root: Path) -> tuple[list[str], int]:
    """Return the printable lines of `flask content check` and its exit status."""
    return report_lines(load_content(root))


#: The names moved to the modules above stay importable from here.
__all__ = [
    "ITEM_TYPES",
    "ITEM_USES",
    "LANGUAGES",
    "ORG_KINDS",
    "REQUIRED_LANGUAGES",
    "REVIEWS",
    "SCORINGS",
    "DocumentSpec",
    "LessonSpec",
    "LoadedContent",
    "ModuleSpec",
    "TrackSpec",
    "check_report",
    "load_content",
    "report_lines",
]
