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
    "name": 'name: {{en: "Test rule", es: "Regla de prueba", vi: "Quy tắc thử"}}',  # line 2
    "citation": 'citation: "Test Code sec. 1"',  # line 3
    "applies_to": "applies_to: {{org_kinds: [hotel]}}",  # line 4
    "covered_roles": "covered_roles: all",  # line 5
    "first_training": "first_training: {{days: 30}}",  # line 6
    "refresher": "refresher: {{years: 1}}",  # line 7
    "serial_prefix": "serial_prefix: {prefix}",  # line 8
    "contacts": (  # line 9
        "contacts: [{{id: emergency, kind: emergency,"
        " label: {{en: Emergency, es: Emergencias, vi: Khẩn cấp}},"
        ' phone: "911", source: "Test source"}}]'
    ),
}


def rule_text(
    rule_id: str = "alpha",
    prefix: str = "AL",
    replace: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    extra: str = "",
) -> str:
    """A rule file: the base lines (some replaced or dropped), then `extra` from line 10."""
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
                'annual_certification: {due: "02-29", to: {en: City, es: Ciudad, vi: Thành phố}}\n'
                "unconfirmed:\n"
                "  - field: records.retention_years\n"
                "    note: {en: Assumed, es: Supuesto, vi: Giả định}\n"
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


def contact_text(*lines: str, contact_id: str = "hotline", kind: str = "hotline") -> str:
    """A `contacts:` block at line 9 with one contact; `lines` are added from line 14."""
    return "\n".join(
        [
            "contacts:",  # line 9
            f"  - id: {contact_id}",  # line 10
            f"    kind: {kind}",  # line 11
            "    label: {en: A line, es: Una línea, vi: Một đường dây}",  # line 12
            "    source: Test source",  # line 13
            *(f"    {line}" for line in lines),
        ]
    )


REASON = "reason: {en: Why, es: Por qué, vi: Tại sao}"

SINGLE_FILE_CASES = {
    "unknown top-level field": (
        rule_text(extra="colour: blue\n"),
        10,
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
        "name: must be a mapping of language to text (en, es, vi)",
    ),
    "empty citation": (
        rule_text(replace={"citation": 'citation: ""'}),
        3,
        "citation: must be non-empty text",
    ),
    "unknown basis": (
        rule_text(extra="basis: custom\n"),
        10,
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
        10,
        "minimum_minutes: must be a whole number of at least 1 or null",
    ),
    "minimum minutes boolean": (
        rule_text(extra="minimum_minutes: true\n"),
        10,
        "minimum_minutes: must be a whole number of at least 1 or null",
    ),
    "records unknown field": (
        rule_text(
            extra=(
                "records:\n  retention_years: 2\n  produce_within_hours: 72\n"
                "  include_former_staff: true\n  shred: yes\n"
            )
        ),
        14,
        "records: unknown field 'shred'",
    ),
    "records missing field": (
        rule_text(extra="records:\n  retention_years: 2\n  include_former_staff: true\n"),
        11,
        "records: missing field 'produce_within_hours'",
    ),
    "records former staff not a boolean": (
        rule_text(
            extra=(
                "records:\n  retention_years: 2\n  produce_within_hours: 72\n"
                "  include_former_staff: sometimes\n"
            )
        ),
        13,
        "records.include_former_staff: must be true or false",
    ),
    "records retention zero": (
        rule_text(
            extra=(
                "records:\n  retention_years: 0\n  produce_within_hours: 72\n"
                "  include_former_staff: true\n"
            )
        ),
        11,
        "records.retention_years: must be a whole number of at least 1 or null",
    ),
    "annual certification on a day that does not exist": (
        rule_text(extra='annual_certification:\n  due: "02-30"\n  to: {en: City, es: Ciudad}\n'),
        11,
        'annual_certification.due: must be a day of the year as "MM-DD" in quotes',
    ),
    "annual certification in another format": (
        rule_text(extra='annual_certification:\n  due: "3/31"\n  to: {en: City, es: Ciudad}\n'),
        11,
        'annual_certification.due: must be a day of the year as "MM-DD" in quotes',
    ),
    "annual certification without recipient": (
        rule_text(extra='annual_certification: {due: "03-31"}\n'),
        10,
        "annual_certification: missing field 'to'",
    ),
    "serial prefix in lower case": (
        rule_text(prefix="al"),
        8,
        "serial_prefix: must be 2 to 5 capital letters A-Z",
    ),
    "also names an unknown rule": (
        rule_text(extra="also:\n  - texas\n"),
        11,
        "also: unknown rule 'texas'",
    ),
    "also names itself": (
        rule_text(extra="also: [alpha]\n"),
        10,
        "also: rule 'alpha' names itself",
    ),
    "also as text": (
        rule_text(extra="also: texas\n"),
        10,
        "also: must be a list of rule ids",
    ),
    "unconfirmed names an unknown field": (
        rule_text(extra="unconfirmed:\n  - field: penalty\n    note: {en: x, es: y}\n"),
        11,
        "unconfirmed: unknown field 'penalty'",
    ),
    "unconfirmed names a field not set": (
        rule_text(
            extra="unconfirmed:\n  - field: records.retention_years\n    note: {en: x, es: y}\n"
        ),
        11,
        "unconfirmed: 'records.retention_years' is not set in this file",
    ),
    "unconfirmed without a note": (
        rule_text(extra="unconfirmed:\n  - field: refresher\n"),
        11,
        "unconfirmed: missing field 'note'",
    ),
    "unconfirmed item as text": (
        rule_text(extra="unconfirmed:\n  - refresher\n"),
        11,
        "unconfirmed: each item must be a mapping with field and note",
    ),
    "duplicate key": (
        rule_text(extra="citation: again\n"),
        10,
        "duplicate key 'citation'",
    ),
    "broken YAML": (
        rule_text(extra="notes: {en: [unclosed\n"),
        11,
        "bad YAML",
    ),
    "file is a list": (
        "- id: alpha\n",
        1,
        "a rule file must be a mapping",
    ),
    "name without vietnamese": (
        rule_text(replace={"name": "name: {en: Test, es: Prueba}"}),
        2,
        "name: missing language 'vi'",
    ),
    "room threshold of zero": (
        rule_text(replace={"applies_to": "applies_to: {org_kinds: [hotel], rooms_more_than: 0}"}),
        4,
        "applies_to.rooms_more_than: must be a whole number of at least 1",
    ),
    "room threshold as text": (
        rule_text(replace={"applies_to": "applies_to: {org_kinds: [hotel], rooms_more_than: ten}"}),
        4,
        "applies_to.rooms_more_than: must be a whole number of at least 1",
    ),
    "unknown employment type": (
        rule_text(extra="covered_employment: [temp]\n"),
        10,
        "covered_employment: unknown employment type 'temp' (known: direct, contractor)",
    ),
    "employment as text": (
        rule_text(extra="covered_employment: direct\n"),
        10,
        "covered_employment: must be a non-empty list of employment types",
    ),
    "exemption without a condition": (
        rule_text(extra=f"exemptions:\n  - {REASON}\n"),
        11,
        "exemptions: an exemption needs job_roles, under_16_at_hire or both",
    ),
    "exemption with under 16 false": (
        rule_text(extra=f"exemptions:\n  - under_16_at_hire: false\n    {REASON}\n"),
        11,
        "exemptions.under_16_at_hire: must be true (leave it out otherwise)",
    ),
    "exemption with an unknown job role": (
        rule_text(extra=f"exemptions:\n  - job_roles: [chef]\n    {REASON}\n"),
        11,
        "exemptions.job_roles: unknown job role 'chef'",
    ),
    "exemption unless an unknown job role": (
        rule_text(
            extra=(
                "exemptions:\n  - under_16_at_hire: true\n    unless_job_roles: [maid]\n"
                f"    {REASON}\n"
            )
        ),
        12,
        "exemptions.unless_job_roles: unknown job role 'maid'",
    ),
    "exemption without a reason": (
        rule_text(extra="exemptions:\n  - job_roles: [driver]\n"),
        11,
        "exemptions: missing field 'reason'",
    ),
    "exemption with an unknown field": (
        rule_text(extra=f"exemptions:\n  - job_roles: [driver]\n    age: 15\n    {REASON}\n"),
        12,
        "exemptions: unknown field 'age'",
    ),
    "exemptions as a mapping": (
        rule_text(extra="exemptions: {job_roles: [driver]}\n"),
        10,
        "exemptions: must be a list",
    ),
    "contacts missing": (
        rule_text(drop=("contacts",)),
        1,
        "missing field 'contacts'",
    ),
    "contacts empty": (
        rule_text(replace={"contacts": "contacts: []"}),
        9,
        "contacts: must be a non-empty list",
    ),
    "contact phone not in quotes": (
        rule_text(replace={"contacts": contact_text("phone: 911")}),
        14,
        'contacts.phone: must be a phone number such as "911", written in quotes',
    ),
    "contact phone in letters": (
        rule_text(replace={"contacts": contact_text('phone: "1-800-799-SAFE"')}),
        14,
        'contacts.phone: must be a phone number such as "911", written in quotes',
    ),
    "contact phone too short": (
        rule_text(replace={"contacts": contact_text('phone: "11"')}),
        14,
        "contacts.phone: must have 3 to 15 digits",
    ),
    "contact text with a dash": (
        rule_text(replace={"contacts": contact_text('text: "233-733"')}),
        14,
        "contacts.text: must be a text number of 3 to 10 digits, written in quotes",
    ),
    "contact keyword without a text number": (
        rule_text(replace={"contacts": contact_text('phone: "911"', 'text_keyword: "START"')}),
        15,
        "contacts.text_keyword: needs 'text'",
    ),
    "contact without a number": (
        rule_text(replace={"contacts": contact_text()}),
        10,
        "contacts: a contact needs 'phone' or 'text'; without a confirmed number,"
        " write unconfirmed: true and 'where'",
    ),
    "unconfirmed contact with a number": (
        rule_text(
            replace={
                "contacts": contact_text(
                    "unconfirmed: true",
                    'phone: "911"',
                    "where: {en: The sign, es: El letrero, vi: Tấm biển}",
                )
            }
        ),
        15,
        "contacts.phone: an unconfirmed contact carries no number;"
        " say in 'where' where learners find it",
    ),
    "unconfirmed contact without where": (
        rule_text(replace={"contacts": contact_text("unconfirmed: true")}),
        10,
        "contacts: an unconfirmed contact needs 'where'",
    ),
    "where on a confirmed contact": (
        rule_text(
            replace={
                "contacts": contact_text(
                    'phone: "911"', "where: {en: The sign, es: El letrero, vi: Tấm biển}"
                )
            }
        ),
        15,
        "contacts.where: only for an unconfirmed contact",
    ),
    "unconfirmed not a boolean": (
        rule_text(replace={"contacts": contact_text('phone: "911"', "unconfirmed: maybe")}),
        15,
        "contacts.unconfirmed: must be true or false",
    ),
    "contact of an unknown kind": (
        rule_text(replace={"contacts": contact_text('phone: "911"', kind="fax")}),
        11,
        "contacts.kind: must be one of emergency, law_enforcement, state_line, hotline",
    ),
    "contact with an unknown field": (
        rule_text(replace={"contacts": contact_text('phone: "911"', 'fax: "911"')}),
        15,
        "contacts: unknown field 'fax'",
    ),
    "contact label without vietnamese": (
        rule_text(
            replace={
                "contacts": "contacts:\n  - {id: a, kind: hotline, phone: '911', source: S,"
                " label: {en: A, es: B}}"
            }
        ),
        10,
        "contacts.label: missing language 'vi'",
    ),
    "contact ids repeated": (
        rule_text(
            replace={
                "contacts": contact_text('phone: "911"')
                + "\n  - {id: hotline, kind: emergency, phone: '911', source: S,"
                " label: {en: A, es: B, vi: C}}"
            }
        ),
        15,
        "contacts: id 'hotline' is repeated",
    ),
    "contact without a source": (
        rule_text(
            replace={
                "contacts": "contacts:\n  - {id: a, kind: hotline, phone: '911',"
                " label: {en: A, es: B, vi: C}}"
            }
        ),
        10,
        "contacts: missing field 'source'",
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


#: Every number a rule file may give: each is confirmed in the program's domain facts.
CONFIRMED_PHONES = {"911", "1-888-373-7888", "1-800-799-7233", "1-866-347-2423"}
CONFIRMED_TEXTS = {"233733", "88788"}


def test_shipped_contacts_give_only_confirmed_numbers() -> None:
    rules, problems = load_rules(RULES_DIR)
    assert problems == []
    for rule in rules.values():
        kinds = [contact.kind for contact in rule.contacts]
        assert kinds[0] == "emergency", rule.id
        assert "law_enforcement" in kinds and "hotline" in kinds, rule.id
        for contact in rule.contacts:
            assert set(contact.label) == {"en", "es", "vi"}
            assert contact.source
            if contact.unconfirmed:
                assert contact.phone is None and contact.text is None
                assert contact.where is not None and set(contact.where) == {"en", "es", "vi"}
            else:
                assert contact.phone in CONFIRMED_PHONES, (rule.id, contact.id)
                assert contact.text in CONFIRMED_TEXTS | {None}
        ids = {contact.id: contact for contact in rule.contacts}
        assert ids["emergency"].phone == "911"
        hotline = ids["national-hotline"]
        assert (hotline.phone, hotline.text) == ("1-888-373-7888", "233733")
    hpd = {c.id: c for c in rules["houston-tx"].contacts}["local-law-enforcement"]
    assert hpd.unconfirmed
    assert "Human Trafficking Unit" in hpd.label["en"]
    assert "sign" in hpd.where["en"]


def test_every_text_of_a_shipped_rule_is_in_every_language() -> None:
    rules, _ = load_rules(RULES_DIR)
    for rule in rules.values():
        texts = [rule.name, rule.scope, rule.notes]
        texts += [note.note for note in rule.unconfirmed]
        texts += [e.reason for e in rule.exemptions]
        texts += [c.label for c in rule.contacts] + [c.note for c in rule.contacts]
        if rule.annual_certification:
            texts.append(rule.annual_certification.to)
        for text in texts:
            if text is not None:
                assert set(text) == {"en", "es", "vi"}, rule.id
                assert text["vi"] != text["en"], (rule.id, text["en"])


def test_rule_languages_are_the_languages_the_platform_ships() -> None:
    from trainer.compliance.rules import LANGUAGES, REQUIRED_LANGUAGES
    from trainer.core.vocabulary import LANGUAGE_NAMES

    assert set(LANGUAGES) == set(REQUIRED_LANGUAGES) == set(LANGUAGE_NAMES)


def test_problems_print_as_path_line_message(tmp_path: Path) -> None:
    write(tmp_path, "alpha.yaml", rule_text(extra="colour: blue\n"))
    _, problems = load_rules(tmp_path)
    assert [str(problem) for problem in problems] == [
        f"{tmp_path / 'alpha.yaml'}:10: unknown field 'colour'"
    ]


def test_also_cycle_is_reported_once(tmp_path: Path) -> None:
    write(tmp_path, "alpha.yaml", rule_text(extra="also: [beta]\n"))
    write(tmp_path, "beta.yaml", rule_text("beta", "BE", extra="also: [gamma]\n"))
    write(tmp_path, "gamma.yaml", rule_text("gamma", "GA", extra="also:\n  - alpha\n"))
    write(tmp_path, "delta.yaml", rule_text("delta", "DE"))
    rules, problems = load_rules(tmp_path)
    assert [str(problem) for problem in problems] == [
        f"{tmp_path / 'gamma.yaml'}:11: also: cycle alpha -> beta -> gamma -> alpha"
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
    | st.sampled_from(
        ["all", "hotel", "front_desk", "03-31", "TX", "texas", "alpha", "", "911", "hotline"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "en",
                    "es",
                    "vi",
                    "days",
                    "months",
                    "years",
                    "at_hire",
                    "org_kinds",
                    "due",
                    "id",
                    "kind",
                    "label",
                    "phone",
                    "source",
                    "unconfirmed",
                    "where",
                    "job_roles",
                    "under_16_at_hire",
                    "reason",
                ]
            ),
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
    key=st.sampled_from(
        [
            *BASE_LINES,
            "also",
            "records",
            "annual_certification",
            "unconfirmed",
            "exemptions",
            "covered_employment",
        ]
    ),
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
