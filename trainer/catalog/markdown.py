"""Render lesson and document Markdown to safe HTML, and read a lesson's title.

Markdown is converted with python-markdown (the `extra` extensions without raw-HTML
passthrough, plus sane lists) and the result is sanitized with nh3, so content files can
never put scripts, styles, event attributes or unsafe links on a page.
"""

from __future__ import annotations

import re

import markdown
import nh3

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "a",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "br",
    }
)
"""The only tags rendered content may contain; any other tag is dropped, its text kept."""

LINK_SCHEMES: tuple[str, ...] = ("http://", "https://", "mailto:", "tel:")
"""Link targets allowed in content; relative, fragment and script links are removed."""

_DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})

# The `extra` bundle minus `md_in_html`, which only matters for raw HTML.
_EXTENSIONS = ("abbr", "attr_list", "def_list", "fenced_code", "footnotes", "tables", "sane_lists")

_HEADING = re.compile(r"^#[ \t]+(?P<text>.+?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")


def _keep_safe_link(tag: str, attribute: str, value: str) -> str | None:
    """Keep `href` on links only when it uses an allowed scheme; pass other attributes."""
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(LINK_SCHEMES) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROPPED_WITH_CONTENT),
    attributes={"a": {"href"}},
    attribute_filter=_keep_safe_link,
    strip_comments=True,
    link_rel="noopener",
)


def _markdown_to_html(text: str) -> str:
    """Convert Markdown to HTML, escaping raw HTML instead of passing it through."""
    converter = markdown.Markdown(extensions=list(_EXTENSIONS), output_format="html")
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter.convert(text)


def sanitize_html(html: str) -> str:
    """Reduce an HTML fragment to the allowed tags, with `href` (safe schemes) on links."""
    return _CLEANER.clean(html)


def render_markdown(text: str) -> str:
    """Render content Markdown to sanitized HTML."""
    return sanitize_html(_markdown_to_html(text))


def first_heading(text: str) -> str | None:
    """Return the text of the first `# ` heading outside code fences, or None."""
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match:
            return match.group("text").strip()
    return None
