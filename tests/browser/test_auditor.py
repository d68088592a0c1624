"""The city auditor's journey, on a phone and a desktop, in English, Spanish and Vietnamese.

6. The auditor lands on the city view (rate and what needs attention), finds a
   certificate by a name typed without accents, reads the audit log as sentences, filters
   it and verifies the chain, and reads the outcomes of a module: its summary, its
   questions by their text, its groups, and the notice that replaces the figures of a
   group under 5 learners.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.steps import Driver, sign_in
from tests.compliance.crafting import certify, days
from tests.outcomes.builders import add_attempt, bank_ids, intro_version, progress_of, scores
from tests.support.factory import PASSWORD
from trainer.certificates import services as certificates
from trainer.extensions import db

pytestmark = pytest.mark.browser

#: Chart text, measured in the browser, on a 390 px wide phone.
_CHART_TEXT_PX = """() => {
  let smallest = Infinity;
  for (const svg of document.querySelectorAll('main svg[role=img]')) {
    const box = svg.viewBox.baseVal;
    if (!box || !box.width) continue;
    const scale = svg.getBoundingClientRect().width / box.width;
    for (const text of svg.querySelectorAll('text')) {
      const size = parseFloat(getComputedStyle(text).fontSize);
      smallest = Math.min(smallest, size * scale);
    }
  }
  return smallest;
}"""


def _learners(make: Any, org: Any, count: int, version: Any) -> None:
    """`count` learners of `org` with a pre-test and a post-test on the intro module."""
    pre_items = bank_ids(version, "pre")[:10]
    post_items = bank_ids(version, "post")[:10]
    for n in range(count):
        user = make.user(org, first_name=f"Learner{n}", job_role="housekeeping")
        run = progress_of(user, version)
        add_attempt(run, "pre", 1, scores(pre_items, 3 + n % 4))
        add_attempt(run, "post", 1, scores(post_items, 7 + n % 4))


def _city(make: Any, tag: str) -> dict[str, Any]:
    """Hotels with trained, late and certified staff; outcomes; a revoked certificate."""
    version = intro_version()
    big = make.org(name=f"Hotel Ñandú {tag}")
    _learners(make, big, 6, version)
    small = make.org(name=f"Posada Pequeña {tag}")
    _learners(make, small, 3, version)
    holder = make.user(big, first_name="María", last_name=f"González-{tag}")
    certify(holder, days(-30))
    make.user(big, first_name="Late", last_name="Person", hire_date=days(-90))
    admin = make.user(role="admin", first_name="Ana", last_name="Ruiz")
    revoked = certify(make.user(big, first_name="Luis", last_name="Pérez"), days(-40))
    db.session.commit()
    certificates.revoke(revoked, "issued by mistake", actor=admin)
    db.session.commit()
    return {"version": version, "small": small, "revoked": revoked}


@pytest.mark.parametrize("language", ["en", "es", "vi"])
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_city_auditor_journey(live_db, make, open_page, checker, language, phone):
    tag = f"{language}-{'phone' if phone else 'desk'}"
    facts = _city(make, tag)
    auditor = make.user(
        role="auditor", jurisdiction="houston-tx", language=language, first_name="Iris"
    )
    city = Driver(open_page(locale=f"{language}-US", phone=phone), checker, touch=phone)
    page = city.page
    sign_in(city, auditor.email, PASSWORD)

    # Lands on the city view: the rate and what needs attention, in words.
    assert page.url.endswith("/compliance/city"), page.url
    city.check("city-compliance")
    headline = page.locator("main .usa-summary-box")
    assert headline.count() == 1 and "%" in headline.inner_text()
    assert page.locator("main .usa-summary-box a[href*='sort=late']").count() == 1
    assert page.locator("main .usa-alert--success").count() == 0  # people are late

    # Certificate search without accents, in capitals.
    page.goto("/certificates/search")
    city.type_into("#q", f"GONZALEZ-{tag.upper()}")
    city.go("main form[role=search] button[type=submit]")
    city.check("certificate-search-accents")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1 and f"González-{tag}" in rows.first.inner_text()

    # The audit log: sentences with names, filters, the verify button.
    page.goto("/audit/")
    city.check("audit-log")
    main = page.locator("main").inner_text()
    assert "Ana Ruiz" in main and "Luis Pérez" in main and facts["revoked"].serial in main
    assert "certificate.revoked" not in main
    page.select_option("#kind", "certificate.revoked")
    city.go("main form[role=search] button[type=submit]")
    city.check("audit-log-filtered")
    assert page.locator("main table tbody tr").count() >= 1
    assert "issued by mistake" in page.locator("main table").inner_text()
    city.go("main form[action$='/audit/verify'] button[type=submit]")
    city.check("audit-log-verified")
    assert page.locator(".flashes .usa-alert--success").count() == 1
    assert "Iris" in page.locator("#verify-h + .usa-alert").inner_text()

    # Outcomes: a summary, drill-down pages, questions by text, small groups withheld.
    version_id = facts["version"].id
    page.goto(f"/outcomes/{version_id}")
    city.check("outcomes-summary")
    if phone:
        assert page.evaluate(_CHART_TEXT_PX) >= 12
    city.go(f"main nav a[href*='/outcomes/{version_id}/questions']")
    city.check("outcomes-questions")
    assert page.locator("#table-items tbody th").count() > 0
    if phone:
        assert page.evaluate(_CHART_TEXT_PX) >= 12
    city.go(f"main nav a[href*='/outcomes/{version_id}/groups']")
    city.check("outcomes-groups")
    page.goto(f"/outcomes/{version_id}?org={facts['small'].id}")
    city.check("outcomes-withheld")
    assert page.locator("main .usa-alert--info").count() == 1
    assert page.locator("main table").count() == 0
