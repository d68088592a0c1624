"""Saved figures: reused while young, recalculated on request or when too old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.outcomes.builders import add_attempt, bank_ids, progress_of, scores
from tests.outcomes.pages import csv_rows, number, tables
from tests.support.web import csrf_token, login
from trainer.extensions import db
from trainer.outcomes.models import OutcomeSnapshot


@pytest.fixture
def keep_figures(app):
    app.config["OUTCOMES_MAX_AGE_MINUTES"] = 15


def age_snapshots(delta):
    for snapshot in db.session.scalars(select(OutcomeSnapshot)):
        snapshot.computed_at = snapshot.computed_at - delta
    db.session.commit()


def learners(html):
    return number(
        {r["label"]: r["value"] for r in tables(html)["gains"]}["Learners with a post-test"]
    )


def add_learner(make, version):
    user = make.user(make.org())
    run = progress_of(user, version)
    add_attempt(run, "pre", 1, scores(bank_ids(version, "pre")[:10], 2))
    add_attempt(run, "post", 1, scores(bank_ids(version, "post")[:10], 9))
    db.session.commit()


def test_figures_are_reused_until_recalculated(client, make, six, keep_figures):
    login(client, make.user(role="admin"))
    url = f"/outcomes/{six.version.id}"
    first = client.get(url).text
    assert learners(first) == 6 and "Figures calculated on" in first
    add_learner(make, six.version)

    again = client.get(url).text
    assert learners(again) == 6, "the saved figures are shown again"
    export = client.get(f"{url}/export?figure=gains&kind=post")
    assert {r["metric"]: r["value"] for r in csv_rows(export.text)}["runs"] == "6"

    response = client.post(
        f"{url}/recalculate?kind=post", data={"csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 302 and response.location.endswith("kind=post")
    fresh = client.get(url).text
    assert learners(fresh) == 7
    assert "The figures were recalculated." in fresh
    export = client.get(f"{url}/export?figure=gains&kind=post")
    assert {r["metric"]: r["value"] for r in csv_rows(export.text)}["runs"] == "7"


def test_old_figures_are_computed_again(client, make, six, keep_figures):
    login(client, make.user(role="admin"))
    url = f"/outcomes/{six.version.id}"
    assert learners(client.get(url).text) == 6
    add_learner(make, six.version)
    age_snapshots(timedelta(minutes=16))
    assert learners(client.get(url).text) == 7


def test_each_selection_has_its_own_snapshot_and_scope(client, make, six, keep_figures):
    login(client, make.user(role="admin"))
    url = f"/outcomes/{six.version.id}"
    client.get(url)
    client.get(url, query_string={"language": "es"})
    auditor_client = client.application.test_client()
    login(auditor_client, make.user(role="auditor", jurisdiction="california"))
    html = auditor_client.get(url).text
    assert learners(html) == 0, "an auditor never sees an admin's saved figures"
    assert db.session.scalar(select(func.count(OutcomeSnapshot.id))) == 3


def test_recalculate_needs_csrf_and_the_permission(client, make, six):
    url = f"/outcomes/{six.version.id}/recalculate"
    login(client, make.user(make.org(), role="manager"))
    assert client.post(url, data={"csrf_token": csrf_token(client, "/auth/login")}).status_code in (
        400,
        403,
    )


def test_summary_is_reused_too(client, make, six, keep_figures):
    page = client.get("/outcomes/summary").text
    assert tables(page)["summary"][0]["learners"] == "6"
    add_learner(make, six.version)
    page = client.get("/outcomes/summary").text
    assert tables(page)["summary"][0]["learners"] == "6"
    age_snapshots(timedelta(hours=1))
    page = client.get("/outcomes/summary").text
    assert tables(page)["summary"][0]["learners"] == "7"


def test_snapshots_unused_for_days_are_deleted(client, make, six, keep_figures):
    login(client, make.user(role="admin"))
    client.get(f"/outcomes/{six.version.id}")
    age_snapshots(timedelta(days=3))
    client.get(f"/outcomes/{six.version.id}", query_string={"language": "en"})
    assert db.session.scalar(select(func.count(OutcomeSnapshot.id))) == 1
