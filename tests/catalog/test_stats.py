"""`flask content check --stats` and `--json`: per-module figures."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from trainer.catalog.cli import content_group
from trainer.catalog.loader import load_content
from trainer.catalog.stats import content_stats

from .builders import make_tree, replace_in, write
from .itembanks import bank_tree, choice, statement

SHORT = ("Call the hotline", "Llamar a la línea")
SHORT2 = ("Write it all down", "Anotarlo todo")
LONG = ("Tell a supervisor now", "Avisar al supervisor")


def numbered(number: int, *options: tuple[str, str]) -> list[tuple[str, str]]:
    return [(f"{en} {number}", f"{es} {number}") for en, es in options]


def stats_tree(tmp_path: Path) -> Path:
    reason = {"longest-option": "The statute's full title is the answer."}
    items = [
        choice("s1", numbered(1, LONG, SHORT, SHORT2), "a", accept=reason),
        choice("s2", numbered(2, LONG, SHORT, SHORT2), "a"),
        choice("s3", numbered(3, SHORT, LONG, SHORT2), "a"),
        choice("s4", [("Go now", "Ir"), ("Ask him why he has their passports", "Preguntar")]),
        choice(
            "m1", [("Sign A", "Señal A"), ("Sign B", "Señal B"), ("Sign C", "Señal C")], ["a", "b"]
        ),
        statement("t1", ("A plain statement.", "Una afirmación.")),
    ]
    return bank_tree(tmp_path, items)


def test_module_figures(tmp_path: Path) -> None:
    (stats,) = content_stats(load_content(stats_tree(tmp_path)))
    assert stats.slug == "base" and stats.items == 9
    assert (stats.pre, stats.post, stats.both, stats.pre_usable) == (1, 8, 0, 1)
    assert stats.types == {"single": 4, "multiple": 1, "true_false": 4, "scenario": 0}
    assert (stats.attempts, stats.post_test_length, stats.worst_case_overlap) == (2, 1, 0)
    # s1 (acknowledged) and s2 key the single longest option: 1 counted + 1 of 4
    assert stats.longest_option["en"].counted == 1
    assert stats.longest_option["en"].acknowledged == 1
    assert stats.longest_option["en"].total == 4
    assert stats.longest_option["en"].percent == 25
    # s4's keyed "Go now" is short; in Spanish "Ir" too: no key-length question
    assert stats.key_length_questions == 0
    assert (stats.multi_all_but_one.counted, stats.multi_all_but_one.total) == (1, 1)
    assert stats.findings == {"multi-all-but-one": 1}


def test_worst_case_overlap_and_key_length(tmp_path: Path) -> None:
    root = stats_tree(tmp_path)
    replace_in(root / "base" / "module.yaml", "attempts: 2", "attempts: 12")
    replace_in(root / "base" / "questions.yaml", '"Go now"', '"Go with the guest right now"')
    (stats,) = content_stats(load_content(root))
    # 8 post items for 12 attempts of 1
    assert stats.worst_case_overlap == 4
    assert stats.findings["fresh-retakes"] == 1
    assert stats.key_length_questions == 0
    replace_in(root / "base" / "questions.yaml", '"Ask him why he has their passports"', '"Ask"')
    (stats,) = content_stats(load_content(root))
    assert stats.key_length_questions == 1


def cli(root: Path, *args: str):
    app = Flask(__name__)
    app.config["MODULES_DIR"] = str(root)
    app.cli.add_command(content_group)
    return app.test_cli_runner().invoke(args=["content", "check", *args])


def test_check_stats_prints_a_table_after_the_findings(tmp_path: Path) -> None:
    result = cli(stats_tree(tmp_path), "--stats")
    assert result.exit_code == 1
    assert "multi-all-but-one: every option but one is keyed" in result.stderr
    assert "0 problem(s) and 1 finding(s) found" in result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("module "))
    assert "overlap" in header and "longest-option" in header
    row = next(line for line in lines if line.startswith("base "))
    assert "1/8/0" in row and "4/1/4/0" in row and "2x1" in row
    assert "en 25% (1+1/4) es 25% (1+1/4)" in row
    assert "100% (1/1)" in row
    assert "findings per rule:" in lines


def test_check_json(tmp_path: Path) -> None:
    result = cli(stats_tree(tmp_path), "--stats", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["problems"] == []
    assert [f["code"] for f in data["findings"]] == ["multi-all-but-one"]
    assert data["findings"][0]["module"] == "base"
    base = data["modules"]["base"]
    assert base["worst_case_overlap"] == 0
    assert base["longest_option"]["es"] == {
        "counted": 1,
        "acknowledged": 1,
        "total": 4,
        "percent": 25,
    }
    assert base["multi_all_but_one"]["percent"] == 100


def test_check_passes_on_a_clean_tree(tmp_path: Path) -> None:
    result = cli(make_tree(tmp_path), "--stats")
    assert result.exit_code == 0
    assert result.stdout.startswith("content ok: 1 modules, 1 tracks\n")
    assert "findings per rule:" not in result.stdout


def test_findings_outside_the_modules_have_their_own_row(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    write(
        root / "glossary.yaml",
        'terms:\n  - id: ordinance\n    en: {use: "ordinance"}\n'
        '    es: {use: "ordenanza", avoid: ["reglamento"]}\n    vi: {use: "sắc lệnh"}\n',
    )
    replace_in(root / "tracks.yaml", 'es: "Ruta principal"', 'es: "Ruta del reglamento"')
    result = cli(root, "--stats")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[lines.index("findings per rule:") + 1].split() == ["module", "glossary"]
    assert ["(other", "files)", "1"] in [line.split() for line in lines]
    assert ["base", "0"] in [line.split() for line in lines]
