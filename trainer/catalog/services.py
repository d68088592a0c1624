"""Bring modules/ into the database and read modules and tracks back.

A module gets a new version only when its content hash changes; old versions, and every
attempt taken on them, stay untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from trainer.catalog.loader import LoadedContent, ModuleSpec, TrackSpec, load_content
from trainer.catalog.models import Module, ModuleVersion, Track, TrackModule
from trainer.core.contacts import ContactsBox
from trainer.core.hooks import Hook
from trainer.extensions import db

#: Gives the contacts box of a jurisdiction in a language, for the content preview
#: (compliance: the jurisdiction rules hold the contacts).
PREVIEW_CONTACTS: Hook[[str, str], ContactsBox | None] = Hook("catalog.preview_contacts")


@dataclass
class SyncReport:
    """What a sync did: new versions by slug, tracks written, problems found, and how many
    findings `flask content check` reports (they do not stop a sync)."""

    new_versions: dict[str, int] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    tracks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    findings: int = 0


def _version_row(module: Module, spec: ModuleSpec, number: int) -> ModuleVersion:
    data = spec.as_json()
    return ModuleVersion(
        module_id=module.id,
        version=number,
        content_hash=spec.content_hash,
        component=spec.component,
        title=dict(spec.title),
        languages=list(spec.languages),
        pass_mark=spec.pass_mark,
        attempts=spec.attempts,
        cooldown_minutes=spec.cooldown_minutes,
        minimum_minutes=spec.minimum_minutes,
        pre_test_length=spec.pre_test_length,
        post_test_length=spec.post_test_length,
        share_items=spec.share_items,
        review=spec.review,
        content={
            "summary": data["summary"],
            "lessons": data["lessons"],
            "items": data["items"],
            "documents": data["documents"],
            "attestation": data["attestation"],
            "extends": data["extends"],
            "post_test_requires": data.get("post_test_requires", []),
        },
    )


def _sync_module(spec: ModuleSpec, report: SyncReport) -> Module:
    module = db.session.scalar(select(Module).where(Module.slug == spec.slug))
    if module is None:
        module = Module(slug=spec.slug, component=spec.component)
        db.session.add(module)
        db.session.flush()
    module.component = spec.component
    existing = db.session.scalar(
        select(ModuleVersion).where(
            ModuleVersion.module_id == module.id, ModuleVersion.content_hash == spec.content_hash
        )
    )
    if existing is not None:
        module.current_version_id = existing.id
        report.unchanged.append(spec.slug)
        return module
    last = db.session.scalar(
        select(func.max(ModuleVersion.version)).where(ModuleVersion.module_id == module.id)
    )
    row = _version_row(module, spec, (last or 0) + 1)
    db.session.add(row)
    db.session.flush()
    module.current_version_id = row.id
    report.new_versions[spec.slug] = row.version
    return module


def _sync_track(spec: TrackSpec, modules: dict[str, Module]) -> Track:
    track = db.session.scalar(select(Track).where(Track.slug == spec.slug))
    if track is None:
        track = Track(slug=spec.slug)
        db.session.add(track)
    track.title = dict(spec.title)
    track.certificate_title = dict(spec.certificate_title)
    track.org_kind = spec.audience_org_kind
    track.department = spec.audience_department
    track.job_roles = list(spec.audience_job_roles)
    track.active = True
    wanted = [modules[slug].id for slug in spec.modules]
    if [step.module_id for step in track.steps] != wanted:
        track.steps.clear()
        db.session.flush()
        for position, module_id in enumerate(wanted, start=1):
            track.steps.append(TrackModule(position=position, module_id=module_id))
    return track


def sync_loaded(content: LoadedContent) -> SyncReport:
    """Write loaded content to the database (refuses when the content has problems)."""
    report = SyncReport(problems=[str(p) for p in content.problems], findings=len(content.findings))
    if content.problems:
        return report
    modules = {slug: _sync_module(spec, report) for slug, spec in content.modules.items()}
    seen = set()
    for spec in content.tracks:
        _sync_track(spec, modules)
        seen.add(spec.slug)
        report.tracks.append(spec.slug)
    for track in db.session.scalars(select(Track).where(Track.slug.not_in(seen or {""}))):
        track.active = False
    db.session.flush()
    return report


def sync_content(root: Path) -> SyncReport:
    """Load modules/ and sync it (nothing is written if any file has a problem)."""
    return sync_loaded(load_content(root))


def active_tracks() -> Sequence[Track]:
    """Tracks currently offered."""
    return db.session.scalars(
        select(Track).where(Track.active.is_(True)).order_by(Track.slug)
    ).all()


def module_by_slug(slug: str) -> Module | None:
    """A module by its slug."""
    return db.session.scalar(select(Module).where(Module.slug == slug))


def versions_of(module: Module) -> Sequence[ModuleVersion]:
    """Every version of a module, newest first."""
    return db.session.scalars(
        select(ModuleVersion)
        .where(ModuleVersion.module_id == module.id)
        .order_by(ModuleVersion.version.desc())
    ).all()


def all_modules() -> Sequence[Module]:
    """Every module, by component then slug."""
    return db.session.scalars(select(Module).order_by(Module.component, Module.slug)).all()


def preview_contacts(jurisdiction: str, language: str) -> ContactsBox | None:
    """The contacts a jurisdiction's learners see in lessons marked `contacts: true`."""
    return next((box for box in PREVIEW_CONTACTS.emit(jurisdiction, language) if box), None)
