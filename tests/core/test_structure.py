"""The shape of the code: typed hooks, navigation contributed by features, one vocabulary."""

from __future__ import annotations

import pytest

from trainer.core import vocabulary
from trainer.core.hooks import REGISTRY, Hook


def test_a_hook_calls_its_subscribers_in_order_once_each() -> None:
    calls: list[str] = []
    hook: Hook[[str], int] = Hook("test.ordered")
    try:

        def first(value: str) -> int:
            calls.append(f"first {value}")
            return 1

        def second(value: str) -> int:
            calls.append(f"second {value}")
            return 2

        hook.connect(first)
        hook.connect(second)
        hook.connect(first)  # connecting again changes nothing
        assert hook.emit("x") == [1, 2]
        assert calls == ["first x", "second x"]
        hook.disconnect(first)
        assert hook.subscribers == (second,)
    finally:
        del REGISTRY["test.ordered"]


def test_a_question_needs_exactly_one_answerer() -> None:
    hook: Hook[[], int] = Hook("test.question")
    try:
        with pytest.raises(LookupError):
            hook.ask()
        hook.connect(lambda: 7)
        assert hook.ask() == 7
        hook.connect(lambda: 8)
        with pytest.raises(LookupError):
            hook.ask()
    finally:
        del REGISTRY["test.question"]


def test_hook_names_are_unique() -> None:
    import trainer.learning.services  # noqa: F401 - declares the hook

    with pytest.raises(ValueError, match="declared twice"):
        Hook("learning.track_completed")


def test_the_app_connects_every_declared_hook(app) -> None:
    """Every hook a feature declares has a subscriber once the app is built."""
    declared = {name for name in REGISTRY if not name.startswith("test.")}
    assert {
        "assessments.module_passed",
        "learning.track_completed",
        "certificates.jurisdiction_facts",
        "orgs.staff_added",
    } <= declared
    unconnected = sorted(name for name in declared if not REGISTRY[name].subscribers)
    assert unconnected == []


def test_navigation_is_contributed_by_the_features_in_a_stable_order(app) -> None:
    links = app.extensions["trainer.navigation"]
    endpoints = [link.endpoint for link in links]
    assert endpoints[0] == "learning.home" and endpoints[-1] == "auth.change_password"
    assert len(endpoints) == len(set(endpoints))
    assert all(endpoint in app.view_functions for endpoint in endpoints)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("learner", ["learning.home", "certificates.mine", "auth.change_password"]),
        (
            "auditor",
            [
                "orgs.org_list",
                "compliance.auditor",
                "certificates.search",
                "outcomes.index",
                "audit.log",
                "auth.change_password",
            ],
        ),
    ],
)
def test_each_role_sees_its_links(app, make, role, expected) -> None:
    from trainer.core.navigation import navigation

    user = make.user(make.org(), role=role)
    with app.test_request_context("/"):
        from flask_login import login_user

        login_user(user)
        urls = [item["url"] for item in navigation()]
    with app.test_request_context("/"):
        from flask import url_for

        assert urls == [url_for(endpoint) for endpoint in expected]


def test_the_vocabulary_is_the_one_the_loaders_use() -> None:
    from trainer.catalog import glossary, loader
    from trainer.compliance import rules
    from trainer.core.templating import LANGUAGE_NAMES

    assert loader.LANGUAGES[: len(vocabulary.LANGUAGES)] == vocabulary.LANGUAGES
    assert loader.REQUIRED_LANGUAGES == vocabulary.REQUIRED_LANGUAGES
    assert set(loader.ORG_KINDS) == set(rules.ORG_KINDS) == set(vocabulary.ORG_KINDS)
    assert set(rules.JOB_ROLES) == set(vocabulary.JOB_ROLES)
    assert rules.LANGUAGES == glossary.GLOSSARY_LANGUAGES == vocabulary.LANGUAGES
    assert LANGUAGE_NAMES is vocabulary.LANGUAGE_NAMES
    assert vocabulary.supported_language("fr") == "en"
    assert vocabulary.supported_language("vi") == "vi"


def test_today_is_the_date_in_the_program_time_zone(app, monkeypatch) -> None:
    from datetime import UTC, date, datetime

    from trainer import timeutil

    # 03:30 UTC on 2 March is still 1 March in Houston (UTC-6) but already 2 March in Hanoi
    monkeypatch.setattr(timeutil, "utcnow", lambda: datetime(2026, 3, 2, 3, 30, tzinfo=UTC))
    with app.app_context():
        assert timeutil.today() == date(2026, 3, 1)
        assert timeutil.local_date(datetime(2026, 3, 2, 3, 30, tzinfo=UTC)) == date(2026, 3, 1)
        monkeypatch.setitem(app.config, "PROGRAM_TIMEZONE", "Asia/Ho_Chi_Minh")
        assert timeutil.today() == date(2026, 3, 2)
