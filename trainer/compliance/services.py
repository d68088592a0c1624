"""The jurisdiction rules as they apply to an organization and a person.

Every page, report and reminder asks these functions, so one rule set decides everywhere.
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from trainer.auth.models import User
from trainer.compliance.rules import (
    DueResult,
    Rule,
    UnknownJurisdictionError,
    certificate_expiry,
    compute_due,
    counting_rules,
    rules_for,
)
from trainer.orgs.models import Organization


def all_rules() -> dict[str, Rule]:
    """Every jurisdiction rule loaded at start-up, by id."""
    return current_app.extensions["trainer.jurisdictions"]


def org_rules(org: Organization) -> list[Rule]:
    """The organization's jurisdiction and every rule set it also falls under."""
    try:
        return rules_for(org.jurisdiction, all_rules())
    except UnknownJurisdictionError:
        return []


def primary_rule(org: Organization) -> Rule | None:
    """The organization's own jurisdiction rule (names the serial prefix and the law)."""
    rules = org_rules(org)
    return rules[0] if rules else None


def rules_counting_for(user: User) -> list[Rule]:
    """The rules that actually cover this person (org kind and job role)."""
    org = user.organization
    if org is None:
        return []
    return counting_rules(org_rules(org), org_kind=org.kind, job_role=user.job_role or "other")


def minimum_minutes_for(user: User) -> int:
    """The longest minimum training time any covering rule asks (0 when none)."""
    return max((r.minimum_minutes or 0 for r in rules_counting_for(user)), default=0)


def first_due_date(user: User) -> date | None:
    """The strictest deadline for a new hire's first training, if any rule covers them."""
    rules = rules_counting_for(user)
    if not rules or user.hire_date is None:
        return None
    return min(rule.first_due(user.hire_date) for rule in rules)


def expiry_for(user: User, completed_on: date) -> tuple[date | None, Rule | None]:
    """When a certificate completed on that day expires, and the rule that says so."""
    return certificate_expiry(rules_counting_for(user), completed_on)


def due_for(user: User, *, completed_on: date | None, in_progress: bool, today: date) -> DueResult:
    """The person's compliance status and due date (the one service every page uses)."""
    org = user.organization
    return compute_due(
        org_rules(org) if org else [],
        org_kind=org.kind if org else "",
        job_role=user.job_role or "other",
        hire_date=user.hire_date or today,
        completed_on=completed_on,
        in_progress=in_progress,
        today=today,
        due_soon_days=int(current_app.config["DUE_SOON_DAYS"]),
    )
