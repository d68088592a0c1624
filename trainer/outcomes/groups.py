"""Outcomes broken down by group (organization, language of the test, job role), and the
rule that no figure describes fewer than `MIN_GROUP` learners.

A group under the minimum shows "fewer than 5" and no numbers; so does the smallest other
group while the hidden ones could be worked out from the total (`suppressed_groups`).
When the whole selection has fewer learners than the minimum, every table of the module
page is emptied and the page says why (`withhold_small_selection`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from trainer.assessments.statistics import gain_summary
from trainer.auth.models import User
from trainer.extensions import db
from trainer.orgs.jobroles import LANGUAGE_NAMES, job_role_label
from trainer.orgs.models import Organization

K = TypeVar("K")

#: Smallest group whose figures are shown (the same rule as the partners' summary).
MIN_GROUP = 5
#: The marker written instead of a suppressed count (the page says "fewer than 5").
SUPPRESSED = "<5"

#: The breakdowns of the module page: table key -> its title.
BREAKDOWNS: dict[str, Any] = {
    "by_org": _l("By organization"),
    "by_language": _l("By language of the test"),
    "by_role": _l("By job role"),
}


@dataclass
class _Group:
    users: set[int] = field(default_factory=set)
    pairs: list[tuple[float, float]] = field(default_factory=list)
    firsts: list[bool] = field(default_factory=list)


def suppressed_groups(counts: Mapping[K, int], minimum: int = MIN_GROUP) -> set[K]:
    """Groups of one breakdown whose numbers must not be shown.

    Primary: every group with fewer than ``minimum`` learners. Secondary, because the
    breakdown's total is shown: while the hidden groups could be recovered by
    subtraction (only one hidden, or fewer than ``minimum`` learners hidden together),
    the smallest shown group is hidden too.
    """
    hidden = {group for group, count in counts.items() if count < minimum}
    if not hidden:
        return hidden
    shown = sorted((g for g in counts if g not in hidden), key=lambda g: (counts[g], str(g)))
    while shown and (len(hidden) == 1 or sum(counts[g] for g in hidden) < minimum):
        hidden.add(shown.pop(0))
    return hidden


def _share(value: float | None) -> float | None:
    return None if value is None else round(100.0 * value, 2)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _row(label: str, group: _Group, hide: bool) -> tuple[Any, ...]:
    if hide:
        return (label, SUPPRESSED, None, None, None, None)
    gain = gain_summary(group.pairs)
    passed = [1.0 if ok else 0.0 for ok in group.firsts]
    return (
        label,
        len(group.users),
        _pct(gain.pre_mean),
        _pct(gain.post_mean),
        _pct(gain.mean_gain),
        _share(sum(passed) / len(passed)) if passed else None,
    )


def group_tables(runs: Sequence[Any], minimum: int = MIN_GROUP) -> dict[str, Any]:
    """The selected runs' outcomes by organization, language of the test and job role."""
    from trainer.outcomes.services import Column, Table

    columns = (
        Column("group", _l("Group")),
        Column("learners", _l("Learners"), "int"),
        Column("pre_mean", _l("Pre-test mean (%)"), "percent"),
        Column("post_mean", _l("Post-test mean (%)"), "percent"),
        Column("mean_gain", _l("Mean gain (points)"), "percent"),
        Column("first_attempt_pass_rate", _l("Passed at the first attempt (%)"), "percent"),
    )
    users = {run.user_id for run in runs}
    facts: dict[int, tuple[str, str]] = {}
    if users:
        query = (
            select(User.id, Organization.name, User.job_role)
            .join(Organization, Organization.id == User.organization_id)
            .where(User.id.in_(users))
        )
        facts = {uid: (name, role or "") for uid, name, role in db.session.execute(query)}
    keys: dict[str, Callable[[Any], str]] = {
        "by_org": lambda run: facts.get(run.user_id, ("", ""))[0],
        "by_language": lambda run: LANGUAGE_NAMES.get(
            run.first_post.language, run.first_post.language
        ),
        "by_role": lambda run: (
            job_role_label(facts.get(run.user_id, ("", ""))[1]) or str(_l("No job role"))
        ),
    }
    tables: dict[str, Any] = {}
    for key, label_of in keys.items():
        groups: dict[str, _Group] = defaultdict(_Group)
        for run in runs:
            first = run.first_post
            group = groups[label_of(run)]
            group.users.add(run.user_id)
            group.firsts.append(bool(first.passed))
            if run.pre is not None and run.pre.score is not None and first.score is not None:
                group.pairs.append((float(run.pre.score), float(first.score)))
        hidden = suppressed_groups({k: len(g.users) for k, g in groups.items()}, minimum)
        rows = tuple(
            _row(name, groups[name], name in hidden) for name in sorted(groups, key=str.casefold)
        )
        tables[key] = Table(key, BREAKDOWNS[key], columns, rows)
    return tables


def withhold_small_selection(
    tables: Mapping[str, Any], learners: int, minimum: int = MIN_GROUP
) -> dict[str, Any]:
    """Every table emptied when 1 to ``minimum - 1`` learners are selected.

    The gains table keeps its two counts, written as the marker, so the page can say
    why nothing else is shown.
    """
    if not 0 < learners < minimum:
        return dict(tables)
    from trainer.outcomes.services import Table

    emptied: dict[str, Any] = {}
    for key, table in tables.items():
        rows: tuple[tuple[Any, ...], ...] = ()
        if key == "gains":
            rows = tuple(
                (row[0], row[1], SUPPRESSED) for row in table.rows if row[0] in ("runs", "learners")
            )
        emptied[key] = Table(table.key, table.title, table.columns, rows)
    return emptied


def is_withheld(gains: Any) -> bool:
    """True when the gains table says the selection was too small to show."""
    return gains.value("learners") == SUPPRESSED
