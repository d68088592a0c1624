"""Who may do what, and to which records: the one place that decides.

Every view declares its permission with `@requires(PERMISSION)` (or `@public`), and
`tests/policy/test_matrix.py` checks every route against every role. A permission names
what a role may do at all; the scope then says which organizations' records a person
reaches (a manager: their own; an auditor: their jurisdiction; an admin: all). Views ask
`organization_for`, `get_in_scope` or `scope_of` rather than working out scope
themselves; templates ask `may(...)`. Anything out of scope, or missing, is a 404.

The policy sits below the features (see docs/architecture.md): it knows people and
organizations only by the attributes it reads (`ScopedUser`, `ScopedOrg`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import abort
from flask_login import current_user

from trainer.core.vocabulary import Role
from trainer.extensions import db

F = TypeVar("F", bound=Callable[..., Any])


class ScopedOrg(Protocol):
    """What the policy reads of an organization."""

    @property
    def id(self) -> int: ...
    @property
    def jurisdiction(self) -> str: ...


class ScopedUser(Protocol):
    """What the policy reads of a person."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def organization_id(self) -> int | None: ...
    @property
    def jurisdiction(self) -> str | None: ...
    @property
    def organization(self) -> Any: ...


OrgT = TypeVar("OrgT", bound=ScopedOrg)
U = TypeVar("U", bound=ScopedUser)
T = TypeVar("T")


class Permission(enum.StrEnum):
    """Each thing the app guards."""

    SIGNED_IN = "signed_in"
    LEARN = "learn"
    STAFF_VIEW = "staff_view"
    STAFF_MANAGE = "staff_manage"
    ORG_VIEW = "org_view"
    ORG_ADMIN = "org_admin"
    USER_ADMIN = "user_admin"
    AUDIT_VIEW = "audit_view"
    CONTENT_ADMIN = "content_admin"
    CERT_ADMIN = "cert_admin"
    REPORT_FILE = "report_file"
    CONTACTS_MANAGE = "contacts_manage"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.LEARNER: frozenset({Permission.SIGNED_IN, Permission.LEARN}),
    Role.MANAGER: frozenset(
        {
            Permission.SIGNED_IN,
            Permission.LEARN,
            Permission.STAFF_VIEW,
            Permission.STAFF_MANAGE,
            Permission.ORG_VIEW,
            Permission.REPORT_FILE,
            Permission.CONTACTS_MANAGE,
        }
    ),
    Role.AUDITOR: frozenset(
        {Permission.SIGNED_IN, Permission.STAFF_VIEW, Permission.ORG_VIEW, Permission.AUDIT_VIEW}
    ),
    Role.ADMIN: frozenset(set(Permission) - {Permission.LEARN, Permission.REPORT_FILE}),
}

#: Permissions that change data: an auditor never holds them, whatever the scope.
WRITES = frozenset(
    {
        Permission.STAFF_MANAGE,
        Permission.ORG_ADMIN,
        Permission.USER_ADMIN,
        Permission.CONTENT_ADMIN,
        Permission.CERT_ADMIN,
        Permission.REPORT_FILE,
        Permission.CONTACTS_MANAGE,
    }
)


def has_permission(user: ScopedUser | None, permission: Permission) -> bool:
    """True when the user's role grants the permission (inactive users hold none)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return permission in GRANTS.get(Role(user.role), frozenset())


def in_scope(user: ScopedUser, org: ScopedOrg | None) -> bool:
    """True when the user may see this organization's records at all (records of no
    organization: admins only)."""
    return scope_of(user).covers(org)


def may(user: ScopedUser | None, permission: Permission, org: ScopedOrg | None = None) -> bool:
    """The whole rule: the role grants it, and the organization is within reach."""
    if user is None or not has_permission(user, permission):
        return False
    return org is None or in_scope(user, org)


def current_may(permission: str, org: ScopedOrg | None = None) -> bool:
    """`may` for the signed-in person; templates call it as `may('staff_manage', org)`."""
    return may(current_user, Permission(permission), org)


def shows(permission: Permission, *, roles: Iterable[Role] | None = None) -> Callable[[Any], bool]:
    """Who sees a navigation link: holders of the permission (and of one of `roles`)."""
    only = frozenset(roles) if roles is not None else None

    def visible(user: Any) -> bool:
        return has_permission(user, permission) and (only is None or user.role in only)

    return visible


# --- scope ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which organizations' records a person reaches: every one, one jurisdiction's, or
    one organization's (`organization_id` None: none at all)."""

    everything: bool = False
    jurisdiction: str | None = None
    organization_id: int | None = None

    def covers(self, org: ScopedOrg | None) -> bool:
        """Whether an organization's records are within this scope."""
        if self.everything:
            return True
        if org is None:
            return False
        if self.jurisdiction is not None:
            return org.jurisdiction == self.jurisdiction
        return self.organization_id is not None and org.id == self.organization_id

    @property
    def jurisdiction_filter(self) -> str | None:
        """For services that filter by jurisdiction: None for every one; an auditor's own;
        "-" (matches none) for anyone else."""
        if self.everything:
            return None
        return self.jurisdiction or "-"


def scope_of(user: ScopedUser) -> Scope:
    """The records a person reaches: an admin every organization's, an auditor their
    jurisdiction's (none without one), anyone else their own organization's."""
    if user.role == Role.ADMIN:
        return Scope(everything=True)
    if user.role == Role.AUDITOR:
        return Scope(jurisdiction=user.jurisdiction or None)
    return Scope(organization_id=user.organization_id)


def jurisdiction_of(user: ScopedUser) -> str | None:
    """The jurisdiction a city-wide page covers (None: every one; "-": none)."""
    return scope_of(user).jurisdiction_filter


def names_organization(user: ScopedUser) -> bool:
    """Admins and auditors say which organization a page is about (`?org=`); everyone
    else works on their own."""
    return user.role in (Role.ADMIN, Role.AUDITOR)


def organization_args(user: ScopedUser, org: ScopedOrg) -> dict[str, Any]:
    """The `?org=` argument the links of someone who names organizations carry."""
    return {"org": org.id} if names_organization(user) else {}


def current_organization_args(org: ScopedOrg) -> dict[str, Any]:
    """`organization_args` for the signed-in person (templates: `**org_args(org)`)."""
    return organization_args(current_user, org)


def current_scope() -> Scope:
    """`scope_of` the signed-in person (templates: `current_scope().jurisdiction`)."""
    return scope_of(current_user)


def own_or_404(obj: T | None, holder_id: Callable[[T], int]) -> T:
    """A record of the signed-in person's own (their progress, an attempt, a
    certificate); anyone else's, or a missing one, is a 404."""
    if obj is None or holder_id(obj) != current_user.id:
        abort(404)
    return obj


def get_in_scope(
    model: type[T], object_id: int | None, permission: Permission, org_of: Callable[[T], Any]
) -> T:
    """The object, if the signed-in person may act on it; 404 when missing or out of
    scope (whatever the role: an admin asking for a missing id gets 404 too)."""
    obj = db.session.get(model, object_id) if object_id is not None else None
    if obj is None:
        abort(404)
    authorize(permission, org_of(obj))
    return obj


def organization_for(model: type[OrgT], requested_id: int | None, permission: Permission) -> OrgT:
    """The organization a page is about, in the signed-in person's scope, or 404.

    Admins and auditors name it (`?org=`; 404 without one); everyone else gets their
    own organization (404 when they have none). A missing or out-of-scope organization
    is a 404, for admins too.
    """
    org = named_organization(model, requested_id, permission)
    if org is None:
        abort(404)
    return org


def named_organization(
    model: type[OrgT], requested_id: int | None, permission: Permission
) -> OrgT | None:
    """As `organization_for`, but None when an admin or auditor named no organization
    (pages that then show the whole scope)."""
    user = current_user
    if names_organization(user):
        if requested_id is None:
            return None
        return get_in_scope(model, requested_id, permission, lambda org: org)
    if user.organization_id is None:
        abort(404)
    return get_in_scope(model, user.organization_id, permission, lambda org: org)


class StaffAction(enum.StrEnum):
    """Things one person may do to another person's account."""

    EDIT = "edit"  # name, e-mail, job role, hire date, language, extended time
    INVITE = "invite"
    ACCESS_CODE = "access_code"  # issue a new code, or revoke it
    DEACTIVATE = "deactivate"  # and reactivate
    EXTRA_ROUND = "extra_round"  # another round of post-test attempts
    ASSIGN = "assign"  # enroll in a track
    CHANGE_ROLE = "change_role"


#: Actions an admin may not take on their own account (it would raise or lock out itself).
_NOT_ON_ONESELF = frozenset(
    {StaffAction.CHANGE_ROLE, StaffAction.DEACTIVATE, StaffAction.EXTRA_ROUND}
)


def may_manage(actor: ScopedUser | None, target: ScopedUser, action: StaffAction) -> bool:
    """Whether `actor` may take `action` on `target`'s account.

    A manager acts only on learners of their own organization: never on a manager, an
    auditor or an admin, and never on themselves. An admin may act on anyone but
    themselves where it would change their own rights. Access codes are for learners
    only. An auditor changes nothing.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.active:
        return False
    if action == StaffAction.ACCESS_CODE and target.role != Role.LEARNER:
        return False
    if actor.role == Role.ADMIN:
        return not (target.id == actor.id and action in _NOT_ON_ONESELF)
    if actor.role == Role.MANAGER:
        return (
            action != StaffAction.CHANGE_ROLE
            and target.id != actor.id
            and target.role == Role.LEARNER
            and actor.organization_id is not None
            and target.organization_id == actor.organization_id
        )
    return False


def authorize_manage(target: U | None, action: StaffAction) -> U:
    """The target, or abort: 404 when out of reach, 403 when in reach but not allowed.

    A manager probing another organization's people gets 404 (nothing to learn); acting
    on a manager or an admin of their own organization gets 403.
    """
    if target is None:
        abort(404)
    actor = current_user
    if actor.role == Role.MANAGER and target.organization_id != actor.organization_id:
        abort(404)
    if not may_manage(actor, target, action):
        abort(403)
    return target


def may_see_records_of(user: ScopedUser | None, holder_id: int, org: ScopedOrg | None) -> bool:
    """Whether `user` may see a person's scores and revocation reasons: the person
    themself, or staff whose scope covers the person's organization."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return user.id == holder_id or may(user, Permission.STAFF_VIEW, org)


def authorize(permission: Permission, org: ScopedOrg | None) -> None:
    """Abort with 404 when the current user may not act on this organization.

    404, not 403: a manager probing another hotel's ids learns nothing.
    """
    if not may(current_user, permission, org):
        abort(404)


def requires(permission: Permission) -> Callable[[F], F]:
    """View decorator: 401 for visitors (redirect to login), 403 for other roles."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from trainer.extensions import login_manager

                return login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """View decorator for pages anyone may open; declares the choice explicitly."""
    view.permission = "public"  # type: ignore[attr-defined]
    return view
