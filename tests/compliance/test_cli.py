"""`flask compliance due` and `check`, driven through click's test runner (no application)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from trainer.compliance.cli import compliance_group

RULES_DIR = Path(__file__).resolve().parents[2] / "modules" / "rules"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(compliance_group, ["due", *args])
    return result.exit_code, result.stdout, result.stderr


def test_houston_housekeeper_gets_the_30_day_houston_deadline() -> None:
    code, out, err = run(
        "--jurisdiction", "houston-tx",
        "--hire-date", "2024-01-10",
        "--role", "housekeeping",
        "--today", "2024-02-01",
        "--rules-dir", str(RULES_DIR),
    )  # fmt: skip
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["due_date"] == "2024-02-09"
    assert data["status"] == "due_soon"
    assert data["rule"] == "houston-tx"
    assert data["citation"].startswith("Houston City Code ch. 28, sec. 28-212")
    assert data["reason"] == "first_training"
    assert data["jurisdiction"] == "houston-tx"
    assert data["rules_considered"] == ["houston-tx", "texas"]
    assert data["rules_counting"] == ["houston-tx", "texas"]
    assert data["date_unconfirmed"] is False


def test_completed_training_gives_the_refresher_date_from_the_default_folder() -> None:
    code, out, _ = run(
        "--jurisdiction", "texas",
        "--hire-date", "2023-06-01",
        "--completed", "2024-02-29",
        "--today", "2025-03-01",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert (data["due_date"], data["status"], data["reason"]) == (
        "2025-02-28",
        "expired",
        "refresher",
    )


def test_in_progress_and_window_options() -> None:
    code, out, _ = run(
        "--jurisdiction", "texas",
        "--hire-date", "2024-01-10",
        "--today", "2024-03-10",
        "--in-progress",
        "--due-soon-days", "29",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["status"] == "in_progress"


def test_role_not_covered_in_california() -> None:
    code, out, _ = run(
        "--jurisdiction", "california",
        "--hire-date", "2024-01-31",
        "--role", "food_beverage",
        "--today", "2024-12-01",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "not_covered"
    assert data["due_date"] is None
    assert data["rule"] is None
    assert data["rules_considered"] == ["california"]
    assert data["rules_counting"] == []


def test_city_department_under_program_policy_flags_the_unconfirmed_date() -> None:
    code, out, _ = run(
        "--jurisdiction", "houston-city",
        "--org-kind", "city_department",
        "--role", "clinic_staff",
        "--hire-date", "2024-01-10",
        "--today", "2024-04-10",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert (data["status"], data["due_date"], data["date_unconfirmed"]) == (
        "overdue",
        "2024-04-09",
        True,
    )


BAD_INPUT = {
    "unknown jurisdiction": (
        ["--jurisdiction", "atlantis", "--hire-date", "2024-01-10"],
        "--jurisdiction: unknown jurisdiction 'atlantis'",
    ),
    "impossible date": (
        ["--jurisdiction", "texas", "--hire-date", "2024-02-30"],
        "--hire-date: '2024-02-30' is not a date in the form YYYY-MM-DD",
    ),
    "date without dashes": (
        ["--jurisdiction", "texas", "--hire-date", "20240110"],
        "--hire-date: '20240110' is not a date in the form YYYY-MM-DD",
    ),
    "words for a date": (
        ["--jurisdiction", "texas", "--hire-date", "2024-01-10", "--today", "yesterday"],
        "--today: 'yesterday' is not a date in the form YYYY-MM-DD",
    ),
    "bad completion date": (
        ["--jurisdiction", "texas", "--hire-date", "2024-01-10", "--completed", "2024-1-5"],
        "--completed: '2024-1-5' is not a date in the form YYYY-MM-DD",
    ),
    "unknown role": (
        ["--jurisdiction", "texas", "--hire-date", "2024-01-10", "--role", "chef"],
        "--role: unknown job role 'chef'",
    ),
    "unknown org kind": (
        ["--jurisdiction", "texas", "--hire-date", "2024-01-10", "--org-kind", "motel"],
        "--org-kind: unknown organization kind 'motel'",
    ),
    "completion after today": (
        [
            "--jurisdiction", "texas", "--hire-date", "2024-01-10",
            "--completed", "2024-05-02", "--today", "2024-05-01",
        ],
        "--completed: the completion date is after --today",
    ),
    "negative window": (
        ["--jurisdiction", "texas", "--hire-date", "2024-01-10", "--due-soon-days", "-1"],
        "--due-soon-days: must not be negative",
    ),
    "no rooms": (
        ["--jurisdiction", "texas", "--hire-date", "2024-01-10", "--rooms", "0"],
        "--rooms: must be a whole number of at least 1",
    ),
    "unknown employment": (
        ["--jurisdiction", "texas", "--hire-date", "2024-01-10", "--employment", "volunteer"],
        "--employment: unknown employment type 'volunteer' (known: direct, contractor)",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("args", "status", "counting"),
    [
        (["--jurisdiction", "texas", "--rooms", "9"], "not_covered", []),
        (["--jurisdiction", "texas", "--rooms", "11"], "overdue", ["texas"]),
        (["--jurisdiction", "texas"], "overdue", ["texas"]),
        (
            ["--jurisdiction", "texas", "--rooms", "11", "--employment", "contractor"],
            "not_covered",
            [],
        ),
        (["--jurisdiction", "houston-tx", "--rooms", "9"], "overdue", ["houston-tx"]),
        (
            ["--jurisdiction", "minnesota", "--role", "front_desk", "--under-16-at-hire"],
            "not_covered",
            [],
        ),
        (
            ["--jurisdiction", "minnesota", "--role", "housekeeping", "--under-16-at-hire"],
            "overdue",
            ["minnesota"],
        ),
    ],
)
def test_size_employment_and_age_options(args: list[str], status: str, counting: list[str]) -> None:
    code, out, err = run(*args, "--hire-date", "2024-01-10", "--today", "2024-06-01")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["status"], data["rules_counting"]) == (status, counting)


def test_check_reports_the_shipped_rules_and_every_problem(tmp_path: Path) -> None:
    good = CliRunner().invoke(compliance_group, ["check", "--rules-dir", str(RULES_DIR)])
    assert good.exit_code == 0
    assert good.stdout.startswith("rules ok: 10 rule files, ")
    (tmp_path / "alpha.yaml").write_text("id: alpha\ncolour: blue\n", encoding="utf-8")
    bad = CliRunner().invoke(compliance_group, ["check", "--rules-dir", str(tmp_path)])
    assert bad.exit_code == 1
    assert f"{tmp_path / 'alpha.yaml'}:2: unknown field 'colour'" in bad.stderr.splitlines()


@pytest.mark.parametrize(("args", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_one_line_on_stderr_with_exit_2(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"error: {message}")
    assert "Traceback" not in err


def test_problems_in_the_rules_folder_are_listed_and_stop_the_command(tmp_path: Path) -> None:
    (tmp_path / "alpha.yaml").write_text("id: alpha\ncolour: blue\n", encoding="utf-8")
    code, out, err = run(
        "--jurisdiction", "alpha", "--hire-date", "2024-01-10", "--rules-dir", str(tmp_path)
    )
    assert code == 1
    assert out == ""
    assert f"{tmp_path / 'alpha.yaml'}:2: unknown field 'colour'" in err.splitlines()


def test_custom_rules_folder(tmp_path: Path) -> None:
    (tmp_path / "resort.yaml").write_text(
        "id: resort\n"
        "name: {en: Resort rule, es: Regla del resort, vi: Quy tắc khu nghỉ dưỡng}\n"
        "citation: Resort Code 1\n"
        "applies_to: {org_kinds: [partner]}\n"
        "covered_roles: [security]\n"
        "first_training: {months: 1}\n"
        "refresher: null\n"
        "serial_prefix: RS\n"
        "contacts:\n"
        "  - {id: emergency, kind: emergency, phone: '911', source: Test,\n"
        "     label: {en: Emergency, es: Emergencias, vi: Khẩn cấp}}\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        "--jurisdiction", "resort",
        "--org-kind", "partner",
        "--role", "security",
        "--hire-date", "2024-01-31",
        "--today", "2024-01-31",
        "--rules-dir", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert (data["due_date"], data["rule"], data["citation"]) == (
        "2024-02-29",
        "resort",
        "Resort Code 1",
    )


def test_under_an_app_the_default_folder_is_its_modules_dir(tmp_path: Path) -> None:
    app = Flask(__name__)
    app.config["MODULES_DIR"] = str(tmp_path)
    app.cli.add_command(compliance_group)
    result = app.test_cli_runner().invoke(
        args=["compliance", "due", "--jurisdiction", "texas", "--hire-date", "2024-01-10"]
    )
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'rules'}:1: rules folder not found\n"
