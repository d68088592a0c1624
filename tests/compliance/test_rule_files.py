"""Loading rule files: the shipped ones are clean, bad ones are reported as path:line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainer.compliance.rules import Period, Unit, load_rules

RULES_DIR = Path(__file__).resolve().parents[2] / "modules" / "rules"

# One line per top-level field, so each field's line number is known.
BASE_LINES = {
    "id": "id: {id}",  # line 1
    "name": 'name: {{en: "Test rule", es: "Regla de prueba"}}',  # line 2
    "citation": 'citation: "Test Code sec. 1"',  # line 3
    "applies_to": "applies_to: {{org_kinds: [hotel]}}",  # line 4
    "covered_roles": "covered_roles: all",  # line 5
    "first_training": "first_training: {{days: 30}}",  # line 6
    "refresher": "refresher: {{years: 1}}",  # line 7
    "serial_prefix": "serial_prefix: {prefix}",  # line 8
}


def rule_text(
    rule_id: str = "alpha",
    prefix: str = "AL",
    replace: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    extra: str = "",
) -> str:
    """A rule file: the base lines (some replaced or dropped), then `extra` from line 9."""
    lines = []
    for key, template in BASE_LINES.items():
        if key in drop:
            continue
        line = (replace or {}).get(key, template.format(id=rule_id, prefix=prefix))
        lines.append(line)
    return "\n".join(lines) + "\n" + extra


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rules_load_without_problems() -> None:
    rules, problems = load_rules(RULES_DIR)
    assert [str(problem) for problem in problems] == []
    assert sorted(rules) == [
        "baltimore",
        "california",
        "connecticut",
        "houston-city",
        "houston-tx",
        "illinois",
        "minnesota",
        "new-jersey",
        "texas",
        "washington",
    ]
    assert len({rule.serial_prefix for rule in rules.values()}) == len(rules)
    assert rules["houston-tx"].serial_prefix == "HTX"
    assert rules["texas"].serial_prefix == "TX"
    assert rules["houston-tx"].also == ("texas",)
    assert rules["houston-tx"].first_training == Period(30, Unit.DAYS)
    assert rules["connecticut"].first_training.at_hire
    assert rules["california"].covered_roles == (
        "front_desk",
        "housekeeping",
        "bell_valet",
        "driver",
    )
    assert rules["houston-city"].org_kinds == ("city_department",)
    texas_records = rules["texas"].records
    assert texas_records is not None
    assert (
        texas_records.retention_years,
        texas_records.produce_within_hours,
        texas_records.include_former_staff,
    ) == (2, 72, True)
    for rule in rules.values():
        assert rule.name["en"] and rule.name["es"]


def test_a_good_test_rule_loads(tmp_path: Path) -> None:
    write(
        tmp_path,
        "alpha.yaml",
        rule_text(
            extra=(
                "also: [beta]\n"
                "minimum_minutes: 20\n"
                "records: {retention_years: 3, produce_within_hours: null,"
                " include_former_staff: false}\n"
                'annual_certification: {due: "02-29", to: {en: "City", es: "Ciudad"}}\n'
                "unconfirmed:\n"
                "  - field: records.retention_years\n"
                "    note: {en: Assumed, es: Supuesto}\n"
            )
        ),
    )
    write(tmp_path, "beta.yaml", rule_text("beta", "BE", replace={"refresher": "refresher: null"}))
    write(tmp_path, "README.md", "# not a rule\n")
    rules, problems = load_rules(tmp_path)
    assert problems == []
    alpha = rules["alpha"]
    assert alpha.also == ("beta",)
    assert alpha.minimum_minutes == 20
    assert alpha.records is not None and alpha.records.retention_years == 3
    assert alpha.annual_certification is not None
    assert str(alpha.annual_certification.due_in(2023)) == "2023-02-28"
    assert str(alpha.annual_certification.due_in(2024)) == "2024-02-29"
    assert alpha.is_unconfirmed("records.retention_years")
    assert rules["beta"].refresher is None


SINGLE_FILE_CASES = {
    "unknown top-level field": (
        rule_text(extra="colour: blue\n"),
        9,
        "unknown field 'colour'",
    ),
    "missing required field": (
        rule_text(drop=("serial_prefix",)),
        1,
        "missing field 'serial_prefix'",
    ),
    "refresher must be stated": (
        rule_text(drop=("refresher",)),
        1,
        "missing field 'refresher'",
    ),
    "id differs from file name": (
        rule_text(replace={"id": "id: beta"}),
        1,
        "id: 'beta' must equal the file name 'alpha'",
    ),
    "id with capitals": (
        rule_text(replace={"id": "id: Alpha"}),
        1,
        "id: must be lowercase letters, digits and -",
    ),
    "name without spanish": (
        rule_text(replace={"name": "name: {en: Test}"}),
        2,
        "name: missing language 'es'",
    ),
    "name in an unknown language": (
        rule_text(replace={"name": "name: {en: Test, es: Prueba, fr: Essai}"}),
        2,
        "name: unknown language 'fr'",
    ),
    "name as plain text": (
        rule_text(replace={"name": "name: Test"}),
        2,
        "name: must be a mapping of language to text (en, es)",
    ),
    "empty citation": (
        rule_text(replace={"citation": 'citation: ""'}),
        3,
        "citation: must be non-empty text",
    ),
    "unknown basis": (
        rule_text(extra="basis: custom\n"),
        9,
        "basis: must be one of law, program",
    ),
    "unknown org kind": (
        rule_text(replace={"applies_to": "applies_to:\n  org_kinds:\n    - motel"}),
        6,
        "applies_to.org_kinds: unknown organization kind 'motel'",
    ),
    "empty org kinds": (
        rule_text(replace={"applies_to": "applies_to: {org_kinds: []}"}),
        4,
        "applies_to.org_kinds: must be a non-empty list",
    ),
    "unknown field in applies_to": (
        rule_text(replace={"applies_to": "applies_to: {org_kinds: [hotel], rooms: 10}"}),
        4,
        "applies_to: unknown field 'rooms'",
    ),
    "unknown job role": (
        rule_text(replace={"covered_roles": "covered_roles:\n  - front_desk\n  - chef"}),
        7,
        "covered_roles: unknown job role 'chef'",
    ),
    "repeated job role": (
        rule_text(replace={"covered_roles": "covered_roles: [driver, driver]"}),
        5,
        "covered_roles: 'driver' is repeated",
    ),
    "covered roles as other text": (
        rule_text(replace={"covered_roles": "covered_roles: everyone"}),
        5,
        "covered_roles: must be 'all' or a non-empty list of job roles",
    ),
    "first training in weeks": (
        rule_text(replace={"first_training": "first_training: {weeks: 4}"}),
        6,
        "first_training: unknown field 'weeks'",
    ),
    "first training of zero days": (
        rule_text(replace={"first_training": "first_training: {days: 0}"}),
        6,
        "first_training.days: must be a whole number of at least 1",
    ),
    "first training with two units": (
        rule_text(replace={"first_training": "first_training: {days: 30, months: 1}"}),
        6,
        "first_training: must be one of {days: N}, {months: N}, {at_hire: true}",
    ),
    "first training at hire false": (
        rule_text(replace={"first_training": "first_training: {at_hire: false}"}),
        6,
        "first_training.at_hire: must be true",
    ),
    "refresher in days": (
        rule_text(replace={"refresher": "refresher: {days: 365}"}),
        7,
        "refresher: unknown field 'days'",
    ),
    "refresher cannot be at hire": (
        rule_text(replace={"refresher": "refresher: {at_hire: true}"}),
        7,
        "refresher: unknown field 'at_hire'",
    ),
    "refresher as text": (
        rule_text(replace={"refresher": "refresher: yearly"}),
        7,
        "refresher: must be one of {years: N}, {months: N}",
    ),
    "minimum minutes negative": (
        rule_text(extra="minimum_minutes: -5\n"),
        9,
        "minimum_minutes: must be a whole number of at least 1 or null",
    ),
    "minimum minutes boolean": (
        rule_text(extra="minimum_minutes: true\n"),
        9,
        "minimum_minutes: must be a whole number of at least 1 or null",
    ),
    "records unknown field": (
        rule_text(
            extra=(
                "records:\n  retention_years: 2\n  produce_within_hours: 72\n"
                "  include_former_staff: true\n  shred: yes\n"
            )
        ),
        13,
        "records: unknown field 'shred'",
    ),
    "records missing field": (
        rule_text(extra="records:\n  retention_years: 2\n  include_former_staff: true\n"),
        10,
        "records: missing field 'produce_within_hours'",
    ),
    "records former staff not a boolean": (
        rule_text(
            extra=(
                "records:\n  retention_years: 2\n  produce_within_hours: 72\n"
                "  include_former_staff: sometimes\n"
            )
        ),
        12,
        "records.include_former_staff: must be true or false",
    ),
    "records retention zero": (
        rule_text(
            extra=(
                "records:\n  retention_years: 0\n  produce_within_hours: 72\n"
                "  include_former_staff: true\n"
            )
        ),
        10,
        "records.retention_years: must be a whole number of at least 1 or null",
    ),
    "annual certification on a day that does not exist": (
        rule_text(extra='annual_certification:\n  due: "02-30"\n  to: {en: City, es: Ciudad}\n'),
        10,
        'annual_certification.due: must be a day of the year as "MM-DD" in quotes',
    ),
    "annual certification in another format": (
        rule_text(extra='annual_certification:\n  due: "3/31"\n  to: {en: City, es: Ciudad}\n'),
        10,
        'annual_certification.due: must be a day of the year as "MM-DD" in quotes',
    ),
    "annual certification without recipient": (
        rule_text(extra='annual_certification: {due: "03-31"}\n'),
        9,
        "annual_certification: missing field 'to'",
    ),
    "serial prefix in lower case": (
        rule_text(prefix="al"),
        8,
        "serial_prefix: must be 2 to 5 capital letters A-Z",
    ),
    "also names an unknown rule": (
        rule_text(extra="also:\n  - texas\n"),
        10,
        "also: unknown rule 'texas'",
    ),
    "also names itself": (
        rule_text(extra="also: [alpha]\n"),
        9,
        "also: rule 'alpha' names itself",
    ),
    "also as text": (
        rule_text(extra="also: texas\n"),
        9,
        "also: must be a list of rule ids",
    ),
    "unconfirmed names an unknown field": (
        rule_text(extra="unconfirmed:\n  - field: penalty\n    note: {en: x, es: y}\n"),
        10,
        "unconfirmed: unknown field 'penalty'",
    ),
    "unconfirmed names a field not set": (
        rule_text(
            extra="unconfirmed:\n  - field: records.retention_years\n    note: {en: x, es: y}\n"
        ),
        10,
        "unconfirmed: 'records.retention_years' is not set in this file",
    ),
    "unconfirmed without a note": (
        rule_text(extra="unconfirmed:\n  - field: refresher\n"),
        10,
        "unconfirmed: missing field 'note'",
    ),
    "unconfirmed item as text": (
        rule_text(extra="unconfirmed:\n  - refresher\n"),
        10,
        "unconfirmed: each item must be a mapping with field and note",
    ),
    "duplicate key": (
        rule_text(extra="citation: again\n"),
        9,
        "duplicate key 'citation'",
    ),
    "broken YAML": (
        rule_text(extra="notes: {en: [unclosed\n"),
        10,
        "bad YAML",
    ),
    "file is a list": (
        "- id: alpha\n",
        1,
        "a rule file must be a mapping",
    ),
}


@pytest.mark.parametrize(
    ("text", "line", "message"), SINGLE_FILE_CASES.values(), ids=SINGLE_FILE_CASES.keys()
)
def test_bad_rule_file_is_reported_at_its_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, "alpha.yaml", text)
    rules, problems = load_rules(tmp_path)
    assert rules == {}
    shown = [str(problem) for problem in problems]
    assert any(entry.startswith(f"{path}:{line}: {message}") for entry in shown), shown


def test_problems_print_as_path_line_message(tmp_path: Path) -> None:
    write(tmp_path, "alpha.yaml", rule_text(extra="colour: blue\n"))
    _, problems = load_rules(tmp_path)
    assert [str(problem) for problem in problems] == [
        f"{tmp_path / 'alpha.yaml'}:9: unknown field 'colour'"
    ]


def test_also_cycle_is_reported_once(tmp_path: Path) -> None:
    write(tmp_path, "alpha.yaml", rule_text(extra="also: [beta]\n"))
    write(tmp_path, "beta.yaml", rule_text("beta", "BE", extra="also: [gamma]\n"))
    write(tmp_path, "gamma.yaml", rule_text("gamma", "GA", extra="also:\n  - alpha\n"))
    write(tmp_path, "delta.yaml", rule_text("delta", "DE"))
    rules, problems = load_rules(tmp_path)
    assert [str(problem) for problem in problems] == [
        f"{tmp_path / 'gamma.yaml'}:10: also: cycle alpha -> beta -> gamma -> alpha"
    ]
    assert sorted(rules) == ["delta"]


def test_repeated_serial_prefix_is_reported_on_the_later_file(tmp_path: Path) -> None:
    write(tmp_path, "alpha.yaml", rule_text(prefix="TX"))
    write(tmp_path, "beta.yaml", rule_text("beta", "TX"))
    rules, problems = load_rules(tmp_path)
    assert [str(problem) for problem in problems] == [
        f"{tmp_path / 'beta.yaml'}:8: serial_prefix 'TX' is already used by rule 'alpha'"
    ]
    assert sorted(rules) == ["alpha"]


def test_rule_naming_a_bad_rule_is_left_out_without_a_second_problem(tmp_path: Path) -> None:
    write(tmp_path, "alpha.yaml", rule_text(extra="also: [beta]\n"))
    write(tmp_path, "beta.yaml", rule_text("beta", "BE", replace={"refresher": "refresher: 1"}))
    write(tmp_path, "gamma.yaml", rule_text("gamma", "GA"))
    rules, problems = load_rules(tmp_path)
    assert [(Path(p.path).name, p.line) for p in problems] == [("beta.yaml", 7)]
    assert sorted(rules) == ["gamma"]


def test_yml_extension_and_missing_folder(tmp_path: Path) -> None:
    write(tmp_path, "alpha.yml", rule_text())
    rules, problems = load_rules(tmp_path)
    assert rules == {}
    assert [str(problem) for problem in problems] == [
        f"{tmp_path / 'alpha.yml'}:1: rule files end in .yaml"
    ]
    missing = tmp_path / "nowhere"
    assert [str(p) for p in load_rules(missing)[1]] == [f"{missing}:1: rules folder not found"]


_yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 400)
    | st.sampled_from(["all", "hotel", "front_desk", "03-31", "TX", "texas", "alpha", ""]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["en", "es", "days", "months", "years", "at_hire", "org_kinds", "due"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    key=st.sampled_from([*BASE_LINES, "also", "records", "annual_certification", "unconfirmed"]),
    value=_yaml_values,
)
def test_any_value_in_any_field_gives_problems_not_exceptions(
    tmp_path: Path, key: str, value: object
) -> None:
    text = rule_text(drop=(key,)) + yaml.safe_dump({key: value}, default_flow_style=True)
    (tmp_path / "alpha.yaml").write_text(text, encoding="utf-8")
    rules, problems = load_rules(tmp_path)
    assert bool(rules) != bool(problems)
    if rules:
        assert rules["alpha"].serial_prefix
