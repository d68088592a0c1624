"""Bad input gets a 400 or 404 with a message, never a 500; exports and documents stay safe.

One test per class of defect the fuzz walk (tests/policy/test_fuzz.py) and a review found: out of
range ids, unicode digits, CR/LF in `next`, NUL and other control characters, CSV cells
over the parser's limit, a missing organization for an admin; formula cells in every CSV;
names the certificate cannot print; mail that leaves only after the commit.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.web import csrf_token, login
from trainer.audit.models import AuditEvent
from trainer.auth import services as auth
from trainer.auth.models import User
from trainer.core import csvout
from trainer.core.printable import clean, unprintable
from trainer.extensions import db
from trainer.mail import send_after_commit


@pytest.fixture
def admin_client(app, client, make):
    login(client, make.user(role="admin"))
    return client


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/orgs/99999999999999999999/edit", 404),  # path id beyond any integer column
        ("/orgs/2147483648/edit", 404),
        ("/certificates/org?org=9999", 404),  # a missing organization for an admin
        ("/certificates/org?org=99999999999", 400),  # out of range
        ("/certificates/org?org=%C2%B2", 400),  # "²" is a digit to str.isdigit
        ("/certificates/org?org=-3", 400),
        ("/certificates/org?org={org}&track=1e9", 400),
        ("/compliance/?org=%D9%A3", 400),  # Arabic-Indic three
        ("/compliance/annual?org={org}&year=99999999999999", 400),
        ("/audit/?page=99999999999999", 200),  # past the end: the last page
        ("/orgs/staff?org=%E2%81%B5", 400),  # superscript five
    ],
)
def test_bad_numbers_get_a_4xx_with_a_message(admin_client, make, url, status):
    response = admin_client.get(url.format(org=make.org().id))
    assert response.status_code == status, response.text[:300]
    if status == 400:
        assert "must be" in response.text


def test_whitespace_around_an_id_is_accepted(admin_client, make):
    org = make.org(name="Spaced Hotel")
    assert admin_client.get(f"/certificates/org?org=%20{org.id}%20").status_code == 200


def test_a_next_with_cr_lf_is_ignored(client):
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/language", data={"lang": "es", "next": "/\r\nSet-Cookie: x=1", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("value", ["Ann\x00", "Ann\x1b[31m", "\x7fAnn"])
def test_control_characters_are_refused_and_change_nothing(app, client, make, value):
    org = make.org()
    login(client, make.user(org, role="manager"))
    people = db.session.scalar(select(func.count(User.id)))
    response = client.post(
        "/orgs/staff/new",
        data={
            "first_name": value,
            "last_name": "Lee",
            "email": "",
            "job_role": "housekeeping",
            "hire_date": "2026-01-05",
            "language": "es",
            "extra_time_percent": "0",
            "csrf_token": csrf_token(client, "/orgs/staff/new"),
        },
    )
    assert response.status_code == 400 and "control characters" in response.text
    assert db.session.scalar(select(func.count(User.id))) == people


def test_a_csv_cell_over_the_parser_limit_is_reported(app, client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    big = "x" * 200_000
    content = (
        "email,first name,last name,job role,hire date,language\n"
        f"ann@example.test,Ann,{big},front_desk,2026-01-05,en\n"
    ).encode()
    response = client.post(
        "/orgs/staff/import",
        data={
            "file": (io.BytesIO(content), "staff.csv"),
            "csrf_token": csrf_token(client, "/orgs/staff/import"),
        },
    )
    assert response.status_code == 200
    assert "cannot be read" in response.text
    assert db.session.scalar(select(func.count(User.id)).where(User.organization_id == org.id)) == 1


def test_a_year_in_other_digits_is_refused_on_the_annual_filing(app, client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    token = csrf_token(client, "/compliance/annual")
    response = client.post(
        "/compliance/annual",
        data={"year": "²⁰²⁶", "attested_name": "Ann Lee", "csrf_token": token},
    )
    assert response.status_code == 302  # back to the page with a message, nothing filed


# --- exports ---------------------------------------------------------------------------

FORMULAS = ('=HYPERLINK("http://evil.example")', "+SUM(1,2)", "-2+3", "@cmd", "\t=1")


def test_the_shared_writer_neutralises_formula_cells():
    out = io.StringIO()
    writer = csvout.writer(out)
    writer.writerow([*FORMULAS, -5, "-5", "plain", 3.5])
    cells = next(csv.reader(io.StringIO(out.getvalue())))
    assert all(cell.startswith("'") for cell in cells[:5]), cells
    assert cells[5:] == ["-5", "-5", "plain", "3.5"]


def test_staff_export_neutralises_formulas(app, client, make):
    org = make.org()
    make.user(org, first_name=FORMULAS[0], last_name=FORMULAS[1])
    login(client, make.user(org, role="manager"))
    response = client.get("/compliance/staff.csv")
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")], cells


def test_certificate_zip_manifest_neutralises_formulas(app, client, make):
    from tests.support.matrix import _certificate
    from trainer.learning import services as learning

    org = make.org()
    person = make.user(org, first_name="=cmd|' /C calc'!A0", last_name="")
    _certificate(learning.enrollments_of(person)[0], "Z-1")
    login(client, make.user(org, role="manager"))
    token = csrf_token(client, "/certificates/org")
    response = client.post("/certificates/org/zip", data={"csrf_token": token})
    assert response.status_code == 302  # a job builds the ZIP; its page offers it
    with client.get(response.headers["Location"] + "/download") as download:
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    manifest = archive.read("manifest.csv").decode()
    row = list(csv.reader(io.StringIO(manifest)))[1]
    assert row[1].startswith("'="), row


# --- names the documents print ---------------------------------------------------------


def test_printable_names():
    assert unprintable("José Núñez Nguyễn Thị Hồng Ольга") == []
    assert unprintable("王小明") == ["王", "小", "明"]
    assert unprintable("محمد") != []
    assert clean("Ann\u202eeL\u202c ") == "AnneL"


def test_a_name_the_certificate_cannot_print_is_refused_with_the_characters(app, client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    response = client.post(
        "/orgs/staff/new",
        data={
            "first_name": "王小明",
            "last_name": "Wang",
            "email": "",
            "job_role": "housekeeping",
            "hire_date": "2026-01-05",
            "language": "en",
            "extra_time_percent": "0",
            "csrf_token": csrf_token(client, "/orgs/staff/new"),
        },
    )
    assert response.status_code == 200
    assert "cannot be printed" in response.text and "王" in response.text
    assert db.session.scalar(select(func.count(User.id)).where(User.last_name == "Wang")) == 0


def test_the_csv_import_refuses_unprintable_names_and_strips_bidi_controls(app, client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    content = (
        "email,first name,last name,job role,hire date,language\n"
        ",\u202eAnn,Lee,front_desk,2026-01-05,en\n"
        ",Bo,王,housekeeping,2026-01-05,en\n"
    ).encode()

    def upload() -> str:
        return client.post(
            "/orgs/staff/import",
            data={
                "file": (io.BytesIO(content), "staff.csv"),
                "csrf_token": csrf_token(client, "/orgs/staff/import"),
            },
        ).text

    page = upload()
    assert "cannot be printed on the certificate: 王" in page
    assert db.session.scalar(select(User).where(User.last_name == "Lee")) is None
    content = "\n".join(content.decode().splitlines()[:2]).encode() + b"\n"
    upload()
    person = db.session.scalar(select(User).where(User.last_name == "Lee"))
    assert person is not None and person.first_name == "Ann"


def test_a_long_unbroken_name_wraps_inside_the_page(app, tmp_path: Path):
    from tests.certificates.test_render import SAMPLE
    from trainer.certificates.render import render_certificate_pdf

    name = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft" * 2
    pdf = render_certificate_pdf(replace(SAMPLE, holder_name=name))
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout

    page_width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', html)]
    assert right_edges and max(right_edges) <= page_width
    words = re.findall(r">([^<]+)</word>", html)
    assert len([w for w in words if "steinhausen" in w]) >= 2  # the name, in pieces


# --- tokens and mail -------------------------------------------------------------------


def test_tokens_are_bound_to_each_account_s_own_state(app, make):
    from itsdangerous import URLSafeTimedSerializer

    org = make.org()
    one = make.user(org, password_hash=None)
    two = make.user(org, password_hash=None)
    reader = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="trainer-invite")
    first, second = (reader.loads(auth.make_token(u, "invite")) for u in (one, two))
    assert first["f"] != second["f"]  # two accounts without a password differ
    token = auth.make_token(one, "invite")
    auth.set_password(one, "a fine new password")
    db.session.commit()
    assert auth.read_token(token, "invite") is None  # used once: the password changed it


def test_mail_leaves_only_after_the_commit(app, mailbox):
    send_after_commit("kept@example.test", "Kept", "body")
    db.session.commit()
    send_after_commit("dropped@example.test", "Dropped", "body")
    db.session.rollback()
    db.session.commit()
    recipients = [m["To"] for m in mailbox.messages]
    assert recipients == ["kept@example.test"]


def test_an_invitation_is_mailed_after_the_staff_member_is_saved(app, client, make, mailbox):
    org = make.org()
    login(client, make.user(org, role="manager"))
    response = client.post(
        "/orgs/staff/new",
        data={
            "first_name": "Mai",
            "last_name": "Tran",
            "email": "mai@example.test",
            "job_role": "housekeeping",
            "hire_date": "2026-01-05",
            "language": "vi",
            "extra_time_percent": "0",
            "csrf_token": csrf_token(client, "/orgs/staff/new"),
        },
    )
    assert response.status_code == 302
    (message,) = mailbox.messages
    assert message["To"] == "mai@example.test"
    assert db.session.scalar(select(User).where(User.email == "mai@example.test")) is not None
    assert "staff.added" in db.session.scalars(select(AuditEvent.action)).all()
