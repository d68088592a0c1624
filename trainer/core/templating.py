"""What every template can use: the navigation for the role, languages, labels."""

from __future__ import annotations

from flask import Flask, has_request_context, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from trainer.core.text import localized
from trainer.orgs.jobroles import (
    LANGUAGE_NAMES,
    department_label,
    job_role_label,
    org_kind_label,
)
from trainer.policy import Permission, has_permission

ROLE_LABELS = {
    "learner": _l("Learner"),
    "manager": _l("Manager"),
    "auditor": _l("City auditor"),
    "admin": _l("Administrator"),
}

NAV = (
    ("learning.home", Permission.LEARN, _l("My training")),
    ("certificates.mine", Permission.LEARN, _l("My certificates")),
    ("compliance.dashboard", Permission.STAFF_MANAGE, _l("Dashboard")),
    ("orgs.staff_list", Permission.STAFF_MANAGE, _l("Staff")),
    ("orgs.contact_list", Permission.CONTACTS_MANAGE, _l("Workplace contacts")),
    ("certificates.org_list", Permission.STAFF_MANAGE, _l("Certificates")),
    ("orgs.org_list", Permission.ORG_VIEW, _l("Organizations")),
    ("compliance.auditor", Permission.AUDIT_VIEW, _l("Compliance")),
    ("certificates.search", Permission.AUDIT_VIEW, _l("Find a certificate")),
    ("outcomes.index", Permission.AUDIT_VIEW, _l("Outcomes")),
    ("audit.log", Permission.AUDIT_VIEW, _l("Audit log")),
    ("auth.user_list", Permission.USER_ADMIN, _l("Accounts")),
    ("mail.outbox_list", Permission.USER_ADMIN, _l("Outgoing mail")),
    ("catalog.admin_modules", Permission.CONTENT_ADMIN, _l("Content")),
    ("auth.change_password", Permission.SIGNED_IN, _l("Password")),
)


def navigation(app: Flask) -> list[dict[str, object]]:
    """Links the signed-in person may follow, in a stable order."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return []
    items = []
    for endpoint, permission, label in NAV:
        if endpoint in app.view_functions and has_permission(current_user, permission):
            if endpoint == "orgs.org_list" and current_user.role == "manager":
                continue
            if endpoint == "orgs.contact_list" and current_user.role != "manager":
                continue  # admins open an organization's contacts from its page
            items.append(
                {
                    "url": url_for(endpoint),
                    "label": label,
                    "current": request.endpoint == endpoint,
                }
            )
    return items


def register_template_helpers(app: Flask) -> None:
    """Context processor and filters shared by every page."""

    @app.context_processor
    def inject() -> dict[str, object]:
        return {
            "nav_items": navigation(app),
            "languages": LANGUAGE_NAMES,
            "current_language": str(get_locale() or "en"),
            "program_name": app.config["PROGRAM_NAME"],
            "branding": app.extensions["trainer.branding"],
        }

    def jurisdiction_label(code: str | None) -> str:
        """A jurisdiction's name in the reader's language (its id only if unknown)."""
        rule = app.extensions.get("trainer.jurisdictions", {}).get(code or "")
        if rule is None:
            return code or ""
        return localized(rule.name, str(get_locale() or "en")) or code or ""

    app.jinja_env.filters["job_role"] = job_role_label
    app.jinja_env.filters["org_kind"] = org_kind_label
    app.jinja_env.filters["department"] = department_label
    app.jinja_env.filters["jurisdiction"] = jurisdiction_label
    app.jinja_env.filters["role_label"] = lambda value: str(ROLE_LABELS.get(value, value))
    app.jinja_env.filters["format_date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["format_datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
