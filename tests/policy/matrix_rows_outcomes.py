"""Matrix rows for the outcomes pages (auditors and admins) and the public summary.

The module page is not tied to one organization: "own" and "other" ask for the
auditor's own organization or another jurisdiction's with ?org=, which an auditor's page
ignores (with a message) rather than obeys, so both answer 200.
"""

from __future__ import annotations

from tests.support.matrix import LOGIN, ROLES, UrlFn, org_id, same

AUDITORS_AND_ADMINS = {
    "anonymous": same(LOGIN),
    "learner": same(403),
    "manager": same(403),
    "auditor": same(200),
    "admin": same(200),
}


def _version(w) -> int:
    return w.own_progress.module.current_version_id


MATRIX: dict[str, tuple[str, UrlFn, dict[str, tuple[int, int]]]] = {
    "outcomes.index": ("GET", lambda w, s: "/outcomes/", AUDITORS_AND_ADMINS),
    "outcomes.module": (
        "GET",
        lambda w, s: f"/outcomes/{_version(w)}?org={org_id(w, s)}",
        AUDITORS_AND_ADMINS,
    ),
    **{
        endpoint: (
            "GET",
            lambda w, s, path=path: f"/outcomes/{_version(w)}/{path}?org={org_id(w, s)}",
            AUDITORS_AND_ADMINS,
        )
        for endpoint, path in (
            ("outcomes.items", "questions"),
            ("outcomes.answers", "answers"),
            ("outcomes.changes", "before-after"),
            ("outcomes.groups", "groups"),
        )
    },
    "outcomes.export": (
        "GET",
        lambda w, s: f"/outcomes/{_version(w)}/export?figure=gains&org={org_id(w, s)}",
        AUDITORS_AND_ADMINS,
    ),
    "outcomes.recalculate": (
        "POST",
        lambda w, s: f"/outcomes/{_version(w)}/recalculate?org={org_id(w, s)}",
        {**AUDITORS_AND_ADMINS, "auditor": same(302), "admin": same(302)},
    ),
    "outcomes.summary": ("GET", lambda w, s: "/outcomes/summary", {r: same(200) for r in ROLES}),
    "outcomes.summary_export": (
        "GET",
        lambda w, s: "/outcomes/summary/export?figure=languages",
        {r: same(200) for r in ROLES},
    ),
}
