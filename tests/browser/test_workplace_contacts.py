"""A manager records the workplace's own contacts, by keyboard, in English and Vietnamese.

Every page goes through axe-core and the Nu HTML Checker (the `checker` fixture).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.steps import Driver, sign_in
from tests.support.factory import PASSWORD
from trainer.extensions import db
from trainer.orgs.models import OrganizationContact

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "vi"])
def test_manager_adds_a_workplace_contact_by_keyboard(live_db, make, open_page, checker, language):
    org = make.org(name=f"Westheimer Inn {language}")
    manager = make.user(org, role="manager", job_role="management", language=language)
    desk = Driver(open_page(), checker, keyboard=True)
    sign_in(desk, manager.email, PASSWORD)
    desk.go("nav a[href$='/orgs/contacts']")
    desk.check("workplace-contacts-empty")
    desk.type_into("#label", "Security desk")
    desk.type_into("#phone", "call security")
    desk.go("main form.usa-form button[type=submit]")
    desk.check("workplace-contacts-error")
    assert desk.page.locator("#phone-error").count() == 1
    desk.type_into("#phone", "ext. 4500")
    desk.go("main form.usa-form button[type=submit]")
    desk.check("workplace-contacts-listed")
    assert "Security desk" in desk.page.locator("main table").inner_text()
    db.session.expire_all()
    saved = db.session.scalars(
        select(OrganizationContact).where(OrganizationContact.organization_id == org.id)
    ).all()
    assert [(c.label, c.phone) for c in saved] == [("Security desk", "ext. 4500")]
