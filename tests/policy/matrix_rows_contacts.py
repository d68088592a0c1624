"""Matrix rows for an organization's own contacts (managers and admins edit them)."""

from __future__ import annotations

from tests.support.matrix import LOGIN, UrlFn, World, org_id, same
from trainer.extensions import db


def contact_id(w: World, scope: str) -> int:
    """A contact of the own or the other organization (made on first use)."""
    from trainer.orgs.models import OrganizationContact

    org = w.own_org if scope == "own" else w.other_org
    contact = OrganizationContact(organization_id=org.id, label="Security desk", phone="ext. 1")
    db.session.add(contact)
    db.session.commit()
    return contact.id


# endpoint: (method, url, {role: (own, other)})
MATRIX: dict[str, tuple[str, UrlFn, dict[str, tuple[int, int]]]] = {
    "orgs.contact_list": (
        "GET",
        lambda w, s: f"/orgs/contacts?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(200),  # a manager always sees their own organization's
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.contact_edit": (
        "GET",
        lambda w, s: f"/orgs/contacts/{contact_id(w, s)}/edit",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (200, 404),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.contact_delete": (
        "POST",
        lambda w, s: f"/orgs/contacts/{contact_id(w, s)}/delete",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (302, 404),
            "auditor": same(403),
            "admin": same(302),
        },
    ),
}
