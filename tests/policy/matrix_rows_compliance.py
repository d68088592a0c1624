"""Matrix rows for the compliance pages: dashboard, exports, annual certification, city."""

from __future__ import annotations

import hashlib

from tests.support.matrix import LOGIN, ROLES, UrlFn, World, org_id, same, staff_id
from trainer.extensions import db


def report_id(w: World, scope: str) -> int:
    """A filed annual report of the own or the other organization (made on demand)."""
    from trainer.compliance.models import AnnualReport
    from trainer.timeutil import utcnow

    org = w.own_org if scope == "own" else w.other_org
    pdf, table = b"%PDF-1.7 matrix report", b"name\r\n"
    report = AnnualReport(
        organization_id=org.id,
        year=2026,
        revision=1,
        jurisdiction=org.jurisdiction,
        rule_id=org.jurisdiction,
        due_on=None,
        recipient="City",
        language="en",
        attested_by_id=None,
        attested_name="A Manager",
        attested_at=utcnow(),
        covered_count=0,
        trained_count=0,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pdf_size=len(pdf),
        csv=table,
        csv_sha256=hashlib.sha256(table).hexdigest(),
        csv_size=len(table),
    )
    db.session.add(report)
    db.session.commit()
    return report.id


ORG_PAGE = {
    "anonymous": same(LOGIN),
    "learner": same(403),
    "manager": same(200),  # a manager's ?org= is ignored: always their own organization
    "auditor": (200, 404),
    "admin": same(200),
}
#: Pages that start a job for an organization, then send its owner to the job's page.
ORG_JOB = {
    "anonymous": same(LOGIN),
    "learner": same(403),
    "manager": same(302),  # always their own organization
    "auditor": (302, 404),
    "admin": same(302),
}
STAFF_PAGE = {
    "anonymous": same(LOGIN),
    "learner": same(403),
    "manager": (200, 404),
    "auditor": (200, 404),
    "admin": same(200),
}
CITY_PAGE = {
    "anonymous": same(LOGIN),
    "learner": same(403),
    "manager": same(403),
    "auditor": same(200),
    "admin": same(200),
}

# endpoint: (method, url, {role: (own, other)})
MATRIX: dict[str, tuple[str, UrlFn, dict[str, tuple[int, int]]]] = {
    "compliance.dashboard": ("GET", lambda w, s: f"/compliance/?org={org_id(w, s)}", ORG_PAGE),
    "compliance.staff_csv": (
        "GET",
        lambda w, s: f"/compliance/staff.csv?org={org_id(w, s)}",
        ORG_PAGE,
    ),
    "compliance.records": (
        "GET",
        lambda w, s: f"/compliance/records.zip?org={org_id(w, s)}",
        ORG_JOB,
    ),
    "compliance.person": (
        "GET",
        lambda w, s: f"/compliance/people/{staff_id(w, s)}",
        STAFF_PAGE,
    ),
    "compliance.remind": (
        "GET",
        lambda w, s: f"/compliance/reminders?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(200),  # always their own organization
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "compliance.annual": ("GET", lambda w, s: f"/compliance/annual?org={org_id(w, s)}", ORG_PAGE),
    "compliance.annual_file": (
        "POST",
        lambda w, s: f"/compliance/annual?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(302),  # no year given: sent back to the form, nothing filed
            "auditor": same(403),
            "admin": same(403),
        },
    ),
    "compliance.annual_download": (
        "GET",
        lambda w, s: f"/compliance/annual/{report_id(w, s)}/pdf",
        STAFF_PAGE,
    ),
    "compliance.auditor": ("GET", lambda w, s: "/compliance/city", CITY_PAGE),
    "compliance.auditor_csv": ("GET", lambda w, s: "/compliance/city.csv", CITY_PAGE),
    "compliance.city_staff_csv": ("GET", lambda w, s: "/compliance/city/staff.csv", CITY_PAGE),
    "compliance.certificates_csv": (
        "GET",
        lambda w, s: "/compliance/city/certificates.csv?q=T",
        CITY_PAGE,
    ),
    "compliance.audit_csv": ("GET", lambda w, s: "/compliance/city/audit.csv", CITY_PAGE),
}

assert set(ROLES) == set(ORG_PAGE) == set(STAFF_PAGE) == set(CITY_PAGE)
