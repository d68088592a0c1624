"""Reporting contacts: an organization's own, edited by its manager; shown in lessons.

A lesson marked `contacts: true` shows the learner's jurisdiction's contacts (from the
rule files) and the organization's own, in the learner's language; a contact whose number
is not confirmed says where to find it and never shows a number.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.support import journey
from tests.support.web import csrf_token, login
from trainer.audit.models import AuditEvent
from trainer.core.contacts import parse_phone
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.orgs import services as org_services
from trainer.orgs.models import OrganizationContact


def _contacts(org) -> list[OrganizationContact]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OrganizationContact).where(OrganizationContact.organization_id == org.id)
        )
    )


def _add(client, data: dict[str, str], url: str = "/orgs/contacts"):
    token = csrf_token(client, url)
    return client.post(url, data={**data, "csrf_token": token})


def test_manager_adds_edits_and_removes_a_contact_with_audit_events(client, make):
    org = make.org(name="Bayou Inn")
    manager = make.user(org, role="manager")
    login(client, manager)
    added = _add(client, {"label": "Security desk", "phone": "ext. 4500", "note": "Day and night"})
    assert added.status_code == 302
    [contact] = _contacts(org)
    assert (contact.label, contact.phone, contact.note) == (
        "Security desk",
        "ext. 4500",
        "Day and night",
    )
    listing = client.get("/orgs/contacts")
    assert "Security desk" in listing.text and "Day and night" in listing.text

    url = f"/orgs/contacts/{contact.id}/edit"
    token = csrf_token(client, url)
    edited = client.post(
        url, data={"label": "Manager on duty", "phone": "0", "note": "", "csrf_token": token}
    )
    assert edited.status_code == 302
    [contact] = _contacts(org)
    assert (contact.label, contact.phone, contact.note) == ("Manager on duty", "0", "")

    token = csrf_token(client, "/orgs/contacts")
    removed = client.post(f"/orgs/contacts/{contact.id}/delete", data={"csrf_token": token})
    assert removed.status_code == 302
    assert _contacts(org) == []

    actions = list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("org.contact_%"))
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["org.contact_added", "org.contact_updated", "org.contact_removed"]
    removed_event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "org.contact_removed")
    )
    assert removed_event.organization_id == org.id
    assert json.loads(removed_event.details)["label"] == "Manager on duty"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "", "phone": "ext. 12"}, "This field is required."),
        ({"label": "Security", "phone": ""}, "This field is required."),
        ({"label": "Security", "phone": "call the front desk"}, 'write "ext" before an extension'),
        ({"label": "Security", "phone": "12345678901234567890"}, 'write "ext" before an extension'),
        ({"label": "x" * 101, "phone": "ext. 12"}, "Field cannot be longer than 100 characters."),
    ],
)
def test_bad_contact_gets_a_clear_message_and_saves_nothing(client, make, data, message):
    org = make.org()
    login(client, make.user(org, role="manager"))
    response = _add(client, data)
    assert response.status_code == 200
    assert message in response.text
    assert _contacts(org) == []


def test_tampered_contact_form_is_refused(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    response = client.post("/orgs/contacts", data={"label": "Security", "phone": "ext. 12"})
    assert response.status_code in (200, 400)
    assert _contacts(org) == []


def test_an_organization_has_at_most_ten_contacts(client, make):
    org = make.org()
    manager = make.user(org, role="manager")
    for number in range(org_services.MAX_CONTACTS):
        org_services.add_contact(
            org, org_services.ContactData(f"Desk {number}", f"ext. {number}"), actor=manager
        )
    db.session.commit()
    login(client, manager)
    response = _add(client, {"label": "One more", "phone": "ext. 99"})
    assert response.status_code == 200
    assert "Lessons show at most 10 contacts" in response.text
    assert len(_contacts(org)) == org_services.MAX_CONTACTS


def test_managers_reach_only_their_own_contacts(client, make):
    own, other = make.org(), make.org(name="Elsewhere")
    manager = make.user(own, role="manager")
    theirs = org_services.add_contact(
        other, org_services.ContactData("Their desk", "ext. 1"), actor=manager
    )
    db.session.commit()
    login(client, manager)
    assert client.get(f"/orgs/contacts/{theirs.id}/edit").status_code == 404
    token = csrf_token(client, "/orgs/contacts")
    assert (
        client.post(f"/orgs/contacts/{theirs.id}/delete", data={"csrf_token": token}).status_code
        == 404
    )
    assert [c.label for c in _contacts(other)] == ["Their desk"]


def test_admin_edits_an_organizations_contacts_and_auditor_cannot(client, make):
    org = make.org()
    login(client, make.user(role="admin"))
    assert client.get("/orgs/contacts").status_code == 404  # admins pick an organization
    response = _add(
        client,
        {"label": "Night manager", "phone": "+1 (713) 555-0100"},
        f"/orgs/contacts?org={org.id}",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/orgs/contacts?org={org.id}")
    assert [c.label for c in _contacts(org)] == ["Night manager"]
    assert f"/orgs/contacts?org={org.id}" in client.get(f"/orgs/{org.id}/edit").text
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/orgs/")})
    auditor = make.user(role="auditor")
    login(client, auditor)
    assert client.get(f"/orgs/contacts?org={org.id}").status_code == 403


@pytest.mark.parametrize(
    ("typed", "shown", "tel"),
    [
        ("911", "911", "tel:911"),
        ("1-888-373-7888", "1-888-373-7888", "tel:+18883737888"),
        ("(713)  555 0100", "(713) 555 0100", "tel:+17135550100"),
        ("+52 55 5555 0100", "+52 55 5555 0100", "tel:+525555550100"),
        ("713.555.0100 ext. 12", "713.555.0100 ext. 12", "tel:+17135550100;ext=12"),
        ("ext 4500", "ext 4500", None),
        ("0", "0", None),
    ],
)
def test_phone_numbers_are_read_leniently(typed, shown, tel):
    parsed = parse_phone(typed)
    assert parsed is not None
    assert (parsed.shown, parsed.tel) == (shown, tel)


@pytest.mark.parametrize("typed", ["", "dial zero", "ext", "--", "1" * 16, "911 or 311"])
def test_what_is_not_a_phone_number(typed):
    assert parse_phone(typed) is None


def _open_marked_lesson(client, user, slug: str = "intro-indicators"):
    """Sign in, take the pre-test and open the first lesson marked `contacts: true`."""
    login(client, user)
    progress = next(p for p in learning.enrollments_of(user)[0].modules if p.module.slug == slug)
    journey.take_test(client, progress.id, "pre", right=False)
    version = learning.version_for(journey.progress(progress.id))
    marked = next(lesson for lesson in version.lessons if lesson.get("contacts"))
    for lesson in version.lessons:
        page = client.get(f"/learn/m/{progress.id}/lesson/{lesson['id']}")
        assert page.status_code == 200
        if lesson is marked:
            return page, version, progress.id
        journey.age_lesson(
            progress.id, lesson["id"], learning.lesson_minimum(version, lesson, user) + 1
        )
        token = csrf_token(client, f"/learn/m/{progress.id}")
        client.post(f"/learn/m/{progress.id}/lesson/{lesson['id']}", data={"csrf_token": token})
    raise AssertionError("no lesson marked contacts: true")


def _box(page_text: str) -> str:
    match = re.search(r'<aside class="usa-summary-box contacts-box".*?</aside>', page_text, re.S)
    assert match, "no contacts box on the page"
    return match.group(0)


def test_houston_learner_sees_the_contacts_with_the_posted_sign_wording(client, make):
    org = make.org(name="Bayou Inn")
    manager = make.user(org, role="manager")
    org_services.add_contact(
        org, org_services.ContactData("Security desk", "ext. 4500", "Day and night"), actor=manager
    )
    db.session.commit()
    page, version, progress_id = _open_marked_lesson(client, make.user(org))
    box = _box(page.text)
    assert box.index("911") < box.index("Security desk")  # emergency first
    assert '<a href="tel:911">911</a>' in box
    assert "At Bayou Inn" in box and "ext. 4500" in box and "Day and night" in box
    assert "Houston Police Department, Human Trafficking Unit" in box
    assert "Use the number on the city&#39;s anti-trafficking sign posted at your workplace" in box
    assert '<a href="tel:+18883737888">1-888-373-7888</a>' in box
    assert "Text 233733" in box
    assert "Text START to 88788" in box
    # Every number in the box is one the rule files or the organization gave.
    numbers = set(re.findall(r'href="tel:([^"]+)"', box))
    assert numbers == {"911", "+18883737888", "+18007997233", "+18663472423"}
    # A lesson that is not marked shows no box.
    first = version.lessons[0]
    assert not first.get("contacts")
    other = client.get(f"/learn/m/{progress_id}/lesson/{first['id']}")
    assert "contacts-box" not in other.text


@pytest.mark.parametrize(
    ("language", "label", "where"),
    [
        ("es", "Línea Nacional contra la Trata de Personas", "Use el número del letrero"),
        ("vi", "Đường dây nóng Quốc gia về Nạn buôn người", "Hãy dùng số điện thoại trên tấm biển"),
    ],
)
def test_the_box_speaks_the_learners_language(client, make, language, label, where):
    page, _, _ = _open_marked_lesson(client, make.user(make.org(), language=language))
    box = _box(page.text)
    assert label in box
    assert where in box
    assert "National Human Trafficking Hotline" not in box


def test_a_learner_elsewhere_sees_their_own_jurisdiction(client, make):
    org = make.org(jurisdiction="california")
    page, _, _ = _open_marked_lesson(client, make.user(org, job_role="housekeeping"))
    box = _box(page.text)
    assert "Houston Police" not in box
    assert "Local police (non-emergency line)" in box
    assert "Ask your manager for your local police department" in box
    assert "<h3>At " not in box  # no workplace contacts recorded


def test_content_preview_shows_the_box_for_a_chosen_jurisdiction(client, make):
    from trainer.catalog.services import module_by_slug

    login(client, make.user(role="admin"))
    version = module_by_slug("intro-indicators").current_version
    page = client.get(f"/catalog/version/{version.id}?lang=vi")
    box = _box(page.text)
    assert "{'en'" not in page.text  # each lesson in the chosen language only
    assert "Sở Cảnh sát Houston, Đơn vị Chống Buôn người" in box
    assert "Liên hệ với ai" in box  # the heading in the previewed language
    elsewhere = client.get(f"/catalog/version/{version.id}?lang=en&jurisdiction=minnesota")
    assert "Local police (non-emergency line)" in _box(elsewhere.text)
    unknown = client.get(f"/catalog/version/{version.id}?lang=en&jurisdiction=atlantis")
    assert unknown.status_code == 200
    assert "Houston Police Department" in _box(unknown.text)


def test_preview_of_a_module_without_marked_lessons_has_no_box(client, make):
    from trainer.catalog.services import all_modules

    login(client, make.user(role="admin"))
    for module in all_modules():
        version = module.current_version
        page = client.get(f"/catalog/version/{version.id}?lang=en")
        marked = sum(1 for lesson in version.lessons if lesson.get("contacts"))
        assert page.text.count('class="usa-summary-box contacts-box"') == marked, module.slug
