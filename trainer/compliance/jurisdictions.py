"""The jurisdiction rules that apply to an organization and to a person.

Due dates, expiry, the facts printed on a certificate and the reporting contacts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app

from trainer.auth.models import User
from trainer.certificates.services import JurisdictionFacts
from trainer.compliance.rules import (
    DIRECT,
    Contact,
    DueResult,
    Rule,
    UnknownJurisdictionError,
    certificate_expiry,
    compute_due,
    counting_rules,
    merged_contacts,
    rules_for,
)
from trainer.core.contacts import (
    EMERGENCY,
    WORKPLACE,
    ContactLine,
    ContactsBox,
    parse_phone,
    tel_uri,
)
from trainer.core.text import localized
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
    """The rules that actually cover this person (organization, job role, exemptions)."""
    org = user.organization
    if org is None:
        return []
    return counting_rules(
        org_rules(org),
        org_kind=org.kind,
        job_role=user.job_role or "other",
        rooms=org.rooms,
        employment=user.employment or DIRECT,
        under_16_at_hire=bool(user.under_16_at_hire),
    )


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


def certificate_facts(user: User, completed_on: date) -> JurisdictionFacts:
    """The jurisdiction facts a certificate carries: expiry, its rule, serial prefix, law."""
    org = user.organization
    primary = primary_rule(org) if org else None
    expires_on, rule = expiry_for(user, completed_on)
    info: dict[str, Any] = {"rule": None}
    if rule is not None and rule.refresher is not None:
        info = {
            "rule": rule.id,
            "citation": rule.citation,
            "amount": rule.refresher.amount,
            "unit": rule.refresher.unit.value,
        }
    return JurisdictionFacts(
        expires_on=expires_on,
        expiry_rule=info,
        serial_prefix=primary.serial_prefix if primary else None,
        reference=primary.citation if primary else "",
    )


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
        rooms=org.rooms if org else None,
        employment=user.employment or DIRECT,
        under_16_at_hire=bool(user.under_16_at_hire),
    )


def _rule_contact_line(contact: Contact, language: str) -> ContactLine:
    """A rule file's contact in `language` (an unconfirmed one never carries a number)."""
    phone = None if contact.unconfirmed else contact.phone
    return ContactLine(
        label=localized(contact.label, language),
        kind=contact.kind,
        phone=phone,
        tel=tel_uri(phone) if phone else None,
        text=None if contact.unconfirmed else contact.text,
        text_keyword=None if contact.unconfirmed else contact.text_keyword,
        note=localized(contact.note, language),
        where=localized(contact.where, language) if contact.unconfirmed else "",
        unconfirmed=contact.unconfirmed,
        source=contact.source,
    )


def contacts_box(jurisdiction: str, language: str, org: Organization | None = None) -> ContactsBox:
    """The contacts a lesson shows, in `language`.

    The jurisdiction's (with its `also` rules) and the organization's own: emergency
    lines first, then the workplace's, then the police and the hotlines.
    """
    try:
        rules = rules_for(jurisdiction, all_rules())
    except UnknownJurisdictionError:
        rules = []
    lines = [_rule_contact_line(contact, language) for contact in merged_contacts(rules)]
    workplace: list[ContactLine] = []
    if org is not None:
        for own in org.contacts:
            number = parse_phone(own.phone)
            workplace.append(
                ContactLine(
                    label=own.label,
                    kind=WORKPLACE,
                    phone=number.shown if number else own.phone,
                    tel=number.tel if number else None,
                    note=own.note,
                )
            )
    return ContactsBox(
        emergency=tuple(line for line in lines if line.kind == EMERGENCY),
        workplace=tuple(workplace),
        others=tuple(line for line in lines if line.kind != EMERGENCY),
        workplace_name=org.name if org is not None else "",
    )


def contacts_for_learner(user: User, language: str) -> ContactsBox | None:
    """The contacts box for a learner's lessons (None when they have no organization)."""
    org = user.organization
    if org is None:
        return None
    return contacts_box(org.jurisdiction, language, org)


def rooms_prompt(org: Organization) -> list[Rule]:
    """The rules whose reach depends on a room count this organization has not recorded.

    Until the count is recorded, the organization counts as governed by them (no one is
    left out by a missing number); pages show these rules to ask for the count.
    """
    if org.rooms is not None:
        return []
    return [rule for rule in org_rules(org) if rule.uses_rooms() and rule.applies_to(org.kind)]
