"""The manager's compliance dashboard: counts, chart, filters, sort, search, pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.compliance.crafting import bulk_staff, certify, days, start_training
from tests.support.web import login
from trainer import timeutil
from trainer.compliance import services
from trainer.compliance.rules import add_months
from trainer.extensions import db


@pytest.fixture
def california(make):
    """A California hotel (SB 970 covers some roles only) with one person per status."""
    org = make.org(name="Pacific Inn", jurisdiction="california")
    manager = make.user(org, role="manager", job_role="management", first_name="Mara")
    people = {
        "not_covered": manager,
        "not_started": make.user(org, first_name="Nina", hire_date=days(-10)),
        "in_progress": make.user(org, first_name="Ivan", hire_date=days(-10)),
        "due_soon": make.user(
            org, first_name="Dora", job_role="housekeeping", hire_date=days(-170)
        ),
        "overdue": make.user(org, first_name="Otto", job_role="housekeeping", hire_date=days(-200)),
        "compliant": make.user(org, first_name="Cleo", job_role="bell_valet", hire_date=days(-400)),
        "expired": make.user(org, first_name="Ezra", job_role="driver", hire_date=days(-1000)),
        "former": make.user(org, first_name="Fred", hire_date=days(-900), active=False),
    }
    start_training(people["in_progress"])
    certify(people["compliant"], days(-100), expires_on=add_months(days(-100), 24))
    certify(people["expired"], days(-800), expires_on=add_months(days(-800), 24))
    return org, manager, people


def _desc(html: str) -> str:
    match = re.search(r'<desc id="chart-desc">(.*?)</desc>', html)
    assert match, "the chart has a description"
    return match.group(1)


def _names(html: str) -> list[str]:
    return re.findall(
        r'<th scope="row" data-label="Name"><a class="usa-link" href="/compliance/people/\d+">'
        r"([^<]+)</a>",
        html,
    )


def test_counts_match_each_persons_status(client, california):
    org, manager, people = california
    rows = services.staff_rows(org, timeutil.today())
    by_name = {row.first_name: row.status.value for row in rows}
    expected = {p.first_name: status for status, p in people.items() if status != "former"}
    assert by_name == expected  # former staff are not on the dashboard
    assert services.status_counts(rows) == {
        "overdue": 1,
        "expired": 1,
        "due_soon": 1,
        "not_started": 1,
        "in_progress": 1,
        "compliant": 1,
        "not_covered": 1,
    }

    login(client, manager)
    page = client.get("/compliance/")
    assert page.status_code == 200
    assert _desc(page.text) == (
        "Overdue: 1; Expired: 1; Due soon: 1; Not started: 1; In progress: 1; Compliant: 1; "
        "Not covered: 1"
    )
    # the same numbers as a table, each linking to the filtered list
    assert re.search(
        r'href="/compliance/\?status=overdue">Overdue<span class="usa-sr-only">[^<]*</span>'
        r'</a></th>\s*<td class="num" data-label="People">1</td>',
        page.text,
    )
    assert "7 staff in all." in page.text
    # a row names the date and the rule behind it
    otto = next(r for r in rows if r.first_name == "Otto")
    assert otto.due.rule_id == "california"
    assert otto.due.due_date == add_months(days(-200), 6)


def test_status_comes_from_the_latest_current_certificate(make):
    org = make.org()
    renewed = make.user(org, first_name="Rita", hire_date=days(-800))
    revoked = make.user(org, first_name="Vera", hire_date=days(-800))
    certify(renewed, days(-500))
    certify(renewed, days(-20))  # the newer one counts
    certify(revoked, days(-20), revoked=True)  # a revoked certificate is no training
    rows = {r.first_name: r for r in services.staff_rows(org, timeutil.today())}
    assert rows["Rita"].status.value == "compliant"
    assert rows["Rita"].completed_on == days(-20)
    assert rows["Rita"].due.due_date == add_months(days(-20), 12)
    assert rows["Vera"].status.value == "overdue" and rows["Vera"].completed_on is None


def test_filters_search_and_sort(client, california):
    _org, manager, people = california
    login(client, manager)

    page = client.get("/compliance/?status=overdue")
    assert _names(page.text) == ["Otto Test"]
    page = client.get("/compliance/?job_role=housekeeping")
    assert sorted(_names(page.text)) == ["Dora Test", "Otto Test"]
    page = client.get("/compliance/?q=cleo")
    assert _names(page.text) == ["Cleo Test"]
    page = client.get(f"/compliance/?q={people['expired'].email.upper()}")
    assert _names(page.text) == ["Ezra Test"]

    by_status = _names(client.get("/compliance/?sort=status").text)
    assert by_status == [
        "Otto Test",  # overdue
        "Ezra Test",  # expired
        "Dora Test",  # due soon
        "Nina Test",  # not started
        "Ivan Test",  # in progress
        "Cleo Test",  # compliant
        "Mara Test",  # not covered
    ]
    by_due = _names(client.get("/compliance/?sort=due").text)
    assert by_due[0] == "Ezra Test"  # expired longest ago
    assert by_due[-1] == "Mara Test"  # no due date: last
    by_name_desc = _names(client.get("/compliance/?sort=name&dir=desc").text)
    assert by_name_desc == sorted(by_name_desc, reverse=True)


def test_pages_of_fifty(client, make):
    org = make.org()
    manager = make.user(org, role="manager", first_name="Zed", last_name="Zulu")
    bulk_staff(org, 120, hire_date=days(-3))
    login(client, manager)

    first = client.get("/compliance/")
    assert len(_names(first.text)) == 50
    assert "People 1 to 50 of 121" in first.text
    assert 'href="/compliance/?page=2" rel="next"' in first.text
    third = client.get("/compliance/?sort=name&page=3")
    assert len(_names(third.text)) == 21 and "Zed Zulu" in _names(third.text)
    assert "Page 3 of 3" in third.text and 'rel="next"' not in third.text
    # filters are kept in the page links
    filtered = client.get("/compliance/?q=bulk&sort=name&page=2")
    assert 'href="/compliance/?q=bulk&amp;sort=name&amp;page=3"' in filtered.text


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("page=abc", 50),
        ("page=0", 50),
        ("page=-4", 50),
        ("page=99999999999999999999", 11),  # past the end: the last page
        ("sort=evil", 50),
        ("dir=sideways", 50),
        ("status=evil", 50),
        ("job_role=%E2%80%AE", 50),
        ("q=" + "x" * 500, 50),
    ],
)
def test_bad_parameters_fall_back_to_defaults(client, make, query, shown):
    org = make.org()
    manager = make.user(org, role="manager")
    bulk_staff(org, 60, hire_date=days(-3))
    login(client, manager)
    page = client.get(f"/compliance/?{query}")
    assert page.status_code == 200
    assert len(_names(page.text)) == shown
    if "99999" not in query:
        assert "the defaults were used instead" in page.text


def test_a_nul_byte_in_a_filter_is_refused(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    page = client.get("/compliance/?job_role=%00")
    assert page.status_code == 400 and "control characters" in page.text


def test_person_page_shows_status_history_and_certificates(client, make):
    org = make.org()
    manager = make.user(org, role="manager")
    person = make.user(org, first_name="Hugo", hire_date=days(-400))
    cert = certify(person, days(-30))
    login(client, manager)
    dashboard = client.get("/compliance/")
    assert f'href="/compliance/people/{person.id}"' in dashboard.text
    page = client.get(f"/compliance/people/{person.id}")
    assert page.status_code == 200
    assert "Compliant" in page.text
    assert cert.serial in page.text and f"/certificates/{cert.id}" in page.text
    assert "Houston hotel ordinance" in page.text
    assert "cycle 1" in page.text and "Modules of" in page.text


def test_auditor_drills_down_read_only(client, make):
    org = make.org()
    make.user(org, role="manager")
    make.user(org, first_name="Lena", hire_date=days(-60))
    auditor = make.user(role="auditor")
    login(client, auditor)
    assert client.get("/compliance/").status_code == 302  # starts from the city view
    page = client.get(f"/compliance/?org={org.id}")
    assert page.status_code == 200
    assert "read only" in page.text and "Lena Test" in page.text
    annual = client.get(f"/compliance/annual?org={org.id}")
    assert annual.status_code == 200 and "File the certification" not in annual.text
    assert client.get(f"/compliance/?org={org.id + 999}").status_code == 404


def test_manager_sees_only_their_organization(client, make):
    own = make.org()
    other = make.org()
    manager = make.user(own, role="manager")
    make.user(other, first_name="Stranger")
    login(client, manager)
    page = client.get(f"/compliance/?org={other.id}")
    assert page.status_code == 200 and "Stranger" not in page.text
    assert own.name in page.text


def test_due_soon_window_follows_configuration(app, make):
    org = make.org()
    make.user(org, first_name="Window", hire_date=timeutil.today() - timedelta(days=5))
    assert services.staff_rows(org, timeutil.today())[0].status.value == "due_soon"
    app.config["DUE_SOON_DAYS"] = 10
    try:
        assert services.staff_rows(org, timeutil.today())[0].status.value == "not_started"
    finally:
        app.config["DUE_SOON_DAYS"] = 30
        db.session.rollback()
