"""The module versions with learners, and the program-wide summary across versions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from trainer.assessments.models import Attempt
from trainer.assessments.statistics import gain_summary
from trainer.auth.models import User
from trainer.catalog.models import Module, ModuleVersion
from trainer.core.text import localized
from trainer.core.vocabulary import ORG_KIND_PLURALS
from trainer.extensions import db
from trainer.orgs.models import Organization
from trainer.outcomes.groups import (
    MIN_GROUP,
    SUPPRESSED,
    suppressed_groups,
)
from trainer.outcomes.queries import POST, PRE, RUN_COLUMNS, Filters, build_runs, scoped
from trainer.outcomes.tables import Column, Table, mean, pct, ratio, share

# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class VersionRow:
    """A module version with how many learners took its tests (within the scope)."""

    version_id: int
    slug: str
    version: int
    component: int
    title: dict[str, str]
    current: bool
    pre_learners: int
    post_learners: int


def version_rows(jurisdiction: str | None) -> list[VersionRow]:
    """Every module version, by slug and version, with learner counts in the scope."""
    counts: dict[tuple[int, str], int] = {}
    query = (
        select(
            Attempt.module_version_id,
            Attempt.kind,
            func.count(func.distinct(Attempt.module_progress_id)),
        )
        .where(Attempt.submitted_at.is_not(None))
        .group_by(Attempt.module_version_id, Attempt.kind)
    )
    for version_id, kind, count in db.session.execute(
        scoped(query, Filters(jurisdiction=jurisdiction))
    ):
        counts[(version_id, kind)] = int(count)
    versions = db.session.execute(
        select(
            ModuleVersion.id,
            Module.slug,
            ModuleVersion.version,
            ModuleVersion.component,
            ModuleVersion.title,
            Module.current_version_id,
        )
        .join(Module, Module.id == ModuleVersion.module_id)
        .order_by(ModuleVersion.component, Module.slug, ModuleVersion.version.desc())
    ).all()
    return [
        VersionRow(
            version_id=row.id,
            slug=row.slug,
            version=row.version,
            component=row.component,
            title=row.title,
            current=row.current_version_id == row.id,
            pre_learners=counts.get((row.id, PRE), 0),
            post_learners=counts.get((row.id, POST), 0),
        )
        for row in versions
    ]


def find_version(slug: str, number: int) -> ModuleVersion | None:
    """The version ``number`` of the module ``slug``."""
    return db.session.scalar(
        select(ModuleVersion)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(Module.slug == slug, ModuleVersion.version == number)
    )


def organizations_in_scope(jurisdiction: str | None) -> list[tuple[int, str]]:
    """(id, name) of the organizations a viewer may filter by, by name."""
    query = select(Organization.id, Organization.name).order_by(Organization.name)
    if jurisdiction is not None:
        query = query.where(Organization.jurisdiction == jurisdiction)
    return [(row.id, row.name) for row in db.session.execute(query)]


# --------------------------------------------------------------------------- summary


SUMMARY_COLUMNS = (
    Column("module", _l("Module")),
    Column("version", _l("Version"), "int"),
    Column("group", _l("Group")),
    Column("learners", _l("Learners"), "int"),
    Column("pre_mean", _l("Pre-test mean (%)"), "percent"),
    Column("post_mean", _l("Post-test mean (%)"), "percent"),
    Column("mean_gain", _l("Mean gain (points)"), "percent"),
    Column("normalized_gain", _l("Normalized gain"), "ratio"),
    Column("share_improved", _l("Improved (%)"), "percent"),
    Column("first_attempt_pass_rate", _l("Passed at the first attempt (%)"), "percent"),
)


@dataclass
class _Group:
    users: set[int] = field(default_factory=set)
    pairs: list[tuple[float, float]] = field(default_factory=list)
    firsts: list[bool] = field(default_factory=list)


def _summary_row(module: str, version: int, group: str, data: _Group, hide: bool) -> tuple:
    """One row of the summary: numbers, or the suppression marker and nothing else."""
    if hide:
        return (module, version, group, SUPPRESSED, None, None, None, None, None, None)
    gain = gain_summary(data.pairs)
    return (
        module,
        version,
        group,
        len(data.users),
        pct(gain.pre_mean),
        pct(gain.post_mean),
        pct(gain.mean_gain),
        ratio(gain.normalized_gain),
        share(gain.share_improved),
        share(mean([1.0 if ok else 0.0 for ok in data.firsts])),
    )


ORG_KIND_LABELS: dict[str, Any] = ORG_KIND_PLURALS


def program_summary(language: str = "en", minimum: int = MIN_GROUP) -> dict[str, Table]:
    """Aggregates for partners: per module version, by language, by kind of organization.

    No personal data and no organization names; a group with fewer than ``minimum``
    learners (and whatever would let it be recovered) shows the marker only.
    """
    query = (
        select(
            Attempt.module_version_id.label("version"),
            *RUN_COLUMNS,
            Organization.kind.label("org_kind"),
        )
        .join(User, User.id == Attempt.user_id)
        .join(Organization, Organization.id == User.organization_id)
        .where(Attempt.submitted_at.is_not(None))
        .order_by(Attempt.id)
    )
    by_version: dict[int, list[Any]] = defaultdict(list)
    for row in db.session.execute(query):
        by_version[row.version].append(row)
    versions = {
        row.id: row
        for row in db.session.execute(
            select(ModuleVersion.id, ModuleVersion.version, ModuleVersion.title, Module.slug)
            .join(Module, Module.id == ModuleVersion.module_id)
            .order_by(ModuleVersion.component, Module.slug, ModuleVersion.version)
        )
    }
    totals: list[tuple] = []
    by_language: list[tuple] = []
    by_org_kind: list[tuple] = []
    for version_id, info in versions.items():
        rows = by_version.get(version_id)
        if not rows:
            continue
        runs = build_runs(rows)
        org_kind = {row.run: row.org_kind for row in rows}
        title = localized(info.title, language) or info.slug
        everyone = _Group()
        languages: dict[str, _Group] = defaultdict(_Group)
        kinds: dict[str, _Group] = defaultdict(_Group)
        for run in runs.values():
            first = run.first_post
            if first is None:
                continue
            belongs = (everyone, languages[first.language], kinds[org_kind[run.run_id]])
            for group in belongs:
                group.users.add(run.user_id)
                group.firsts.append(bool(first.passed))
                if run.pre is not None and run.pre.score is not None and first.score is not None:
                    group.pairs.append((float(run.pre.score), float(first.score)))
        if not everyone.users:
            continue
        hide_all = len(everyone.users) < minimum
        totals.append(
            _summary_row(title, info.version, str(_l("All learners")), everyone, hide_all)
        )
        for groups, rows_out, label in (
            (languages, by_language, _language_label),
            (kinds, by_org_kind, lambda k: str(ORG_KIND_LABELS.get(k, k))),
        ):
            hidden = suppressed_groups({k: len(g.users) for k, g in groups.items()}, minimum)
            for key in sorted(groups):
                rows_out.append(
                    _summary_row(
                        title, info.version, label(key), groups[key], hide_all or key in hidden
                    )
                )
    return {
        "summary": Table("summary", _l("Outcomes by module"), SUMMARY_COLUMNS, tuple(totals)),
        "languages": Table(
            "languages", _l("By language of the test"), SUMMARY_COLUMNS, tuple(by_language)
        ),
        "org_kinds": Table(
            "org_kinds", _l("By kind of organization"), SUMMARY_COLUMNS, tuple(by_org_kind)
        ),
    }


def _language_label(code: str) -> str:
    """The name of a language in itself (the code when unknown)."""
    from trainer.core.vocabulary import LANGUAGE_NAMES

    return LANGUAGE_NAMES.get(code, code)
