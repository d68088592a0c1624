"""Large staff files are imported by a job: all or nothing, errors on its progress page,
progress readable while it runs, once however often it is run."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.web import csrf_token, sign_in
from trainer.auth.models import User
from trainer.extensions import db
from trainer.jobs import progress
from trainer.jobs.models import JobRun, JobState
from trainer.mail.models import OutboxMail
from trainer.orgs import imports as services
from trainer.orgs import jobs as org_jobs

HEAD = "E-mail,First Name,Last Name,Job Role,Hire Date,Language\n"


@pytest.fixture(autouse=True)
def _small_threshold(app):
    """Files of more than 20 rows go to a job here (200 in the shipped configuration),
    so each test imports few people."""
    before = app.config["STAFF_IMPORT_INLINE_ROWS"]
    app.config["STAFF_IMPORT_INLINE_ROWS"] = 20
    yield
    app.config["STAFF_IMPORT_INLINE_ROWS"] = before


def _staff_csv(rows: int, *, bad_rows: dict[int, str] | None = None, emails: int = 0) -> bytes:
    """A file of `rows` people; `bad_rows` replaces the job role of some data rows."""
    hired = (date.today() - timedelta(days=40)).isoformat()
    lines = [HEAD]
    for i in range(rows):
        role = (bad_rows or {}).get(i, "housekeeping")
        email = f"p{i}@example.test" if i < emails else ""
        lines.append(f"{email},Person{i},Staff,{role},{hired},es\n")
    return "".join(lines).encode()


def _upload(client, content: bytes):
    token = csrf_token(client, "/orgs/staff/import")
    return client.post(
        "/orgs/staff/import",
        data={"file": (io.BytesIO(content), "staff.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )


def _staff_count(org_id: int) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.organization_id == org_id, User.role == "learner")
    )


def _job_id(response) -> int:
    assert response.status_code == 302, response.text
    match = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def test_a_small_file_is_still_imported_in_the_request(client, make):
    org = make.org()
    sign_in(client, make.user(org, role="manager"))
    response = _upload(client, _staff_csv(20))
    assert response.headers["Location"].endswith("/orgs/staff")
    assert _staff_count(org.id) == 20
    assert db.session.scalar(select(func.count(JobRun.id))) == 0


def test_a_large_file_is_imported_by_a_job_and_its_page_says_so(client, make):
    org = make.org()
    manager = make.user(org, role="manager")
    sign_in(client, manager)
    response = _upload(client, _staff_csv(45, emails=3))
    job_id = _job_id(response)
    assert _staff_count(org.id) == 45  # jobs run inline here, after the commit
    run = progress.get(job_id)
    assert (run.state, run.percent, run.rows_done, run.owner_id) == (
        JobState.DONE,
        100,
        45,
        manager.id,
    )
    assert run.input_data is not None
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200
    assert 'value="100"' in page.text and "45 of 45 rows" in page.text
    assert 'http-equiv="refresh"' not in page.text  # finished: no more refreshing
    invited = db.session.scalars(select(OutboxMail.recipient)).all()
    assert sorted(invited) == ["p0@example.test", "p1@example.test", "p2@example.test"]


def test_a_large_bad_file_imports_nobody_and_the_page_lists_its_errors(client, make):
    org = make.org()
    sign_in(client, make.user(org, role="manager"))
    content = _staff_csv(30, bad_rows={5: "astronaut", 25: "pilot"})
    job_id = _job_id(_upload(client, content))
    assert _staff_count(org.id) == 0
    run = progress.get(job_id)
    assert run.state == JobState.FAILED
    assert [(e["row"], e["column"]) for e in run.errors] == [(7, "Job Role"), (27, "Job Role")]
    page = client.get(f"/jobs/{job_id}")
    assert "Stopped: 2 problems" in page.text and "Nothing was imported" in page.text
    assert "astronaut" in page.text and "Job Role" in page.text


def test_errors_are_in_the_language_of_the_person_who_imported(client, make):
    org = make.org()
    sign_in(client, make.user(org, role="manager", language="es"))
    job_id = _job_id(_upload(client, _staff_csv(25, bad_rows={0: "astronaut"})))
    message = progress.get(job_id).errors[0]["message"]
    assert message.startswith("puesto desconocido") or "astronaut" in message
    assert "unknown job role" not in message


def test_running_the_job_twice_imports_once(app, make):
    org = make.org()
    manager = make.user(org, role="manager")
    job_id = progress.start(org_jobs.KIND, manager.id, org.id, input_data=_staff_csv(22))
    db.session.commit()
    assert org_jobs.import_staff_file(job_id) == "imported 22"
    assert org_jobs.import_staff_file(job_id) == "already run"
    db.session.expire_all()
    assert _staff_count(org.id) == 22


def test_progress_is_readable_from_another_session_while_the_job_runs(app, make, client):
    org = make.org()
    manager = make.user(org, role="manager")
    sign_in(client, manager)
    raw = _staff_csv(350)
    job_id = progress.start(org_jobs.KIND, manager.id, org.id, input_data=raw)
    db.session.commit()
    assert progress.claim(job_id)
    seen: list[tuple[int, str]] = []

    def checked(rows: int) -> None:
        progress.update(job_id, rows, 350, stage="checking")
        page = client.get(f"/jobs/{job_id}")  # another request, another session
        seen.append((rows, page.text))

    result = services.parse_staff_csv(raw, org, max_bytes=10**6, on_row=checked)
    assert result.ok
    assert [rows for rows, _text in seen] == [100, 200, 300]
    _rows, text = seen[1]
    assert 'value="57"' in text and "200 of 350 rows" in text
    assert "Checking the rows" in text and 'http-equiv="refresh" content="2"' in text


def test_the_worker_imports_a_queued_file(client, make, runner, redis_jobs):
    org = make.org()
    org_id = org.id
    sign_in(client, make.user(org, role="manager"))
    job_id = _job_id(_upload(client, _staff_csv(26)))
    assert _staff_count(org_id) == 0
    page = client.get(f"/jobs/{job_id}")
    assert "Waiting for its turn" in page.text and 'http-equiv="refresh"' in page.text
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert redis_jobs.queue().failed_job_registry.count == 0
    assert _staff_count(org_id) == 26
    assert "26 of 26 rows" in client.get(f"/jobs/{job_id}").text
