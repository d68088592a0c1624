"""Every route, for every role, with generated bad values: never a server error.

Hypothesis draws a route from the URL map, values for its path arguments (ids out of
range, ids of real objects, odd strings), and bad values for every query parameter and
form field the application reads (integers out of range, huge strings, control
characters, CR/LF, unicode digits, wrong types). The number of examples is bounded so the
whole walk stays within a couple of minutes on both databases.
"""

from __future__ import annotations

import importlib
import inspect
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from tests.support.matrix import ROLES, World, _world
from tests.support.web import sign_in
from trainer.extensions import db

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"static", "auth.logout"}  # signing out would end the walk's session
#: Examples per route, method and role; FUZZ_EXAMPLES=100 for a deeper walk by hand.
EXAMPLES_PER_ROUTE = int(os.environ.get("FUZZ_EXAMPLES", "4"))


def _names_read_by_views() -> tuple[set[str], set[str]]:
    """Query-parameter and form-field names the source reads, plus every form's fields."""
    source = "\n".join(p.read_text() for p in (ROOT / "trainer").rglob("*.py"))
    args = set(re.findall(r"request\.args\.get(?:list)?\(\s*\"(\w+)\"", source))
    args |= set(re.findall(r"request\.args\[\"(\w+)\"\]", source))
    fields = set(re.findall(r"request\.form\.get(?:list)?\(\s*\"(\w+)\"", source))
    for path in (ROOT / "trainer").glob("*/forms.py"):
        module = importlib.import_module(f"trainer.{path.parent.name}.forms")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls is not FlaskForm:
                fields |= {
                    name
                    for name, value in vars(cls).items()
                    if hasattr(value, "field_class") and not name.startswith("_")
                }
                for base in cls.__mro__[1:]:
                    fields |= {
                        name
                        for name, value in vars(base).items()
                        if hasattr(value, "field_class") and not name.startswith("_")
                    }
    fields.discard("csrf_token")
    return args, fields


ARGS, FIELDS = _names_read_by_views()
_HEADER = b"email,first name,last name,job role,hire date,language\n"
CSV_FILES = [
    b"",
    b"\x00\xff" * 100,
    _HEADER + b"a@example.test,Ann," + b"x" * 200_000 + b",front_desk,2026-01-05,en\n",
    _HEADER + b'"unterminated,Ann,Lee,front_desk,2026-01-05,en\n',
    _HEADER + b"=cmd|' /C calc'!A0,Ann,Lee,front_desk,99999-01-01,en\n",
    b"%PDF-1.7\n" + b"0" * 1000,
]

bad_text = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        [
            "",
            " ",
            " 7 ",
            "\t3",
            "1e9",
            "0x10",
            "-1",
            "0",
            "2147483648",
            "99999999999999999999",
            "٣",
            "²",
            "1.5",
            "null",
            "[]",
            "{}",
            "/\r\nSet-Cookie: x=1",
            "//evil.example/",
            "/\\evil",
            "javascript:alert(1)",
            "=cmd|' /C calc'!A0",
            "a\x00b",
            "\x1b[31m",
            "\u202eevil",
            "😀" * 40,
            "x" * 5000,
            "2026-02-30",
            "9999-12-31",
            "0001-01-01",
            "valid",
            "revoke",
            "submit",
            "yes",
            "admin",
            "learner",
            "manager",
            "es",
            "vi",
        ]
    ),
    st.text(max_size=60),
)


def _path_value(converter: Any, world: World) -> st.SearchStrategy[str]:
    if isinstance(converter, IntegerConverter):
        real = [
            world.own_org.id,
            world.other_org.id,
            world.own_staff.id,
            world.own_progress.id,
            world.own_cert.id,
            world.users["manager"].id,
            world.users["admin"].id,
        ]
        return st.one_of(
            st.sampled_from(real),
            st.integers(min_value=0, max_value=2**70),
        ).map(str)
    return st.one_of(
        st.sampled_from([world.own_cert.verification_code, "welcome", "x" * 300, "..", "%00"]),
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%"),
            min_size=1,
            max_size=40,
        ),
    )


def _url(rule: Any, values: dict[str, str]) -> str:
    path = rule.rule
    for name in rule.arguments:
        value = values[name].replace("%", "%25").replace("/", "%2F")
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", lambda _m, v=value: v, path)
    return path


def _request(data: st.DataObject, rule: Any, method: str, world: World) -> tuple[str, dict, dict]:
    values = {
        name: data.draw(_path_value(rule._converters[name], world), label=name)
        for name in rule.arguments
    }
    query = data.draw(
        st.dictionaries(st.sampled_from(sorted(ARGS | FIELDS)), bad_text, max_size=5),
        label="query",
    )
    form: dict[str, Any] = {}
    if method == "POST":
        form = data.draw(
            st.dictionaries(
                st.sampled_from(sorted(FIELDS | {"q:x", "q:definition", "answer", "cert"})),
                bad_text,
                max_size=6,
            ),
            label="form",
        )
        if data.draw(st.booleans(), label="with a file"):
            content = data.draw(st.sampled_from(CSV_FILES), label="file content")
            for name in ("file", "pdf"):
                form[name] = (io.BytesIO(content), "upload.csv")
    return _url(rule, values), query, form


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_on_bad_input(app, client, make, role):
    world = _world(make)
    if role != "anonymous":
        sign_in(client, world.users[role])
    routes = [
        (rule, method)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
        if rule.endpoint not in SKIP
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    failures: list[str] = []

    def one_route(rule: Any, method: str) -> None:
        @settings(
            max_examples=EXAMPLES_PER_ROUTE,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def walk(data: st.DataObject) -> None:
            url, query, form = _request(data, rule, method, world)
            try:
                response = client.open(url, method=method, query_string=query, data=form)
                status = response.status_code
                response.close()
            except Exception as exc:  # the test client re-raises what a server would log
                status = 500
                query["exception"] = f"{type(exc).__name__}: {str(exc)[:160]}"
            finally:
                db.session.rollback()
            if status >= 500:
                failures.append(f"{rule.endpoint} {status} <- {method} {url} {query} {form}"[:600])

        walk()

    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for rule, method in routes:
            one_route(rule, method)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert not failures, "\n".join(failures[:20])
