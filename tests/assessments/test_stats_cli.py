import json
import math
import statistics as st

import pytest
from click.testing import CliRunner
from flask import Flask

from trainer.outcomes.cli import stats_group

GOOD_CSV = """attempt,q1,q2,q3
a1,1,1,1
a2,1,0,1
a3,1,1,0
a4,0,0,1
a5,0,0,0
"""


def run(tmp_path, text: str | bytes, *extra: str, name: str = "marks.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(stats_group, ["items", "--csv", str(path), *extra])


def test_good_file_prints_sorted_json(tmp_path):
    result = run(tmp_path, GOOD_CSV)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert set(report) == {"flags", "items", "test"}
    # indent 2 and sorted keys
    assert result.stdout.startswith('{\n  "flags"')
    assert list(report["test"]) == sorted(report["test"])

    items = {item["item_id"]: item for item in report["items"]}
    assert list(items) == ["q1", "q2", "q3"]
    assert set(items["q1"]) == {
        "item_id",
        "max_mark",
        "attempts",
        "mean_mark",
        "facility_index",
        "standard_deviation",
        "intended_weight",
        "effective_weight",
        "discrimination_index",
        "discriminative_efficiency",
    }
    # Facility: 3/5, 2/5, 3/5.
    assert [items[q]["facility_index"] for q in ("q1", "q2", "q3")] == pytest.approx([60, 40, 60])
    # q1 against the rest (2, 1, 1, 1, 0): 0.25 / sqrt(0.3 * 0.5).
    assert items["q1"]["discrimination_index"] == pytest.approx(100 * 0.25 / math.sqrt(0.15))
    assert items["q3"]["discrimination_index"] == pytest.approx(0.0, abs=1e-9)

    test = report["test"]
    assert set(test) == {
        "attempts",
        "items",
        "max_total",
        "mean",
        "median",
        "standard_deviation",
        "skewness",
        "kurtosis",
        "coefficient_of_internal_consistency",
        "error_ratio",
        "standard_error",
    }
    assert test["attempts"] == 5
    assert test["mean"] == pytest.approx(100 * 1.6 / 3)
    assert test["median"] == pytest.approx(100 * 2 / 3)
    assert test["standard_deviation"] == pytest.approx(100 * st.stdev([3, 2, 2, 1, 0]) / 3)
    # alpha = 3/2 * (1 - 0.9 / 1.3)
    assert test["coefficient_of_internal_consistency"] == pytest.approx(150 * 0.4 / 1.3)
    # q3 has no correlation with the rest of the test.
    assert {"item_id": "q3", "reason": "weak_discrimination"} in report["flags"]


def test_without_attempt_column_and_with_max(tmp_path):
    result = run(tmp_path, "q1,q2\n2,1\n0,0.5\n1,2\n", "--max", "2")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    q1, q2 = report["items"]
    assert q1["item_id"] == "q1" and q1["max_mark"] == 2.0
    assert q1["facility_index"] == pytest.approx(100 * 1 / 2)  # mean 1 of 2
    assert q2["facility_index"] == pytest.approx(100 * (3.5 / 3) / 2)
    assert report["test"]["max_total"] == 4.0
    # Two items, three attempts: kurtosis needs four, so it is null in the JSON.
    assert report["test"]["kurtosis"] is None
    assert '"kurtosis": null' in result.stdout


def test_utf8_bom_and_blank_lines_are_accepted(tmp_path):
    text = "\ufeffattempt,q1,q2\r\na,1,0\r\n\r\nb,0,1\r\nc,1,1\r\n\r\n"
    result = run(tmp_path, text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [item["item_id"] for item in report["items"]] == ["q1", "q2"]
    assert report["test"]["attempts"] == 3


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("", (), "the file is empty"),
        ("\n\n", (), "the file is empty"),
        (b"q1,q2\n1,\xff\n", (), "not UTF-8"),
        ("q1,q2\n1,0\n1\n", (), "line 3 has 1 fields, the header has 2"),
        ("attempt,q1,q2\na,1,0\nb,1,yes\n", (), "line 3 (attempt 'b'), column 'q2': 'yes' is not"),
        ("q1,q2\n1,0\nnan,1\n", (), "line 3, column 'q1': 'nan' is not a number"),
        ("q1,q2\n1,0\n1,\n", (), "line 3, column 'q2': missing mark"),
        ("q1,q2\n1,0\n2,1\n", (), "column 'q1': mark 2 is above the maximum 1"),
        ("q1,q2\n1,0\n4,1\n", ("--max", "3"), "mark 4 is above the maximum 3"),
        ("q1,q2\n1,0\n-1,1\n", (), "column 'q1': mark -1 is negative"),
        ("q1,q2\n1,0\n", (), "1 attempt(s); at least 2 are needed"),
        ("q1,q2\n", (), "0 attempt(s); at least 2 are needed"),
        ("q1,q2,q3\n1,0,1\n1,1,0\n", (), "same mark on item(s) 'q1' (always 1)"),
        ("q1,q2,q1\n1,0,1\n0,1,0\n", (), "duplicate item id 'q1' (columns 1 and 3)"),
        ("attempt,q1\na,1\nb,0\n", (), "at least 2 item columns"),
        ("q1,,q3\n1,0,1\n0,1,0\n", (), "column 2 has no item id"),
        ('q1,q2\n1,"0\n', (), "not valid CSV"),
        ("q1,q2\n1,0\n0,1\n", ("--max", "0"), "--max must be a positive number"),
    ],
)
def test_bad_input_gets_one_line_and_status_2(tmp_path, content, extra, message):
    result = run(tmp_path, content, *extra)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.csv"
    result = CliRunner().invoke(stats_group, ["items", "--csv", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {missing}: no such file"


def test_directory_instead_of_file(tmp_path):
    result = CliRunner().invoke(stats_group, ["items", "--csv", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_registered_on_a_flask_app(tmp_path):
    path = tmp_path / "marks.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    app = Flask("statstest")
    app.cli.add_command(stats_group)
    result = app.test_cli_runner().invoke(args=["stats", "items", "--csv", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["test"]["attempts"] == 5
