"""Demo data: a Houston hotel, the Health Department and one account per role."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from trainer import timeutil
from trainer.assessments import scoring
from trainer.assessments import services as tests
from trainer.assessments.models import Attempt
from trainer.auth.models import Role, User
from trainer.auth.services import hash_password
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.orgs import services as org_services
from trainer.orgs.models import Organization
from trainer.timeutil import utcnow

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo credential
CERTIFIED_EMAIL = "certified@hotel.demo.test"
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
    today = today or timeutil.today()
    hotel = Organization(
        kind="hotel",
        name="Bayou City Downtown Hotel",
        address="1200 Louisiana St, Houston, TX 77002",
        jurisdiction="houston-tx",
        permit_number="HTL-2020-0457",
        rooms=180,
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
            org_services.STAFF_ADDED.emit(user)
        users[email] = user
    certified = User(
        email=CERTIFIED_EMAIL,
        first_name="Lucía",
        last_name="Torres",
        role=Role.LEARNER.value,
        organization_id=hotel.id,
        job_role="housekeeping",
        hire_date=today - timedelta(days=40),
        language="es",
        password_hash=password,
    )
    certified.organization = hotel
    db.session.add(certified)
    db.session.flush()
    org_services.STAFF_ADDED.emit(certified)
    complete_open_tracks(certified)
    users[CERTIFIED_EMAIL] = certified
    return users


def _answer_all(attempt: Attempt, user: User) -> None:
    for item in tests.items_of(attempt):
        for key, question in scoring.questions_of(item):
            tests.save_answer(attempt, user, key, scoring.correct_values(question))
    tests.submit(attempt, user)


def complete_open_tracks(user: User) -> None:
    """Take every open module of the person's tracks through the real services.

    Lessons are opened, given their minimum time on the server's clock (their opening
    time is set that far back) and completed; tests are answered correctly. Passing the
    last module issues the certificate through the usual completion hook.
    """
    for enrollment in learning.enrollments_of(user):
        for progress in enrollment.modules:
            version = learning.start_module(progress)
            _answer_all(tests.start_pre_test(progress, user), user)
            for lesson in version.lessons:
                row = learning.open_lesson(progress, lesson["id"], pre_test_done=True)
                row.opened_at = utcnow() - timedelta(
                    seconds=learning.lesson_minimum(version, lesson, user) + 30
                )
                learning.complete_lesson(progress, lesson["id"], user)
            if version.attestation:
                learning.attest(progress, user)
            _answer_all(tests.start_post_test(progress, user), user)
