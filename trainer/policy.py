"""Who may do what: the one place that decides.

Every view declares its permission with `@requires(PERMISSION)` (or `@public`), and
`tests/test_policy_matrix.py` checks every route against every role. A permission names
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
