"""Matrix rows for the foundation, learning and certificate routes."""

from __future__ import annotations

from tests.support.matrix import (
    LOGIN,
    ROLES,
    UrlFn,
    cert_code,
    cert_id,
    org_id,
    progress_id,
    same,
    staff_id,
)

# endpoint: (method, url, {role: (own, other)})
MATRIX: dict[str, tuple[str, UrlFn, dict[str, tuple[int, int]]]] = {
    "home.index": (
        "GET",
        lambda w, s: "/",
        {
            "anonymous": same(200),
            "learner": same(302),
            "manager": same(302),
            "auditor": same(302),
            "admin": same(302),
        },
    ),
    "home.healthz": ("GET", lambda w, s: "/healthz", {r: same(200) for r in ROLES}),
    "home.set_language": ("POST", lambda w, s: "/language", {r: same(302) for r in ROLES}),
    "home.seal": ("GET", lambda w, s: "/seal", {r: same(200) for r in ROLES}),
    "static": ("GET", lambda w, s: "/static/css/app.css", {r: same(200) for r in ROLES}),
    "auth.login": (
        "GET",
        lambda w, s: "/auth/login",
        {"anonymous": same(200), **{r: same(302) for r in ROLES[1:]}},
    ),
    "auth.code_login": ("GET", lambda w, s: "/auth/code", {r: same(200) for r in ROLES}),
    "auth.logout": ("POST", lambda w, s: "/auth/logout", {r: same(302) for r in ROLES}),
    "auth.reset_request": ("GET", lambda w, s: "/auth/reset", {r: same(200) for r in ROLES}),
    "auth.reset": ("GET", lambda w, s: "/auth/reset/not-a-token", {r: same(302) for r in ROLES}),
    "auth.accept_invitation": (
        "GET",
        lambda w, s: "/auth/invitation/not-a-token",
        {r: same(302) for r in ROLES},
    ),
    "auth.change_password": (
        "GET",
        lambda w, s: "/auth/password",
        {"anonymous": same(LOGIN), **{r: same(200) for r in ROLES[1:]}},
    ),
    "auth.user_list": (
        "GET",
        lambda w, s: "/auth/users",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "mail.outbox_list": (
        "GET",
        lambda w, s: "/admin/mail/",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "mail.retry": (
        "POST",
        lambda w, s: "/admin/mail/1/retry",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(404),
        },
    ),
    "auth.change_role": (
        "POST",
        lambda w, s: f"/auth/users/{staff_id(w, s)}/role",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(400),
        },
    ),
    "orgs.org_list": (
        "GET",
        lambda w, s: "/orgs/",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(302),
            "auditor": same(200),
            "admin": same(200),
        },
    ),
    "orgs.org_new": (
        "GET",
        lambda w, s: "/orgs/new",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.org_edit": (
        "GET",
        lambda w, s: f"/orgs/{org_id(w, s)}/edit",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_list": (
        "GET",
        lambda w, s: f"/orgs/staff?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(200),
            "auditor": (200, 404),
            "admin": same(200),
        },
    ),
    "orgs.staff_new": (
        "GET",
        lambda w, s: f"/orgs/staff/new?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(200),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_edit": (
        "GET",
        lambda w, s: f"/orgs/staff/{staff_id(w, s)}/edit",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (200, 404),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_active": (
        "POST",
        lambda w, s: f"/orgs/staff/{staff_id(w, s)}/active",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (200, 404),  # the confirmation page
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_invite": (
        "POST",
        lambda w, s: f"/orgs/staff/{staff_id(w, s)}/invite",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (400, 404),
            "auditor": same(403),
            "admin": same(400),
        },
    ),
    "orgs.staff_access_code_replace": (
        "GET",
        lambda w, s: f"/orgs/staff/{staff_id(w, s)}/access-code/replace",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (200, 404),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.access_sheets": (
        "POST",
        lambda w, s: f"/orgs/staff/access-sheets?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(302),  # their own organization's staff all have a sign-in
            "auditor": same(403),
            "admin": same(302),
        },
    ),
    "orgs.staff_access_code": (
        "POST",
        lambda w, s: f"/orgs/staff/{staff_id(w, s)}/access-code",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": (200, 404),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_import": (
        "GET",
        lambda w, s: f"/orgs/staff/import?org={org_id(w, s)}",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(200),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "orgs.staff_import_template": (
        "GET",
        lambda w, s: "/orgs/staff/import/template.csv",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(200),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "audit.log": (
        "GET",
        lambda w, s: "/audit/",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(200),
            "admin": same(200),
        },
    ),
    "audit.verify": (
        "POST",
        lambda w, s: "/audit/verify",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(302),
            "admin": same(302),
        },
    ),
    "catalog.admin_modules": (
        "GET",
        lambda w, s: "/catalog/",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
    "catalog.preview": (
        "GET",
        lambda w, s: f"/catalog/version/{w.own_progress.module.current_version_id}?lang=es",
        {
            "anonymous": same(LOGIN),
            "learner": same(403),
            "manager": same(403),
            "auditor": same(403),
            "admin": same(200),
        },
    ),
}

LEARNER_ONLY = {
    "anonymous": same(LOGIN),
    "learner": (200, 404),
    "manager": same(404),
    "auditor": same(403),
    "admin": same(403),
}
LEARNER_POST = {
    "anonymous": same(LOGIN),
    "learner": (302, 404),
    "manager": same(404),
    "auditor": same(403),
    "admin": same(403),
}
MATRIX.update(
    {
        "learning.home": (
            "GET",
            lambda w, s: "/learn/",
            {
                "anonymous": same(LOGIN),
                "learner": same(200),
                "manager": same(200),
                "auditor": same(403),
                "admin": same(403),
            },
        ),
        "learning.module": ("GET", lambda w, s: f"/learn/m/{progress_id(w, s)}", LEARNER_ONLY),
        "learning.start_pre": (
            "POST",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/pre",
            LEARNER_POST,
        ),
        "learning.lesson": (
            "GET",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/lesson/welcome",
            {**LEARNER_ONLY, "learner": (302, 404)},
        ),
        "learning.complete_lesson": (
            "POST",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/lesson/welcome",
            {**LEARNER_POST, "learner": (400, 404)},
        ),
        "learning.attest": (
            "GET",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/attest",
            {**LEARNER_ONLY, "learner": (404, 404)},
        ),
        "learning.document": (
            "GET",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/document/x",
            {**LEARNER_ONLY, "learner": (404, 404)},
        ),
        "learning.start_post": (
            "POST",
            lambda w, s: f"/learn/m/{progress_id(w, s)}/post",
            LEARNER_POST,
        ),
        "learning.extra_round": (
            "POST",
            lambda w, s: f"/learn/progress/{progress_id(w, s)}/extra-round",
            {
                "anonymous": same(LOGIN),
                "learner": same(403),
                "manager": (302, 404),
                "auditor": same(403),
                "admin": same(302),
            },
        ),
        "learning.assign": (
            "POST",
            lambda w, s: f"/learn/assign/{staff_id(w, s)}",
            {
                "anonymous": same(LOGIN),
                "learner": same(403),
                "manager": (400, 404),
                "auditor": same(403),
                "admin": same(400),
            },
        ),
        "learning.attempt": (
            "GET",
            lambda w, s: f"/learn/attempt/{999 if s == 'other' else 998}",
            {**LEARNER_ONLY, "learner": (404, 404)},
        ),
        "learning.save_answer": (
            "POST",
            lambda w, s: "/learn/attempt/999/answer",
            {**LEARNER_POST, "learner": same(404)},
        ),
        "learning.submit": (
            "POST",
            lambda w, s: "/learn/attempt/999",
            {**LEARNER_POST, "learner": same(404)},
        ),
        "learning.result": (
            "GET",
            lambda w, s: "/learn/attempt/999/result",
            {**LEARNER_ONLY, "learner": same(404)},
        ),
    }
)


STAFF_CERT = {
    "anonymous": same(LOGIN),
    "learner": same(403),
    "manager": (200, 404),
    "auditor": (200, 404),
    "admin": same(200),
}
ADMIN_ONLY_POST = {
    "anonymous": same(LOGIN),
    "learner": same(403),
    "manager": same(403),
    "auditor": same(403),
    "admin": same(302),
}
MATRIX.update(
    {
        "certificates.verify": (
            "GET",
            lambda w, s: f"/verify/{cert_code(w, s)}",
            {r: same(200) for r in ROLES},
        ),
        "certificates.verify_json": (
            "GET",
            lambda w, s: f"/verify/{cert_code(w, s)}.json",
            {r: same(200) for r in ROLES},
        ),
        "certificates.mine": (
            "GET",
            lambda w, s: "/certificates/mine",
            {
                "anonymous": same(LOGIN),
                "learner": same(200),
                "manager": same(200),
                "auditor": same(403),
                "admin": same(403),
            },
        ),
        "certificates.earned": (
            "GET",
            lambda w, s: (
                f"/certificates/earned/{(w.own_cert if s == 'own' else w.other_cert).enrollment_id}"
            ),
            {
                "anonymous": same(LOGIN),
                "learner": (200, 404),
                "manager": same(404),
                "auditor": same(403),
                "admin": same(403),
            },
        ),
        "certificates.download": (
            "GET",
            lambda w, s: f"/certificates/{cert_id(w, s)}/download",
            {**STAFF_CERT, "learner": (200, 404)},
        ),
        "certificates.detail": ("GET", lambda w, s: f"/certificates/{cert_id(w, s)}", STAFF_CERT),
        "certificates.org_list": (
            "GET",
            lambda w, s: f"/certificates/org?org={org_id(w, s)}",
            {
                "anonymous": same(LOGIN),
                "learner": same(403),
                "manager": same(200),
                "auditor": (200, 404),
                "admin": same(200),
            },
        ),
        "certificates.org_zip": (
            "POST",
            lambda w, s: f"/certificates/org/zip?org={org_id(w, s)}",
            {  # a job builds the ZIP: its page follows
                "anonymous": same(LOGIN),
                "learner": same(403),
                "manager": same(302),
                "auditor": (302, 404),
                "admin": same(302),
            },
        ),
        "certificates.search": (
            "GET",
            lambda w, s: "/certificates/search?q=T",
            {
                "anonymous": same(LOGIN),
                "learner": same(403),
                "manager": same(403),
                "auditor": same(200),
                "admin": same(200),
            },
        ),
        "certificates.revoke": (
            "POST",
            lambda w, s: f"/certificates/{cert_id(w, s)}/revoke",
            ADMIN_ONLY_POST,
        ),
        "certificates.reissue": (
            "POST",
            lambda w, s: f"/certificates/{cert_id(w, s)}/reissue",
            ADMIN_ONLY_POST,
        ),
    }
)
