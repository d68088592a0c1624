"""Render a training certificate to HTML and to a deterministic PDF/A-3b document.

Rendering works from plain data only (:class:`CertificateData`), never from database
objects, so that the same data always gives the same bytes. It must run inside a Flask
application context: labels come from the app's translation catalog and the template
from its ``templates/`` folder.

The PDF is produced by WeasyPrint with a URL fetcher that refuses every URL except the
font files shipped in ``trainer/certificates/fonts`` (addressed as ``font:<file name>``),
so a certificate can neither read local files nor reach the network, and its look does
not depend on the fonts installed on the machine.
"""

import io
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.css import ColorProfile
from weasyprint.urls import URLFetcher, URLFetcherResponse

from trainer.certificates.qr import qr_svg

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = ("en", "es", "vi")
TEMPLATE = "certificates/pdf.html"
PDF_VARIANT = "pdf/a-3b"
#: Base URL given to WeasyPrint. It is never fetched: the fetcher refuses it.
BASE_URL = "https://certificate.invalid/"
FONT_SCHEME = "font:"
#: Name under which the sRGB output intent (required by PDF/A) is handed to WeasyPrint.
OUTPUT_INTENT = "--certificate-srgb"
FONTS_DIR = (Path(__file__).parent / "fonts").resolve()
_RENDER_LOCK = threading.Lock()
#: Beyond these sizes the template switches to its dense layout to stay on one page.
DENSE_AFTER_MODULES = 4
DENSE_AFTER_NAME_CHARS = 36
DENSE_AFTER_LINE_CHARS = 72
_FONT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(?:ttf|otf|woff|woff2)")
_FONT_TYPES = {
    "ttf": "font/ttf",
    "otf": "font/otf",
    "woff": "font/woff",
    "woff2": "font/woff2",
}


@dataclass(frozen=True)
class ModuleLine:
    """One completed module as printed on the certificate."""

    title: str
    version: int
    score_percent: int
    minutes: int


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on a certificate, as plain values (no database objects)."""

    serial: str
    verification_code: str
    verify_url: str
    holder_name: str
    organization_name: str
    organization_address: str | None
    permit_number: str | None
    track_title: str
    modules: tuple[ModuleLine, ...]
    total_minutes: int
    completed_on: date
    issued_on: date
    expires_on: date | None
    expiry_rule: str
    legal_reference: str
    language: str
    #: Name of the issuing program; the translated default name is used when None.
    program_name: str | None = field(default=None)

    def __post_init__(self) -> None:
        if self.language not in SUPPORTED_LANGUAGES:
            raise ValueError(f"unsupported certificate language: {self.language!r}")
        if not isinstance(self.modules, tuple):
            raise TypeError("modules must be a tuple of ModuleLine")


class CertificateRenderError(RuntimeError):
    """Raised when a certificate could not be rendered exactly as designed."""


class URLRefusedError(ValueError):
    """Raised by :class:`ShippedFontFetcher` for any URL it does not serve."""


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


class ShippedFontFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves only the shipped fonts and refuses everything else.

    Refused URLs are kept in ``refused`` so the caller can fail loudly after rendering.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("font",))
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the font file for a ``font:`` URL; raise URLRefusedError for any other."""
        path = font_path_for_url(url)
        if path is None:
            self.refused.append(url)
            logger.warning("certificate renderer refused URL %r", url[:200])
            raise URLRefusedError(f"URL refused by the certificate renderer: {url[:200]!r}")
        content_type = _FONT_TYPES[path.suffix.removeprefix(".")]
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def needs_dense_layout(data: CertificateData) -> bool:
    """Return True when long names or many modules call for the tighter one-page layout."""
    longest_line = max(len(data.organization_name), len(data.track_title))
    return (
        len(data.modules) > DENSE_AFTER_MODULES
        or len(data.holder_name) > DENSE_AFTER_NAME_CHARS
        or longest_line > DENSE_AFTER_LINE_CHARS
    )


def _pdf_timestamp(day: date) -> str:
    """Return the W3C date-time WeasyPrint writes as the PDF creation and change date."""
    return f"{day.isoformat()}T00:00:00Z"


def render_certificate_html(data: CertificateData) -> str:
    """Return the certificate as standalone HTML in ``data.language`` (needs an app context)."""
    with force_locale(data.language):
        program_name = data.program_name or _("Anti-Trafficking Training Program")
        qr_title = _(
            "QR code that opens the verification page for certificate %(serial)s",
            serial=data.serial,
        )
        context = {
            "data": data,
            "lang": data.language,
            "dense": needs_dense_layout(data),
            "program_name": program_name,
            "document_title": _("Certificate %(serial)s", serial=data.serial),
            "subject": _(
                "Certificate of completion of %(track)s for %(holder)s",
                track=data.track_title,
                holder=data.holder_name,
            ),
            "pdf_timestamp": _pdf_timestamp(data.issued_on),
            "completed_on": format_date(data.completed_on, "long"),
            "issued_on": format_date(data.issued_on, "long"),
            "expires_on": (
                format_date(data.expires_on, "long") if data.expires_on is not None else None
            ),
            # qr_svg escapes its title; its markup holds no other text.
            "qr_markup": Markup(qr_svg(data.verify_url, title=qr_title)),  # noqa: S704
        }
        return render_template(TEMPLATE, **context)


def srgb_output_intent() -> ColorProfile:
    """Return WeasyPrint's own sRGB profile, read into memory, as the PDF/A output intent."""
    # WeasyPrint's built-in "srgb" intent leaves its profile file open (a ResourceWarning);
    # handing it the same profile, read here, embeds the same bytes without the leak.
    profile = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    return ColorProfile(
        io.BytesIO(profile), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"])
    )


def html_to_pdf(html: str) -> bytes:
    """Convert certificate HTML to PDF/A-3b bytes, refusing every URL but the shipped fonts."""
    fetcher = ShippedFontFetcher()
    with _RENDER_LOCK:  # Pango and fontconfig are not safe to drive from two threads at once
        pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
            pdf_variant=PDF_VARIANT,
            output_intent=OUTPUT_INTENT,
            color_profiles={OUTPUT_INTENT: srgb_output_intent()},
        )
    if fetcher.refused:
        raise CertificateRenderError(
            f"certificate HTML asked for {len(fetcher.refused)} refused URL(s)"
        )
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when given no target
        raise CertificateRenderError("WeasyPrint returned no PDF")
    return pdf


def render_certificate_pdf(data: CertificateData) -> bytes:
    """Return the certificate as PDF/A-3b bytes, identical for identical data."""
    return html_to_pdf(render_certificate_html(data))
