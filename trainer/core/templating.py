"""What every template can use: the navigation, languages, labels and dates."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale

from trainer.core.navigation import navigation
from trainer.core.text import localized
from trainer.core.vocabulary import (
    LANGUAGE_NAMES,
    department_label,
    job_role_label,
    org_kind_label,
    role_label,
)


def register_template_helpers(app: Flask) -> None:
    """Context processor and filters shared by every page."""

    @app.context_processor
    def inject() -> dict[str, object]:
        return {
            "nav_items": navigation(),
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
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.filters["format_date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["format_datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
