"""Every module folder loaded: `extends` resolved, then the whole-module rules checked.

A module may extend another and drop or replace what it inherits; only once the chain is
resolved can its minimum time, item groups and bank be checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from trainer.catalog import bank
from trainer.catalog.itemrules import Finding, ItemSource, ModuleBank
from trainer.catalog.items import trim_item
from trainer.catalog.modules import Draft, OwnEntry, read_module
from trainer.catalog.specs import NOT_MODULE_FOLDERS, LessonSpec, ModuleSpec
from trainer.core.yamlcheck import Ctx
from trainer.core.yamlsrc import Problem

T = TypeVar("T")


# --------------------------------------------------------------------------- extends


@dataclass(frozen=True)
class _Body:
    """A module's resolved lessons and items."""

    lessons: tuple[LessonSpec, ...]
    items: tuple[dict[str, Any], ...]
    sources: dict[str, ItemSource] = field(default_factory=dict)


def _merge(
    ctx: Ctx,
    inherited: list[T],
    own: list[OwnEntry],
    drops: list[tuple[str, int]],
    id_of: Callable[[T], str],
    what: str,
) -> list[T]:
    """Apply drops, in-place replacements, `after` placements and appends."""
    merged = list(inherited)
    inherited_ids = {id_of(entry) for entry in inherited}
    for drop_id, line in drops:
        if drop_id not in inherited_ids:
            ctx.add(line, f"cannot drop {what} '{drop_id}': it is not inherited")
    dropped = {drop_id for drop_id, _ in drops}
    merged = [entry for entry in merged if id_of(entry) not in dropped]
    last_after: dict[str, str] = {}
    for entry in own:
        if entry.value is None:
            continue
        ids = [id_of(existing) for existing in merged]
        if entry.entry_id in ids:
            if entry.after is not None:
                ctx.add(
                    entry.line,
                    f"'after' is only for new {what}s: '{entry.entry_id}' replaces an "
                    "inherited one in place",
                )
            merged[ids.index(entry.entry_id)] = entry.value
        elif entry.after is None:
            merged.append(entry.value)
        elif entry.after in ids:
            anchor = last_after.get(entry.after, entry.after)
            merged.insert(ids.index(anchor) + 1, entry.value)
            last_after[entry.after] = entry.entry_id or entry.after
        else:
            ctx.add(entry.line, f"'after' names unknown {what} '{entry.after}'")
    return merged


def _find_cycle(slug: str, drafts: dict[str, Draft]) -> list[str] | None:
    """Return the `extends` chain from `slug` back to itself, or None."""
    chain = [slug]
    current = drafts[slug].extends
    while current is not None and current in drafts and current not in chain:
        chain.append(current)
        current = drafts[current].extends
    return [*chain, slug] if current == slug else None


def _parent_body(
    draft: Draft, drafts: dict[str, Draft], bodies: dict[str, _Body | None], failed: set[str]
) -> _Body | None:
    """Return the parent's resolved body, or an empty body without `extends`; None on error."""
    if draft.extends is None:
        return _Body((), ())
    line = draft.data.line_of("extends")
    if draft.extends not in drafts:
        draft.ctx.add(line, f"'extends' names unknown module '{draft.extends}'")
        return None
    cycle = _find_cycle(draft.slug, drafts)
    if cycle is not None:
        draft.ctx.add(line, f"'extends' forms a cycle: {' -> '.join(cycle)}")
        return None
    parent = _resolve(draft.extends, drafts, bodies, failed)
    if parent is None:
        draft.ctx.add(line, f"'extends' names module '{draft.extends}', which has problems")
        return None
    if not set(draft.ctx.kept_languages) <= set(drafts[draft.extends].ctx.kept_languages):
        draft.ctx.add(
            draft.data.line_of("languages"),
            f"'languages' must be among those of '{draft.extends}' (it extends that module)",
        )
        return None
    return parent


def _resolve(
    slug: str, drafts: dict[str, Draft], bodies: dict[str, _Body | None], failed: set[str]
) -> _Body | None:
    """Resolve a module's lessons and items through `extends`; None if it has problems."""
    if slug in bodies:
        return bodies[slug]
    bodies[slug] = None  # guards against re-entry while a cycle is being reported
    draft = drafts[slug]
    parent = _parent_body(draft, drafts, bodies, failed)
    if parent is None:
        return None
    before = len(draft.ctx.problems)
    languages = draft.ctx.kept_languages
    lessons = _merge(
        draft.ctx,
        [lesson.in_languages(languages) for lesson in parent.lessons],
        draft.lessons,
        draft.drop_lessons,
        lambda lesson: lesson.id,
        "lesson",
    )
    items: list[dict[str, Any]] = _merge(
        draft.ctx,
        [trim_item(item, languages) for item in parent.items],
        draft.items,
        draft.drop_items,
        lambda item: item["id"],
        "item",
    )
    if len(draft.ctx.problems) > before or slug in failed:
        return None
    own = {
        o.entry_id: o.source
        for o in draft.items
        if o.value is not None and o.source and o.entry_id is not None
    }
    sources: dict[str, ItemSource] = {**parent.sources, **own}
    bodies[slug] = _Body(tuple(lessons), tuple(items), {i["id"]: sources[i["id"]] for i in items})
    return bodies[slug]


# --------------------------------------------------------------------------- module rules


def _check_minimum_time(draft: Draft, body: _Body) -> None:
    """Report lessons whose minimum times add up to less than `minimum_minutes`."""
    total = sum(lesson.minimum_seconds for lesson in body.lessons)
    needed = draft.settings["minimum_minutes"] * 60
    if total < needed:
        draft.ctx.add(
            draft.data.line_of("minimum_minutes"),
            f"the lessons' minimum_seconds add up to {total} s, below minimum_minutes ({needed} s)",
        )


def _check_groups(draft: Draft, body: _Body) -> None:
    """Report required groups that are empty, too small or hold items the pre-test may ask."""
    settings = draft.settings
    for group, line in draft.requires:
        members = [item for item in body.items if item.get("group") == group]
        if not members:
            draft.ctx.add(line, f"post_test_requires names group '{group}', but no item is in it")
            continue
        for item in members:
            if item["use"] != "post":
                source = body.sources[item["id"]]
                draft.ctx.problems.append(
                    Problem(
                        source.path,
                        source.line,
                        f"item '{item['id']}' is in group '{group}', which module "
                        f"'{draft.slug}' requires on every post-test: its use must be post "
                        "(the pre-test asks its own item)",
                    )
                )
        posts = sum(1 for item in members if item["use"] == "post")
        if posts < settings["attempts"]:
            draft.ctx.add(
                line,
                f"group '{group}' holds {posts} post item(s); each of the "
                f"{settings['attempts']} attempts needs one the learner has not seen",
            )


def _check_bank(draft: Draft, body: _Body, findings: list[Finding]) -> None:
    """Report a bank too small to draw the tests, and (as a finding) one too small for
    fresh retakes. The rules are in modules/README.md ("The bank rules")."""
    settings = draft.settings
    requires = settings["post_test_requires"]
    counts = bank.bank_counts(body.items, requires)
    pre_length, post_length = settings["pre_test_length"], settings["post_test_length"]
    if counts.pre_usable < pre_length:
        draft.ctx.add(
            draft.data.line_of("pre_test_length"),
            f"item bank too small: the pre-test draws {pre_length} items but only "
            f"{counts.pre_usable} have use pre or both",
        )
    if len(requires) > post_length:
        draft.ctx.add(
            draft.data.line_of("post_test_requires"),
            f"post_test_requires names {len(requires)} groups, more than post_test_length "
            f"({post_length})",
        )
    _check_groups(draft, body)
    slots = bank.general_slots(post_length, requires)
    left = bank.drawable_general(counts, pre_length, settings["share_items"])
    if left < slots:
        draft.ctx.add(
            draft.data.line_of("post_test_length"),
            f"item bank too small: a post form draws {slots} items outside the required "
            f"groups, only {left} remain after the pre-test (see modules/README.md)",
        )
        return
    needed, fresh = bank.fresh_retakes_shortfall(
        body.items,
        pre_test_length=pre_length,
        post_test_length=post_length,
        attempts=settings["attempts"],
        requires=requires,
    )
    if fresh < needed:
        findings.append(
            Finding(
                draft.ctx.path,
                draft.data.line_of("post_test_length"),
                f"fresh-retakes: {settings['attempts']} attempts x {slots} items need "
                f"{needed} post items the pre-test cannot have taken, the bank has {fresh}: a "
                f"learner may see {needed - fresh} item(s) again (see modules/README.md, "
                f'"The bank rules")',
                "fresh-retakes",
                draft.slug,
            )
        )


def _module_spec(draft: Draft, body: _Body) -> ModuleSpec:
    """Build the final ModuleSpec, content hash included."""
    spec = ModuleSpec(
        **draft.settings,
        extends=draft.extends,
        lessons=body.lessons,
        items=body.items,
        documents=draft.documents,
        attestation=draft.attestation,
    )
    return replace(spec, content_hash=spec.computed_hash())


def _module_folders(root: Path) -> list[Path]:
    """Return the module folders under `root` (every folder but rules/ and hidden ones)."""
    return sorted(
        path
        for path in root.iterdir()
        if path.is_dir() and path.name not in NOT_MODULE_FOLDERS and path.name[0] not in "._"
    )


def load_modules(
    root: Path, problems: list[Problem], findings: list[Finding]
) -> tuple[dict[str, ModuleSpec], dict[str, Draft], dict[str, ModuleBank]]:
    """Read, resolve and check every module; return the valid ones, all drafts, and the
    valid ones' banks (items with where they stand)."""
    drafts: dict[str, Draft] = {}
    failed: set[str] = set()
    for folder in _module_folders(root):
        found = len(problems)
        drafts[folder.name] = read_module(folder, f"{root.name}/{folder.name}", problems)
        if len(problems) > found:
            failed.add(folder.name)
    bodies: dict[str, _Body | None] = {}
    modules: dict[str, ModuleSpec] = {}
    banks: dict[str, ModuleBank] = {}
    for slug, draft in drafts.items():
        body = _resolve(slug, drafts, bodies, failed)
        if body is None:
            continue
        before = len(problems)
        module_findings: list[Finding] = []
        _check_minimum_time(draft, body)
        _check_bank(draft, body, module_findings)
        if len(problems) == before:
            modules[slug] = _module_spec(draft, body)
            banks[slug] = _module_bank(draft, body, modules[slug])
            findings += module_findings
    return modules, drafts, banks


def _module_bank(draft: Draft, body: _Body, spec: ModuleSpec) -> ModuleBank:
    """The module's items and sources, as the item-writing rules see them."""
    return ModuleBank(
        slug=spec.slug,
        component=spec.component,
        languages=spec.languages,
        items=body.items,
        sources=body.sources,
        extends_at=(draft.ctx.path, draft.data.line_of("extends")) if spec.extends else None,
    )
