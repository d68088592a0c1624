"""`flask stats export-marks` then `flask stats items --allow-missing` = the page's figures."""

from __future__ import annotations

import json

import pytest

from tests.outcomes.pages import number, tables
from tests.support.web import login
from trainer.outcomes import services


def export(runner, tmp_path, *args):
    out = tmp_path / "marks.csv"
    result = runner.invoke(
        args=[
            "stats",
            "export-marks",
            "--module",
            "intro-indicators",
            "--version",
            "1",
            "-o",
            str(out),
            *args,
        ]
    )
    assert result.exit_code == 0, result.output
    return out


def items_json(runner, path):
    result = runner.invoke(args=["stats", "items", "--csv", str(path), "--allow-missing"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("kind", ["post", "pre"])
def test_cli_gives_the_item_statistics_of_the_page(app, runner, client, make, six, tmp_path, kind):
    assert six.version.version == 1
    path = export(runner, tmp_path, "--kind", kind)
    text = path.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert header[0] == "attempt"
    if kind == "post":
        assert ",," in text, "random post-test forms leave cells empty"
    report = items_json(runner, path)

    outcomes = services.module_outcomes(six.version, services.Filters(), kind)
    expected = outcomes.analysis.to_dict()
    assert report["items"] == expected["items"]
    assert report["test"] == expected["test"]
    assert [(f["item_id"], f["reason"]) for f in report["flags"]] == [
        (row[0], row[2]) for row in outcomes.flags.rows
    ]

    admin = make.user(role="admin")
    login(client, admin)
    html = client.get(f"/outcomes/{six.version.id}/questions", query_string={"kind": kind}).text
    shown = {row["_row"]: row for row in tables(html)["items"]}
    for item in report["items"]:
        row = shown[item["item_id"]]
        assert int(row["attempts"]) == item["attempts"]
        for key in ("facility_index", "discrimination_index", "discriminative_efficiency"):
            value = item[key]
            assert number(row[key]) == (None if value is None else pytest.approx(round(value, 2)))
    rows = {r["label"]: number(r["value"]) for r in tables(html)["test"]}
    assert rows["Attempts analysed"] == report["test"]["attempts"]
    assert rows["Mean score (%)"] == pytest.approx(round(report["test"]["mean"], 2))


def test_export_applies_the_page_filters(app, runner, six, tmp_path):
    path = export(runner, tmp_path, "--language", "es")
    lines = path.read_text(encoding="utf-8").splitlines()
    # D and F took their tests in Spanish: one post-test attempt each.
    assert len(lines) == 1 + 2
    filters = services.Filters(language="es")
    outcomes = services.module_outcomes(six.version, filters)
    assert items_json(runner, path)["test"] == outcomes.analysis.to_dict()["test"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--module", "nope", "--version", "1", "-o", "x.csv"], "no version 1 of module 'nope'"),
        (
            ["--module", "intro-indicators", "--version", "1", "-o", "x.csv", "--from", "May"],
            "--from must be a date",
        ),
    ],
)
def test_export_bad_input(app, runner, args, message):
    result = runner.invoke(args=["stats", "export-marks", *args])
    assert result.exit_code == 2
    assert message in result.output
