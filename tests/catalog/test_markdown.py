from html.parser import HTMLParser

import pytest

from trainer.catalog.markdown import ALLOWED_TAGS, first_heading, render_markdown, sanitize_html


class _Elements(HTMLParser):
    """Collect every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def test_basic_formatting_is_rendered() -> None:
    html = render_markdown(
        "# Title\n\n## Part\n\nSome **bold** and *soft* text.\n\n- one\n- two\n\n"
        "1. first\n2. second\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    tags = [tag for tag, _ in elements(html)]
    for tag in ("h1", "h2", "strong", "em", "ul", "ol", "li", "blockquote", "table", "td"):
        assert tag in tags


def test_script_tags_in_markdown_never_become_elements() -> None:
    html = render_markdown(
        "Hello\n\n<script>alert('x')</script>\n\nInline <script>alert(2)</script>"
    )
    assert all(tag != "script" for tag, _ in elements(html))


def test_sanitizer_drops_script_and_style_with_their_content() -> None:
    html = sanitize_html("<p>safe<script>alert('x')</script><style>p{}</style></p>")
    assert html == "<p>safe</p>"


@pytest.mark.parametrize(
    "source",
    [
        "<img src=x onerror=alert(1)>",
        'Text <span onmouseover="alert(1)">hover</span>',
        '<p onclick="alert(1)" style="color:red">para</p>',
        'Para {: onclick="alert(1)" }',
    ],
)
def test_no_event_or_style_attributes_survive(source: str) -> None:
    for html in (render_markdown(source), sanitize_html(source)):
        for tag, attrs in elements(html):
            assert tag in ALLOWED_TAGS
            assert not any(name.startswith("on") or name == "style" for name in attrs), html


def test_iframe_is_removed() -> None:
    assert "iframe" not in sanitize_html('<iframe src="https://example.org"></iframe>ok')


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,hi", "/relative", "#x"]
)
def test_unsafe_or_relative_links_lose_their_href(link: str) -> None:
    anchors = [attrs for tag, attrs in elements(render_markdown(f"[click]({link})")) if tag == "a"]
    assert anchors and all("href" not in attrs for attrs in anchors)


@pytest.mark.parametrize(
    "link",
    [
        "https://example.org/help",
        "http://example.org",
        "mailto:help@example.org",
        "tel:+18883737888",
    ],
)
def test_safe_links_keep_href_with_noopener(link: str) -> None:
    anchors = [attrs for tag, attrs in elements(render_markdown(f"[call]({link})")) if tag == "a"]
    assert anchors == [{"href": link, "rel": "noopener"}]


def test_code_blocks_keep_no_class_attribute() -> None:
    html = render_markdown("```python\nprint('<b>')\n```\n")
    assert ("code", {}) in elements(html)
    assert "&lt;b&gt;" in html


def test_first_heading_finds_the_first_level_one_heading() -> None:
    text = "Intro line\n\n## Not this\n\n```\n# inside a fence\n```\n\n# The title ##\n\n# Later\n"
    assert first_heading(text) == "The title"


@pytest.mark.parametrize(
    "text", ["", "## Second level only\n", "#NoSpace\n", "Text # not at start\n"]
)
def test_first_heading_none_without_level_one_heading(text: str) -> None:
    assert first_heading(text) is None
