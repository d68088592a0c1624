"""The outcomes page of a module version: hand-computed figures, filters, scope, CSV."""

from __future__ import annotations

import html as html_module
import math
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from tests.outcomes.builders import (
    add_attempt,
    add_lessons,
    bank_ids,
    progress_of,
    scores,
)
from tests.outcomes.pages import csv_rows, number, svgs, tables
from tests.support.web import login
from trainer.assessments.models import Attempt
from trainer.extensions import db
from trainer.outcomes import services

# Pairs (pre, first post): A 40/80, B 50/70, C 60/60, D 20/90, E 100/90, F 30/50.
PRE_MEAN = 300 / 6
POST_MEAN = 440 / 6
DIFFS = [40, 20, 0, 70, -10, 20]
MEAN_GAIN = sum(DIFFS) / 6
SD_DIFF = math.sqrt(sum((d - MEAN_GAIN) ** 2 for d in DIFFS) / 5)
NORMALIZED = (40 / 60 + 20 / 50 + 0 / 40 + 70 / 80 + 20 / 70) / 5  # E (pre 100) left out


SECTIONS = ("", "/questions", "/answers", "/before-after", "/groups")


def page(client, version, **args):
    """Every page of the module's outcomes, one after the other."""
    texts = []
    for section in SECTIONS:
        response = client.get(f"/outcomes/{version.id}{section}", query_string=args)
        assert response.status_code == 200, response.text
        texts.append(response.text)
    return "\n".join(texts)


def metrics(html: str, table: str = "gains") -> dict[str, str]:
    return {row["label"]: row["value"] for row in tables(html)[table]}


def figures(version, kind="post", **args):
    return services.module_outcomes(version, services.Filters(**args), kind)


@pytest.fixture
def admin(client, make):
    user = make.user(role="admin")
    login(client, user)
    return user


def test_gains_match_hand_computed_values(six):
    outcomes = figures(six.version)
    gain = outcomes.gain
    assert outcomes.runs == 6 and outcomes.learners == 6 and gain.n == 6
    assert gain.pre_mean == pytest.approx(PRE_MEAN)
    assert gain.post_mean == pytest.approx(POST_MEAN)
    assert gain.mean_gain == pytest.approx(MEAN_GAIN)
    assert gain.normalized_gain == pytest.approx(NORMALIZED)
    assert gain.normalized_gain_excluded == 1
    assert gain.class_normalized_gain == pytest.approx(MEAN_GAIN / (100 - PRE_MEAN))
    assert gain.cohen_dz == pytest.approx(MEAN_GAIN / SD_DIFF)
    assert gain.share_improved == pytest.approx(4 / 6)
    # First post-test: A 80, D 90, E 90 passed (pass mark 80); B, C, F did not.
    assert outcomes.first_attempt_pass_rate == pytest.approx(0.5)
    # Attempts: B two, C three, the others one.
    assert outcomes.mean_attempts == pytest.approx(9 / 6)
    # Lessons: 15 minutes each, D 30.
    assert outcomes.lesson_minutes_mean == pytest.approx(17.5)
    assert outcomes.lesson_minutes_median == pytest.approx(15.0)


def test_page_shows_the_hand_computed_gains(client, admin, six):
    html = page(client, six.version)
    rows = {row["label"]: row["value"] for row in tables(html)["gains"]}
    shown = {
        "Pre-test mean (%)": 50.0,
        "Post-test mean (%)": 73.33,
        "Mean paired gain (points)": 23.33,
        "Normalized gain, per learner averaged": round(NORMALIZED, 3),
        "Normalized gain on the class means": round(MEAN_GAIN / 50, 3),
        "Effect size (Cohen's d_z)": round(MEAN_GAIN / SD_DIFF, 3),
        "Learners who improved (%)": 66.67,
        "Passed the post-test at the first attempt (%)": 50.0,
        "Post-test attempts per learner, mean": 1.5,
        "Minutes on lessons, mean": 17.5,
        "Minutes on lessons, median": 15.0,
        "Learners with a post-test": 6,
    }
    for label, value in shown.items():
        assert number(rows[label]) == pytest.approx(value), label


def test_every_figure_csv_has_the_numbers_of_the_page(client, admin, six):
    html = page(client, six.version)
    shown = tables(html)
    for figure in ("gains", "distribution", "items", "test", "flags", "options", "transitions"):
        response = client.get(f"/outcomes/{six.version.id}/export", query_string={"figure": figure})
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert f"-{figure}.csv" in response.headers["Content-Disposition"]
        rows = csv_rows(response.text)
        page_rows = shown[figure]
        assert len(rows) == len(page_rows) > 0, figure
        for csv_row, page_row in zip(rows, page_rows, strict=True):
            for key, text in page_row.items():
                if key in ("review", "_row"):
                    continue
                cell = csv_row[key]
                page_value = text
                try:
                    expected = float(cell) if cell else None
                except ValueError:
                    expected = None
                if expected is not None:
                    assert number(page_value) == pytest.approx(expected), (figure, key)
                elif cell == "":
                    assert page_value in ("—", ""), (figure, key, page_value)
                elif cell in ("yes", "no"):
                    assert page_value == cell.capitalize(), (figure, key)
                else:
                    assert page_value == cell, (figure, key)


def test_item_table_and_test_statistics_match_the_analysis(client, admin, six):
    outcomes = figures(six.version)
    html = page(client, six.version)
    rows = {row["_row"]: row for row in tables(html)["items"]}
    assert set(rows) == set(outcomes.matrix.item_ids)
    for item in outcomes.analysis.items:
        row = rows[item.item_id]
        assert int(row["attempts"]) == item.attempts
        assert number(row["facility_index"]) == pytest.approx(round(item.facility_index, 2))
        for key in ("discrimination_index", "effective_weight", "standard_deviation"):
            value = getattr(item, key)
            shown = number(row[key])
            assert shown == (None if value is None else pytest.approx(round(value, 2))), key
    test = {row["label"]: number(row["value"]) for row in tables(html)["test"]}
    assert test["Attempts analysed"] == 9  # 6 first attempts + B's second + C's two more
    assert test["Mean score (%)"] == pytest.approx(round(outcomes.analysis.test.mean, 2))


def test_pre_test_item_analysis_is_dense_and_equals_item_analysis(six):
    from trainer.assessments.statistics import item_analysis

    outcomes = figures(six.version, kind="pre")
    marks = outcomes.matrix.marks
    assert marks.shape == (6, 10) and not any(math.isnan(v) for v in marks.ravel())
    dense = item_analysis(marks, item_ids=outcomes.matrix.item_ids)
    assert outcomes.analysis.test.mean == pytest.approx(dense.test.mean)
    assert outcomes.analysis.test.coefficient_of_internal_consistency == pytest.approx(
        dense.test.coefficient_of_internal_consistency
    )


# --- filters -----------------------------------------------------------------------


def test_filters_narrow_the_data(client, admin, six, make):
    other = make.org(name="Hotel Two")
    extra = make.user(other, first_name="G", job_role="security")
    run = progress_of(extra, six.version)
    pre_items = bank_ids(six.version, "pre")[:10]
    post_items = bank_ids(six.version, "post")[:10]
    add_attempt(run, "pre", 1, scores(pre_items, 1))
    add_attempt(run, "post", 1, scores(post_items, 10))
    db.session.commit()

    everyone = metrics(page(client, six.version))
    assert number(everyone["Learners with a post-test"]) == 7

    # Groups under 5 learners get no figures at all, on every page and in every CSV.
    for args in ({"language": "es"}, {"job_role": "front_desk"}, {"org": other.id}):
        html = page(client, six.version, **args)
        assert html.count("Fewer than 5 learners in this selection") == len(SECTIONS), args
        assert "table-gains" not in html and "<svg" not in html.split("</header>", 1)[1]
        gains = client.get(
            f"/outcomes/{six.version.id}/export", query_string={"figure": "items", **args}
        )
        assert csv_rows(gains.text) == []
        counts = client.get(
            f"/outcomes/{six.version.id}/export", query_string={"figure": "gains", **args}
        )
        assert {r["metric"]: r["value"] for r in csv_rows(counts.text)} == {
            "runs": "<5",
            "learners": "<5",
        }
    spanish = figures(six.version, language="es")  # the figures exist, unshown
    assert spanish.runs == 2 and spanish.gain.pre_mean == 25.0 and spanish.gain.post_mean == 70.0

    health = metrics(page(client, six.version, department="health"))
    assert number(health["Learners with a post-test"]) == 0
    assert health["Pre-test mean (%)"] == "—"


def test_department_filter(client, admin, six, make):
    dept = make.org(
        name="Health", kind="city_department", department="health", jurisdiction="houston-city"
    )
    nurse = make.user(dept, first_name="N", job_role="clinic_staff")
    run = progress_of(nurse, six.version)
    add_attempt(run, "pre", 1, scores(bank_ids(six.version, "pre")[:10], 3))
    add_attempt(run, "post", 1, scores(bank_ids(six.version, "post")[:10], 8))
    db.session.commit()
    health = page(client, six.version, department="health")
    assert "Fewer than 5 learners in this selection" in health  # one nurse
    assert figures(six.version, department="health").gain.mean_gain == 50.0


def test_date_range_selects_runs_by_their_first_post_test(client, admin, six):
    first = db.session.scalar(
        select(Attempt).where(
            Attempt.module_progress_id == six.progress["A"].id,
            Attempt.kind == "post",
            Attempt.number == 1,
        )
    )
    first.submitted_at = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)
    db.session.commit()
    march = metrics(page(client, six.version, date_from="2026-03-01", date_to="2026-03-31"))
    assert number(march["Learners with a post-test"]) == 5
    january = page(client, six.version, date_from="2026-01-10", date_to="2026-01-10")
    assert "Fewer than 5 learners in this selection" in january
    day = figures(
        six.version,
        date_from=datetime(2026, 1, 10).date(),
        date_to=datetime(2026, 1, 10).date(),
        timezone="America/Chicago",
    )
    assert day.runs == 1 and day.gain.mean_gain == 40.0


def test_date_range_uses_the_program_time_zone():
    # 2026-03-02 03:00 UTC is still 1 March in Houston (UTC-6).
    filters = services.Filters(
        date_from=datetime(2026, 3, 1).date(),
        date_to=datetime(2026, 3, 1).date(),
        timezone="America/Chicago",
    )
    start, end = filters.bounds()
    assert start == datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"org": "abc"}, "Organization"),
        ({"org": "99999"}, "Organization"),
        ({"language": "klingon"}, "Language of the test"),
        ({"job_role": "<script>"}, "Job role"),
        ({"department": "x" * 500}, "City department"),
        ({"date_from": "2026-13-45"}, "From"),
        ({"date_to": "yesterday"}, "To"),
        ({"kind": "evil"}, "Item analysis of"),
        ({"date_from": "2026-04-01", "date_to": "2026-03-01"}, "first day is after the last"),
    ],
)
def test_bad_filter_values_are_ignored_with_a_message(client, admin, six, args, message):
    html = page(client, six.version, **args)
    status = re.search(r'<div class="usa-alert usa-alert--warning[^>]*>(.*?)</ul>', html, re.S)
    assert status and message in status.group(1)
    assert "The filter was ignored" in status.group(1) or "dates were ignored" in status.group(1)
    assert number(metrics(html)["Learners with a post-test"]) == 6
    assert "<script>" not in html.split("<main", 1)[1]


def test_unknown_figure_is_a_clear_400(client, admin, six):
    response = client.get(f"/outcomes/{six.version.id}/export?figure=passwords")
    assert response.status_code == 400
    assert "Choose a figure" in response.text


def test_unknown_version_is_404(client, admin, six):
    assert client.get("/outcomes/999999").status_code == 404


# --- scope -------------------------------------------------------------------------


def test_auditors_see_only_their_jurisdiction(client, make, six):
    california = make.org(name="Far Hotel", jurisdiction="california")
    far = make.user(california, first_name="Z")
    run = progress_of(far, six.version)
    add_attempt(run, "pre", 1, scores(bank_ids(six.version, "pre")[:10], 0))
    add_attempt(run, "post", 1, scores(bank_ids(six.version, "post")[:10], 10))
    db.session.commit()

    auditor = make.user(role="auditor")
    login(client, auditor)
    html = page(client, six.version)
    assert number(metrics(html)["Learners with a post-test"]) == 6
    assert "Far Hotel" not in html
    # Asking for the other jurisdiction's organization is ignored, not obeyed.
    html = page(client, six.version, org=california.id)
    assert "Organization" in html and "The filter was ignored" in html
    assert number(metrics(html)["Learners with a post-test"]) == 6
    export = client.get(f"/outcomes/{six.version.id}/export?figure=gains&org={california.id}")
    assert {r["metric"]: r["value"] for r in csv_rows(export.text)}["runs"] == "6"
    index = client.get("/outcomes/").text
    assert re.search(rf'outcomes/{six.version.id}".*?</tr>', index, re.S)

    admin = make.user(role="admin")
    client2 = client.application.test_client()
    login(client2, admin)
    response = client2.get(f"/outcomes/{six.version.id}")
    assert number(metrics(response.text)["Learners with a post-test"]) == 7


def test_auditor_without_jurisdiction_sees_nothing(client, make, six):
    auditor = make.user(role="auditor", jurisdiction=None)
    login(client, auditor)
    html = page(client, six.version)
    assert number(metrics(html)["Learners with a post-test"]) == 0


def test_index_counts_learners_per_version(client, admin, six):
    rows = {row.version_id: row for row in services.version_rows(None)}
    assert rows[six.version.id].pre_learners == 6
    assert rows[six.version.id].post_learners == 6
    html = client.get("/outcomes/").text
    assert f'href="/outcomes/{six.version.id}"' in html


# --- charts --------------------------------------------------------------------------


def test_charts_have_a_title_a_summary_and_the_numbers_of_their_table(client, admin, six):
    html = page(client, six.version)
    charts = svgs(html)
    assert set(charts) == {"chart-means", "chart-distribution", "chart-facility"}
    for svg in charts.values():
        assert 'role="img"' in svg and "<desc" in svg
        assert "style=" not in svg and "<script" not in svg
    means = charts["chart-means"]
    assert "Mean score before and after the training</title>" in means
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", means)
    assert "50%" in texts and "73.33%" in texts
    gains_rows = {r["label"]: r["value"] for r in tables(html)["gains"]}
    assert gains_rows["Pre-test mean (%)"] == "50"
    assert gains_rows["Post-test mean (%)"] == "73.33"

    distribution = tables(html)["distribution"]
    bars = re.findall(r"<text[^>]*>([^<]*)</text>", charts["chart-distribution"])
    values = [b for b in bars if re.fullmatch(r"\d+", b)]
    expected = []
    for row in distribution:
        expected += [row["pre_learners"], row["post_learners"]]
    assert values == expected
    # Post-tests 80, 70, 60, 90, 90, 50: two learners in 90-100.
    assert {r["band"]: r["post_learners"] for r in distribution}["90-100"] == "2"

    facility = re.findall(r"<title>([^<]*): ([\d.]+)%</title>", charts["chart-facility"])
    items = {r["text"]: r["facility_index"] for r in tables(html)["items"]}
    assert len(facility) == len(tables(html)["items"])
    for label, value in facility:
        text = html_module.unescape(label.rsplit(", Facility index", 1)[0])
        assert items[text] == value


# --- answers and transitions -----------------------------------------------------------


def test_option_counts_and_wrong_to_right(client, admin, app, make):
    from tests.outcomes.builders import intro_version

    version = intro_version()
    org = make.org()
    shared = "definition"  # a single-choice item usable on both tests
    others = [i for i in bank_ids(version, "post") if i != shared][:3]
    plan = [  # (pre mark, post mark, post answer)
        (0.0, 1.0, "b"),
        (0.0, 1.0, "b"),
        (0.0, 0.0, "a"),
        (1.0, 1.0, "b"),
        (1.0, 1.0, "b"),
    ]
    item = next(i for i in version.items if i["id"] == shared)
    assert item["correct"] == "b", "the fixture assumes option b is right"
    for pre_mark, post_mark, answer in plan:
        user = make.user(org)
        run = progress_of(user, version)
        add_attempt(run, "pre", 1, {shared: pre_mark, others[0]: 1.0})
        add_attempt(run, "post", 1, {shared: post_mark, others[1]: 1.0}, answers={shared: answer})
    db.session.commit()
    html = page(client, version)
    options = [r for r in tables(html)["options"] if r["_row"] == shared]
    texts = {o["id"]: o["text"]["en"] for o in item["options"]}
    chosen = {r["text"]: int(r["chosen"]) for r in options}
    assert chosen[texts["b"]] == 4 and chosen[texts["a"]] == 1 and chosen.get(texts["c"]) == 0
    correct = {r["text"]: r["correct"] for r in options}
    assert correct[texts["b"]] == "Yes" and correct[texts["a"]] == "No"
    assert all(r["question_text"] == options[0]["question_text"] != shared for r in options)
    transitions = {r["_row"]: r for r in tables(html)["transitions"]}
    row = transitions[shared]
    assert row["paired"] == "5" and row["wrong_before"] == "3" and row["wrong_to_right"] == "2"
    assert number(row["wrong_to_right_share"]) == pytest.approx(66.67)
    assert number(row["pre_facility"]) == 40.0 and number(row["post_facility"]) == 80.0


# --- query count -----------------------------------------------------------------------


def count_queries(app, client, url):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engines[None]
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_query_count_does_not_grow_with_attempts(app, client, admin, six, make):
    url = f"/outcomes/{six.version.id}"
    before = count_queries(app, client, url)
    org = make.org()
    pre_items = bank_ids(six.version, "pre")[:10]
    post_items = bank_ids(six.version, "post")
    for index in range(12):
        run = progress_of(make.user(org), six.version)
        add_attempt(run, "pre", 1, scores(pre_items, index % 10), answers={"definition": "a"})
        for number_ in (1, 2):
            items = post_items[index + number_ : index + number_ + 10]
            add_attempt(run, "post", number_, scores(items, (index + number_) % 11))
        add_lessons(run, [300, 200, 100])
    db.session.commit()
    after = count_queries(app, client, url)
    assert after == before
    assert count_queries(app, client, url + "?kind=pre") == before


def test_a_version_without_attempts_renders_empty_figures(client, admin, app):
    from tests.outcomes.builders import intro_version

    html = page(client, intro_version())
    assert number(metrics(html)["Learners with a post-test"]) == 0
    assert "No data in this selection." in html
    assert "No attempt in this selection yet." in html
    assert len(svgs(html)) == 3
    # No script but the site's own files (no inline script, nothing from another host).
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(attrs.strip().startswith('src="/static/') for attrs, _ in scripts)
    assert not any(body.strip() for _, body in scripts)
