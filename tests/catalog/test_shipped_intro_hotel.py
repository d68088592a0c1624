"""The shipped introduction and hotel modules: every item-writing rule holds, and the
coverage the program asks for is on every test."""

from pathlib import Path

import pytest

from trainer.catalog.loader import LoadedContent, check_report, load_content

MODULES = Path(__file__).resolve().parents[2] / "modules"
OURS = ("modules/intro-indicators/", "modules/hotel-lodging/")
DV_PRE_ITEMS = {"dv-overlap", "dv-signs"}


@pytest.fixture(scope="module")
def content() -> LoadedContent:
    """The shipped content, loaded once for this file."""
    return load_content(MODULES)


def test_intro_and_hotel_have_no_problem_and_no_finding() -> None:
    lines, _ = check_report(MODULES)
    ours = [line for line in lines if line.startswith(OURS)]
    assert ours == []


def test_every_intro_post_test_asks_the_hotline_never_confront_and_domestic_violence(
    content: LoadedContent,
) -> None:
    intro = content.modules["intro-indicators"]
    assert intro.post_test_requires == (
        "hotline-number",
        "hotline-text",
        "never-confront",
        "domestic-violence",
    )
    groups: dict[str, list[str]] = {}
    for item in intro.items:
        if item.get("group"):
            groups.setdefault(item["group"], []).append(item["id"])
            assert item["use"] == "post", item["id"]
    assert all(len(groups[group]) >= intro.attempts for group in intro.post_test_requires)


def test_every_intro_pre_test_asks_about_domestic_violence(content: LoadedContent) -> None:
    intro = content.modules["intro-indicators"]
    pre_pool = {item["id"] for item in intro.items if item["use"] in ("pre", "both")}
    assert pre_pool >= DV_PRE_ITEMS
    # A pre-test leaves out len(pre_pool) - pre_test_length items: fewer than the DV items.
    assert len(pre_pool) - intro.pre_test_length < len(DV_PRE_ITEMS)


def test_the_hotel_module_shares_no_item_with_the_introduction(content: LoadedContent) -> None:
    modules = content.modules
    intro = {item["id"] for item in modules["intro-indicators"].items}
    hotel = {item["id"] for item in modules["hotel-lodging"].items}
    assert intro.isdisjoint(hotel)


def test_the_hotel_module_opens_with_its_content_note(content: LoadedContent) -> None:
    hotel = content.modules["hotel-lodging"]
    assert [lesson.id for lesson in hotel.lessons][:2] == ["welcome", "responding"]
    for language in hotel.languages:
        assert "1-888-373-7888" in hotel.lessons[0].markdown[language]
