"""Mail through the outbox: written with the change, sent by a job after the commit,
retried with backoff, visible to admins when it fails; on a real Redis with a real RQ
worker, and inline where no Redis is configured."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from config import ProductionConfig
from tests.support.mailbox import free_port
from tests.support.web import csrf_token, login
from trainer import create_app
from trainer.auth.models import User
from trainer.extensions import db
from trainer.mail import outbox, send_after_commit
from trainer.mail.models import MailStatus, OutboxMail


def _mails() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


@pytest.fixture
def smtp_down(app: Flask) -> Iterator[None]:
    port = app.config["MAIL_PORT"], app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", free_port()
    yield
    app.config["MAIL_PORT"], app.config["MAIL_SERVER"] = port


def test_the_message_is_written_with_the_change_and_sent_after_it(app, mailbox):
    send_after_commit("kept@example.test", "Kept", "body", language="es")
    assert [m.status for m in _mails()] == [MailStatus.PENDING]  # in the open transaction
    db.session.commit()
    (mail,) = _mails()
    assert mail.status == MailStatus.SENT and mail.attempts == 1 and mail.sent_at
    assert [m["To"] for m in mailbox.messages] == ["kept@example.test"]
    assert mailbox.messages[0]["Content-Language"] == "es"


def test_a_rolled_back_change_leaves_no_message(app, mailbox):
    send_after_commit("dropped@example.test", "Dropped", "body")
    db.session.rollback()
    db.session.commit()
    assert _mails() == [] and mailbox.messages == []


def test_a_failed_send_keeps_the_change_and_backs_off_then_gives_up(app, make, smtp_down):
    person = make.user(make.org(), email="late@example.test")
    person.first_name = "Changed"
    send_after_commit(person.email, "Hello", "body")
    db.session.commit()
    assert db.session.get(User, person.id).first_name == "Changed"  # never rolled back
    (mail,) = _mails()
    assert mail.status == MailStatus.PENDING and mail.attempts == 1
    assert mail.last_error  # the SMTP error, for the admin's list
    first_wait = mail.next_attempt_at - mail.claimed_at
    assert outbox.BACKOFF[0] <= first_wait <= outbox.BACKOFF[0] + timedelta(seconds=5)
    # nothing is due yet, so a sweep queues nothing
    assert outbox.sweep().queued == 0
    results = []
    for _attempt in outbox.BACKOFF:
        mail = _mails()[0]
        mail.next_attempt_at -= timedelta(days=1)  # its time has come
        db.session.commit()
        assert outbox.sweep().queued == 1
        results.append(_mails()[0].status)
    assert results[:-1] == [MailStatus.PENDING] * (len(outbox.BACKOFF) - 1)
    assert results[-1] == MailStatus.FAILED
    assert _mails()[0].attempts == len(outbox.BACKOFF) + 1


def test_a_message_is_sent_once_however_often_its_job_runs(app, mailbox):
    send_after_commit("once@example.test", "Once", "body")
    db.session.commit()
    (mail,) = _mails()
    assert outbox.deliver(mail.id) == "skipped"
    assert outbox.deliver(mail.id) == "skipped"
    assert len(mailbox.messages) == 1


def test_the_admin_sees_failed_mail_and_sends_it_again(app, client, make, mailbox):
    mail = OutboxMail(
        recipient="bounced@example.test",
        subject="Your invitation",
        body="body",
        status=MailStatus.FAILED,
        attempts=5,
        last_error="550 mailbox full",
    )
    db.session.add(mail)
    db.session.commit()
    login(client, make.user(role="admin"))
    page = client.get("/admin/mail/")
    assert page.status_code == 200
    assert "bounced@example.test" in page.text and "550 mailbox full" in page.text
    assert "1 message could not be sent." in page.text
    token = csrf_token(client, "/admin/mail/")
    assert (
        client.post(f"/admin/mail/{mail.id}/retry", data={"csrf_token": token}).status_code == 302
    )
    assert _mails()[0].status == MailStatus.SENT
    assert [m["To"] for m in mailbox.messages] == ["bounced@example.test"]
    # a message that did not fail cannot be "sent again"
    client.post(f"/admin/mail/{mail.id}/retry", data={"csrf_token": token})
    assert len(mailbox.messages) == 1
    assert client.get("/admin/mail/?status=nonsense").status_code == 400
    assert client.post("/admin/mail/999999/retry", data={"csrf_token": token}).status_code == 404


def test_on_redis_the_request_only_queues_and_the_worker_sends(
    app, client, make, mailbox, runner, redis_jobs
):
    address = make.user(make.org(), email="reset-me@example.test").email
    token = csrf_token(client, "/auth/reset")
    client.post("/auth/reset", data={"email": address, "csrf_token": token})
    (mail,) = _mails()
    assert mail.status == MailStatus.PENDING and mailbox.messages == []  # no SMTP in the request
    assert redis_jobs.queue().count == 1
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert _mails()[0].status == MailStatus.SENT
    assert [m["To"] for m in mailbox.messages] == [address]
    # nothing is left for a sweep to send
    assert outbox.sweep().queued == 0
    assert runner.invoke(args=["jobs", "status"]).output.startswith(
        f"queue {redis_jobs.queue_name!r}: 0 waiting"
    )


def test_on_redis_a_failed_send_is_retried_by_the_worker(
    app, mailbox, runner, redis_jobs, smtp_down
):
    send_after_commit("retry@example.test", "Retry", "body")
    db.session.commit()
    assert runner.invoke(args=["jobs", "worker", "--burst"]).exit_code == 0
    mail = _mails()[0]
    assert mail.status == MailStatus.PENDING and mail.attempts == 1
    assert redis_jobs.queue().scheduled_job_registry.count == 1  # the retry, in a minute


def test_production_refuses_to_start_without_redis(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("AUDIT_HMAC_KEY", "y" * 32)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://training.example.gov")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")

    class Prod(ProductionConfig):
        REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing answers there
        SECRET_KEY = "x" * 32
        AUDIT_HMAC_KEY = "y" * 32
        PUBLIC_BASE_URL = "https://training.example.gov"
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/15"

    with pytest.raises(RuntimeError, match="Redis must answer"):
        create_app(Prod())


def test_production_refuses_a_certificate_folder_not_declared_shared(monkeypatch):
    for name, value in {
        "SECRET_KEY": "x" * 32,
        "AUDIT_HMAC_KEY": "y" * 32,
        "PUBLIC_BASE_URL": "https://training.example.gov",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
    }.items():
        monkeypatch.setattr(ProductionConfig, name, value)
    monkeypatch.setattr(ProductionConfig, "CERTIFICATE_STORAGE", "/srv/certificates")
    with pytest.raises(RuntimeError, match="CERTIFICATE_STORAGE_SHARED"):
        ProductionConfig()
    monkeypatch.setattr(ProductionConfig, "CERTIFICATE_STORAGE_SHARED", True)
    assert ProductionConfig().CERTIFICATE_STORAGE == "/srv/certificates"
