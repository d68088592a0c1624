"""Job roles a person can hold; rule files and tracks refer to these ids."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

JOB_ROLES: dict[str, object] = {
    "front_desk": _l("Front desk"),
    "housekeeping": _l("Housekeeping"),
    "food_beverage": _l("Food and beverage"),
    "security": _l("Security"),
    "maintenance": _l("Maintenance"),
    "bell_valet": _l("Bell and valet"),
    "driver": _l("Driver"),
    "management": _l("Management"),
    "clinic_staff": _l("Clinic staff"),
    "restaurant_inspector": _l("Restaurant inspector"),
    "contract_compliance": _l("Contract compliance"),
    "administration": _l("Administration"),
    "other": _l("Other"),
}

ORG_KINDS: dict[str, object] = {
    "hotel": _l("Hotel"),
    "city_department": _l("City department"),
    "partner": _l("Partner"),
}

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "vi": "Tiếng Việt"}

#: How a person is employed; rule files name these ids in `covered_employment`.
EMPLOYMENT_TYPES: dict[str, object] = {
    "direct": _l("The organization itself"),
    "contractor": _l("A contractor or staffing agency"),
}

DEPARTMENTS: dict[str, object] = {
    "health": _l("Houston Health Department"),
    "obo": _l("Office of Business Opportunity"),
}


def job_role_label(code: str | None) -> str:
    """The translated name of a job role, or the code itself if unknown."""
    if not code:
        return ""
    return str(JOB_ROLES.get(code, code))


def job_role_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for a select field, labels in the current language."""
    return [(code, str(label)) for code, label in JOB_ROLES.items()]


def org_kind_label(code: str | None) -> str:
    """The translated name of an organization kind, or the code itself if unknown."""
    if not code:
        return ""
    return str(ORG_KINDS.get(code, code))


def department_label(code: str | None) -> str:
    """The translated name of a city department, or the code itself if unknown."""
    if not code:
        return ""
    return str(DEPARTMENTS.get(code, code))
