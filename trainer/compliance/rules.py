"""Jurisdiction rules: loading and checking `modules/rules/*.yaml`.

The rules themselves, as plain data, and the pure date logic that computes due dates
and statuses live in `trainer.compliance.duedates`; their names stay importable from
here. The file format and the meaning of each field are described in
`modules/rules/README.md`; every problem is reported as `path:line: message`.

The file checker is built in parts: `ruleformat` (the fields, patterns and the checks
every part uses), `rulecoverage` (whom a rule covers), `ruleterms` (what it requires);
this module loads the folder and checks the rules against each other.
"""

from __future__ import annotations

from pathlib import Path

from trainer.compliance.duedates import (
    DIRECT,
    AnnualCertification,
    Contact,
    DueResult,
    Exemption,
    Period,
    Records,
    Rule,
    StaffStatus,
    Unconfirmed,
    Unit,
    UnknownJurisdictionError,
    add_months,
    annual_certification_due,
    certificate_expiry,
    compute_due,
    counting_rules,
    merged_contacts,
    rules_for,
)
from trainer.compliance.ruleformat import (
    BASES,
    CONTACT_KINDS,
    EMPLOYMENT_TYPES,
    ID_RE,
    INVALID,
    JOB_ROLES,
    LANGUAGES,
    OPTIONAL_FIELDS,
    ORG_KINDS,
    PREFIX_RE,
    REQUIRED_FIELDS,
    REQUIRED_LANGUAGES,
)
from trainer.compliance.ruleterms import TermsChecks
from trainer.core.yamlsrc import LineDict, LineList, Problem, load_yaml

#: The rule types and date logic (from `duedates`) are re-exported with the loader.
__all__ = [
    "BASES",
    "CONTACT_KINDS",
    "DIRECT",
    "EMPLOYMENT_TYPES",
    "JOB_ROLES",
    "LANGUAGES",
    "ORG_KINDS",
    "REQUIRED_LANGUAGES",
    "AnnualCertification",
    "Contact",
    "DueResult",
    "Exemption",
    "Period",
    "Records",
    "Rule",
    "StaffStatus",
    "Unconfirmed",
    "Unit",
    "UnknownJurisdictionError",
    "add_months",
    "annual_certification_due",
    "certificate_expiry",
    "compute_due",
    "counting_rules",
    "load_rules",
    "merged_contacts",
    "rules_for",
]


# --------------------------------------------------------------------------- loading


def load_rules(folder: Path) -> tuple[dict[str, Rule], list[Problem]]:
    """Load and check every `<id>.yaml` in `folder`; return the good rules and all problems.

    A rule is returned only when its file has no problem and every rule it names in
    `also` (recursively) is returned too. Problems print as `path:line: message`, the
    path being `folder / name` as given.
    """
    problems: list[Problem] = []
    if not folder.is_dir():
        return {}, [Problem(str(folder), 1, "rules folder not found")]
    parsed: dict[str, tuple[LineDict, str]] = {}
    unreadable: set[str] = set()  # parsed, but with a problem such as a duplicate key
    for path in sorted(folder.iterdir()):
        shown = str(folder / path.name)
        if path.suffix == ".yml":
            problems.append(Problem(shown, 1, "rule files end in .yaml"))
            continue
        if path.suffix != ".yaml" or not path.is_file():
            continue
        data, found = load_yaml(path, shown)
        problems.extend(found)
        if data is None:
            continue
        if not isinstance(data, LineDict):
            problems.append(Problem(shown, 1, "a rule file must be a mapping"))
            continue
        parsed[path.stem] = (data, shown)
        if found:
            unreadable.add(path.stem)

    checked: dict[str, Rule] = {}
    bad: set[str] = set(unreadable)
    for stem, (data, shown) in parsed.items():
        checker = _RuleChecker(data, shown, stem, known_ids=set(parsed))
        rule = checker.build()
        problems.extend(checker.problems)
        if rule is None or checker.problems:
            bad.add(stem)
        if rule is not None:
            checked[stem] = rule

    problems.extend(_check_prefixes(checked, parsed, bad))
    problems.extend(_check_cycles(checked, parsed, bad))

    good = {rule_id: rule for rule_id, rule in checked.items() if rule_id not in bad}
    changed = True
    while changed:
        changed = False
        for rule_id in list(good):
            if any(other not in good for other in good[rule_id].also):
                del good[rule_id]
                changed = True
    return good, sorted(problems)


def _check_prefixes(
    rules: dict[str, Rule], parsed: dict[str, tuple[LineDict, str]], bad: set[str]
) -> list[Problem]:
    """Report a serial prefix used by more than one rule (on every file after the first)."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for rule_id in sorted(rules):
        prefix = rules[rule_id].serial_prefix
        if prefix in owner:
            data, shown = parsed[rule_id]
            problems.append(
                Problem(
                    shown,
                    data.line_of("serial_prefix"),
                    f"serial_prefix '{prefix}' is already used by rule '{owner[prefix]}'",
                )
            )
            bad.add(rule_id)
        else:
            owner[prefix] = rule_id
    return problems


def _check_cycles(
    rules: dict[str, Rule], parsed: dict[str, tuple[LineDict, str]], bad: set[str]
) -> list[Problem]:
    """Report each cycle of `also` references once, at the reference that closes it."""
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(rule_id: str) -> None:
        state[rule_id] = 1
        path.append(rule_id)
        for index, other in enumerate(rules[rule_id].also):
            if other not in rules:
                continue
            if state.get(other) == 1:
                cycle = [*path[path.index(other) :], other]
                data, shown = parsed[rule_id]
                also = data.get("also")
                line = also.line_of(index) if isinstance(also, LineList) else data.line_of("also")
                problems.append(Problem(shown, line, "also: cycle " + " -> ".join(cycle)))
                bad.update(cycle)
            elif other not in state:
                visit(other)
        path.pop()
        state[rule_id] = 2

    for rule_id in sorted(rules):
        if rule_id not in state:
            visit(rule_id)
    return problems


class _RuleChecker(TermsChecks):
    """Checks one parsed rule file and builds its `Rule`, collecting problems."""

    def build(self) -> Rule | None:
        """Check every field and return the rule, or None when a required part is unusable."""
        data = self.data
        self.fields(data, "", (*REQUIRED_FIELDS, *OPTIONAL_FIELDS), REQUIRED_FIELDS)

        rule_id = data.get("id")
        if "id" in data:
            if not isinstance(rule_id, str) or not ID_RE.fullmatch(rule_id):
                self.problem(data.line_of("id"), "id: must be lowercase letters, digits and -")
            elif rule_id != self.stem:
                self.problem(
                    data.line_of("id"), f"id: '{rule_id}' must equal the file name '{self.stem}'"
                )

        name = None
        if "name" in data:
            name = self.text(data["name"], data.line_of("name"), "name")

        citation = data.get("citation")
        if "citation" in data and (not isinstance(citation, str) or not citation.strip()):
            self.problem(data.line_of("citation"), "citation: must be non-empty text")
            citation = None

        basis = data.get("basis", "law")
        if basis not in BASES:
            self.problem(data.line_of("basis"), f"basis: must be one of {', '.join(BASES)}")

        org_kinds, scope, rooms_more_than = self.applies_to()
        also = self.also()
        covered = self.covered_roles()
        employment = self.covered_employment()
        exemptions = self.exemptions()
        contacts = self.contacts()
        first = self.first_training()
        refresher = self.refresher()

        minimum = None
        if "minimum_minutes" in data:
            minimum = self.positive_int(
                data["minimum_minutes"],
                data.line_of("minimum_minutes"),
                "minimum_minutes",
                nullable=True,
            )

        records = self.records()
        annual = self.annual_certification()

        notes = None
        if "notes" in data:
            notes = self.text(data["notes"], data.line_of("notes"), "notes")

        prefix = data.get("serial_prefix")
        if "serial_prefix" in data and (
            not isinstance(prefix, str) or not PREFIX_RE.fullmatch(prefix)
        ):
            self.problem(
                data.line_of("serial_prefix"), "serial_prefix: must be 2 to 5 capital letters A-Z"
            )
            prefix = None

        unconfirmed = self.unconfirmed()

        if (
            name is None
            or citation is None
            or org_kinds is None
            or covered is INVALID
            or employment is INVALID
            or first is None
            or refresher is INVALID
            or prefix is None
        ):
            return None
        return Rule(
            id=self.stem,
            name=name,
            citation=citation.strip(),
            basis=basis if basis in BASES else "law",
            org_kinds=org_kinds,
            covered_roles=covered,
            first_training=first,
            refresher=refresher,
            serial_prefix=prefix,
            also=also,
            minimum_minutes=minimum,
            records=records,
            annual_certification=annual,
            scope=scope,
            notes=notes,
            unconfirmed=unconfirmed,
            rooms_more_than=rooms_more_than,
            covered_employment=employment,
            exemptions=exemptions,
            contacts=contacts,
            path=self.shown,
        )
