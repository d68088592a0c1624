"""`flask demo generate`: a city's worth of hotels, staff, attempts and certificates.

Generated data is for load and scale testing. Rows are written a few hotels at a time,
with PostgreSQL's COPY (elsewhere with SQLAlchemy Core, many rows per statement), so
memory stays flat however many hotels are asked for. Ids are given explicitly
(PostgreSQL's sequences are moved past them at the end), so the command must not run while
the application is writing.

What each generated staff member gets follows the jurisdiction rules: a hire date, an
enrollment per training cycle with its module progress and lessons, submitted pre- and
post-tests answered question by question (scored by the real scoring code, on forms drawn
from the current module versions' item banks), and, for completed cycles, a certificate.

Module work is simulated in runs (pre-test, lessons, post-tests up to a pass, with times
counted from the start). Simulating every learner's run would take most of the time of a
state-sized generation, so runs are pooled: per module version, jurisdiction, outcome and
band of learner ability, the first POOL_RUNS learners get runs of their own and later
learners reuse one of those, moved to their own start time, under new attempt ids. Each
run keeps the rules (fresh items on retakes, minimum lesson times, a pass on the last
attempt); the same forms and answers simply recur among learners of similar ability.

Certificates are not rendered one by one (some 20,000 renders would take half an hour):
the first generated certificate is rendered for real and its PDF bytes are stored for
every generated certificate, with their true SHA-256, so downloads and the verification
page work. The same holds for the generated annual certification PDFs. Nothing here
commits; the command does, once.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import secrets
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import JSON, Table, func, insert, select, text, update

from trainer import timeutil
from trainer.assessments import scoring
from trainer.assessments.drawing import draw_form, form_to_json, post_exclusions, seen_order
from trainer.assessments.models import Attempt, Response
from trainer.audit import services as audit
from trainer.auth.models import Role, User
from trainer.auth.services import hash_password
from trainer.catalog.models import ModuleVersion, Track
from trainer.certificates import services as certificates
from trainer.certificates.models import Certificate, CertificateFile, SerialCounter
from trainer.certificates.render import render_certificate_pdf
from trainer.compliance import reports
from trainer.compliance import services as compliance
from trainer.compliance.models import AnnualReport
from trainer.compliance.rules import Rule, certificate_expiry, counting_rules
from trainer.core.folding import fold
from trainer.core.text import localized
from trainer.core.vocabulary import job_role_label
from trainer.demo.services import DEMO_PASSWORD
from trainer.extensions import Model, db
from trainer.learning.models import Enrollment, LessonProgress, ModuleProgress
from trainer.orgs.models import Organization
from trainer.timeutil import local_date

NAME_PREFIX = "Generated Hotel "
TRACK_SLUG = "hotel-houston"
BATCH_HOTELS = 10
ROWS_PER_STATEMENT = 1000
FILE_ROWS_PER_STATEMENT = 200
#: Simulated module runs kept per module, jurisdiction, outcome and ability band.
POOL_RUNS = 40

#: Share of each situation among generated staff (the manager is always trained).
SITUATIONS: tuple[tuple[str, int], ...] = (
    ("compliant", 44),
    ("renewal_due", 6),
    ("new_hire", 10),
    ("overdue", 12),
    ("expired", 10),
    ("former", 8),
    ("upcoming", 10),
)
JOB_ROLES: tuple[tuple[str, int], ...] = (
    ("housekeeping", 34),
    ("front_desk", 15),
    ("food_beverage", 14),
    ("maintenance", 10),
    ("bell_valet", 7),
    ("security", 5),
    ("driver", 3),
    ("other", 7),
)
LANGUAGES: tuple[tuple[str, int], ...] = (("en", 55), ("es", 38), ("vi", 7))
_FIRST_NAMES = (
    "María José Guadalupe Juan Rosa Luis Ana Carlos Sofía Jorge Linh Minh Thảo Tuấn Hương "
    "Khoa Mai Long James Mary Michael Patricia David Jennifer Robert Linda Keisha DeShawn "
    "Aaliyah Marcus Imani Tyrone Priya Rahul Hetal Nilesh Jignesh Kavita Chen Wei Fatima "
    "Omar Amina Grace Samuel Joy"
)
_LAST_NAMES = (
    "García Hernández Martínez López González Rodríguez Pérez Sánchez Ramírez Flores Nguyễn "
    "Trần Lê Phạm Huỳnh Võ Smith Johnson Williams Brown Jones Davis Miller Wilson Jackson "
    "Thomas Harris Robinson Patel Shah Desai Mehta Wang Li Okafor Adeyemi Khan Ali"
)
FIRST_NAMES = tuple(_FIRST_NAMES.split())
LAST_NAMES = tuple(_LAST_NAMES.split())
STREETS = (
    "Main St",
    "Westheimer Rd",
    "Richmond Ave",
    "Kirby Dr",
    "Bellaire Blvd",
    "Gessner Rd",
    "Katy Fwy",
    "Telephone Rd",
    "Airline Dr",
    "Fannin St",
)
SUBURBS = ("Pasadena", "Baytown", "Pearland", "Sugar Land", "Humble", "Katy", "Conroe")


class GeneratedDataExistsError(RuntimeError):
    """Generated hotels are already in the database; generating again would mix them."""


@dataclass
class GenerateReport:
    """What was generated."""

    hotels: int = 0
    outside_city: int = 0
    staff: int = 0
    certificates: int = 0
    attempts: int = 0
    responses: int = 0
    annual_reports: int = 0
    statuses: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Module:
    """A module version of the hotel track, ready for simulation."""

    module_id: int
    position: int
    version_id: int
    version: int
    slug: str
    title: Mapping[str, str]
    items: Sequence[Mapping[str, Any]]
    lessons: tuple[tuple[str, int], ...]
    pre_length: int
    post_length: int
    pass_mark: int
    attempts: int
    share_items: bool
    minimum_minutes: int
    difficulty: Mapping[str, float]
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class _AttemptRun:
    """A simulated attempt; times count from the start of the module."""

    kind: str
    number: int
    form: list[dict[str, Any]]
    started: timedelta
    submitted: timedelta
    score: float
    passed: bool | None
    item_scores: dict[str, float]
    #: (question key, answer, answered after, changes, mark) per question.
    responses: tuple[tuple[str, Any, timedelta, int, float], ...]
    #: Per question, the COPY text before and after the time it was answered.
    copy_parts: tuple[tuple[str, str], ...]
    #: The attempt's form, and its columns after the submission time, as COPY text.
    copy_form: str
    copy_tail: str


@dataclass(frozen=True)
class _ModuleRun:
    """A simulated run through one module (see `Generator.module_run`)."""

    attempts: tuple[_AttemptRun, ...]
    #: (lesson id, opened after, completed after, seconds spent) per lesson.
    lessons: tuple[tuple[str, timedelta, timedelta, int], ...]
    passed_after: timedelta | None
    best: float | None
    seconds: int


def generated_exist() -> bool:
    """True when generated hotels are already in the database."""
    return (
        db.session.scalar(
            select(func.count(Organization.id)).where(Organization.name.like(f"{NAME_PREFIX}%"))
        )
        or 0
    ) > 0


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _at(day: date, rng: random.Random, start_hour: int = 8, end_hour: int = 20) -> datetime:
    """A time of day on `day` (UTC)."""
    seconds = rng.randrange(start_hour * 3600, end_hour * 3600)
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=seconds)


def _difficulty(item_id: str) -> float:
    """A stable difficulty per item: some items are much harder than others."""
    seed = int.from_bytes(hashlib.sha256(item_id.encode()).digest()[:8], "big")
    return random.Random(seed).gauss(0.0, 1.0)  # noqa: S311 - simulation, not secrecy


def _modules(track: Track) -> list[_Module]:
    modules = []
    for step in track.steps:
        version: ModuleVersion | None = step.module.current_version
        if version is None:
            raise RuntimeError(f"module {step.module.slug} has no content; run content sync")
        modules.append(
            _Module(
                module_id=step.module_id,
                position=step.position,
                version_id=version.id,
                version=version.version,
                slug=step.module.slug,
                title=dict(version.title),
                items=version.items,
                lessons=tuple(
                    (lesson["id"], lesson["minimum_seconds"]) for lesson in version.lessons
                ),
                pre_length=version.pre_test_length,
                post_length=version.post_test_length,
                pass_mark=version.pass_mark,
                attempts=version.attempts,
                share_items=version.share_items,
                requires=tuple(version.post_test_requires),
                minimum_minutes=version.minimum_minutes,
                difficulty={item["id"]: _difficulty(item["id"]) for item in version.items},
            )
        )
    return modules


class _Ids:
    """Hands out ids per table, after the largest one in use."""

    def __init__(self, tables: Sequence[Table]) -> None:
        self.next: dict[str, int] = {}
        for table in tables:
            largest = db.session.scalar(select(func.max(table.c.id))) or 0
            self.next[table.name] = largest + 1
        self.tables = tables

    def take(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value

    def move_sequences(self) -> None:
        """On PostgreSQL, move each id sequence past the ids given here."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for table in self.tables:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
                )
            )


class _Rows:
    """Rows waiting to be inserted, per table, written many per statement.

    On PostgreSQL the rows go through COPY (several times faster than batched INSERTs);
    elsewhere through executemany, ROWS_PER_STATEMENT rows at a time.
    """

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.tables: dict[str, Table] = {}
        #: On PostgreSQL, the most numerous rows (answers, lessons) are kept as COPY text.
        self.copy = db.session.get_bind().dialect.name == "postgresql"
        self.lines: dict[str, list[str]] = {}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.tables[table.name] = table
        self.rows.setdefault(table.name, []).append(row)

    def add_line(self, table: Table, line: str) -> None:
        """A row as a line of COPY text, in the column order of COPY_COLUMNS."""
        self.lines.setdefault(table.name, []).append(line)

    def flush(self, order: Sequence[Table]) -> None:
        connection = db.session.connection()
        copy = connection.dialect.name == "postgresql"
        for table in order:
            lines = self.lines.pop(table.name, [])
            if lines:
                names = ", ".join(COPY_COLUMNS[table.name])
                driver = connection.connection.driver_connection
                assert driver is not None
                with driver.cursor().copy(f"COPY {table.name} ({names}) FROM STDIN") as stream:
                    stream.write("".join(lines))
            rows = self.rows.pop(table.name, [])
            if not rows:
                continue
            if copy:
                _copy_rows(connection, table, rows)
                continue
            size = (
                FILE_ROWS_PER_STATEMENT if table.name == "certificate_file" else ROWS_PER_STATEMENT
            )
            for start in range(0, len(rows), size):
                connection.execute(insert(table), rows[start : start + size])


def _table(model: type[Model]) -> Table:
    """A model's table (declared models map a Table; the base class only promises less)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


ORG = _table(Organization)
USER = _table(User)
ENROLLMENT = _table(Enrollment)
PROGRESS = _table(ModuleProgress)
LESSON = _table(LessonProgress)
ATTEMPT = _table(Attempt)
RESPONSE = _table(Response)
CERT = _table(Certificate)
CERT_FILE = _table(CertificateFile)
REPORT = _table(AnnualReport)
_COPY_BOOL = {None: "\\N", True: "t", False: "f"}


def _copy_text(value: str) -> str:
    """A text value as COPY's text format writes it."""
    if any(ch in value for ch in "\\\t\n\r"):
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy_rows(connection: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write rows with PostgreSQL's COPY, JSON columns as text (each value dumped once)."""
    columns = list(rows[0])
    json_columns = {name for name in columns if isinstance(table.c[name].type, JSON)}
    dumped: dict[int, tuple[Any, str]] = {}  # id -> (value kept alive, its JSON text)

    def as_json(value: Any) -> str | None:
        if value is None:
            return None
        known = dumped.get(id(value))
        if known is None or known[0] is not value:
            known = (value, json.dumps(value))
            dumped[id(value)] = known
        return known[1]

    # COPY skips SQLAlchemy's Python-side defaults (INSERT applies them): fill them here.
    defaults: list[tuple[str, Any]] = [
        (column.name, column.default)
        for column in table.c
        if column.name not in rows[0] and column.default is not None
    ]
    names = ", ".join(f'"{name}"' for name in columns + [name for name, _d in defaults])
    converters = [(name, name in json_columns) for name in columns]
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor().copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        write = copy.write_row
        for row in rows:
            values = [as_json(row[name]) if is_json else row[name] for name, is_json in converters]
            for _name, default in defaults:
                values.append(default.arg(None) if default.is_callable else default.arg)
            write(values)


#: Columns of the rows `_Rows.add_line` takes, in order.
COPY_COLUMNS = {
    "attempt": (
        "id",
        "module_progress_id",
        "user_id",
        "module_version_id",
        "kind",
        "number",
        "language",
        "form",
        "started_at",
        "submitted_at",
        "score_percent",
        "passed",
        "item_scores",
    ),
    "response": ("attempt_id", "question_key", "answer", "answered_at", "changes", "mark"),
    "lesson_progress": (
        "module_progress_id",
        "lesson_id",
        "opened_at",
        "completed_at",
        "seconds_spent",
    ),
}
INSERT_ORDER = (ORG, USER, ENROLLMENT, PROGRESS, LESSON, ATTEMPT, RESPONSE, CERT, CERT_FILE, REPORT)


@dataclass
class _Person:
    """One generated staff member, as the annual report CSV lists them."""

    user_id: int
    name: str
    job_role: str
    hire_date: date
    active: bool
    status: str
    course: str = ""
    completed_on: date | None = None
    serial: str = ""
    expires_on: date | None = None


class Generator:
    """Generates hotels into the current session (see the module docstring)."""

    def __init__(self, *, seed: int, today: date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - simulation, not secrecy
        self.today = today
        track = db.session.scalar(select(Track).where(Track.slug == TRACK_SLUG))
        if track is None:
            raise RuntimeError(f"track {TRACK_SLUG} is missing; run `flask content sync` first")
        self.track = track
        self.modules = _modules(track)
        self.rules: dict[str, list[Rule]] = {}
        self.ids = _Ids((ORG, USER, ENROLLMENT, PROGRESS, ATTEMPT, CERT, REPORT))
        self.rows = _Rows()
        #: The first certificate whose PDF is stored, and those that share it (PostgreSQL:
        #: their rows are copied from it in the database, not sent again).
        self.first_file: int | None = None
        self.shared_files: list[int] = []
        self.pools: dict[tuple[int, str, bool, int], list[_ModuleRun]] = {}
        self.report = GenerateReport()
        self.password = hash_password(DEMO_PASSWORD)
        self.serials: dict[tuple[str, int], int] = {
            (c.prefix, c.year): c.value for c in db.session.scalars(select(SerialCounter))
        }
        self.serials_before = dict(self.serials)
        self.pdf: bytes | None = None
        self.report_pdf: bytes | None = None
        self.storage = current_app.config["CERTIFICATE_STORAGE"]

    # ------------------------------------------------------------------ rules

    def counting(self, jurisdiction: str) -> list[Rule]:
        if jurisdiction not in self.rules:
            rules = compliance.rules_for(jurisdiction, compliance.all_rules())
            self.rules[jurisdiction] = counting_rules(rules, org_kind="hotel", job_role="other")
        return self.rules[jurisdiction]

    def first_due(self, jurisdiction: str, hire: date) -> date:
        return min(rule.first_due(hire) for rule in self.counting(jurisdiction))

    def minimum_minutes(self, jurisdiction: str, module: _Module) -> int:
        rules = self.counting(jurisdiction)
        return max([module.minimum_minutes] + [r.minimum_minutes or 0 for r in rules])

    # ------------------------------------------------------------------ hotels

    def run(self, hotels: int, staff: int, outside_city: int) -> GenerateReport:
        total = hotels + outside_city
        for start in range(1, total + 1, BATCH_HOTELS):
            for number in range(start, min(start + BATCH_HOTELS, total + 1)):
                self.hotel(number, staff, inside_city=number <= hotels)
            self.rows.flush(INSERT_ORDER)
            self.copy_shared_files()
        self.ids.move_sequences()
        self.save_serials()
        audit.record(
            "demo.generated",
            subject_type="demo",
            details={
                "hotels": self.report.hotels,
                "outside_city": self.report.outside_city,
                "staff": self.report.staff,
                "certificates": self.report.certificates,
            },
        )
        return self.report

    def hotel(self, number: int, staff: int, *, inside_city: bool) -> None:
        rng = self.rng
        org_id = self.ids.take(ORG)
        jurisdiction = "houston-tx" if inside_city else "texas"
        city = "Houston" if inside_city else rng.choice(SUBURBS)
        name = f"{NAME_PREFIX}{number:04d}"
        self.rows.add(
            ORG,
            {
                "id": org_id,
                "kind": "hotel",
                "name": name,
                "address": f"{rng.randrange(100, 9900)} {rng.choice(STREETS)}, {city}, TX",
                "jurisdiction": jurisdiction,
                "department": None,
                "permit_number": f"GEN-{number:05d}",
                "active": True,
                "created_at": _at(self.today - timedelta(days=1500), rng),
            },
        )
        org = {"id": org_id, "name": name, "jurisdiction": jurisdiction, "city": city}
        people: list[_Person] = []
        manager_id = 0
        for index in range(staff):
            situation = "compliant" if index == 0 else _pick(rng, SITUATIONS)
            person = self.person(org, index, situation, manager=index == 0)
            if index == 0:
                manager_id = person.user_id
            people.append(person)
            self.report.statuses[person.status] += 1
        self.report.hotels += 1
        self.report.outside_city += 0 if inside_city else 1
        self.report.staff += staff
        if inside_city and manager_id:
            self.annual_reports(org, people, manager_id)

    # ------------------------------------------------------------------ people

    def person(self, org: dict[str, Any], index: int, situation: str, *, manager: bool) -> _Person:
        rng, today = self.rng, self.today
        jurisdiction = org["jurisdiction"]
        user_id = self.ids.take(USER)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        language = _pick(rng, LANGUAGES)
        job_role = "management" if manager else _pick(rng, JOB_ROLES)
        has_email = manager or rng.random() < 0.85
        ability = rng.gauss(0.3, 1.0)
        active, left = True, None
        completions: list[date] = []
        in_progress = False
        if situation == "compliant":
            done = today - timedelta(days=rng.randrange(10, 330))
            hire = done - timedelta(days=rng.randrange(5, 1400))
            if (done - hire).days > 380 and rng.random() < 0.5:
                completions.append(done - timedelta(days=rng.randrange(345, 365)))
            completions.append(done)
        elif situation == "renewal_due":
            done = today - timedelta(days=rng.randrange(337, 364))
            hire = done - timedelta(days=rng.randrange(5, 900))
            completions.append(done)
            in_progress = rng.random() < 0.4
        elif situation == "new_hire":
            hire = today - timedelta(days=rng.randrange(0, 29))
            in_progress = rng.random() < 0.55
        elif situation == "upcoming":
            # Hired recently where the first deadline is far: under Houston's 30-day rule
            # a new hire is "due soon" at once, under Texas law alone (90 days) not yet.
            hire = today - timedelta(days=rng.randrange(0, 55))
            in_progress = rng.random() < 0.5
        elif situation == "overdue":
            hire = today - timedelta(
                days=rng.randrange(31 if jurisdiction == "houston-tx" else 91, 700)
            )
            in_progress = rng.random() < 0.5
        elif situation == "expired":
            done = today - timedelta(days=rng.randrange(367, 720))
            hire = done - timedelta(days=rng.randrange(5, 900))
            completions.append(done)
        else:  # former staff
            left = today - timedelta(days=rng.randrange(10, 1100))
            hire = left - timedelta(days=rng.randrange(60, 1500))
            if rng.random() < 0.85:
                span = (left - hire).days
                completions.append(hire + timedelta(days=rng.randrange(3, min(span, 60))))
            active = False
        hire = min(hire, today)
        name = f"{first} {last}"
        self.rows.add(
            USER,
            {
                "id": user_id,
                "email": (
                    f"manager@hotel{org['id']}.generated.test"
                    if manager
                    else f"staff{index:03d}@hotel{org['id']}.generated.test"
                )
                if has_email
                else None,
                "first_name": first,
                "last_name": last,
                "search_name": fold(f"{first} {last}"),  # set by the model on ORM writes
                "role": Role.MANAGER.value if manager else Role.LEARNER.value,
                "organization_id": org["id"],
                "jurisdiction": None,
                "job_role": job_role,
                "hire_date": hire,
                "language": language,
                "active": active,
                "deactivated_at": _at(left, rng) if left else None,
                "password_hash": self.password if manager else None,
                "extra_time_percent": 0,
                "created_at": _at(hire, rng),
            },
        )
        person = _Person(user_id, name, job_role, hire, active, status="")
        due = self.first_due(jurisdiction, hire)
        cycle = 0
        for done in completions:
            cycle += 1
            cert = self.enrollment(
                org, person, language, ability, cycle, due, completed_on=done, started=True
            )
            due = cert["expires_on"] or done
            person.course, person.completed_on = cert["track_title"], done
            person.serial, person.expires_on = cert["serial"], cert["expires_on"]
        if active and (not completions or situation in ("renewal_due", "expired")):
            cycle += 1
            self.enrollment(
                org, person, language, ability, cycle, due, completed_on=None, started=in_progress
            )
        person.status = self.status_of(jurisdiction, person, in_progress)
        return person

    def status_of(self, jurisdiction: str, person: _Person, in_progress: bool) -> str:
        if not person.active:
            return "former"
        rules = compliance.rules_for(jurisdiction, compliance.all_rules())
        result = compliance.compute_due(
            rules,
            org_kind="hotel",
            job_role=person.job_role,
            hire_date=person.hire_date,
            completed_on=person.completed_on,
            in_progress=in_progress,
            today=self.today,
            due_soon_days=int(current_app.config["DUE_SOON_DAYS"]),
        )
        return result.status.value

    # ------------------------------------------------------------------ training

    def enrollment(
        self,
        org: dict[str, Any],
        person: _Person,
        language: str,
        ability: float,
        cycle: int,
        due: date,
        *,
        completed_on: date | None,
        started: bool,
    ) -> dict[str, Any]:
        """An enrollment with its modules; returns the certificate row when completed."""
        rng = self.rng
        enrollment_id = self.ids.take(ENROLLMENT)
        assigned_day = person.hire_date if cycle == 1 else due - timedelta(days=30)
        if completed_on is not None:
            assigned_day = min(assigned_day, completed_on - timedelta(days=3))
        assigned_day = min(assigned_day, self.today)
        completed_at = _at(completed_on, rng, 14, 20) if completed_on is not None else None
        self.rows.add(
            ENROLLMENT,
            {
                "id": enrollment_id,
                "user_id": person.user_id,
                "track_id": self.track.id,
                "cycle": cycle,
                "assigned_by_id": None,
                "assigned_at": _at(assigned_day, rng, 6, 8),
                "due_date": due,
                "completed_at": completed_at,
            },
        )
        lines: list[dict[str, Any]] = []
        minutes_total = 0
        count = len(self.modules)
        for index, module in enumerate(self.modules):
            progress_id = self.ids.take(PROGRESS)
            if completed_at is not None:
                passed_at = completed_at - timedelta(days=count - 1 - index, hours=rng.random())
                start = passed_at - timedelta(hours=2 + rng.random() * 20)
                outcome = self.module_work(
                    org, person, language, ability, module, progress_id, start, passed=True
                )
            elif started and index == 0:
                start = _at(min(self.today, max(assigned_day, person.hire_date)), rng, 6, 8)
                outcome = self.module_work(
                    org, person, language, ability, module, progress_id, start, passed=False
                )
                passed_at = None
            else:
                outcome, start, passed_at = None, None, None
            self.rows.add(
                PROGRESS,
                {
                    "id": progress_id,
                    "enrollment_id": enrollment_id,
                    "module_id": module.module_id,
                    "position": module.position,
                    "module_version_id": module.version_id if outcome else None,
                    "started_at": start if outcome else None,
                    "attested_at": None,
                    "passed_at": outcome["passed_at"] if outcome and passed_at else None,
                    "best_score": outcome["best"] if outcome and passed_at else None,
                    "extra_rounds": 0,
                },
            )
            if outcome and completed_at is not None:
                minutes = outcome["seconds"] // 60
                minutes_total += minutes
                lines.append(
                    {
                        "slug": module.slug,
                        "title": localized(module.title, language),
                        "version": module.version,
                        "score": round(outcome["best"]),
                        "minutes": minutes,
                    }
                )
        if completed_at is None:
            return {}
        return self.certificate(
            org, person, language, enrollment_id, completed_at, lines, minutes_total
        )

    def module_work(
        self,
        org: dict[str, Any],
        person: _Person,
        language: str,
        ability: float,
        module: _Module,
        progress_id: int,
        start: datetime,
        *,
        passed: bool,
    ) -> dict[str, Any]:
        """Pre-test, lessons and (when `passed`) post-tests up to a passing one."""
        run = self.module_run(org["jurisdiction"], module, ability, passed=passed)
        copy = self.rows.copy
        for lesson_id, opened, completed, seconds in run.lessons:
            if copy:
                self.rows.add_line(
                    LESSON,
                    f"{progress_id}\t{_copy_text(lesson_id)}\t{(start + opened).isoformat()}\t"
                    f"{(start + completed).isoformat()}\t{seconds}\n",
                )
                continue
            self.rows.add(
                LESSON,
                {
                    "module_progress_id": progress_id,
                    "lesson_id": lesson_id,
                    "opened_at": start + opened,
                    "completed_at": start + completed,
                    "seconds_spent": seconds,
                },
            )
        for attempt in run.attempts:
            attempt_id = self.ids.take(ATTEMPT)
            if copy:
                for (_, _, answered, _, _), (head, tail) in zip(
                    attempt.responses, attempt.copy_parts, strict=True
                ):
                    self.rows.add_line(
                        RESPONSE, f"{attempt_id}{head}{(start + answered).isoformat()}{tail}"
                    )
            else:
                for key, answer, answered, changes, mark in attempt.responses:
                    self.rows.add(
                        RESPONSE,
                        {
                            "attempt_id": attempt_id,
                            "question_key": key,
                            "answer": answer,
                            "answered_at": start + answered,
                            "changes": changes,
                            "mark": mark,
                        },
                    )
            if copy:
                self.rows.add_line(
                    ATTEMPT,
                    f"{attempt_id}\t{progress_id}\t{person.user_id}\t{module.version_id}\t"
                    f"{attempt.kind}\t{attempt.number}\t{language}\t{attempt.copy_form}\t"
                    f"{(start + attempt.started).isoformat()}\t"
                    f"{(start + attempt.submitted).isoformat()}\t{attempt.copy_tail}",
                )
                self.report.attempts += 1
                self.report.responses += len(attempt.responses)
                continue
            self.rows.add(
                ATTEMPT,
                {
                    "id": attempt_id,
                    "module_progress_id": progress_id,
                    "user_id": person.user_id,
                    "module_version_id": module.version_id,
                    "kind": attempt.kind,
                    "number": attempt.number,
                    "language": language,
                    "form": attempt.form,
                    "started_at": start + attempt.started,
                    "submitted_at": start + attempt.submitted,
                    "score_percent": attempt.score,
                    "passed": attempt.passed,
                    "item_scores": attempt.item_scores,
                },
            )
            self.report.attempts += 1
            self.report.responses += len(attempt.responses)
        return {
            "passed_at": start + run.passed_after if run.passed_after is not None else None,
            "best": run.best,
            "seconds": run.seconds,
        }

    def module_run(
        self, jurisdiction: str, module: _Module, ability: float, *, passed: bool
    ) -> _ModuleRun:
        """A simulated run through the module: a new one until the pool for the learner's
        ability band is full, then one drawn from that pool."""
        band = max(-8, min(8, round(ability * 2)))
        pool = self.pools.setdefault((module.version_id, jurisdiction, passed, band), [])
        if len(pool) < POOL_RUNS:
            pool.append(self.simulate_module(jurisdiction, module, ability, passed=passed))
            return pool[-1]
        return self.rng.choice(pool)

    def simulate_module(
        self, jurisdiction: str, module: _Module, ability: float, *, passed: bool
    ) -> _ModuleRun:
        """Pre-test, lessons and (when `passed`) post-tests up to a passing one, with times
        counted from the start of the module."""
        rng = self.rng
        pre_form = draw_form(module.items, "pre", module.pre_length, rng)
        attempts = [self.attempt(module, "pre", 1, pre_form, ability - 0.6, timedelta())]
        moment = attempts[0].submitted
        authored = sum(seconds for _, seconds in module.lessons)
        required = self.minimum_minutes(jurisdiction, module) * 60
        factor = required / authored if 0 < authored < required else 1.0
        lessons = (
            module.lessons
            if passed
            else module.lessons[: rng.randrange(0, len(module.lessons) + 1)]
        )
        seconds_total = 0
        lesson_rows = []
        for lesson_id, minimum in lessons:
            seconds = math.ceil(minimum * factor * (1.0 + rng.random() * 0.8))
            opened = moment + timedelta(seconds=rng.randrange(5, 90))
            moment = opened + timedelta(seconds=seconds)
            seconds_total += seconds
            lesson_rows.append((lesson_id, opened, moment, seconds))
        if not passed:
            return _ModuleRun(tuple(attempts), tuple(lesson_rows), None, None, seconds_total)
        exclude = post_exclusions([entry.item_id for entry in pre_form], module.share_items)
        shown = [[entry.item_id for entry in pre_form]]
        best = 0.0
        for number in range(1, module.attempts + 1):
            form = draw_form(
                module.items,
                "post",
                module.post_length,
                rng,
                exclude=exclude,
                seen=seen_order(shown),
                requires=module.requires,
            )
            shown.append([entry.item_id for entry in form])
            skill = ability + 1.4 + 0.6 * (number - 1)
            begin = moment + timedelta(minutes=rng.randrange(2, 40))
            result = self.attempt(
                module, "post", number, form, skill, begin, must_pass=number == module.attempts
            )
            attempts.append(result)
            moment = result.submitted
            best = max(best, result.score)
            if result.passed:
                return _ModuleRun(tuple(attempts), tuple(lesson_rows), moment, best, seconds_total)
        raise AssertionError("the last post-test attempt always passes")

    def attempt(
        self,
        module: _Module,
        kind: str,
        number: int,
        form: list[Any],
        skill: float,
        started: timedelta,
        *,
        must_pass: bool = False,
    ) -> _AttemptRun:
        """One submitted attempt with an answer per question, scored by the real rules."""
        rng = self.rng
        bank = {item["id"]: item for item in module.items}
        items = [bank[entry.item_id] for entry in form]
        answers: dict[str, Any] = {}
        for item in items:
            chance = 1.0 / (1.0 + math.exp(module.difficulty[item["id"]] - skill))
            for key, question in scoring.questions_of(item):
                answers[key] = _answer(question, rng.random() < chance, rng)
        result = scoring.score_form(items, answers)
        if must_pass and not scoring.passed(result.percent, module.pass_mark):
            for item in items:
                for key, question in scoring.questions_of(item):
                    answers[key] = _answer(question, True, rng)
                result = scoring.score_form(items, answers)
                if scoring.passed(result.percent, module.pass_mark):
                    break
        moment = started
        responses = []
        for item in items:
            for key, question in scoring.questions_of(item):
                moment += timedelta(seconds=rng.randrange(8, 75))
                responses.append(
                    (
                        key,
                        answers[key],
                        moment,
                        1 if rng.random() < 0.08 else 0,
                        scoring.score_question(question, answers[key]),
                    )
                )
        passed = scoring.passed(result.percent, module.pass_mark) if kind == "post" else None
        return _AttemptRun(
            kind=kind,
            number=number,
            form=form_to_json(form),
            started=started,
            submitted=moment + timedelta(seconds=rng.randrange(5, 40)),
            score=result.percent,
            passed=passed,
            item_scores=dict(result.item_scores),
            responses=tuple(responses),
            copy_parts=tuple(
                (
                    f"\t{_copy_text(key)}\t{_copy_text(json.dumps(answer))}\t",
                    f"\t{changes}\t{mark!r}\n",
                )
                for key, answer, _, changes, mark in responses
            ),
            copy_form=_copy_text(json.dumps(form_to_json(form))),
            copy_tail=(
                f"{result.percent!r}\t{_COPY_BOOL[passed]}\t"
                f"{_copy_text(json.dumps(dict(result.item_scores)))}\n"
            ),
        )

    # ------------------------------------------------------------------ certificates

    def certificate(
        self,
        org: dict[str, Any],
        person: _Person,
        language: str,
        enrollment_id: int,
        completed_at: datetime,
        lines: list[dict[str, Any]],
        minutes: int,
    ) -> dict[str, Any]:
        rules = self.counting(org["jurisdiction"])
        primary = compliance.rules_for(org["jurisdiction"], compliance.all_rules())[0]
        expires_on, rule = certificate_expiry(rules, local_date(completed_at))
        issued_at = completed_at + timedelta(seconds=self.rng.randrange(1, 30))
        key = (primary.serial_prefix, issued_at.year)
        self.serials[key] = self.serials.get(key, 0) + 1
        row = {
            "id": self.ids.take(CERT),
            "serial": f"{key[0]}-{key[1]}-{self.serials[key]:06d}",
            "verification_code": secrets.token_urlsafe(certificates.CODE_BYTES),
            "enrollment_id": enrollment_id,
            "reissue": 0,
            "user_id": person.user_id,
            "organization_id": org["id"],
            "track_id": self.track.id,
            "jurisdiction": org["jurisdiction"],
            "language": language,
            "holder_name": person.name,
            "organization_name": org["name"],
            "organization_address": None,
            "permit_number": None,
            "track_title": localized(self.track.title, language),
            "modules": lines,
            "total_minutes": minutes,
            "completed_at": completed_at,
            "issued_at": issued_at,
            "expires_on": expires_on,
            "expiry_rule": {  # as certificates.services records it
                "rule": rule.id,
                "citation": rule.citation,
                "amount": rule.refresher.amount,
                "unit": rule.refresher.unit.value,
            }
            if rule is not None and rule.refresher is not None
            else {"rule": None},
            "legal_reference": primary.citation,
            "pdf_sha256": "",
            "pdf_size": 0,
            "revoked_at": None,
            "revoked_reason": None,
            "revoked_by_id": None,
            "supersedes_id": None,
            "superseded_by_id": None,
        }
        pdf = self.shared_pdf(row)
        row["pdf_sha256"] = hashlib.sha256(pdf).hexdigest()
        row["pdf_size"] = len(pdf)
        self.rows.add(CERT, row)
        if self.storage == "database":
            if self.rows.copy and self.first_file is not None:
                self.shared_files.append(row["id"])  # copied from the first, in the database
            else:
                self.rows.add(CERT_FILE, {"certificate_id": row["id"], "data": pdf})
                self.first_file = row["id"]
        self.report.certificates += 1
        return row

    def shared_pdf(self, row: dict[str, Any]) -> bytes:
        """The PDF stored for generated certificates: the first one, rendered for real."""
        if self.pdf is None:
            sample = Certificate(**{k: v for k, v in row.items() if k != "id"})
            self.pdf = render_certificate_pdf(certificates.certificate_data(sample))
            if self.storage != "database":
                folder = Path(self.storage)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{hashlib.sha256(self.pdf).hexdigest()}.pdf").write_bytes(self.pdf)
        return self.pdf

    def copy_shared_files(self) -> None:
        if not self.shared_files:
            return
        db.session.execute(
            text(
                "INSERT INTO certificate_file (certificate_id, data) "
                "SELECT c.id, f.data FROM certificate AS c, certificate_file AS f "
                "WHERE f.certificate_id = :first AND c.id = ANY(:ids)"
            ),
            {"first": self.first_file, "ids": self.shared_files},
        )
        self.shared_files = []

    def save_serials(self) -> None:
        for (prefix, year), value in self.serials.items():
            if (prefix, year) in self.serials_before:
                db.session.execute(
                    update(SerialCounter)
                    .where(SerialCounter.prefix == prefix, SerialCounter.year == year)
                    .values(value=value)
                )
            else:
                db.session.add(SerialCounter(prefix=prefix, year=year, value=value))
        db.session.flush()

    # ------------------------------------------------------------------ annual reports

    def annual_reports(self, org: dict[str, Any], people: list[_Person], manager_id: int) -> None:
        """Most hotels filed last year's certification; fewer have filed this year's."""
        rng, today = self.rng, self.today
        for year, share in ((today.year - 1, 0.85), (today.year, 0.7)):
            opens = date(year, 1, 2)
            if opens >= today or rng.random() >= share:
                continue
            latest = min(today - timedelta(days=1), date(year, 5, 15))
            day = opens + timedelta(days=rng.randrange(0, max(1, (latest - opens).days)))
            listed = [p for p in people if p.active and p.hire_date <= day]
            lines = tuple(_report_line(p, day) for p in listed)
            rule = next(
                r
                for r in compliance.rules_for("houston-tx", compliance.all_rules())
                if r.annual_certification
            )
            assert rule.annual_certification is not None
            data = reports.ReportData(
                organization_name=org["name"],
                organization_address="",
                permit_number=None,
                rule_name=localized(rule.name, "en"),
                citation=rule.citation,
                recipient=localized(rule.annual_certification.to, "en"),
                year=year,
                due_on=rule.annual_certification.due_in(year),
                lines=lines,
                attested_name="Hotel manager",
                attested_title="General manager",
                attested_at=_at(day, rng),
                language="en",
            )
            if self.report_pdf is None:
                self.report_pdf = reports.render_pdf(data)
            table = reports.render_csv(data)
            self.rows.add(
                REPORT,
                {
                    "id": self.ids.take(REPORT),
                    "organization_id": org["id"],
                    "year": year,
                    "revision": 1,
                    "jurisdiction": org["jurisdiction"],
                    "rule_id": rule.id,
                    "due_on": data.due_on,
                    "recipient": data.recipient,
                    "language": "en",
                    "attested_by_id": manager_id,
                    "attested_name": data.attested_name,
                    "attested_title": data.attested_title,
                    "attested_at": data.attested_at,
                    "covered_count": data.covered,
                    "trained_count": data.trained,
                    "pdf": self.report_pdf,
                    "pdf_sha256": hashlib.sha256(self.report_pdf).hexdigest(),
                    "pdf_size": len(self.report_pdf),
                    "csv": table,
                    "csv_sha256": hashlib.sha256(table).hexdigest(),
                    "csv_size": len(table),
                },
            )
            self.report.annual_reports += 1


def _report_line(person: _Person, day: date) -> reports.ReportLine:
    """How the person appeared on a report filed on `day`."""
    trained = person.completed_on is not None and person.completed_on <= day
    return reports.ReportLine(
        name=person.name,
        job_role=str(job_role_label(person.job_role)),
        hire_date=person.hire_date,
        status=person.status,
        course=person.course if trained else "",
        completed_on=person.completed_on if trained else None,
        serial=person.serial if trained else "",
        expires_on=person.expires_on if trained else None,
    )


def _answer(question: Mapping[str, Any], right: bool, rng: random.Random) -> Any:
    """A stored answer: the correct one, or a plausible wrong one."""
    kind = question["type"]
    correct = question["correct"]
    if kind == "true_false":
        return bool(correct) if right else not correct
    options = scoring.option_ids(question)
    if kind == "single":
        if right:
            return correct
        wrong = [o for o in options if o != correct]
        return rng.choice(wrong) if wrong else correct
    chosen = set(correct)
    if right:
        return sorted(chosen)
    wrong = [o for o in options if o not in chosen]
    if len(chosen) > 1 and (not wrong or rng.random() < 0.5):
        chosen.discard(rng.choice(sorted(chosen)))
    elif wrong:
        chosen.add(rng.choice(wrong))
    return sorted(chosen)


def generate(
    hotels: int,
    staff: int,
    *,
    seed: int = 2020,
    today: date | None = None,
    outside_city: int | None = None,
) -> GenerateReport:
    """Generate hotels (flushes; the caller commits). Refuses if generated hotels exist."""
    if hotels < 1 or staff < 1:
        raise ValueError("hotels and staff must be at least 1")
    if generated_exist():
        raise GeneratedDataExistsError("generated hotels are already in this database")
    extra = max(1, round(hotels / 10)) if outside_city is None else outside_city
    generator = Generator(seed=seed, today=today or timeutil.today())
    return generator.run(hotels, staff, extra)


def analyze() -> None:
    """Refresh the database's planner statistics after a bulk load (run after commit)."""
    db.session.execute(text("ANALYZE"))


def spread(report: GenerateReport) -> Iterator[tuple[str, int]]:
    """The statuses generated, largest first."""
    yield from report.statuses.most_common()
