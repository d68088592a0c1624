"""Demo data: a Houston hotel, the Health Department and one account per role."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from trainer.auth.models import Role, User
from trainer.auth.services import hash_password
from trainer.extensions import db
from trainer.orgs import services as org_services
from trainer.orgs.models import Organization

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo credential
DEMO_ACCOUNTS = (
    ("admin@demo.test", Role.ADMIN, None, None),
    ("auditor@demo.test", Role.AUDITOR, None, None),
    ("manager@hotel.demo.test", Role.MANAGER, "hotel", "management"),
    ("employee@hotel.demo.test", Role.LEARNER, "hotel", "front_desk"),
    ("staff@health.demo.test", Role.LEARNER, "health", "clinic_staff"),
)


def database_is_empty() -> bool:
    """True when there are no accounts and no organizations yet."""
    users = db.session.scalar(select(func.count(User.id))) or 0
    orgs = db.session.scalar(select(func.count(Organization.id))) or 0
    return users == 0 and orgs == 0


def seed(today: date | None = None) -> dict[str, User]:
    """Create the demo organizations and accounts; call only on an empty database."""
    today = today or date.today()
    hotel = Organization(
        kind="hotel",
        name="Bayou City Downtown Hotel",
        address="1200 Louisiana St, Houston, TX 77002",
        jurisdiction="houston-tx",
        permit_number="HTL-2020-0457",
    )
    health = Organization(
        kind="city_department",
        name="Houston Health Department",
        address="8000 N Stadium Dr, Houston, TX 77054",
        jurisdiction="houston-city",
        department="health",
    )
    db.session.add_all([hotel, health])
    db.session.flush()
    orgs = {"hotel": hotel, "health": health}
    names = {
        "admin@demo.test": ("Alex", "Admin"),
        "auditor@demo.test": ("Ana", "Auditora"),
        "manager@hotel.demo.test": ("Marcus", "Manager"),
        "employee@hotel.demo.test": ("Elena", "Ramírez"),
        "staff@health.demo.test": ("Sam", "Nguyễn"),
    }
    password = hash_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for email, role, org_key, job_role in DEMO_ACCOUNTS:
        first, last = names[email]
        org = orgs.get(org_key) if org_key else None
        user = User(
            email=email,
            first_name=first,
            last_name=last,
            role=role.value,
            organization_id=org.id if org else None,
            jurisdiction="houston-tx" if role == Role.AUDITOR else None,
            job_role=job_role,
            hire_date=today - timedelta(days=10) if org else None,
            password_hash=password,
        )
        user.organization = org
        db.session.add(user)
        db.session.flush()
        if role == Role.LEARNER:
            for hook in org_services.STAFF_HOOKS:
                hook(user)
        users[email] = user
    return users
