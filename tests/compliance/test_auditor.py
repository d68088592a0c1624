"""The city's view: every organization of the jurisdiction, its rate, late staff, exports."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.compliance.crafting import certify, days, start_training
from tests.support.web import login
from trainer import timeutil
from trainer.audit import services as audit
from trainer.auth.models import User
from trainer.compliance import services
from trainer.compliance.rules import JOB_ROLES, ORG_KINDS, compute_due, counting_rules
from trainer.extensions import db
from trainer.orgs.models import Organization


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True)[1:])))


@pytest.fixture
def city(make):
    """Two Houston hotels, a Houston city department and a California hotel."""
    inn = make.org(name="Allen Inn")
    certify(make.user(inn, first_name="Ok", hire_date=days(-400)), days(-30))
    make.user(inn, first_name="Late", hire_date=days(-60))
    certify(make.user(inn, first_name="Lapsed", hire_date=days(-900)), days(-500))
    lodge = make.org(name="Bay Lodge")
    certify(make.user(lodge, first_name="Soon", hire_date=days(-900)), days(-350))
    department = make.org(
        name="Health Department", kind="city_department", jurisdiction="houston-city"
    )
    make.user(department, first_name="Clinic", job_role="clinic_staff", hire_date=days(-10))
    california = make.org(name="Pacific Inn", jurisdiction="california")
    make.user(california, first_name="Far", hire_date=days(-400))
    return inn, lodge, department, california


def _rows(html: str) -> dict[str, list[str]]:
    found = {}
    for name, cells in re.findall(
        r'<th scope="row"[^>]*><a class="usa-link" href="/compliance/\?org=\d+">([^<]+)</a>.*?</th>'
        r"(.*?)</tr>",
        html,
        re.S,
    ):
        found[name] = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
    return found


def test_auditor_sees_the_jurisdictions_organizations_with_their_numbers(client, make, city):
    auditor = make.user(role="auditor")
    login(client, auditor)
    page = client.get("/compliance/city")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert set(rows) == {"Allen Inn", "Bay Lodge"}  # only houston-tx
    # covered, rate, overdue or expired
    assert rows["Allen Inn"][:3] == ["3", "33.3%", "2"]
    assert rows["Bay Lodge"][:3] == ["1", "100.0%", "0"]  # due soon on a refresher: trained
    assert "Not certified" in rows["Allen Inn"][3]
    assert rows["Allen Inn"][4] == "Never"

    orgs = _csv(client.get("/compliance/city.csv"))
    by_name = {row["organization"]: row for row in orgs}
    assert set(by_name) == {"Allen Inn", "Bay Lodge"}
    assert by_name["Allen Inn"]["compliance_rate"] == "33.3"
    assert by_name["Allen Inn"]["overdue"] == "1" and by_name["Allen Inn"]["expired"] == "1"
    assert by_name["Bay Lodge"]["due_soon"] == "1"
    assert by_name["Allen Inn"]["certified_for_year"] == "no"


def test_admin_sees_every_organization(client, make, city):
    admin = make.user(role="admin")
    login(client, admin)
    rows = _rows(client.get("/compliance/city").text)
    assert set(rows) == {"Allen Inn", "Bay Lodge", "Health Department", "Pacific Inn"}
    assert "Not required" in rows["Health Department"][3]


def test_city_staff_csv_lists_every_person_of_the_jurisdiction(client, make, city):
    inn, lodge, _department, _california = city
    auditor = make.user(role="auditor")
    login(client, auditor)
    rows = _csv(client.get("/compliance/city/staff.csv"))
    assert sorted((row["organization"], row["name"], row["status"]) for row in rows) == [
        ("Allen Inn", "Lapsed Test", "expired"),
        ("Allen Inn", "Late Test", "overdue"),
        ("Allen Inn", "Ok Test", "compliant"),
        ("Bay Lodge", "Soon Test", "due_soon"),
    ]
    assert {row["permit_number"] for row in rows} == {inn.permit_number, lodge.permit_number}


def test_certificate_and_audit_exports_stay_in_the_jurisdiction(client, make, city):
    inn, _lodge, _department, california = city
    far = certify(
        db.session.scalar(select(User).where(User.first_name == "Far")), days(-20), serial="CA-1"
    )
    audit.record("test.event", organization_id=inn.id)
    audit.record("test.event", organization_id=california.id)
    db.session.commit()
    auditor = make.user(role="auditor")
    login(client, auditor)

    found = _csv(client.get("/compliance/city/certificates.csv?q=test"))
    assert {row["holder"] for row in found} == {"Ok Test", "Lapsed Test", "Soon Test"}
    assert far.serial not in {row["serial"] for row in found}
    assert _csv(client.get("/compliance/city/certificates.csv?q=")) == []

    events = _csv(client.get("/compliance/city/audit.csv"))
    houston = db.session.scalars(
        select(Organization.id).where(Organization.jurisdiction == "houston-tx")
    )
    assert events and {row["organization_id"] for row in events} <= {str(i) for i in houston}
    assert str(california.id) not in {row["organization_id"] for row in events}
    assert all(len(row["hash"]) == 64 for row in events)


def test_filters_sort_and_pages(client, make):
    for number in range(55):
        org = make.org(name=f"Hotel {number:02d}")
        if number % 5 == 0:
            make.user(org, hire_date=days(-90))  # overdue
    auditor = make.user(role="auditor")
    login(client, auditor)
    first = _rows(client.get("/compliance/city").text)
    assert len(first) == 50 and "Hotel 00" in first
    second = client.get("/compliance/city?page=2")
    assert len(_rows(second.text)) == 5 and "Page 2 of 2" in second.text
    by_late = list(_rows(client.get("/compliance/city?sort=late&dir=desc").text))
    assert by_late[:11] == sorted(by_late[:11]) and by_late[0] == "Hotel 00"
    assert set(_rows(client.get("/compliance/city?q=hotel 1").text)) == {
        f"Hotel {n}" for n in range(10, 20)
    }


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=-1", "sort=evil", "dir=up", "certified=maybe", "year=abc", "year=1800"],
)
def test_bad_parameters_fall_back_to_defaults(client, make, city, query):
    auditor = make.user(role="auditor")
    login(client, auditor)
    page = client.get(f"/compliance/city?{query}")
    assert page.status_code == 200
    assert set(_rows(page.text)) == {"Allen Inn", "Bay Lodge"}
    assert "the defaults were used instead" in page.text
    assert f"Certification {timeutil.today().year}" in page.text


def test_auditor_without_jurisdiction_sees_nothing(client, make, city):
    auditor = make.user(role="auditor", jurisdiction=None)
    login(client, auditor)
    assert _rows(client.get("/compliance/city").text) == {}
    assert _csv(client.get("/compliance/city/staff.csv")) == []


# --------------------------------------------------------------------------- counting in SQL


def _shipped_scopes():
    rules = services.all_rules()
    for jurisdiction in sorted(rules):
        for kind in ORG_KINDS:
            for role in (*JOB_ROLES, "unknown-role"):
                yield jurisdiction, kind, role


def test_cutoffs_split_days_exactly_as_compute_due_does(app):
    today = date(2026, 3, 31)
    judge = services.Judge(today, due_soon_days=30)
    checked = 0
    for jurisdiction, kind, role in _shipped_scopes():
        rules = counting_rules(judge.rules(jurisdiction), org_kind=kind, job_role=role)
        if not rules:
            continue
        cut = services.cutoffs_for(rules, kind, role, judge)
        for offset in range(-900, 400, 7):
            day = today + timedelta(days=offset)
            with_completion = compute_due(
                rules, org_kind=kind, job_role=role, hire_date=day, completed_on=day,
                in_progress=False, today=today, due_soon_days=30,
            ).status.value  # fmt: skip
            expected = (
                "expired" if day < cut.expired_before
                else "due_soon" if day < cut.compliant_from
                else "compliant"
            )  # fmt: skip
            assert with_completion == expected, (jurisdiction, kind, role, day)
            without = compute_due(
                rules, org_kind=kind, job_role=role, hire_date=day, completed_on=None,
                in_progress=False, today=today, due_soon_days=30,
            ).status.value  # fmt: skip
            expected = (
                "overdue" if day < cut.overdue_before
                else "due_soon" if day < cut.waiting_from
                else "not_started"
            )  # fmt: skip
            assert without == expected, (jurisdiction, kind, role, day)
            checked += 1
    assert checked > 1000


def test_database_counts_match_each_persons_status(make):
    """Boundary days (due today, expired yesterday, ...) counted in SQL and in Python agree."""
    orgs = [
        make.org(name="Houston"),
        make.org(name="California", jurisdiction="california"),
        make.org(
            name="Dept", kind="city_department", jurisdiction="houston-city", department="health"
        ),
        make.org(name="Unknown law", jurisdiction="atlantis"),
    ]
    roles = ["front_desk", "maintenance", "clinic_staff", None, ""]
    offsets = [-800, -731, -730, -729, -400, -366, -365, -364, -336, -335, -334, -200, -183,
               -182, -181, -91, -90, -89, -31, -30, -29, -1, 0]  # fmt: skip
    for org in orgs:
        for index, offset in enumerate(offsets):
            person = make.user(org, job_role=roles[index % len(roles)], hire_date=days(offset))
            if index % 3 == 0:
                certify(person, days(offset), expires_on=days(offset + 365))
            elif index % 3 == 1:
                start_training(person)
    today = timeutil.today()
    summaries = {s.name: s for s in services.org_summaries(None, today.year, today)}
    for org in orgs:
        rows = services.staff_rows(org, today)
        expected = Counter(row.status.value for row in rows)
        got = Counter({k: v for k, v in summaries[org.name].counts.items() if v})
        assert got == expected, org.name
        assert summaries[org.name].trained == sum(1 for row in rows if row.trained)
        assert summaries[org.name].covered == sum(
            1 for row in rows if row.status.value != "not_covered"
        )
    assert (
        len(set(Counter(r.status.value for o in orgs for r in services.staff_rows(o, today)))) >= 6
    )


# --------------------------------------------------------------------------- the headline


def _file(org: Organization, year: int) -> None:
    from trainer.compliance.models import AnnualReport

    db.session.add(
        AnnualReport(
            organization_id=org.id,
            year=year,
            jurisdiction=org.jurisdiction,
            rule_id="houston-tx",
            due_on=None,
            recipient="City",
            language="en",
            attested_name="Owner",
            covered_count=0,
            trained_count=0,
            pdf_sha256="0" * 64,
            pdf_size=1,
            csv_sha256="0" * 64,
            csv_size=1,
            pdf=b"%",
            csv=b",",
        )
    )
    db.session.commit()


def _headline(html: str) -> str:
    box = re.search(r'<div class="usa-summary-box".*?</div>\s*</div>\s*</div>', html, re.S)
    assert box, "the page has no headline box"
    return " ".join(re.sub(r"<[^>]+>", " ", box.group(0)).split())


def test_auditor_lands_on_the_city_view(client, make, city):
    login(client, make.user(role="auditor"))
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/compliance/city")


def test_headline_states_the_rate_and_what_needs_attention(client, make, city):
    login(client, make.user(role="auditor"))
    text = _headline(client.get("/compliance/city").text)
    assert "Compliance rate: 50.0%" in text  # 2 of 4 covered staff in Houston
    assert "2 of 4 covered staff members hold a current certificate." in text
    assert "The rate is below the target." in text
    assert "1 organization has overdue or expired staff (2 people in all)" in text
    assert f"2 organizations have not filed their {timeutil.today().year} annual" in text


def test_everyone_filed_is_not_shown_as_success_beside_a_low_rate(client, make, city):
    inn, lodge, _department, _california = city
    year = timeutil.today().year
    _file(inn, year)
    _file(lodge, year)
    login(client, make.user(role="auditor"))
    page = client.get("/compliance/city").text
    assert "usa-alert--success" not in page
    assert re.search(
        r"usa-alert--info[^>]*>.*?Every organization that must certify has filed", page, re.S
    )
    assert "Filing does not mean its staff are trained" in page


def test_success_only_with_the_rate_at_target_and_nobody_late(client, make):
    inn = make.org(name="Good Inn")
    certify(make.user(inn, first_name="Ok", hire_date=days(-400)), days(-30))
    _file(inn, timeutil.today().year)
    login(client, make.user(role="auditor"))
    page = client.get("/compliance/city").text
    assert "Compliance rate: 100.0%" in _headline(page)
    assert "Needs attention" not in page
    assert re.search(r"usa-alert--success.*?meets the target", page, re.S)


def test_headline_tone_follows_the_threshold():
    from trainer.compliance.cityview import COMPLIANCE_TARGET, Tone, headline
    from trainer.compliance.services import OrgSummary

    def org(covered: int, trained: int, *, late: int = 0, filed: bool = True) -> OrgSummary:
        return OrgSummary(
            id=1,
            name="x",
            address="",
            permit_number=None,
            kind="hotel",
            jurisdiction="j",
            counts={"overdue": late},
            covered=covered,
            trained=trained,
            certification_required=True,
            certified_at=datetime.now(UTC) if filed else None,
        )

    at_target = int(COMPLIANCE_TARGET)
    assert headline([org(100, at_target)]).tone == Tone.SUCCESS
    assert headline([org(100, at_target - 1)]).tone == Tone.INFO
    assert headline([org(100, 100, late=1)]).tone == Tone.WARNING
    assert headline([org(100, 100, filed=False)]).tone == Tone.WARNING
    assert headline([]).tone == Tone.INFO
