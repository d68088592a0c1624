"""Access sheets: printed once per code, replaced only on purpose, codes kept out of URLs."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from tests.support.web import csrf_token, login
from trainer.audit.models import AuditEvent
from trainer.auth.models import User
from trainer.extensions import db

CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    return "".join(text.split())


def _qr_links(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of the QR code on each page of a PDF."""
    path = tmp_path / "sheets.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(path), str(tmp_path / "p")], check=True)
    links = []
    for png in sorted(tmp_path.glob("p-*.png")):
        links.append(
            subprocess.run(
                ["zbarimg", "--quiet", "--raw", str(png)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    return links


def _issue(client, person) -> object:
    token = csrf_token(client, "/orgs/staff")
    return client.post(
        f"/orgs/staff/{person.id}/access-code", data={"action": "issue", "csrf_token": token}
    )


def _digest(person) -> str | None:
    db.session.expire_all()
    return db.session.get(User, person.id).access_code_digest


def _signs_in(app, code: str) -> bool:
    phone = app.test_client()
    token = csrf_token(phone, "/auth/code")
    response = phone.post("/auth/code", data={"code": code, "csrf_token": token})
    return response.status_code == 302


def test_first_print_issues_the_code_on_a_bilingual_sheet(client, make, app, tmp_path):
    org = make.org(name="Magnolia Suites")
    manager = make.user(org, role="manager")
    rosa = make.user(
        org,
        email=None,
        password_hash=None,
        first_name="Rosa",
        last_name="Díaz",
        job_role="housekeeping",
        language="es",
    )
    login(client, manager)
    response = _issue(client, rosa)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    (text,) = _pages(response.data)
    code = CODE.search(text).group(1)
    # Who, where, what and by when, in Spanish with the English beside it
    for expected in ("Rosa Díaz", "Magnolia Suites", "Mayor's Office, City of Houston"):
        assert expected in text
    assert "Su acceso a la capacitación" in text and "Your training sign-in" in text
    assert "Termínela antes del" in text and "Finish it by" in text
    assert _flat("Capacitación para empleados de hotel") in _flat(text)
    assert _flat("Hotel employee training") in _flat(text)
    assert _flat("http://localhost/auth/code") in _flat(text)
    # The QR code carries the code in the fragment, which browsers never send.
    assert _qr_links(response.data, tmp_path) == [f"http://localhost/auth/code#code={code}"]
    assert _signs_in(app, code)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("access_code.issued") == 1


def test_english_sheet_has_one_language(client, make):
    org = make.org()
    login(client, make.user(org, role="manager"))
    sam = make.user(org, email=None, password_hash=None, language="en")
    (text,) = _pages(_issue(client, sam).data)
    assert text.count("Your training sign-in") == 1
    assert "Su acceso" not in text


def test_printing_again_never_replaces_the_code(client, make, app):
    org = make.org()
    login(client, make.user(org, role="manager"))
    lan = make.user(org, email=None, password_hash=None)
    first = _issue(client, lan)
    code = CODE.search(_pages(first.data)[0]).group(1)
    digest = _digest(lan)
    # A reload or a second click: no new code, the way to replace it is explained.
    again = _issue(client, lan)
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/orgs/staff/{lan.id}/access-code/replace")
    assert _digest(lan) == digest
    page = client.get(again.headers["Location"])
    assert "cannot be printed again" in page.text and "stops working" in page.text
    assert _digest(lan) == digest and _signs_in(app, code)


def test_replacing_is_confirmed_and_the_old_sheet_stops_working(client, make, app):
    org = make.org()
    login(client, make.user(org, role="manager"))
    lan = make.user(org, email=None, password_hash=None)
    old_code = CODE.search(_pages(_issue(client, lan).data)[0]).group(1)
    url = f"/orgs/staff/{lan.id}/access-code/replace"
    page = client.get(url)
    stamp = re.search(r'name="code_issued" value="([^"]+)"', page.text).group(1)
    token = csrf_token(client, url)
    replaced = client.post(url, data={"code_issued": stamp, "csrf_token": token})
    assert replaced.mimetype == "application/pdf"
    new_code = CODE.search(_pages(replaced.data)[0]).group(1)
    assert new_code != old_code
    assert not _signs_in(app, old_code) and _signs_in(app, new_code)
    # Sending the same confirmation again (a reload) replaces nothing.
    digest = _digest(lan)
    repeat = client.post(url, data={"code_issued": stamp, "csrf_token": token})
    assert repeat.status_code == 302 and _digest(lan) == digest
    assert "already replaced" in client.get(repeat.headers["Location"]).text


def test_one_pdf_for_everyone_without_a_sign_in(client, make, app, tmp_path):
    org = make.org()
    manager = make.user(org, role="manager")
    with_email = make.user(org, first_name="Ana")
    without = [
        make.user(org, email=None, password_hash=None, first_name=name, language=lang)
        for name, lang in (("Binh", "vi"), ("Carla", "es"), ("Dora", "en"))
    ]
    already = make.user(org, email=None, password_hash=None, first_name="Eva")
    login(client, manager)
    _issue(client, already)
    staff = client.get("/orgs/staff")
    assert "3 people cannot sign in yet" in staff.text
    token = csrf_token(client, "/orgs/staff")
    response = client.post("/orgs/staff/access-sheets", data={"csrf_token": token})
    assert response.mimetype == "application/pdf"
    pages = _pages(response.data)
    assert len(pages) == 3
    codes = []
    for person, text in zip(without, pages, strict=True):
        assert person.full_name in text
        assert with_email.full_name not in text and already.full_name not in text
        codes.append(CODE.search(text).group(1))
    # each page in the person's language (Binh: Vietnamese, with English beside it)
    assert "Thông tin đăng nhập" in pages[0] and "Your training sign-in" in pages[0]
    assert "Su acceso a la capacitación" in pages[1]
    assert "Su acceso" not in pages[2] and "Thông tin" not in pages[2]
    links = _qr_links(response.data, tmp_path)
    assert links == [f"http://localhost/auth/code#code={code}" for code in codes]
    assert all(_signs_in(app, code) for code in codes)
    # Sending it again prints nobody: everyone has a code now.
    digests = [_digest(p) for p in without]
    again = client.post("/orgs/staff/access-sheets", data={"csrf_token": token})
    assert again.status_code == 302
    assert [_digest(p) for p in without] == digests
    assert "cannot sign in yet" not in client.get("/orgs/staff").text


def test_code_in_a_query_string_is_not_used(client, make):
    page = client.get("/auth/code?code=ABCD-EFGH-JKLM-NPQR")
    assert page.status_code == 200
    field = re.search(r'<input[^>]*\bid="code"[^>]*>', page.text).group(0)
    assert "ABCD" not in field
    assert "data-code-fragment" in page.text
