"""Who a law leaves out: Texas by rooms and employment, Minnesota by role and age at hire.

The facts live on the organization (rooms) and on the person (employment, under 16 at
hire); every page counts them the same way, whether in Python or in the database.
"""

from __future__ import annotations

import html
import io
from collections import Counter

import pytest
from sqlalchemy import select

from tests.compliance.crafting import certify, days, start_training
from tests.support.web import csrf_token, login
from trainer import timeutil
from trainer.auth.models import User
from trainer.compliance import services
from trainer.compliance.rules import StaffStatus
from trainer.extensions import db
from trainer.orgs.models import Organization


def _status(org, user) -> StaffStatus:
    row = next(r for r in services.staff_rows(org, timeutil.today()) if r.user_id == user.id)
    return row.status


def test_a_9_room_texas_hotel_is_not_covered_and_an_11_room_one_is(make):
    small = make.org(name="Nine Rooms", jurisdiction="texas", rooms=9)
    large = make.org(name="Eleven Rooms", jurisdiction="texas", rooms=11)
    unknown = make.org(name="Rooms Unknown", jurisdiction="texas", rooms=None)
    people = {org.name: make.user(org, hire_date=days(-120)) for org in (small, large, unknown)}
    assert _status(small, people["Nine Rooms"]) is StaffStatus.NOT_COVERED
    assert _status(large, people["Eleven Rooms"]) is StaffStatus.OVERDUE
    assert _status(unknown, people["Rooms Unknown"]) is StaffStatus.OVERDUE
    contractor = make.user(large, hire_date=days(-120), employment="contractor")
    assert _status(large, contractor) is StaffStatus.NOT_COVERED


def test_houston_still_covers_a_9_room_hotel_but_without_the_texas_minimum(make):
    small = make.org(name="Nine Rooms", rooms=9)
    large = make.org(name="Eleven Rooms", rooms=11)
    small_person = make.user(small, hire_date=days(-40))
    large_person = make.user(large, hire_date=days(-40))
    assert _status(small, small_person) is StaffStatus.OVERDUE  # Houston: 30 days
    assert [r.id for r in services.rules_counting_for(small_person)] == ["houston-tx"]
    assert [r.id for r in services.rules_counting_for(large_person)] == ["houston-tx", "texas"]
    # Texas asks for 20 minutes of training; Houston alone sets no minimum.
    assert services.minimum_minutes_for(small_person) == 0
    assert services.minimum_minutes_for(large_person) == 20


def test_minnesota_exemptions(make):
    org = make.org(name="North Lodge", jurisdiction="minnesota")
    housekeeper = make.user(
        org, job_role="housekeeping", under_16_at_hire=True, hire_date=days(-100)
    )
    restaurant = make.user(
        org, job_role="food_beverage", under_16_at_hire=True, hire_date=days(-100)
    )
    young_desk = make.user(org, job_role="front_desk", under_16_at_hire=True, hire_date=days(-100))
    adult_desk = make.user(org, job_role="front_desk", hire_date=days(-100))
    assert _status(org, housekeeper) is StaffStatus.OVERDUE
    assert _status(org, restaurant) is StaffStatus.NOT_COVERED
    assert _status(org, young_desk) is StaffStatus.NOT_COVERED
    assert _status(org, adult_desk) is StaffStatus.OVERDUE


def test_database_counts_agree_with_each_persons_status_under_the_limits(make):
    """The city's counts (SQL) and each person's status (Python) agree for every facet."""
    orgs = [
        make.org(name="Houston 9", rooms=9),
        make.org(name="Houston 11", rooms=11),
        make.org(name="Houston unknown"),
        make.org(name="Texas 9", jurisdiction="texas", rooms=9),
        make.org(name="Texas 10", jurisdiction="texas", rooms=10),
        make.org(name="Texas 11", jurisdiction="texas", rooms=11),
        make.org(name="Texas unknown", jurisdiction="texas"),
        make.org(name="Minnesota", jurisdiction="minnesota"),
        make.org(name="Minnesota 5", jurisdiction="minnesota", rooms=5),
    ]
    roles = ["housekeeping", "food_beverage", "front_desk", None, "maintenance"]
    offsets = [-800, -400, -366, -365, -120, -91, -90, -89, -60, -31, -30, -29, -1, 0]
    for org in orgs:
        for index, offset in enumerate(offsets):
            person = make.user(
                org,
                job_role=roles[index % len(roles)],
                hire_date=days(offset),
                employment="contractor" if index % 4 == 1 else "direct",
                under_16_at_hire=index % 3 == 2,
            )
            if index % 5 == 0:
                certify(person, days(offset), expires_on=days(offset + 365))
            elif index % 5 == 1:
                start_training(person)
    today = timeutil.today()
    summaries = {s.name: s for s in services.org_summaries(None, today.year, today)}
    for org in orgs:
        rows = services.staff_rows(org, today)
        expected = Counter(row.status.value for row in rows)
        got = Counter({k: v for k, v in summaries[org.name].counts.items() if v})
        assert got == expected, org.name
        assert summaries[org.name].covered == sum(
            1 for row in rows if row.status is not StaffStatus.NOT_COVERED
        )
    assert summaries["Texas 9"].covered == summaries["Texas 10"].covered == 0
    assert summaries["Texas 11"].covered > 0
    assert summaries["Houston 9"].covered == len(offsets)
    assert 0 < summaries["Minnesota"].covered < len(offsets)


def test_rooms_prompt_until_the_count_is_recorded(client, make):
    org = make.org(name="Unmeasured Inn")
    manager = make.user(org, role="manager")
    assert [rule.id for rule in services.rooms_prompt(org)] == ["texas"]
    login(client, manager)
    page = client.get("/compliance/")
    assert "The number of guest rooms is not recorded" in page.text
    assert "Texas lodging employee training (HB 390)" in page.text
    org.rooms = 40
    db.session.commit()
    assert services.rooms_prompt(org) == []
    assert "The number of guest rooms is not recorded" not in client.get("/compliance/").text


def test_annual_page_says_the_march_31_date_is_confirmed_for_2021_only(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    page = client.get("/compliance/annual")
    assert "Date not confirmed:" in page.text
    assert "The city confirmed 31 March for the first certification, in 2021" in page.text
    assert "Check the current date with ARA" in page.text
    elsewhere = make.org(name="Baltimore Inn", jurisdiction="baltimore")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/compliance/")})
    login(client, make.user(elsewhere, role="manager"))
    assert "Date not confirmed:" not in client.get("/compliance/annual").text


def test_the_date_note_is_translated(client, make):
    org = make.org()
    login(client, make.user(org, role="manager", language="vi"))
    client.post("/language", data={"language": "vi", "csrf_token": csrf_token(client, "/")})
    page = client.get("/compliance/annual")
    assert "Thành phố đã xác nhận ngày 31 tháng 3" in page.text


def test_admin_records_the_rooms_of_a_hotel(client, make):
    org = make.org(name="Gulf Inn")
    login(client, make.user(role="admin"))
    url = f"/orgs/{org.id}/edit"
    assert "The number of guest rooms is not recorded" in client.get(url).text
    data = {
        "kind": "hotel",
        "name": "Gulf Inn",
        "address": "1 Gulf Fwy",
        "jurisdiction": "houston-tx",
        "department": "",
        "permit_number": "P-1",
    }
    saved = client.post(url, data={**data, "rooms": "11", "csrf_token": csrf_token(client, url)})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, org.id).rooms == 11
    assert "The number of guest rooms is not recorded" not in client.get(url).text


@pytest.mark.parametrize(
    ("kind", "rooms", "message"),
    [
        ("hotel", "0", "Enter a whole number from 1 to 100000."),
        ("hotel", "ten", "Not a valid integer value."),
        ("city_department", "12", "Only hotels have guest rooms: leave this empty."),
    ],
)
def test_bad_room_counts_are_refused(client, make, kind, rooms, message):
    org = make.org(name="Gulf Inn", rooms=30)
    login(client, make.user(role="admin"))
    url = f"/orgs/{org.id}/edit"
    data = {"kind": kind, "name": "Gulf Inn", "jurisdiction": "houston-tx", "rooms": rooms}
    response = client.post(url, data={**data, "csrf_token": csrf_token(client, url)})
    assert response.status_code == 200
    assert message in response.text
    db.session.expire_all()
    assert db.session.get(Organization, org.id).rooms == 30


def test_manager_records_employment_and_age_at_hire(client, make):
    org = make.org(jurisdiction="minnesota")
    login(client, make.user(org, role="manager"))
    token = csrf_token(client, "/orgs/staff/new")
    response = client.post(
        "/orgs/staff/new",
        data={
            "first_name": "Lan",
            "last_name": "Phạm",
            "email": "",
            "job_role": "front_desk",
            "hire_date": "2026-03-01",
            "language": "vi",
            "employment": "contractor",
            "under_16_at_hire": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    lan = db.session.scalar(select(User).where(User.last_name == "Phạm"))
    assert (lan.employment, lan.under_16_at_hire) == ("contractor", True)
    assert _status(org, lan) is StaffStatus.NOT_COVERED
    url = f"/orgs/staff/{lan.id}/edit"
    form = client.get(url).text
    assert 'name="under_16_at_hire"' in form and "checked" in form
    data = {
        "first_name": "Lan",
        "last_name": "Phạm",
        "email": "",
        "job_role": "front_desk",
        "hire_date": "2026-03-01",
        "language": "vi",
        "employment": "direct",
    }  # the box left unticked: no longer under 16 at hire
    client.post(url, data={**data, "csrf_token": csrf_token(client, url)})
    db.session.expire_all()
    lan = db.session.get(User, lan.id)
    assert (lan.employment, lan.under_16_at_hire) == ("direct", False)
    bad = client.post(
        url, data={**data, "employment": "volunteer", "csrf_token": csrf_token(client, url)}
    )
    assert bad.status_code == 200 and "Not a valid choice" in bad.text


def _upload(client, content: bytes):
    token = csrf_token(client, "/orgs/staff/import")
    return client.post(
        "/orgs/staff/import",
        data={"file": (io.BytesIO(content), "staff.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )


def test_import_reads_the_optional_columns(client, make):
    org = make.org(jurisdiction="minnesota")
    login(client, make.user(org, role="manager"))
    content = (
        "email,first name,last name,job role,hire date,language,employment,under 16 at hire\n"
        ",Ana,López,housekeeping,2026-01-10,es,direct,yes\n"
        ",Minh,Trần,food and beverage,2026-01-15,vi,agency,no\n"
        ",Joe,Smith,front desk,2026-01-15,en,,\n"
    ).encode()
    response = _upload(client, content)
    assert response.status_code == 302
    found = {
        u.first_name: (u.employment, u.under_16_at_hire)
        for u in db.session.scalars(select(User).where(User.organization_id == org.id))
        if u.role == "learner"
    }
    assert found == {
        "Ana": ("direct", True),
        "Minh": ("contractor", False),
        "Joe": ("direct", False),
    }


def test_import_refuses_bad_values_in_the_optional_columns(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    content = (
        "email,first name,last name,job role,hire date,language,employment,under 16 at hire\n"
        ",Ana,López,housekeeping,2026-01-10,es,volunteer,yes\n"
        ",Minh,Trần,housekeeping,2026-01-15,vi,direct,maybe\n"
    ).encode()
    response = _upload(client, content)
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "unknown employment “volunteer”; use one of: direct" in text and "contractor" in text
    assert "use yes or no" in response.text
    assert db.session.scalar(select(User).where(User.first_name == "Ana")) is None
