"""`flask demo generate`: a small city with the spread of statuses, tests and certificates."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

import pytest
from sqlalchemy import func, select

from trainer import timeutil
from trainer.assessments import scoring
from trainer.assessments.models import Attempt, Response
from trainer.audit import services as audit
from trainer.auth.models import User
from trainer.catalog.models import ModuleVersion
from trainer.certificates import services as certificates
from trainer.certificates.models import Certificate, SerialCounter
from trainer.compliance import services
from trainer.compliance.models import AnnualReport
from trainer.extensions import db
from trainer.learning.models import LessonProgress
from trainer.orgs.models import Organization


@pytest.fixture
def generated(runner):
    result = runner.invoke(
        args=["demo", "generate", "--hotels", "3", "--staff", "25", "--seed", "7"]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_generates_hotels_with_every_status(generated):
    orgs = db.session.scalars(select(Organization).order_by(Organization.name)).all()
    assert [o.name for o in orgs] == [f"Generated Hotel {n:04d}" for n in range(1, 5)]
    assert [o.jurisdiction for o in orgs] == ["houston-tx"] * 3 + ["texas"]  # one outside
    today = timeutil.today()
    statuses = {row.status.value for org in orgs for row in services.staff_rows(org, today)}
    assert {"compliant", "due_soon", "overdue", "expired"} <= statuses
    assert statuses & {"not_started", "in_progress"}
    former = services.staff_rows(orgs[0], today, include_former=True)
    assert len(former) == 25
    everyone = [row for org in orgs for row in services.staff_rows(org, today, include_former=True)]
    assert any(not row.active for row in everyone)
    assert {row.user_id for row in everyone if not row.active}.isdisjoint(
        row.user_id for org in orgs for row in services.staff_rows(org, today)
    )
    assert "generated 4 hotels" in generated


def test_certificates_have_their_stored_pdf(generated, client):
    certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert len(certs) > 20
    for cert in certs[:3] + certs[-3:]:
        assert certificates.pdf_bytes(cert).startswith(b"%PDF")
    assert len({c.serial for c in certs}) == len(certs)
    assert client.get(f"/verify/{certs[-1].verification_code}").status_code == 200
    year, count = db.session.execute(
        select(func.max(SerialCounter.year), func.max(SerialCounter.value)).where(
            SerialCounter.prefix == "HTX"
        )
    ).one()
    issued = db.session.scalar(
        select(func.count(Certificate.id)).where(Certificate.serial.like(f"HTX-{year}-%"))
    )
    assert count == issued  # the next real certificate takes the next serial


def test_attempts_are_answered_question_by_question(generated):
    attempts = db.session.scalars(select(Attempt).where(Attempt.submitted_at.is_not(None))).all()
    assert attempts
    marks_by_item: dict[str, list[float]] = defaultdict(list)
    responses = db.session.scalars(select(Response)).all()
    by_attempt: dict[int, list[Response]] = defaultdict(list)
    for response in responses:
        by_attempt[response.attempt_id].append(response)
        assert 0.0 <= response.mark <= 1.0
        marks_by_item[response.question_key].append(response.mark)
    for attempt in attempts:
        items = {entry["item_id"] for entry in attempt.form}
        answered = {r.question_key.split(".")[0] for r in by_attempt[attempt.id]}
        assert answered == items
        assert set(attempt.item_scores) == items
    pre = [a.score_percent for a in attempts if a.kind == "pre"]
    post = [a.score_percent for a in attempts if a.kind == "post"]
    assert mean(pre) + 10 < mean(post)  # learning shows
    assert all(a.passed is not None for a in attempts if a.kind == "post")
    facility = [mean(m) for m in marks_by_item.values() if len(m) >= 8]
    assert max(facility) - min(facility) > 0.3  # some items are harder than others


def test_rows_read_back_as_the_app_writes_them(generated):
    """Answers, marks, times and lesson rows are stored as the app itself stores them."""
    attempts = {a.id: a for a in db.session.scalars(select(Attempt))}
    versions = {v.id: v for v in db.session.scalars(select(ModuleVersion))}
    for response in db.session.scalars(select(Response).order_by(Response.id).limit(400)):
        attempt = attempts[response.attempt_id]
        bank = {item["id"]: item for item in versions[attempt.module_version_id].items}
        question = scoring.find_question(
            bank[response.question_key.split(".")[0]], response.question_key
        )
        assert isinstance(response.answer, bool | str | list)
        assert response.mark == scoring.score_question(question, response.answer)
        assert attempt.started_at < response.answered_at < attempt.submitted_at
    lessons = db.session.scalars(select(LessonProgress)).all()
    assert lessons
    for row in lessons:
        assert (row.completed_at - row.opened_at).total_seconds() == row.seconds_spent
    stamps = db.session.scalars(select(User.security_stamp)).all()
    assert all(stamps) and len(set(stamps)) == len(stamps)


def test_annual_reports_audit_chain_and_ids(generated, make):
    reports = db.session.scalars(select(AnnualReport)).all()
    assert reports and {r.jurisdiction for r in reports} == {"houston-tx"}
    assert all(r.pdf_size > 0 and r.csv_size > 0 for r in reports)
    assert audit.verify_chain().ok
    org = make.org(name="After generation")  # ids continue after the generated ones
    assert org.id == 5


def test_refuses_to_generate_twice(generated, runner):
    again = runner.invoke(args=["demo", "generate", "--hotels", "1", "--staff", "1"])
    assert again.exit_code != 0 and "already exist" in again.output
    assert db.session.scalar(select(func.count(Organization.id))) == 4


@pytest.mark.parametrize("args", [["--hotels", "0"], ["--staff", "-1"], ["--hotels", "x"]])
def test_bad_options_are_refused(runner, args):
    result = runner.invoke(args=["demo", "generate", *args])
    assert result.exit_code == 2
    assert db.session.scalar(select(func.count(Organization.id))) == 0


def test_generated_people_can_be_found_by_name(generated):
    from trainer.auth.models import User
    from trainer.core.folding import fold

    people = db.session.execute(select(User.first_name, User.last_name, User.search_name)).all()
    assert people and all(found == fold(f"{a} {b}") for a, b, found in people)
    assert db.session.scalar(select(func.count()).where(User.search_name == "")) == 0
