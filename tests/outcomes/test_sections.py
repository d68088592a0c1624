"""The module's outcomes as a summary and drill-down pages: questions by their text, groups
under 5 learners without figures, chart text readable on a phone."""

from __future__ import annotations

import re

import pytest

from tests.outcomes.pages import csv_rows, svgs, tables
from tests.support.web import csrf_token, login
from trainer.outcomes import charts, groups

PHONE_CONTENT_PX = 390 - 2 * 16  # a 390 px phone less the page's side padding


@pytest.fixture
def admin(client, make):
    user = make.user(role="admin")
    login(client, user)
    return user


def _visible(html: str) -> str:
    body = html.split("</header>", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


@pytest.mark.parametrize("section", ["", "/questions", "/answers", "/before-after", "/groups"])
def test_each_page_is_short_and_shows_no_item_ids(client, admin, six, section):
    response = client.get(f"/outcomes/{six.version.id}{section}")
    assert response.status_code == 200
    text = _visible(response.text)
    ids = {str(item["id"]) for item in six.version.items}
    shown_ids = {i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)}
    assert not shown_ids, shown_ids
    assert "intro-indicators" not in text  # no module slug either
    # at most a few screens: no page carries more than 3 figure tables but the groups page
    assert len(tables(response.text)) <= 3


def test_questions_are_shown_by_their_text(client, admin, six):
    html = client.get(f"/outcomes/{six.version.id}/questions").text
    rows = tables(html)["items"]
    bank = {str(item["id"]): item for item in six.version.items}
    assert rows
    for row in rows:
        stem = bank[row["_row"]].get("stem") or bank[row["_row"]].get("case")
        assert row["text"][:40] == " ".join(stem["en"].split())[:40]
    facility = svgs(html)["chart-facility"]
    assert rows[0]["text"][:20].replace("'", "&#39;") in facility


def test_questions_read_in_the_readers_language(client, make, six):
    login(client, make.user(role="admin", language="es"))
    token = csrf_token(client, "/outcomes/")
    client.post("/language", data={"lang": "es", "csrf_token": token})
    html = client.get(f"/outcomes/{six.version.id}/questions").text
    bank = {str(item["id"]): item for item in six.version.items}
    row = tables(html)["items"][0]
    spanish = bank[row["_row"]].get("stem") or bank[row["_row"]].get("case")
    assert row["text"][:30] == " ".join(spanish["es"].split())[:30]


def test_groups_under_five_have_no_figures(client, admin, six):
    html = client.get(f"/outcomes/{six.version.id}/groups").text
    shown = tables(html)
    by_org = {r["group"]: r for r in shown["by_org"]}
    assert by_org["Hotel Six"]["learners"] == "6"
    # English 4 and Spanish 2: both under 5; front desk 3 and housekeeping 3: both under 5
    for key in ("by_language", "by_role"):
        assert shown[key], key
        for row in shown[key]:
            assert row["learners"] == "fewer than 5"
            assert row["pre_mean"] == row["post_mean"] == row["mean_gain"] == "—"
    exported = csv_rows(client.get(f"/outcomes/{six.version.id}/export?figure=by_language").text)
    assert {r["learners"] for r in exported} == {"<5"}
    assert {r["pre_mean"] for r in exported} == {""}


def test_second_group_is_hidden_when_the_first_could_be_worked_out():
    assert groups.suppressed_groups({"a": 20, "b": 7, "c": 3}) == {"b", "c"}
    assert groups.suppressed_groups({"a": 20, "b": 7, "c": 3, "d": 2}) == {"c", "d"}
    assert groups.suppressed_groups({"a": 5, "b": 6}) == set()


def test_a_selection_under_five_shows_why_instead_of_figures(client, admin, six):
    html = client.get(f"/outcomes/{six.version.id}/questions?language=es").text
    assert "Fewer than 5 learners in this selection" in html
    assert "could reveal one person" in html
    assert "table-items" not in html


def test_chart_text_is_at_least_12_px_on_a_phone(client, admin, six):
    pages = ["", "/questions"]
    found = {}
    for section in pages:
        found.update(svgs(client.get(f"/outcomes/{six.version.id}{section}").text))
    assert set(found) == {"chart-means", "chart-distribution", "chart-facility"}
    for name, svg in found.items():
        width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
        sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
        assert sizes, name
        scale = min(1.0, PHONE_CONTENT_PX / width)
        assert min(sizes) * scale >= 12, (name, min(sizes), width)
    assert charts.FONT_SIZE * PHONE_CONTENT_PX / charts.WIDTH >= 12
