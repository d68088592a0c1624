"""Job roles, organization kinds, languages: the names stay importable from here; the
definitions live in `trainer.core.vocabulary`."""

from __future__ import annotations

from trainer.core.vocabulary import (
    DEPARTMENTS,
    EMPLOYMENT_TYPES,
    JOB_ROLES,
    LANGUAGE_NAMES,
    ORG_KINDS,
    department_label,
    job_role_choices,
    job_role_label,
    org_kind_label,
)

__all__ = [
    "DEPARTMENTS",
    "EMPLOYMENT_TYPES",
    "JOB_ROLES",
    "LANGUAGE_NAMES",
    "ORG_KINDS",
    "department_label",
    "job_role_choices",
    "job_role_label",
    "org_kind_label",
]
