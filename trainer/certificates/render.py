"""Render a training certificate to HTML and to a deterministic PDF/A-3b document.

Rendering works from plain data only (:class:`CertificateData`), never from database
objects, so that the same data always gives the same bytes. It must run inside a Flask
application context: labels come from the app's translation catalog and the template
from its ``templates/`` folder.

The PDF is produced by WeasyPrint (:mod:`trainer.core.pdf`) with a URL fetcher that
refuses every URL except the font files shipped in ``trainer/certificates/fonts``
(addressed as ``font:<file name>``) and the issuer's seal (``image:seal``), so a
certificate can neither read local files nor reach the network, and its look does not
depend on the fonts installed on the machine.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from markupsafe import Markup

from trainer.core.pdf import (
    BASE_URL,
    FONT_SCHEME,
    FONTS_DIR,
    OUTPUT_INTENT,
    PDF_VARIANT,
    DocumentFetcher,
    PdfRenderError,
    URLRefusedError,
    font_path_for_url,
    srgb_output_intent,
)
from trainer.core.pdf import html_to_pdf as _document_to_pdf
from trainer.core.qr import qr_svg
from trainer.core.vocabulary import LANGUAGES

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = LANGUAGES
TEMPLATE = "certificates/pdf.html"
#: Printed edge length of the QR code, quiet zone included (the symbol itself is > 30 mm).
QR_SIZE = "40mm"
#: Beyond these sizes the template switches to its dense layout to stay on one page.
DENSE_AFTER_MODULES = 4
DENSE_AFTER_NAME_CHARS = 36
DENSE_AFTER_LINE_CHARS = 72
#: The fetcher and its errors, under the names the certificate code has always used.
ShippedFontFetcher = DocumentFetcher
CertificateRenderError = PdfRenderError

__all__ = [
    "BASE_URL",
    "FONTS_DIR",
    "FONT_SCHEME",
    "OUTPUT_INTENT",
    "PDF_VARIANT",
    "CertificateData",
    "CertificateRenderError",
    "Issuer",
    "ModuleLine",
    "ShippedFontFetcher",
    "URLRefusedError",
    "font_path_for_url",
    "html_to_pdf",
    "needs_dense_layout",
    "render_certificate_html",
    "render_certificate_pdf",
    "srgb_output_intent",
]


@dataclass(frozen=True)
class ModuleLine:
    """One completed module as printed on the certificate."""

    title: str
    version: int
    score_percent: int
    minutes: int


@dataclass(frozen=True)
class Issuer:
    """The office that issues certificates, as configured (see trainer.core.branding)."""

    office: str
    city: str
    seal: bytes
    seal_type: str  # image/svg+xml or image/png
    signatory_name: str = ""
    signatory_title: str = ""


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
    #: Who issues the certificate: office, city, seal and signatory.
    issuer: Issuer | None = field(default=None)
    #: The training's title in English, printed beside a title in another language.
    track_title_en: str | None = field(default=None)

    def __post_init__(self) -> None:
        if self.language not in SUPPORTED_LANGUAGES:
            raise ValueError(f"unsupported certificate language: {self.language!r}")
        if not isinstance(self.modules, tuple):
            raise TypeError("modules must be a tuple of ModuleLine")


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


def _labels() -> dict[str, str]:
    """The certificate's fixed words in the current locale."""
    return {
        "heading": _("Certificate of completion"),
        "certifies": _("This certifies that"),
        "completed_training": _("has completed the training"),
        "permit": _("Permit number"),
        "module": _("Module"),
        "version": _("Version"),
        "score": _("Post-test score"),
        "minutes": _("Minutes"),
        "total": _("Total training time (minutes)"),
        "completed_on": _("Completed on"),
        "issued_on": _("Issued on"),
        "valid_until": _("Valid until"),
        "no_expiry": _("No expiry date"),
        "renewal": _("Renewal"),
        "legal": _("Legal reference"),
        "serial": _("Serial number"),
        "verify": _("Verify this certificate"),
        "code": _("Verification code"),
        "howto": _(
            "Scan the code or open the address above to confirm that this certificate is "
            "valid and has not been revoked."
        ),
        "issued_by": _("Issued by"),
    }


def _dates(data: CertificateData) -> dict[str, str | None]:
    """The certificate's dates, written out in the current locale."""
    return {
        "completed_on": format_date(data.completed_on, "long"),
        "issued_on": format_date(data.issued_on, "long"),
        "expires_on": (
            format_date(data.expires_on, "long") if data.expires_on is not None else None
        ),
    }


def render_certificate_html(data: CertificateData) -> str:
    """Return the certificate as standalone HTML in ``data.language`` (needs an app context).

    A certificate in another language than English carries the English words beside its
    own, so that an English-speaking inspector can read it too.
    """
    english: dict[str, object] | None = None
    if data.language != "en":
        with force_locale("en"):
            english = {"labels": _labels(), "dates": _dates(data)}
    with force_locale(data.language):
        program_name = data.program_name or _("Anti-Trafficking Training Program")
        qr_title = _(
            "QR code that opens the verification page for certificate %(serial)s",
            serial=data.serial,
        )
        issuer = data.issuer
        context = {
            "data": data,
            "lang": data.language,
            "dense": needs_dense_layout(data),
            "program_name": program_name,
            "operator": ", ".join(p for p in (issuer.office, issuer.city) if p) if issuer else "",
            "L": _labels(),
            "D": _dates(data),
            "E": english,
            "track_title_en": (
                data.track_title_en
                if english and data.track_title_en and data.track_title_en != data.track_title
                else None
            ),
            "document_title": _("Certificate %(serial)s", serial=data.serial),
            "subject": _(
                "Certificate of completion of %(track)s for %(holder)s",
                track=data.track_title,
                holder=data.holder_name,
            ),
            "pdf_timestamp": _pdf_timestamp(data.issued_on),
            # qr_svg escapes its title; its markup holds no other text.
            "qr_markup": Markup(qr_svg(data.verify_url, title=qr_title, size=QR_SIZE)),  # noqa: S704
        }
        return render_template(TEMPLATE, **context)


def html_to_pdf(html: str, seal: tuple[bytes, str] | None = None) -> bytes:
    """Convert certificate HTML to PDF/A-3b bytes, refusing every URL but fonts and the seal."""
    return _document_to_pdf(html, {"seal": seal} if seal else None)


def render_certificate_pdf(data: CertificateData) -> bytes:
    """Return the certificate as PDF/A-3b bytes, identical for identical data."""
    seal = (data.issuer.seal, data.issuer.seal_type) if data.issuer else None
    return html_to_pdf(render_certificate_html(data), seal)
