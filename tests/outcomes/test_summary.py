"""The partners' summary: aggregates only, and no group under 5 learners shown."""

from __future__ import annotations

import pytest

from tests.outcomes.builders import add_attempt, bank_ids, progress_of, scores
from tests.outcomes.pages import csv_rows, number, tables
from trainer.extensions import db
from trainer.outcomes.services import bin_counts, suppressed_groups


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"en": 9, "es": 7}, set()),
        # One small group: the smallest other one goes too, or subtraction gives it away.
        ({"en": 9, "es": 3, "vi": 6}, {"es", "vi"}),
        # Two small groups hiding fewer than 5 together: hide one more.
        ({"en": 9, "es": 2, "vi": 1, "zh": 12}, {"es", "vi", "en"}),
        # Two small groups hiding 5 or more together: enough.
        ({"en": 9, "es": 3, "vi": 4}, {"es", "vi"}),
        ({"en": 4}, {"en"}),
        ({"en": 4, "es": 1}, {"en", "es"}),
        ({}, set()),
    ],
)
def test_suppressed_groups(counts, hidden):
    assert suppressed_groups(counts) == hidden


def test_bin_counts():
    assert bin_counts([0, 9.99, 10, 55, 99.9, 100, 100]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 3]


def summary_rows(client, figure):
    html = client.get("/outcomes/summary").text
    response = client.get("/outcomes/summary/export", query_string={"figure": figure})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return tables(html)[figure], csv_rows(response.text)


def test_summary_is_public_and_shows_the_six(client, six):
    page_rows, csv = summary_rows(client, "summary")
    assert len(page_rows) == len(csv) == 1
    row, cell = page_rows[0], csv[0]
    assert row["learners"] == "6" and cell["learners"] == "6"
    assert number(row["pre_mean"]) == 50.0 == float(cell["pre_mean"])
    assert number(row["post_mean"]) == 73.33 == float(cell["post_mean"])
    assert number(row["first_attempt_pass_rate"]) == 50.0
    html = client.get("/outcomes/summary").text
    for user in six.users.values():
        assert user.email not in html
    assert "Hotel Six" not in html


def test_small_groups_are_suppressed_on_the_page_and_in_the_csv(client, six):
    # Languages: English A, B, C, E (4) and Spanish D, F (2): both hidden.
    page_rows, csv = summary_rows(client, "languages")
    assert [r["group"] for r in page_rows] == ["English", "Español"]
    for row in page_rows:
        assert row["learners"] == "fewer than 5"
        assert all(
            row[k] == "—"
            for k in row
            if k not in ("module", "version", "group", "learners", "_row")
        )
    for cell in csv:
        assert cell["learners"] == "<5"
        numbers = {
            k: v for k, v in cell.items() if k not in ("module", "version", "group", "learners")
        }
        assert set(numbers.values()) == {""}
    # Kinds of organization: one hotel group of 6, shown.
    page_rows, csv = summary_rows(client, "org_kinds")
    assert page_rows[0]["learners"] == "6" and csv[0]["learners"] == "6"


def test_a_module_with_fewer_than_5_learners_shows_no_numbers_at_all(client, make, six):
    from trainer.catalog.models import Module

    module = db.session.query(Module).filter_by(slug="hotel-lodging").one()
    version = module.current_version
    org = make.org()
    for right in (3, 5, 9):
        user = make.user(org)
        run = progress_of(user, version)
        add_attempt(run, "pre", 1, scores(bank_ids(version, "pre")[:10], right - 2))
        add_attempt(run, "post", 1, scores(bank_ids(version, "post")[:10], right))
    db.session.commit()
    for figure in ("summary", "languages", "org_kinds"):
        page_rows, csv = summary_rows(client, figure)
        small = [
            r
            for r in page_rows
            if "lodging" in r["module"].lower() or "hotel" in r["module"].lower()
        ]
        assert small, figure
        for row in small:
            assert row["learners"] == "fewer than 5"
            assert row["pre_mean"] == row["post_mean"] == "—"
        small_csv = [c for c in csv if c["module"] == small[0]["module"]]
        assert small_csv and all(c["learners"] == "<5" and c["post_mean"] == "" for c in small_csv)
    # The chart draws only modules with 5 learners or more.
    html = client.get("/outcomes/summary").text
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert small[0]["module"][:20] not in svg


def test_unknown_summary_figure_is_400(client):
    response = client.get("/outcomes/summary/export?figure=users")
    assert response.status_code == 400
