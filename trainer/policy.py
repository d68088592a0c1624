"""Who may do what: the one place that decides.

Every view declares its permission with `@requires(PERMISSION)` (or `@public`), and
`tests/policy/test_matrix.py` checks every route against every role. A permission names
what a role may do at all; `in_scope` then says whether a role may touch one particular
organization (a manager only their own, an auditor only their jurisdiction).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from trainer.auth.models import Role, User
from trainer.orgs.models import Organization

F = TypeVar("F", bound=Callable[..., Any])


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


def has_permission(user: User | None, permission: Permission) -> bool:
    """True when the user's role grants the permission (inactive users hold none)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return permission in GRANTS.get(Role(user.role), frozenset())


def in_scope(user: User, org: Organization | None) -> bool:
    """True when the user may see this organization's records at all."""
    if org is None:
        return user.role == Role.ADMIN
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.AUDITOR:
        return bool(user.jurisdiction) and org.jurisdiction == user.jurisdiction
    return user.organization_id == org.id


def may(user: User | None, permission: Permission, org: Organization | None = None) -> bool:
    """The whole rule: the role grants it, and the organization is within reach."""
    if not has_permission(user, permission):
        return False
    return org is None or in_scope(user, org)  # type: ignore[arg-type]


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


def may_manage(actor: User | None, target: User, action: StaffAction) -> bool:
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


def authorize_manage(target: User | None, action: StaffAction) -> User:
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


def may_see_records_of(user: User | None, holder_id: int, org: Organization | None) -> bool:
    """Whether `user` may see a person's scores and revocation reasons: the person
    themself, or staff whose scope covers the person's organization."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return user.id == holder_id or may(user, Permission.STAFF_VIEW, org)


def authorize(permission: Permission, org: Organization | None) -> None:
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
