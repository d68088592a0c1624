"""Read the outcomes pages as data: tables by id, cells by their column key, and SVGs."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.captions: dict[str, str] = {}
        self._table: str | None = None
        self._row: dict[str, str] | None = None
        self._key: str | None = None
        self._text: list[str] = []
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").startswith("table-"):
            self._table = attrs["id"][len("table-") :]
            self.tables[self._table] = []
        elif tag == "caption" and self._table:
            self._in_caption, self._text = True, []
        elif tag == "tr" and self._table and "data-row" in attrs:
            self._row = {"_row": attrs["data-row"]}  # the row's key (not shown to readers)
        elif tag in ("td", "th") and self._row is not None and "data-key" in attrs:
            self._key, self._text = attrs["data-key"], []

    def handle_endtag(self, tag):
        if tag == "caption" and self._in_caption:
            self.captions[self._table] = " ".join("".join(self._text).split())
            self._in_caption = False
        elif tag in ("td", "th") and self._key is not None:
            self._row[self._key] = " ".join("".join(self._text).split())
            self._key = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._key is not None or self._in_caption:
            self._text.append(data)


def tables(html: str) -> dict[str, list[dict[str, str]]]:
    """Every figure table of a page: id -> rows of {column key: text}."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def number(text: str) -> float | None:
    """A number as the page writes it ("—" is undefined)."""
    text = text.strip()
    if text in ("—", ""):
        return None
    return float(text.replace(",", "").rstrip("%"))


def csv_rows(text: str) -> list[dict[str, str]]:
    """CSV text as dictionaries keyed by the header."""
    return list(csv.DictReader(io.StringIO(text)))


def svgs(html: str) -> dict[str, str]:
    """Each inline SVG by the id of its <title>."""
    found = {}
    for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        match = re.search(r'<title id="([^"]+)-title">', svg)
        if match:
            found[match.group(1)] = svg
    return found
