"""The program's words, defined once: languages, roles, organization kinds, job roles,
how people are employed, city departments and the kinds of tests.

Content files, rule files, forms, models and templates all take their ids from here, so a
new language or job role is added in one place (and translated in the .po files).
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

# --- languages -----------------------------------------------------------------------

#: Languages the site is offered in, each named in itself (the language switcher).
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "vi": "Tiếng Việt"}

#: Languages of the pages, e-mails and certificates.
LANGUAGES: tuple[str, ...] = tuple(LANGUAGE_NAMES)

#: Languages a content file may carry text in (Chinese is authored ahead of the site).
CONTENT_LANGUAGES: tuple[str, ...] = (*LANGUAGES, "zh")

#: Languages every module, lesson and question must have.
REQUIRED_LANGUAGES: tuple[str, ...] = ("en", "es")

DEFAULT_LANGUAGE = "en"


def supported_language(code: str | None) -> str:
    """The code itself when the site speaks it, else the default language."""
    return code if code in LANGUAGE_NAMES else DEFAULT_LANGUAGE


# --- roles ---------------------------------------------------------------------------


class Role(enum.StrEnum):
    """What a person may do; the policy module maps roles to permissions."""

    LEARNER = "learner"
    MANAGER = "manager"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_LABELS: dict[str, object] = {
    Role.LEARNER: _l("Learner"),
    Role.MANAGER: _l("Manager"),
    Role.AUDITOR: _l("City auditor"),
    Role.ADMIN: _l("Administrator"),
}

# --- organizations -------------------------------------------------------------------


class OrgKind(enum.StrEnum):
    """What kind of organization it is; decides which tracks and laws apply."""

    HOTEL = "hotel"
    CITY_DEPARTMENT = "city_department"
    PARTNER = "partner"


ORG_KINDS: dict[str, object] = {
    OrgKind.HOTEL: _l("Hotel"),
    OrgKind.CITY_DEPARTMENT: _l("City department"),
    OrgKind.PARTNER: _l("Partner"),
}

#: The same kinds in the plural, for headings over groups of organizations.
ORG_KIND_PLURALS: dict[str, object] = {
    OrgKind.HOTEL: _l("Hotels"),
    OrgKind.CITY_DEPARTMENT: _l("City departments"),
    OrgKind.PARTNER: _l("Partners"),
}

DEPARTMENTS: dict[str, object] = {
    "health": _l("Houston Health Department"),
    "obo": _l("Office of Business Opportunity"),
}

# --- people --------------------------------------------------------------------------

#: Job roles a person can hold; rule files and tracks refer to these ids.
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

#: How a person is employed; rule files name these ids in `covered_employment`.
EMPLOYMENT_TYPES: dict[str, object] = {
    "direct": _l("The organization itself"),
    "contractor": _l("A contractor or staffing agency"),
}

# --- tests ---------------------------------------------------------------------------


class TestKind(enum.StrEnum):
    """The two tests of every module: a baseline before the lessons and the graded one."""

    __test__ = False  # not a pytest test class

    PRE = "pre"
    POST = "post"


TEST_KINDS: dict[str, object] = {
    TestKind.PRE: _l("Pre-test"),
    TestKind.POST: _l("Post-test"),
}

#: Which tests a question may be drawn for (`use:` in questions.yaml).
ITEM_USES: tuple[str, ...] = (TestKind.PRE, TestKind.POST, "both")

# --- labels --------------------------------------------------------------------------


def _label(table: dict[str, object], code: str | None) -> str:
    if not code:
        return ""
    return str(table.get(code, code))


def job_role_label(code: str | None) -> str:
    """The translated name of a job role, or the code itself if unknown."""
    return _label(JOB_ROLES, code)


def job_role_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for a select field, labels in the current language."""
    return [(code, str(label)) for code, label in JOB_ROLES.items()]


def org_kind_label(code: str | None) -> str:
    """The translated name of an organization kind, or the code itself if unknown."""
    return _label(ORG_KINDS, code)


def department_label(code: str | None) -> str:
    """The translated name of a city department, or the code itself if unknown."""
    return _label(DEPARTMENTS, code)


def role_label(code: str | None) -> str:
    """The translated name of a role, or the code itself if unknown."""
    return _label(ROLE_LABELS, code)


def label_of_test_kind(code: str | None) -> str:
    """The translated name of a kind of test, or the code itself if unknown."""
    return _label(TEST_KINDS, code)
