"""Due dates and status under the shipped jurisdiction rules, as a scenario table.

Every expected date below was worked out by hand from the rule files' facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from trainer.compliance.rules import (
    Period,
    Rule,
    StaffStatus,
    Unit,
    UnknownJurisdictionError,
    add_months,
    annual_certification_due,
    certificate_expiry,
    compute_due,
    counting_rules,
    load_rules,
    rules_for,
)

RULES_DIR = Path(__file__).resolve().parents[2] / "modules" / "rules"

S = StaffStatus
D = date.fromisoformat


@pytest.fixture(scope="module")
def shipped() -> dict[str, Rule]:
    rules, problems = load_rules(RULES_DIR)
    assert problems == []
    return rules


@dataclass(frozen=True)
class Case:
    jurisdiction: str
    role: str
    hire: str
    today: str
    status: StaffStatus
    due: str | None
    rule: str | None
    reason: str
    completed: str | None = None
    in_progress: bool = False
    org_kind: str = "hotel"
    soon: int = 30
    rooms: int | None = None  # the organization's guest rooms (None: not recorded)
    employment: str = "direct"
    young: bool = False  # under 16 when hired


SCENARIOS: dict[str, Case] = {
    # Houston hotel: 30 days from hire, beating Texas's 90 (2024-01-10 + 30 d = 02-09).
    "houston hire day, 30 days left": Case(
        "houston-tx", "housekeeping", "2024-01-10", "2024-01-10",
        S.DUE_SOON, "2024-02-09", "houston-tx", "first_training",
    ),
    "houston 8 days left, window 7": Case(
        "houston-tx", "front_desk", "2024-01-10", "2024-02-01",
        S.NOT_STARTED, "2024-02-09", "houston-tx", "first_training", soon=7,
    ),
    "houston 8 days left, begun": Case(
        "houston-tx", "front_desk", "2024-01-10", "2024-02-01",
        S.IN_PROGRESS, "2024-02-09", "houston-tx", "first_training", in_progress=True, soon=7,
    ),
    "houston 7 days left, window 7": Case(
        "houston-tx", "front_desk", "2024-01-10", "2024-02-02",
        S.DUE_SOON, "2024-02-09", "houston-tx", "first_training", soon=7,
    ),
    "houston day before deadline": Case(
        "houston-tx", "maintenance", "2024-01-10", "2024-02-08",
        S.DUE_SOON, "2024-02-09", "houston-tx", "first_training",
    ),
    "houston deadline day": Case(
        "houston-tx", "maintenance", "2024-01-10", "2024-02-09",
        S.DUE_SOON, "2024-02-09", "houston-tx", "first_training", in_progress=True,
    ),
    "houston day after deadline": Case(
        "houston-tx", "maintenance", "2024-01-10", "2024-02-10",
        S.OVERDUE, "2024-02-09", "houston-tx", "first_training",
    ),
    "houston hired on leap day": Case(
        "houston-tx", "security", "2024-02-29", "2024-03-31",
        S.OVERDUE, "2024-03-30", "houston-tx", "first_training",
    ),
    "houston trained, yearly, tie named houston": Case(
        "houston-tx", "management", "2023-12-01", "2024-06-01",
        S.COMPLIANT, "2025-02-01", "houston-tx", "refresher", completed="2024-02-01",
    ),
    "houston trained, 31 days left": Case(
        "houston-tx", "management", "2023-12-01", "2025-01-01",
        S.COMPLIANT, "2025-02-01", "houston-tx", "refresher", completed="2024-02-01",
    ),
    "houston trained, 30 days left": Case(
        "houston-tx", "management", "2023-12-01", "2025-01-02",
        S.DUE_SOON, "2025-02-01", "houston-tx", "refresher", completed="2024-02-01",
    ),
    "houston trained, day after expiry": Case(
        "houston-tx", "management", "2023-12-01", "2025-02-02",
        S.EXPIRED, "2025-02-01", "houston-tx", "refresher", completed="2024-02-01",
    ),
    "houston trained on leap day, expiry day": Case(
        "houston-tx", "bell_valet", "2024-02-01", "2025-02-28",
        S.DUE_SOON, "2025-02-28", "houston-tx", "refresher", completed="2024-02-29",
    ),
    "houston trained on leap day, day after": Case(
        "houston-tx", "bell_valet", "2024-02-01", "2025-03-01",
        S.EXPIRED, "2025-02-28", "houston-tx", "refresher", completed="2024-02-29",
    ),
    "houston rules do not cover a city department": Case(
        "houston-tx", "administration", "2024-01-10", "2024-02-01",
        S.NOT_COVERED, None, None, "not_covered", org_kind="city_department",
    ),
    # Texas: 90 days (2024-01-10 + 90 d = 04-09 in a leap year, 2023: 04-10).
    "texas leap year, 31 days left": Case(
        "texas", "food_beverage", "2024-01-10", "2024-03-09",
        S.NOT_STARTED, "2024-04-09", "texas", "first_training",
    ),
    "texas leap year, 30 days left": Case(
        "texas", "food_beverage", "2024-01-10", "2024-03-10",
        S.DUE_SOON, "2024-04-09", "texas", "first_training",
    ),
    "texas begun early": Case(
        "texas", "food_beverage", "2024-01-10", "2024-01-15",
        S.IN_PROGRESS, "2024-04-09", "texas", "first_training", in_progress=True,
    ),
    "texas day before deadline": Case(
        "texas", "other", "2024-01-10", "2024-04-08",
        S.DUE_SOON, "2024-04-09", "texas", "first_training",
    ),
    "texas day after deadline": Case(
        "texas", "other", "2024-01-10", "2024-04-10",
        S.OVERDUE, "2024-04-09", "texas", "first_training",
    ),
    "texas common year": Case(
        "texas", "other", "2023-01-10", "2023-04-10",
        S.DUE_SOON, "2023-04-10", "texas", "first_training",
    ),
    "texas hired on leap day": Case(
        "texas", "driver", "2024-02-29", "2024-05-30",
        S.OVERDUE, "2024-05-29", "texas", "first_training",
    ),
    "texas trained on leap day": Case(
        "texas", "driver", "2023-06-01", "2024-06-01",
        S.COMPLIANT, "2025-02-28", "texas", "refresher", completed="2024-02-29",
    ),
    # Texas covers only lodging with more than 10 rooms, and only its direct employees.
    "texas 9-room hotel not covered": Case(
        "texas", "housekeeping", "2024-01-10", "2024-06-01",
        S.NOT_COVERED, None, None, "not_covered", rooms=9,
    ),
    "texas 10-room hotel not covered (more than 10)": Case(
        "texas", "housekeeping", "2024-01-10", "2024-06-01",
        S.NOT_COVERED, None, None, "not_covered", rooms=10,
    ),
    "texas 11-room hotel covered, overdue": Case(
        "texas", "housekeeping", "2024-01-10", "2024-06-01",
        S.OVERDUE, "2024-04-09", "texas", "first_training", rooms=11,
    ),
    "texas room count not recorded counts as covered": Case(
        "texas", "housekeeping", "2024-01-10", "2024-06-01",
        S.OVERDUE, "2024-04-09", "texas", "first_training", rooms=None,
    ),
    "texas contractor in an 11-room hotel not covered": Case(
        "texas", "housekeeping", "2024-01-10", "2024-06-01",
        S.NOT_COVERED, None, None, "not_covered", rooms=11, employment="contractor",
    ),
    "texas 9-room hotel, a certificate does not make it covered": Case(
        "texas", "front_desk", "2023-01-10", "2025-06-01",
        S.NOT_COVERED, None, None, "not_covered", completed="2024-01-10", rooms=9,
    ),
    # Houston's ordinance covers every hotel and every employee: the strictest rule wins.
    "houston 9-room hotel still covered by the ordinance": Case(
        "houston-tx", "housekeeping", "2024-01-10", "2024-02-10",
        S.OVERDUE, "2024-02-09", "houston-tx", "first_training", rooms=9,
    ),
    "houston 11-room hotel, the ordinance's 30 days win": Case(
        "houston-tx", "housekeeping", "2024-01-10", "2024-01-20",
        S.DUE_SOON, "2024-02-09", "houston-tx", "first_training", rooms=11,
    ),
    "houston contractor still covered by the ordinance": Case(
        "houston-tx", "housekeeping", "2024-01-10", "2024-02-10",
        S.OVERDUE, "2024-02-09", "houston-tx", "first_training",
        rooms=11, employment="contractor",
    ),
    # California: 6 calendar months, every 2 years, four roles only.
    "california role not covered": Case(
        "california", "food_beverage", "2024-01-31", "2024-12-01",
        S.NOT_COVERED, None, None, "not_covered",
    ),
    "california manager not covered": Case(
        "california", "management", "2024-01-31", "2024-12-01",
        S.NOT_COVERED, None, None, "not_covered", completed="2024-02-01",
    ),
    "california jan 31 + 6 months, day before": Case(
        "california", "housekeeping", "2024-01-31", "2024-07-30",
        S.DUE_SOON, "2024-07-31", "california", "first_training",
    ),
    "california jan 31 + 6 months, day of": Case(
        "california", "housekeeping", "2024-01-31", "2024-07-31",
        S.DUE_SOON, "2024-07-31", "california", "first_training",
    ),
    "california jan 31 + 6 months, day after": Case(
        "california", "housekeeping", "2024-01-31", "2024-08-01",
        S.OVERDUE, "2024-07-31", "california", "first_training",
    ),
    "california mar 31 + 6 months clamps": Case(
        "california", "driver", "2024-03-31", "2024-10-01",
        S.OVERDUE, "2024-09-30", "california", "first_training",
    ),
    "california aug 31 + 6 months, leap feb, 31 days": Case(
        "california", "front_desk", "2023-08-31", "2024-01-29",
        S.NOT_STARTED, "2024-02-29", "california", "first_training",
    ),
    "california aug 31 + 6 months, leap feb, 30 days": Case(
        "california", "front_desk", "2023-08-31", "2024-01-30",
        S.DUE_SOON, "2024-02-29", "california", "first_training",
    ),
    "california 2-year refresher from leap day": Case(
        "california", "bell_valet", "2023-01-01", "2025-06-01",
        S.COMPLIANT, "2026-02-28", "california", "refresher", completed="2024-02-29",
    ),
    "california 2-year refresher, day of": Case(
        "california", "bell_valet", "2023-01-01", "2026-02-28",
        S.DUE_SOON, "2026-02-28", "california", "refresher", completed="2024-02-29",
    ),
    "california 2-year refresher, day after": Case(
        "california", "bell_valet", "2023-01-01", "2026-03-01",
        S.EXPIRED, "2026-02-28", "california", "refresher", completed="2024-02-29",
    ),
    "california does not apply to a city department": Case(
        "california", "front_desk", "2024-01-31", "2024-02-01",
        S.NOT_COVERED, None, None, "not_covered", org_kind="city_department",
    ),
    # Illinois: 6 months, 2 years.
    "illinois aug 31 + 6 months, common feb": Case(
        "illinois", "food_beverage", "2024-08-31", "2025-03-01",
        S.OVERDUE, "2025-02-28", "illinois", "first_training",
    ),
    "illinois maintenance not covered": Case(
        "illinois", "maintenance", "2024-08-31", "2025-03-01",
        S.NOT_COVERED, None, None, "not_covered",
    ),
    "illinois refresher, 31 days left": Case(
        "illinois", "security", "2023-01-01", "2025-04-14",
        S.COMPLIANT, "2025-05-15", "illinois", "refresher", completed="2023-05-15",
    ),
    "illinois refresher, 30 days left": Case(
        "illinois", "security", "2023-01-01", "2025-04-15",
        S.DUE_SOON, "2025-05-15", "illinois", "refresher", completed="2023-05-15",
    ),
    # New Jersey: 6 months; yearly refresher (unconfirmed value).
    "new jersey may 31 + 6 months, day of": Case(
        "new-jersey", "maintenance", "2024-05-31", "2024-11-30",
        S.DUE_SOON, "2024-11-30", "new-jersey", "first_training",
    ),
    "new jersey may 31 + 6 months, day after": Case(
        "new-jersey", "maintenance", "2024-05-31", "2024-12-01",
        S.OVERDUE, "2024-11-30", "new-jersey", "first_training",
    ),
    "new jersey food and beverage not covered": Case(
        "new-jersey", "food_beverage", "2024-05-31", "2024-12-01",
        S.NOT_COVERED, None, None, "not_covered",
    ),
    "new jersey refresher expired": Case(
        "new-jersey", "security", "2024-01-02", "2025-06-16",
        S.EXPIRED, "2025-06-15", "new-jersey", "refresher", completed="2024-06-15",
    ),
    # Minnesota: 90 days across a year end (2024-11-15 + 90 d = 2025-02-13).
    "minnesota across year end, day after": Case(
        "minnesota", "other", "2024-11-15", "2025-02-14",
        S.OVERDUE, "2025-02-13", "minnesota", "first_training",
    ),
    "minnesota across year end, begun early": Case(
        "minnesota", "other", "2024-11-15", "2024-12-01",
        S.IN_PROGRESS, "2025-02-13", "minnesota", "first_training", in_progress=True,
    ),
    "minnesota refresher from dec 31": Case(
        "minnesota", "management", "2023-06-01", "2024-12-01",
        S.DUE_SOON, "2024-12-31", "minnesota", "refresher", completed="2023-12-31",
    ),
    # Minnesota exempts restaurant-only staff, and staff under 16 at hire who do not clean
    # guest rooms (2024-03-01 + 90 d = 05-30).
    "minnesota 15-year-old housekeeper covered": Case(
        "minnesota", "housekeeping", "2024-03-01", "2024-06-01",
        S.OVERDUE, "2024-05-30", "minnesota", "first_training", young=True,
    ),
    "minnesota 15-year-old restaurant worker exempt": Case(
        "minnesota", "food_beverage", "2024-03-01", "2024-06-01",
        S.NOT_COVERED, None, None, "not_covered", young=True,
    ),
    "minnesota 15-year-old at the front desk exempt": Case(
        "minnesota", "front_desk", "2024-03-01", "2024-06-01",
        S.NOT_COVERED, None, None, "not_covered", young=True,
    ),
    "minnesota adult restaurant worker exempt": Case(
        "minnesota", "food_beverage", "2024-03-01", "2024-06-01",
        S.NOT_COVERED, None, None, "not_covered",
    ),
    "minnesota adult at the front desk covered": Case(
        "minnesota", "front_desk", "2024-03-01", "2024-05-01",
        S.DUE_SOON, "2024-05-30", "minnesota", "first_training",
    ),
    "minnesota exempt with an old certificate stays not covered": Case(
        "minnesota", "maintenance", "2023-03-01", "2025-06-01",
        S.NOT_COVERED, None, None, "not_covered", completed="2023-05-01", young=True,
    ),
    # Connecticut: at hire.
    "connecticut at hire, hire day": Case(
        "connecticut", "front_desk", "2024-03-01", "2024-03-01",
        S.DUE_SOON, "2024-03-01", "connecticut", "first_training", in_progress=True,
    ),
    "connecticut at hire, day after": Case(
        "connecticut", "front_desk", "2024-03-01", "2024-03-02",
        S.OVERDUE, "2024-03-01", "connecticut", "first_training",
    ),
    "connecticut completion before hire counts": Case(
        "connecticut", "front_desk", "2024-03-01", "2024-03-05",
        S.COMPLIANT, "2025-02-20", "connecticut", "refresher", completed="2024-02-20",
    ),
    # Baltimore: 90 days (unconfirmed value), 2025-01-01 + 90 d = 04-01.
    "baltimore 31 days left": Case(
        "baltimore", "housekeeping", "2025-01-01", "2025-03-01",
        S.NOT_STARTED, "2025-04-01", "baltimore", "first_training",
    ),
    "baltimore 30 days left": Case(
        "baltimore", "housekeeping", "2025-01-01", "2025-03-02",
        S.DUE_SOON, "2025-04-01", "baltimore", "first_training",
    ),
    # Washington: 90 days (2024-10-01 + 90 d = 12-30), yearly.
    "washington deadline day": Case(
        "washington", "security", "2024-10-01", "2024-12-30",
        S.DUE_SOON, "2024-12-30", "washington", "first_training",
    ),
    "washington day after": Case(
        "washington", "security", "2024-10-01", "2024-12-31",
        S.OVERDUE, "2024-12-30", "washington", "first_training",
    ),
    "washington trained": Case(
        "washington", "security", "2024-10-01", "2025-01-15",
        S.COMPLIANT, "2025-12-30", "washington", "refresher", completed="2024-12-30",
    ),
    # City of Houston departments: 90 days by program policy, yearly.
    "city department begun": Case(
        "houston-city", "restaurant_inspector", "2024-01-10", "2024-02-01",
        S.IN_PROGRESS, "2024-04-09", "houston-city", "first_training",
        in_progress=True, org_kind="city_department",
    ),
    "city department refresher expired": Case(
        "houston-city", "clinic_staff", "2023-01-10", "2025-04-02",
        S.EXPIRED, "2025-04-01", "houston-city", "refresher",
        completed="2024-04-01", org_kind="city_department",
    ),
    "city department rule does not apply to hotels": Case(
        "houston-city", "front_desk", "2024-01-10", "2024-02-01",
        S.NOT_COVERED, None, None, "not_covered",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_scenario(case: Case, shipped: dict[str, Rule]) -> None:
    rules = rules_for(case.jurisdiction, shipped)
    result = compute_due(
        rules,
        org_kind=case.org_kind,
        job_role=case.role,
        hire_date=D(case.hire),
        completed_on=D(case.completed) if case.completed else None,
        in_progress=case.in_progress,
        today=D(case.today),
        due_soon_days=case.soon,
        rooms=case.rooms,
        employment=case.employment,
        under_16_at_hire=case.young,
    )
    assert result.status is case.status
    assert result.due_date == (D(case.due) if case.due else None)
    assert result.rule_id == case.rule
    assert result.reason == case.reason
    expected_citation = shipped[case.rule].citation if case.rule else None
    assert result.citation == expected_citation


def test_every_shipped_rule_file_has_a_scenario(shipped: dict[str, Rule]) -> None:
    assert {case.jurisdiction for case in SCENARIOS.values()} == set(shipped)
    assert len(shipped) == 10


def test_houston_includes_texas_and_texas_alone_is_later(shipped: dict[str, Rule]) -> None:
    assert [rule.id for rule in rules_for("houston-tx", shipped)] == ["houston-tx", "texas"]
    alone = compute_due(
        [shipped["texas"]],
        org_kind="hotel",
        job_role="housekeeping",
        hire_date=D("2024-01-10"),
        completed_on=None,
        in_progress=False,
        today=D("2024-01-11"),
    )
    assert alone.due_date == D("2024-04-09")


def test_tie_names_the_first_rule_given(shipped: dict[str, Rule]) -> None:
    kwargs = {
        "org_kind": "hotel",
        "job_role": "front_desk",
        "hire_date": D("2024-01-10"),
        "completed_on": D("2024-02-01"),
        "in_progress": False,
        "today": D("2024-03-01"),
    }
    forward = compute_due([shipped["houston-tx"], shipped["texas"]], **kwargs)
    backward = compute_due([shipped["texas"], shipped["houston-tx"]], **kwargs)
    assert (forward.rule_id, backward.rule_id) == ("houston-tx", "texas")
    assert forward.due_date == backward.due_date == D("2025-02-01")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-01-31", 6, "2024-07-31"),
        ("2024-03-31", 6, "2024-09-30"),
        ("2024-08-31", 6, "2025-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2024-12-15", 1, "2025-01-15"),
        ("2024-11-30", 3, "2025-02-28"),
        ("2024-05-10", 0, "2024-05-10"),
    ],
)
def test_add_months(start: str, months: int, expected: str) -> None:
    assert add_months(D(start), months) == D(expected)


def _rule(rule_id: str, *, first: Period, refresher: Period | None, **extra: Any) -> Rule:
    return Rule(
        id=rule_id,
        name={"en": rule_id, "es": rule_id},
        citation=f"{rule_id} code",
        basis="law",
        org_kinds=("hotel",),
        covered_roles=None,
        first_training=first,
        refresher=refresher,
        serial_prefix=rule_id.upper()[:4],
        **extra,
    )


def test_no_refresher_anywhere_stays_compliant() -> None:
    once = _rule("once", first=Period(10, Unit.DAYS), refresher=None)
    result = compute_due(
        [once],
        org_kind="hotel",
        job_role="other",
        hire_date=D("2000-01-01"),
        completed_on=D("2000-01-05"),
        in_progress=False,
        today=D("2099-12-31"),
    )
    assert result.status is StaffStatus.COMPLIANT
    assert result.due_date is None
    assert (result.rule_id, result.reason) == ("once", "no_refresher")
    assert certificate_expiry([once], D("2000-01-05")) == (None, None)


def test_refresher_comes_from_the_rule_that_has_one() -> None:
    once = _rule("once", first=Period(10, Unit.DAYS), refresher=None)
    monthly = _rule("monthly", first=Period(0, Unit.DAYS), refresher=Period(18, Unit.MONTHS))
    expiry, rule = certificate_expiry([once, monthly], D("2024-01-31"))
    assert expiry == D("2025-07-31")
    assert rule is monthly


def test_strictest_first_training_wins_regardless_of_order() -> None:
    slow = _rule("slow", first=Period(6, Unit.MONTHS), refresher=None)
    hire = _rule("hire", first=Period(0, Unit.DAYS), refresher=None)
    result = compute_due(
        [slow, hire],
        org_kind="hotel",
        job_role="other",
        hire_date=D("2024-05-01"),
        completed_on=None,
        in_progress=False,
        today=D("2024-03-31"),
    )
    assert (result.due_date, result.rule_id) == (D("2024-05-01"), "hire")
    assert result.status is StaffStatus.NOT_STARTED


def test_zero_window_is_due_soon_only_on_the_day() -> None:
    rule = _rule("ten", first=Period(10, Unit.DAYS), refresher=None)

    def status(today: str) -> StaffStatus:
        return compute_due(
            [rule],
            org_kind="hotel",
            job_role="other",
            hire_date=D("2024-01-01"),
            completed_on=None,
            in_progress=False,
            today=D(today),
            due_soon_days=0,
        ).status

    assert [status(day) for day in ("2024-01-10", "2024-01-11", "2024-01-12")] == [
        StaffStatus.NOT_STARTED,
        StaffStatus.DUE_SOON,
        StaffStatus.OVERDUE,
    ]


def test_negative_window_is_refused() -> None:
    rule = _rule("ten", first=Period(10, Unit.DAYS), refresher=None)
    with pytest.raises(ValueError, match="due_soon_days"):
        compute_due(
            [rule],
            org_kind="hotel",
            job_role="other",
            hire_date=D("2024-01-01"),
            completed_on=None,
            in_progress=False,
            today=D("2024-01-01"),
            due_soon_days=-1,
        )


def test_certificate_expiry_uses_the_earliest_refresher(shipped: dict[str, Rule]) -> None:
    rules = rules_for("houston-tx", shipped)
    assert certificate_expiry(rules, D("2024-02-29")) == (D("2025-02-28"), shipped["houston-tx"])
    assert certificate_expiry([shipped["california"]], D("2024-01-31")) == (
        D("2026-01-31"),
        shipped["california"],
    )


@pytest.mark.parametrize(
    ("jurisdictions", "year", "expected"),
    [
        (["houston-tx"], 2021, "2021-03-31"),
        (["houston-tx"], 2020, None),
        (["houston-tx", "texas"], 2025, "2025-03-31"),
        (["baltimore"], 2024, "2024-12-31"),
        (["baltimore", "houston-tx"], 2024, "2024-03-31"),
        (["texas", "california", "washington"], 2024, None),
    ],
)
def test_annual_certification_due(
    shipped: dict[str, Rule], jurisdictions: list[str], year: int, expected: str | None
) -> None:
    rules = [shipped[rule_id] for rule_id in jurisdictions]
    assert annual_certification_due(rules, year) == (D(expected) if expected else None)


def test_rules_for_follows_also_recursively_once_each(shipped: dict[str, Rule]) -> None:
    first = Period(1, Unit.DAYS)
    rules = {
        "a": _rule("a", first=first, refresher=None, also=("b", "c")),
        "b": _rule("b", first=first, refresher=None, also=("c", "d")),
        "c": _rule("c", first=first, refresher=None, also=("d",)),
        "d": _rule("d", first=first, refresher=None),
    }
    assert [rule.id for rule in rules_for("a", rules)] == ["a", "b", "c", "d"]
    assert [rule.id for rule in rules_for("c", rules)] == ["c", "d"]
    with pytest.raises(UnknownJurisdictionError):
        rules_for("nowhere", shipped)


def test_unconfirmed_facts_are_marked(shipped: dict[str, Rule]) -> None:
    assert shipped["baltimore"].is_unconfirmed("first_training")
    assert not shipped["baltimore"].is_unconfirmed("refresher")
    assert shipped["new-jersey"].is_unconfirmed("refresher")
    assert shipped["houston-tx"].is_unconfirmed("records.retention_years")
    assert shipped["houston-tx"].records is not None
    assert shipped["houston-tx"].records.retention_years == 2
    assert shipped["houston-tx"].is_unconfirmed("annual_certification.due")
    assert not shipped["houston-tx"].is_unconfirmed("annual_certification.to")
    assert shipped["texas"].is_unconfirmed("covered_employment")
    assert shipped["washington"].is_unconfirmed("citation")
    assert "70.62 RCW" in shipped["washington"].citation
    assert "SB 6056" in shipped["washington"].citation
    assert shipped["houston-city"].basis == "program"
    assert shipped["houston-city"].is_unconfirmed("first_training")


@pytest.mark.parametrize(
    ("jurisdiction", "role", "rooms", "employment", "young", "expected"),
    [
        ("houston-tx", "housekeeping", 9, "direct", False, ["houston-tx"]),
        ("houston-tx", "housekeeping", 11, "direct", False, ["houston-tx", "texas"]),
        ("houston-tx", "housekeeping", None, "direct", False, ["houston-tx", "texas"]),
        ("houston-tx", "housekeeping", 11, "contractor", False, ["houston-tx"]),
        ("texas", "front_desk", 10, "direct", False, []),
        ("minnesota", "housekeeping", None, "direct", True, ["minnesota"]),
        ("minnesota", "food_beverage", None, "direct", False, []),
        ("minnesota", "security", None, "direct", True, []),
        ("minnesota", "security", None, "direct", False, ["minnesota"]),
    ],
)
def test_which_rules_count(
    shipped: dict[str, Rule],
    jurisdiction: str,
    role: str,
    rooms: int | None,
    employment: str,
    young: bool,
    expected: list[str],
) -> None:
    rules = counting_rules(
        rules_for(jurisdiction, shipped),
        org_kind="hotel",
        job_role=role,
        rooms=rooms,
        employment=employment,
        under_16_at_hire=young,
    )
    assert [rule.id for rule in rules] == expected


def test_the_exemption_that_fits_is_named(shipped: dict[str, Rule]) -> None:
    minnesota = shipped["minnesota"]
    restaurant = minnesota.exemption_for("food_beverage", under_16_at_hire=True)
    young = minnesota.exemption_for("front_desk", under_16_at_hire=True)
    assert restaurant is not None and "restaurant" in restaurant.reason["en"]
    assert young is not None and "16" in young.reason["vi"]
    assert minnesota.exemption_for("housekeeping", under_16_at_hire=True) is None
    assert minnesota.exemption_for("front_desk", under_16_at_hire=False) is None
