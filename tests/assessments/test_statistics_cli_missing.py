"""`flask stats items --allow-missing`: empty cells are items not on the attempt's form."""

import json
import math

import pytest
from click.testing import CliRunner

from trainer.assessments.statistics import sparse_item_analysis
from trainer.outcomes.cli import stats_group

SPARSE_CSV = """attempt,a,b,c
r1,1,1,
r2,1,,0
r3,0,0,
r4,,1,1
r5,0,,1
"""


def run(tmp_path, text, *extra):
    path = tmp_path / "marks.csv"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(stats_group, ["items", "--csv", str(path), *extra])


def test_empty_cells_are_not_drawn_items(tmp_path):
    result = run(tmp_path, SPARSE_CSV, "--allow-missing")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    items = {item["item_id"]: item for item in report["items"]}
    assert [items[k]["attempts"] for k in "abc"] == [4, 3, 3]
    assert items["a"]["facility_index"] == pytest.approx(50.0)
    assert items["c"]["discrimination_index"] == pytest.approx(-50.0)
    assert report["test"]["coefficient_of_internal_consistency"] == pytest.approx(
        200 * (1 - (2 / 3) / 0.7)
    )
    assert {"item_id": "c", "reason": "negative_discrimination"} in report["flags"]
    nan = math.nan
    expected = sparse_item_analysis(
        [[1, 1, nan], [1, nan, 0], [0, 0, nan], [nan, 1, 1], [0, nan, 1]],
        item_ids=["a", "b", "c"],
    ).to_dict()
    assert report["items"] == expected["items"]
    assert report["test"] == expected["test"]


def test_without_the_flag_an_empty_cell_is_still_an_error_that_names_the_flag(tmp_path):
    result = run(tmp_path, SPARSE_CSV)
    assert result.exit_code == 2
    assert "line 2 (attempt 'r1'), column 'c': missing mark" in result.stderr
    assert "--allow-missing" in result.stderr


def test_constant_columns_are_kept_and_flagged_with_the_flag(tmp_path):
    text = "q1,q2,q3\n1,1,0\n1,0,1\n1,1,\n"
    result = run(tmp_path, text, "--allow-missing")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"item_id": "q1", "reason": "no_discrimination"} in report["flags"]
    assert report["items"][0]["discrimination_index"] is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("q1,q2\n1,\n0,\n", "item 'q2' has no mark in any attempt"),
        ("attempt,q1,q2\na,1,0\nb,,\nc,0,1\n", "line 3 has no mark at all"),
        ("q1,q2\n1,0\n", "1 attempt(s); at least 2 are needed"),
        ("q1,q2\n1,0\nx,1\n", "'x' is not a number"),
    ],
)
def test_bad_sparse_files(tmp_path, content, message):
    result = run(tmp_path, content, "--allow-missing")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
