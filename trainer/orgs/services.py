"""Organizations and their staff: create, edit, deactivate; their own contacts.

The CSV import of staff is in `trainer.orgs.imports`.

Services flush and never commit; the view that called them commits once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainer.audit import services as audit
from trainer.auth.models import EMAIL_INDEX, Role, User, new_security_stamp
from trainer.auth.services import NotOnOneself
from trainer.core import vocabulary
from trainer.core.hooks import Hook
from trainer.extensions import db
from trainer.orgs.models import Organization, OrganizationContact
from trainer.timeutil import utcnow

LANGUAGES = vocabulary.LANGUAGES

#: Hooks run after a staff member is created or changes job role (enrollment listens).
STAFF_ADDED: Hook[[User], object] = Hook("orgs.staff_added")


@dataclass
class OrgData:
    """The editable fields of an organization."""

    kind: str
    name: str
    address: str
    jurisdiction: str
    department: str | None = None
    permit_number: str | None = None
    rooms: int | None = None


def create_org(data: OrgData, *, actor: User) -> Organization:
    """Create a hotel, city department or partner."""
    org = Organization(**data.__dict__)
    db.session.add(org)
    db.session.flush()
    audit.record(
        "org.created",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=org.id,
        organization_id=org.id,
        details={"name": org.name, "kind": org.kind},
    )
    return org


def update_org(org: Organization, data: OrgData, *, actor: User) -> None:
    """Change an organization's fields."""
    changed = {k: v for k, v in data.__dict__.items() if getattr(org, k) != v}
    for key, value in changed.items():
        setattr(org, key, value)
    if changed:
        audit.record(
            "org.updated",
            actor_id=actor.id,
            subject_type="organization",
            subject_id=org.id,
            organization_id=org.id,
            details={"fields": sorted(changed)},
        )


def list_orgs(jurisdiction: str | None = None) -> Sequence[Organization]:
    """Organizations, by name; only one jurisdiction's when given."""
    query = select(Organization).order_by(Organization.name)
    if jurisdiction:
        query = query.where(Organization.jurisdiction == jurisdiction)
    return db.session.scalars(query).all()


@dataclass
class StaffData:
    """The fields a manager gives for a staff member."""

    first_name: str
    last_name: str
    email: str | None
    job_role: str
    hire_date: date
    language: str = "en"
    extra_time_percent: int = 0
    employment: str = "direct"
    under_16_at_hire: bool = False


class EmailTaken(ValueError):  # noqa: N818 - a refusal, not a crash
    """Another account already uses this e-mail address (case-insensitive)."""


def _flush_person(user: User, changes: dict[str, Any] | None = None) -> None:
    """Write a new person, or these changes to one: the unique index decides whether the
    e-mail is free (no check before, so two requests at once cannot both take it)."""
    try:
        with db.session.begin_nested():
            for key, value in (changes or {}).items():
                setattr(user, key, value)
            db.session.add(user)
            db.session.flush()
    except IntegrityError as error:
        if EMAIL_INDEX not in str(error.orig):
            raise
        raise EmailTaken(user.email) from None


def add_staff(org: Organization, data: StaffData, *, actor: User) -> User:
    """Add a learner to the organization (email optional) and run enrollment hooks.

    Raises `EmailTaken` when another account uses the e-mail; the caller rolls back.
    """
    user = User(
        organization_id=org.id,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=(data.email or "").strip().lower() or None,
        job_role=data.job_role,
        hire_date=data.hire_date,
        language=data.language,
        extra_time_percent=data.extra_time_percent,
        employment=data.employment,
        under_16_at_hire=data.under_16_at_hire,
        role=Role.LEARNER.value,
    )
    user.organization = org
    _flush_person(user)
    audit.about_person("staff.added", user, actor_id=actor.id)
    STAFF_ADDED.emit(user)
    return user


def update_staff(user: User, data: StaffData, *, actor: User) -> None:
    """Change a staff member's details; a new job role re-runs enrollment hooks.

    Raises `EmailTaken` when another account uses the new e-mail; the caller rolls back.
    """
    new_email = (data.email or "").strip().lower() or None
    values = {
        "first_name": data.first_name.strip(),
        "last_name": data.last_name.strip(),
        "email": new_email,
        "job_role": data.job_role,
        "hire_date": data.hire_date,
        "language": data.language,
        "extra_time_percent": data.extra_time_percent,
        "employment": data.employment,
        "under_16_at_hire": data.under_16_at_hire,
    }
    changed = {k: v for k, v in values.items() if getattr(user, k) != v}
    changes: dict[str, Any] = dict(changed)
    if "email" in changed:
        # links sent to the old address stop working, and so do open sessions
        changes["security_stamp"] = new_security_stamp()
    _flush_person(user, changes)
    if changed:
        audit.about_person(
            "staff.updated", user, actor_id=actor.id, details={"fields": sorted(changed)}
        )
    if "job_role" in changed:
        STAFF_ADDED.emit(user)


def record_invitation(user: User, *, actor: User) -> None:
    """Note in the audit log that an invitation was sent (again) to the person."""
    audit.about_person("staff.invited", user, actor_id=actor.id)


def set_staff_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate (or reactivate) a person; every record they have is kept.

    Nobody deactivates their own account (`NotOnOneself`): they would be locked out.
    """
    if not active and user.id == actor.id:
        raise NotOnOneself("one's own account cannot be deactivated")
    if user.active == active:
        return
    user.active = active
    user.deactivated_at = None if active else utcnow()
    if not active:
        user.security_stamp = new_security_stamp()
    audit.about_person(
        "staff.reactivated" if active else "staff.deactivated", user, actor_id=actor.id
    )


def staff_of(org: Organization, *, include_inactive: bool = True) -> Sequence[User]:
    """Everyone in the organization, by last name."""
    query = select(User).where(User.organization_id == org.id)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return db.session.scalars(query.order_by(User.last_name, User.first_name)).all()


# --- the organization's own contacts ----------------------------------------------------

#: An organization's own contacts shown in lessons: a short list learners can read.
MAX_CONTACTS = 10


class ContactLimitError(Exception):
    """The organization already has the most contacts a lesson shows."""


@dataclass
class ContactData:
    """The fields of one of the organization's own contacts."""

    label: str
    phone: str
    note: str = ""


def _contact_details(contact: OrganizationContact) -> dict[str, str]:
    return {"label": contact.label, "phone": contact.phone, "note": contact.note}


def add_contact(org: Organization, data: ContactData, *, actor: User) -> OrganizationContact:
    """Add a contact that learners of the organization see in lessons."""
    count = db.session.scalar(
        select(func.count(OrganizationContact.id)).where(
            OrganizationContact.organization_id == org.id
        )
    )
    if (count or 0) >= MAX_CONTACTS:
        raise ContactLimitError
    last = db.session.scalar(
        select(func.max(OrganizationContact.position)).where(
            OrganizationContact.organization_id == org.id
        )
    )
    contact = OrganizationContact(
        organization_id=org.id,
        label=data.label.strip(),
        phone=" ".join(data.phone.split()),
        note=data.note.strip(),
        position=(last or 0) + 1,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record(
        "org.contact_added",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=org.id,
        organization_id=org.id,
        details=_contact_details(contact),
    )
    return contact


def update_contact(contact: OrganizationContact, data: ContactData, *, actor: User) -> None:
    """Change a contact's label, number or note."""
    values = {
        "label": data.label.strip(),
        "phone": " ".join(data.phone.split()),
        "note": data.note.strip(),
    }
    changed = {k: v for k, v in values.items() if getattr(contact, k) != v}
    if not changed:
        return
    before = _contact_details(contact)
    for key, value in changed.items():
        setattr(contact, key, value)
    audit.record(
        "org.contact_updated",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=contact.organization_id,
        organization_id=contact.organization_id,
        details={"before": before, "after": _contact_details(contact)},
    )


def remove_contact(contact: OrganizationContact, *, actor: User) -> None:
    """Remove a contact (the audit log keeps what it said)."""
    audit.record(
        "org.contact_removed",
        actor_id=actor.id,
        subject_type="organization",
        subject_id=contact.organization_id,
        organization_id=contact.organization_id,
        details=_contact_details(contact),
    )
    db.session.delete(contact)
    db.session.flush()


def contacts_of(org: Organization) -> Sequence[OrganizationContact]:
    """The organization's own contacts, in the order they were added."""
    return db.session.scalars(
        select(OrganizationContact)
        .where(OrganizationContact.organization_id == org.id)
        .order_by(OrganizationContact.position, OrganizationContact.id)
    ).all()
