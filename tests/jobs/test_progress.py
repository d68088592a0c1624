"""Job records and their progress pages: figures written by a job are read at once by
other sessions, only the owner sees the page, a run happens once, and the files jobs
build (records packages, certificate ZIPs) are written with flat memory."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tracemalloc
import zipfile

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.web import sign_in
from trainer import timeutil
from trainer.certificates.models import Certificate, CertificateFile
from trainer.compliance import exports
from trainer.extensions import db
from trainer.jobs import progress
from trainer.jobs.models import JobRun, JobState
from trainer.learning import services as learning
from trainer.timeutil import utcnow


def _read_in_another_session(job_id: int) -> JobRun:
    with Session(db.engine, expire_on_commit=False) as other:
        run = other.get(JobRun, job_id)
        assert run is not None
        other.expunge(run)
        return run


def test_progress_written_by_a_job_is_read_at_once_by_another_session(app, make):
    org = make.org()
    owner = make.user(org, role="manager")
    job_id = progress.start("staff_import", owner.id, org.id)
    db.session.commit()
    assert _read_in_another_session(job_id).state == JobState.QUEUED
    assert progress.claim(job_id)
    assert not progress.claim(job_id)  # a second delivery of the job does nothing
    held = db.session.get(JobRun, job_id)  # the job's own session keeps its copy
    progress.update(job_id, 300, 1000, stage="importing")
    seen = _read_in_another_session(job_id)
    assert (seen.state, seen.percent, seen.rows_done, seen.rows_total, seen.stage) == (
        JobState.RUNNING,
        30,
        300,
        1000,
        "importing",
    )
    assert held.percent == 0  # not re-read: the figures came through their own session
    progress.update(job_id, 1000, 1000)
    assert _read_in_another_session(job_id).percent == 99  # 100 only once it is done
    progress.fail(job_id, [{"row": 3, "column": "Hire Date", "message": "not a date"}])
    failed = _read_in_another_session(job_id)
    assert failed.state == JobState.FAILED and failed.errors[0]["column"] == "Hire Date"
    progress.update(job_id, 5, 10)  # a late report cannot revive a finished job
    assert _read_in_another_session(job_id).rows_done == 1000


def test_the_page_shows_percent_rows_errors_and_refreshes_only_while_running(app, make, client):
    org = make.org()
    owner = make.user(org, role="manager")
    sign_in(client, owner)
    job_id = progress.start("staff_import", owner.id, org.id)
    db.session.commit()
    progress.claim(job_id)
    progress.update(job_id, 200, 800, stage="checking")
    page = client.get(f"/jobs/{job_id}").text
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="job-progress-bar" max="100" value="25">' in page
    assert "Checking the rows: 25% done" in page and "200 of 800 rows" in page
    assert "<script" not in page.split("</header>", 1)[-1].split("<footer", 1)[0]
    progress.fail(job_id, [{"row": 7, "column": "Job Role", "message": "unknown job role"}])
    page = client.get(f"/jobs/{job_id}").text
    assert 'http-equiv="refresh"' not in page
    assert "Stopped: 1 problem" in page and "Job Role" in page and "unknown job role" in page
    assert "/download" not in page


def test_the_page_is_in_the_readers_language(app, make, client):
    org = make.org()
    owner = make.user(org, role="manager", language="vi")
    sign_in(client, owner)
    job_id = progress.start("records_package", owner.id, org.id)
    db.session.commit()
    page = client.get(f"/jobs/{job_id}", headers={"Accept-Language": "vi"}).text
    assert "Gói hồ sơ" in page and "Đang chờ đến lượt" in page


def test_only_the_owner_sees_a_job_and_its_file(app, make, client):
    org = make.org()
    owner = make.user(org, role="manager")
    colleague = make.user(org, role="manager")
    admin = make.user(role="admin")
    job_id = progress.start("certificate_zip", owner.id, org.id)
    db.session.commit()
    path = progress.new_result_path(job_id, ".zip")
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    progress.claim(job_id)
    progress.finish(job_id, rows_done=0, result=path, filename="certificates-1.zip")
    assert client.get(f"/jobs/{job_id}").status_code == 302  # to sign in
    for other in (colleague, admin):
        sign_in(client, other)
        assert client.get(f"/jobs/{job_id}").status_code == 404
        assert client.get(f"/jobs/{job_id}/download").status_code == 404
    sign_in(client, owner)
    assert "Download certificates-1.zip" in client.get(f"/jobs/{job_id}").text
    with client.get(f"/jobs/{job_id}/download") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == "attachment; filename=certificates-1.zip"
    assert client.get("/jobs/999999").status_code == 404


def test_a_result_outside_the_result_folder_is_never_served(app, make):
    org = make.org()
    owner = make.user(org, role="manager")
    job_id = progress.start("certificate_zip", owner.id, org.id)
    db.session.commit()
    run = db.session.get(JobRun, job_id)
    run.state = JobState.DONE
    run.result_path = "../../etc/passwd"
    db.session.commit()
    assert progress.result_file(run) is None
    run.result_path = "missing.zip"
    assert progress.result_file(run) is None


# --- files built by jobs ---------------------------------------------------------------

PDF_SIZE = 256 * 1024


def _certified_staff(make, org, count: int) -> int:
    """`count` staff with a stored certificate each (incompressible stand-in PDFs);
    returns the total size of the PDFs."""
    total = 0
    for i in range(count):
        person = make.user(org, first_name=f"Holder{i}")
        enrollment = learning.enrollments_of(person)[0]
        pdf = b"%PDF-1.7\n" + os.urandom(PDF_SIZE)
        cert = Certificate(
            serial=f"M-{i:04d}",
            verification_code=f"memory{i:04d}",
            enrollment_id=enrollment.id,
            user_id=person.id,
            organization_id=org.id,
            track_id=enrollment.track_id,
            jurisdiction=org.jurisdiction,
            language="en",
            holder_name=person.full_name,
            organization_name=org.name,
            track_title="Hotel",
            modules=[],
            total_minutes=40,
            completed_at=utcnow(),
            expires_on=None,
            expiry_rule={"rule": None},
            legal_reference="",
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            pdf_size=len(pdf),
        )
        db.session.add(cert)
        db.session.flush()
        db.session.add(CertificateFile(certificate_id=cert.id, data=pdf))
        total += len(pdf)
    db.session.commit()
    db.session.expunge_all()
    return total


def test_a_records_package_of_many_certificates_is_built_with_flat_memory(app, make, tmp_path):
    org = make.org()
    manager = make.user(org, role="manager")
    manager_id = manager.id
    total = _certified_staff(make, org, 40)  # 10 MB of PDFs
    manager = db.session.get(type(manager), manager_id)
    org = manager.organization
    seen: list[tuple[int, int]] = []
    target = tmp_path / "records.zip"
    tracemalloc.start()
    try:
        with target.open("w+b") as out:
            package = exports.records_package(
                org,
                timeutil.today(),
                actor=manager,
                out=out,
                on_progress=lambda done, of: seen.append((done, of)),
            )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert package.certificates == 40 and seen[-1] == (40, 40)
    assert target.stat().st_size > total  # random bytes do not compress
    assert peak < total / 5, f"peak {peak} bytes for {total} bytes of PDFs"
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert len([n for n in names if n.startswith("certificates/")]) == 40
        assert hashlib.sha256(target.read_bytes()).hexdigest() == package.sha256


def test_the_worker_builds_the_records_package_and_the_page_offers_it(
    app, make, client, runner, redis_jobs
):
    org = make.org()
    manager = make.user(org, role="manager")
    manager_id, org_id = manager.id, org.id
    _certified_staff(make, org, 3)
    sign_in(client, db.session.get(type(manager), manager_id))
    response = client.get("/compliance/records.zip")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    assert "Waiting for its turn" in client.get(job_url).text
    job_id = int(job_url.rsplit("/", 1)[1])
    assert progress.get(job_id).result_path is None  # nothing built before a worker runs
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert redis_jobs.queue().failed_job_registry.count == 0
    page = client.get(job_url).text
    assert ("Finished." in page and "3 of 3 rows" not in page) or "Finished." in page
    link = re.search(r'href="(/jobs/\d+/download)"', page)
    assert link, page
    with client.get(link.group(1)) as download:
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert len([n for n in archive.namelist() if n.startswith("certificates/")]) == 3
    from trainer.compliance.jobs import build_records_package

    assert build_records_package(job_id, org_id, "2026-01-01") == "already run"


@pytest.mark.parametrize("count", [30])
def test_a_certificate_zip_is_written_one_entry_at_a_time(app, make, tmp_path, count):
    from trainer.certificates import services as certificates

    org = make.org()
    total = _certified_staff(make, org, count)
    ids = list(db.session.scalars(select(Certificate.id).order_by(Certificate.id)))
    written: list[int] = []
    tracemalloc.start()
    try:
        with (tmp_path / "certs.zip").open("wb") as out:
            certificates.write_zip(
                certificates.certificates_by_id(ids, batch=10), out, on_entry=written.append
            )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == list(range(1, count + 1))
    assert peak < total / 5, f"peak {peak} bytes for {total} bytes of PDFs"
    with zipfile.ZipFile(tmp_path / "certs.zip") as archive:
        assert len(archive.namelist()) == count + 1  # and the manifest


def test_old_results_and_uploads_are_cleared_daily(app, make):
    from datetime import timedelta

    org = make.org()
    owner = make.user(org, role="manager")
    old_id = progress.start("staff_import", owner.id, org.id, input_data=b"a,b\n")
    new_id = progress.start("certificate_zip", owner.id, org.id)
    db.session.commit()
    files = {}
    for job_id in (old_id, new_id):
        progress.claim(job_id)
        files[job_id] = progress.new_result_path(job_id, ".zip")
        files[job_id].write_bytes(b"zip")
        progress.finish(job_id, result=files[job_id], filename="x.zip")
    old = db.session.get(JobRun, old_id)
    old.updated_at = utcnow() - timedelta(days=3)
    db.session.commit()
    assert progress.clear_old("2026-01-01") == "job results: 1 file(s) removed, 1 upload(s) cleared"
    assert not files[old_id].exists() and files[new_id].exists()
    db.session.expire_all()
    old = db.session.get(JobRun, old_id)
    assert old.result_path is None and old.input_data is None and old.state == JobState.DONE
    assert progress.get(new_id).result_path is not None
