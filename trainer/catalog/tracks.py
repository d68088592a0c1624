"""`tracks.yaml`: which modules, in which order, make a track, and for whom."""

from __future__ import annotations

from pathlib import Path

from trainer.catalog.modules import Draft, load_mapping
from trainer.catalog.specs import JOB_ROLE_ID, ORG_KINDS, ModuleSpec, TrackSpec
from trainer.core.yamlcheck import (
    Ctx,
    check_fields,
    choice_field,
    duplicates,
    id_field,
    id_value,
    list_field,
    mapping,
    report_duplicates,
    text_field,
)
from trainer.core.yamlsrc import LineDict, Problem

# --------------------------------------------------------------------------- tracks


def _audience(ctx: Ctx, track: LineDict) -> tuple[str | None, str | None, tuple[str, ...]]:
    """Return a track's (org_kind, department, job_roles)."""
    if "audience" not in track:
        return None, None, ()
    audience = mapping(ctx, track["audience"], track.line_of("audience"), "'audience'")
    if audience is None:
        return None, None, ()
    check_fields(ctx, audience, {"org_kind"}, {"department", "job_roles"}, "'audience'")
    org_kind = choice_field(ctx, audience, "org_kind", ORG_KINDS)
    department = None
    if audience.get("department") is not None:
        department = id_field(ctx, audience, "department", "'department'")
    roles = list_field(ctx, audience, "job_roles")
    job_roles = [
        id_value(ctx, role, roles.line_of(index), "a job role", JOB_ROLE_ID)
        for index, role in enumerate(roles)
    ]
    return org_kind, department, tuple(role for role in job_roles if role is not None)


def _certificate_title(ctx: Ctx, track: LineDict) -> dict[str, str]:
    """Return the title printed on the track's certificate."""
    if "certificate" not in track:
        return {}
    certificate = mapping(ctx, track["certificate"], track.line_of("certificate"), "'certificate'")
    if certificate is None:
        return {}
    check_fields(ctx, certificate, {"title"}, (), "'certificate'")
    return text_field(ctx, certificate, "title")


def _track_modules(
    ctx: Ctx, track: LineDict, modules: dict[str, ModuleSpec], drafts: dict[str, Draft]
) -> tuple[str, ...]:
    """Return a track's module slugs, checking they exist and run components 1, 2, 3."""
    raw = list_field(ctx, track, "modules")
    if "modules" in track and not raw:
        ctx.add(track.line_of("modules"), "a track needs at least one module")
    slugs: list[str] = []
    for index, value in enumerate(raw):
        line = raw.line_of(index)
        slug = id_value(ctx, value, line, "a module slug")
        if slug is None:
            continue
        if slug not in drafts:
            ctx.add(line, f"unknown module '{slug}'")
        elif slug not in modules:
            ctx.add(line, f"module '{slug}' has problems")
        else:
            expected = len(slugs) + 1
            if modules[slug].component != expected:
                ctx.add(
                    line,
                    f"module '{slug}' is component {modules[slug].component}, but position "
                    f"{expected} needs component {expected} (components must be 1, 2, 3 in order)",
                )
        slugs.append(slug)
    return tuple(slugs)


def _track(
    ctx: Ctx, track: LineDict, modules: dict[str, ModuleSpec], drafts: dict[str, Draft]
) -> TrackSpec:
    """Check and build one track (fields may be empty when the track has problems)."""
    check_fields(ctx, track, {"slug", "title", "audience", "modules", "certificate"}, (), "a track")
    org_kind, department, job_roles = _audience(ctx, track)
    return TrackSpec(
        slug=id_field(ctx, track, "slug", "a track slug") or "",
        title=text_field(ctx, track, "title"),
        audience_org_kind=org_kind or "",
        audience_department=department,
        audience_job_roles=job_roles,
        modules=_track_modules(ctx, track, modules, drafts),
        certificate_title=_certificate_title(ctx, track),
    )


def load_tracks(
    root: Path, modules: dict[str, ModuleSpec], drafts: dict[str, Draft], problems: list[Problem]
) -> list[TrackSpec]:
    """Read tracks.yaml; return the tracks that have no problems."""
    ctx = Ctx(f"{root.name}/tracks.yaml", problems)
    data = load_mapping(ctx, root / "tracks.yaml")
    if data is None:
        return []
    check_fields(ctx, data, {"tracks"}, (), "tracks.yaml")
    raw = list_field(ctx, data, "tracks")
    tracks: list[TrackSpec] = []
    seen: list[tuple[str | None, int]] = []
    for index, entry in enumerate(raw):
        line = raw.line_of(index)
        track = mapping(ctx, entry, line, "a track")
        if track is None:
            continue
        before = len(problems)
        spec = _track(ctx, track, modules, drafts)
        seen.append((spec.slug or None, track.line_of("slug")))
        if len(problems) == before:
            tracks.append(spec)
    report_duplicates(ctx, seen, "track")
    duplicated = {slug for slug, _ in duplicates(seen)}
    return [track for track in tracks if track.slug not in duplicated]
