"""HTML to deterministic PDF/A-3b with WeasyPrint, fetching nothing from outside.

Documents (certificates, access sheets, reports) are rendered from plain data by a
template. The URL fetcher serves only the font files shipped in
``trainer/certificates/fonts`` (addressed as ``font:<file name>``) and the images the
caller hands over (``image:<name>``, e.g. the program's seal); every other URL is
refused, so a document can neither read local files nor reach the network, and its look
does not depend on the fonts installed on the machine.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

from weasyprint import HTML
from weasyprint.css import ColorProfile
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

PDF_VARIANT = "pdf/a-3b"
#: Base URL given to WeasyPrint. It is never fetched: the fetcher refuses it.
BASE_URL = "https://certificate.invalid/"
FONT_SCHEME = "font:"
IMAGE_SCHEME = "image:"
#: Name under which the sRGB output intent (required by PDF/A) is handed to WeasyPrint.
OUTPUT_INTENT = "--certificate-srgb"
FONTS_DIR = (Path(__file__).resolve().parent.parent / "certificates" / "fonts").resolve()
_RENDER_LOCK = threading.Lock()
_FONT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(?:ttf|otf|woff|woff2)")
_FONT_TYPES = {
    "ttf": "font/ttf",
    "otf": "font/otf",
    "woff": "font/woff",
    "woff2": "font/woff2",
}
_IMAGE_TYPES = {"image/svg+xml", "image/png"}


class PdfRenderError(RuntimeError):
    """Raised when a document could not be rendered exactly as designed."""


class URLRefusedError(ValueError):
    """Raised by :class:`DocumentFetcher` for any URL it does not serve."""


def font_path_for_url(url: str) -> Path | None:
    """Return the shipped font file that ``font:<name>`` points to, or None if refused."""
    if not url.startswith(FONT_SCHEME):
        return None
    name = url.removeprefix(FONT_SCHEME)
    if not _FONT_NAME.fullmatch(name):
        return None
    path = (FONTS_DIR / name).resolve()
    if path.parent != FONTS_DIR or not path.is_file():
        return None
    return path


class DocumentFetcher(URLFetcher):
    """WeasyPrint URL fetcher: the shipped fonts and the given images, nothing else.

    ``images`` maps a name to (bytes, media type); the document refers to it as
    ``image:<name>``. Refused URLs are kept in ``refused`` so the caller can fail loudly
    after rendering.
    """

    def __init__(self, images: Mapping[str, tuple[bytes, str]] | None = None) -> None:
        super().__init__(allowed_protocols=("font", "image"))
        self.images = dict(images or {})
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return a shipped font or a given image; raise URLRefusedError for any other URL."""
        if url.startswith(IMAGE_SCHEME) and url.removeprefix(IMAGE_SCHEME) in self.images:
            data, media_type = self.images[url.removeprefix(IMAGE_SCHEME)]
            if media_type in _IMAGE_TYPES:
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
        path = font_path_for_url(url)
        if path is None:
            self.refused.append(url)
            logger.warning("document renderer refused URL %r", url[:200])
            raise URLRefusedError(f"URL refused by the document renderer: {url[:200]!r}")
        content_type = _FONT_TYPES[path.suffix.removeprefix(".")]
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def srgb_output_intent() -> ColorProfile:
    """Return WeasyPrint's own sRGB profile, read into memory, as the PDF/A output intent."""
    # WeasyPrint's built-in "srgb" intent leaves its profile file open (a ResourceWarning);
    # handing it the same profile, read here, embeds the same bytes without the leak.
    profile = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    return ColorProfile(
        io.BytesIO(profile), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"])
    )


def html_to_pdf(html: str, images: Mapping[str, tuple[bytes, str]] | None = None) -> bytes:
    """Convert document HTML to PDF/A-3b bytes, refusing every URL but fonts and `images`."""
    fetcher = DocumentFetcher(images)
    with _RENDER_LOCK:  # Pango and fontconfig are not safe to drive from two threads at once
        pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
            pdf_variant=PDF_VARIANT,
            output_intent=OUTPUT_INTENT,
            color_profiles={OUTPUT_INTENT: srgb_output_intent()},
        )
    if fetcher.refused:
        raise PdfRenderError(f"document HTML asked for {len(fetcher.refused)} refused URL(s)")
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when given no target
        raise PdfRenderError("WeasyPrint returned no PDF")
    return pdf
