"""Tests for the certificate renderer (HTML, PDF/A-3b, QR code, fonts, URL fetcher).

Golden files: ``golden/certificate-en.txt`` holds the text of the PDF rendered from
``SAMPLE`` (as poppler's pdftotext reads it) and ``golden/certificate-en.json`` its
structure: pages, page size, embedded fonts, PDF/A markers, metadata and what its QR
code decodes to. They do not depend on the exact bytes WeasyPrint writes, only on what
the certificate shows; after an intended change to the template or the data, look at the
new PDF and regenerate them with:

    UPDATE_GOLDEN=1 .venv/bin/pytest --noconftest -p no:cacheprovider \
        tests/certificates/test_render.py -k golden
"""

import difflib
import io
import json
import logging
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest
import segno
from flask import Flask
from flask_babel import Babel
from fontTools.ttLib import TTFont

from trainer.certificates import render
from trainer.certificates.qr import qr_svg
from trainer.certificates.render import (
    FONTS_DIR,
    CertificateData,
    CertificateRenderError,
    Issuer,
    ModuleLine,
    ShippedFontFetcher,
    URLRefusedError,
    html_to_pdf,
    needs_dense_layout,
    render_certificate_html,
    render_certificate_pdf,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SEAL = (REPO_ROOT / "trainer" / "static" / "img" / "seal.svg").read_bytes()
GOLDEN_DIR = Path(__file__).parent / "golden"
LETTER_LANDSCAPE = (792, 612)

SAMPLE = CertificateData(
    serial="HOU-2025-000123",
    verification_code="K7QX-4MZP-93TR",
    verify_url="https://training.example.org/verify/K7QX-4MZP-93TR",
    holder_name="Jordan Ellis",
    organization_name="Bayou City Suites",
    organization_address="1200 Main St, Houston, TX 77002",
    permit_number="HTL-004512",
    track_title="Hotel staff: front desk and housekeeping",
    modules=(
        ModuleLine("Recognizing human trafficking", 3, 92, 35),
        ModuleLine("Hotels and lodging: what to notice and how to report", 2, 88, 40),
        ModuleLine("Front desk procedures", 1, 100, 20),
    ),
    total_minutes=95,
    completed_on=date(2025, 3, 1),
    issued_on=date(2025, 3, 2),
    expires_on=date(2026, 3, 2),
    expiry_rule="yearly (Houston City Code ch. 28)",
    legal_reference="Houston City Code ch. 28, sec. 28-212",
    language="en",
    issuer=Issuer(
        office="Mayor's Office",
        city="City of Houston",
        seal=SEAL,
        seal_type="image/svg+xml",
        signatory_name="Jordan Reyes",
        signatory_title="Program Director",
    ),
    track_title_en="Hotel staff: front desk and housekeeping",
)


@pytest.fixture
def cert_app() -> Iterator[Flask]:
    app = Flask(__name__, template_folder=str(REPO_ROOT / "templates"))
    Babel(app, default_locale="en")
    with app.app_context():
        yield app


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    """The PDF of SAMPLE, rendered once for the tests that only read it."""
    app = Flask(__name__, template_folder=str(REPO_ROOT / "templates"))
    Babel(app, default_locale="en")
    with app.app_context():
        return render_certificate_pdf(SAMPLE)


@pytest.fixture
def translated_app() -> Iterator[Flask]:
    """The renderer with the app's Spanish and Vietnamese catalogs."""
    app = Flask(__name__, template_folder=str(REPO_ROOT / "templates"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(REPO_ROOT / "trainer" / "translations")
    Babel(app, default_locale="en")
    with app.app_context():
        yield app


def reader_for(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader_for(pdf).pages)


def flat(text: str) -> str:
    """Join the text of a PDF page into one line, as layout may break lines anywhere."""
    return re.sub(r"\s+", "", text)


def svg_dark_modules(svg: str) -> set[tuple[int, int]]:
    """Decode segno's SVG path (horizontal runs of dark modules) into (row, col) cells."""
    match = re.search(r'<path[^>]* stroke="#000"[^>]* d="([^"]+)"', svg)
    assert match, svg
    viewbox = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert viewbox
    cells: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", match[1]):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            length = int(a)
            cells.update((int(y - 0.5), int(x) + i) for i in range(length))
            x += length
    return cells


def segno_dark_modules(url: str) -> set[tuple[int, int]]:
    qr = segno.make(url, error="m", micro=False, boost_error=False)
    return {
        (row, col)
        for row, line in enumerate(qr.matrix_iter(border=4))
        for col, dark in enumerate(line)
        if dark
    }


def shipped_postscript_names() -> set[str]:
    return {TTFont(path)["name"].getDebugName(6) for path in sorted(FONTS_DIR.glob("*.ttf"))}


def embedded_fonts(pdf: bytes) -> list[dict[str, object]]:
    fonts = []
    for page in reader_for(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            file_stream = descriptor.get("/FontFile2")
            program = file_stream.get_object().get_data() if file_stream else None
            fonts.append({"base": str(font["/BaseFont"]), "program": program})
    return fonts


# --- QR code -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        SAMPLE.verify_url,
        "https://training.example.org/verify/ZZZZ-0000-1111?lang=es&src=qr",
    ],
)
def test_qr_svg_encodes_the_url(url: str) -> None:
    assert svg_dark_modules(qr_svg(url)) == segno_dark_modules(url)


def test_qr_svg_differs_for_another_url() -> None:
    other = SAMPLE.verify_url.replace("K7QX", "K7QY")
    assert svg_dark_modules(qr_svg(SAMPLE.verify_url)) != svg_dark_modules(qr_svg(other))


def test_qr_svg_is_deterministic_inline_markup_one_inch_wide() -> None:
    first = qr_svg(SAMPLE.verify_url)
    assert first == qr_svg(SAMPLE.verify_url)
    assert first.startswith("<svg ")
    assert "<?xml" not in first
    assert 'width="1in" height="1in"' in first
    size = segno.make(SAMPLE.verify_url, error="m", micro=False).symbol_size(border=4)
    assert f'viewBox="0 0 {size[0]} {size[1]}"' in first
    assert 'fill="#fff"' in first


def test_qr_svg_title_is_escaped_and_defaults_to_url() -> None:
    assert f"<title>{SAMPLE.verify_url}</title>" in qr_svg(SAMPLE.verify_url)
    titled = qr_svg(SAMPLE.verify_url, title='Scan <me> & "verify"')
    assert '<title>Scan &lt;me&gt; &amp; "verify"</title>' in titled


def test_html_embeds_the_qr_for_the_verify_url(cert_app: Flask) -> None:
    html = render_certificate_html(SAMPLE)
    embedded = re.search(r"<svg .*?</svg>", html, re.DOTALL)
    assert embedded
    assert svg_dark_modules(embedded[0]) == segno_dark_modules(SAMPLE.verify_url)


# --- URL fetcher -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/",
        "https://example.com/logo.png",
        "https://certificate.invalid/",
        "data:text/plain,hello",
        "ftp://example.com/font.ttf",
        "font:../../../../etc/passwd",
        "font:../fonts/NotoSans-Regular.ttf",
        "font:/etc/passwd",
        "font:%2e%2e/render.py",
        "font:OFL.txt",
        "font:Missing-Regular.ttf",
        "font:",
        "FONT:NotoSans-Regular.ttf",
    ],
)
def test_fetcher_refuses_everything_but_shipped_fonts(url: str) -> None:
    fetcher = ShippedFontFetcher()
    with pytest.raises(URLRefusedError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


@pytest.mark.parametrize("name", ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf"])
def test_fetcher_serves_shipped_fonts(name: str) -> None:
    fetcher = ShippedFontFetcher()
    response = fetcher.fetch(f"font:{name}")
    try:
        assert response.read() == (FONTS_DIR / name).read_bytes()
    finally:
        response.close()
    assert fetcher.refused == []


def test_html_that_asks_for_a_local_file_fails_to_render(cert_app: Flask) -> None:
    html = render_certificate_html(SAMPLE).replace(
        '<main class="frame">', '<main class="frame"><img src="file:///etc/passwd" alt="">'
    )
    assert "file:///etc/passwd" in html
    with pytest.raises(CertificateRenderError):
        html_to_pdf(html)


def test_markup_in_data_is_escaped_and_fetches_nothing(
    cert_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    hostile = '<img src="file:///etc/passwd">'
    data = replace(SAMPLE, holder_name=hostile, organization_name='<link href="http://x/">')
    html = render_certificate_html(data)
    assert hostile not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    with caplog.at_level(logging.WARNING, logger=render.__name__):
        pdf = render_certificate_pdf(data)
    assert not [r for r in caplog.records if r.name == render.__name__]
    assert flat(hostile) in flat(pdf_text(pdf))


# --- PDF content -------------------------------------------------------------------


def test_pdf_shows_the_certificate_facts(sample_pdf: bytes) -> None:
    text = pdf_text(sample_pdf)
    for expected in (
        SAMPLE.holder_name,
        SAMPLE.serial,
        SAMPLE.verification_code,
        SAMPLE.organization_name,
        SAMPLE.permit_number,
        SAMPLE.track_title,
        SAMPLE.legal_reference,
        "March 1, 2025",
        "March 2, 2025",
        "March 2, 2026",
    ):
        assert expected in text
    assert flat(SAMPLE.verify_url) in flat(text)
    for module in SAMPLE.modules:
        assert flat(module.title) in flat(text)
        assert f"{module.score_percent}%" in text


def test_pdf_without_expiry_or_permit(cert_app: Flask) -> None:
    data = replace(SAMPLE, expires_on=None, permit_number=None, organization_address=None)
    text = pdf_text(render_certificate_pdf(data))
    assert "No expiry date" in text
    assert "March 2, 2026" not in text
    assert "Permit number" not in text


@pytest.mark.parametrize(
    ("language", "holder", "title", "month_word", "heading"),
    [
        ("es", "José Ñúñez", "Capacitación para empleados", "marzo", "Certificado"),
        ("vi", "Nguyễn Thị Hường", "Đào tạo cho nhân viên", "tháng", "Chứng chỉ"),
    ],
)
def test_pdf_in_spanish_and_vietnamese(
    translated_app: Flask, language: str, holder: str, title: str, month_word: str, heading: str
) -> None:
    data = replace(SAMPLE, language=language, holder_name=holder, track_title=title)
    pdf = render_certificate_pdf(data)
    text = pdf_text(pdf)
    assert holder in text
    assert SAMPLE.serial in text
    assert flat(SAMPLE.verify_url) in flat(text)
    assert month_word in text and heading in text
    # English beside: the heading, the labels, the dates and the training's English title
    for english in ("Certificate of completion", "Verify this certificate", "March 2, 2026"):
        assert english in text
    assert flat(SAMPLE.track_title_en or "") in flat(text)
    reader = reader_for(pdf)
    assert reader.trailer["/Root"]["/Lang"] == language
    assert f'lang="{language}"' in render_certificate_html(data)


def test_english_certificate_has_no_second_language(cert_app: Flask, sample_pdf: bytes) -> None:
    html = render_certificate_html(SAMPLE)
    assert 'lang="en"' in html and 'class="en"' not in html
    text = pdf_text(sample_pdf)
    # One title: the heading names the document, the training is named once.
    assert text.count("Certificate of completion") == 1
    assert text.count(SAMPLE.track_title) == 1


def test_issuer_office_seal_and_signatory(cert_app: Flask, sample_pdf: bytes) -> None:
    html = render_certificate_html(SAMPLE)
    assert '<img class="seal" src="image:seal"' in html
    text = pdf_text(sample_pdf)
    for expected in ("Mayor's Office, City of Houston", "Jordan Reyes", "Program Director"):
        assert expected in text
    unsigned = replace(SAMPLE, issuer=replace(SAMPLE.issuer, signatory_name="", signatory_title=""))
    text = pdf_text(render_certificate_pdf(unsigned))
    assert "Issued by" in text and "Jordan Reyes" not in text
    assert "Mayor's Office, City of Houston" in text


def test_png_seal_is_embedded_as_an_image(cert_app: Flask) -> None:
    png = segno.make("seal").png_data_uri(scale=4)
    import base64

    data = base64.b64decode(png.split(",", 1)[1])
    sealed = replace(SAMPLE, issuer=replace(SAMPLE.issuer, seal=data, seal_type="image/png"))
    page = reader_for(render_certificate_pdf(sealed)).pages[0]
    images = [
        obj.get_object()
        for obj in page["/Resources"].get("/XObject", {}).values()
        if obj.get_object().get("/Subtype") == "/Image"
    ]
    assert images, "the PNG seal is not in the PDF"
    without = replace(SAMPLE, issuer=None)
    assert "image:seal" not in render_certificate_html(without)


def test_qr_code_is_at_least_30_mm_wide(cert_app: Flask) -> None:
    from weasyprint import HTML

    document = HTML(
        string=render_certificate_html(SAMPLE),
        base_url=render.BASE_URL,
        url_fetcher=ShippedFontFetcher({"seal": (SEAL, "image/svg+xml")}),
    ).render()
    boxes = [
        box
        for box in document.pages[0]._page_box.descendants()
        if str(getattr(box, "element_tag", "")).endswith("svg")
        and "qr" in (box.element.get("class") or "")
    ]
    assert len(boxes) == 1
    width_mm = boxes[0].width / 96 * 25.4
    modules = segno.make(SAMPLE.verify_url, error="m", micro=False).symbol_size(border=0)[0]
    with_quiet_zone = modules + 8
    # The symbol itself (without its white border) is at least 30 mm wide.
    assert width_mm * modules / with_quiet_zone >= 30, width_mm


def test_unsupported_language_is_rejected() -> None:
    with pytest.raises(ValueError, match="language"):
        replace(SAMPLE, language="fr")


def test_page_is_a_single_letter_landscape_page(sample_pdf: bytes) -> None:
    reader = reader_for(sample_pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == LETTER_LANDSCAPE


@pytest.mark.parametrize("language", ["en", "es"])
def test_long_content_still_fits_on_one_page(translated_app: Flask, language: str) -> None:
    data = replace(
        SAMPLE,
        language=language,
        holder_name="María José de la Concepción Ñúñez-Hernández Villalobos",
        organization_name="Gran Hotel y Suites del Centro de Convenciones de Houston Norte",
        modules=tuple(
            ModuleLine(
                f"Module {i}: indicators in hotels and lodging, and how to report", i, 90, 30
            )
            for i in range(1, 7)
        ),
        verify_url="https://training.example.org/certificates/verify/K7QX-4MZP-93TR?lang=es",
    )
    assert needs_dense_layout(data)
    assert not needs_dense_layout(SAMPLE)
    reader = reader_for(render_certificate_pdf(data))
    assert len(reader.pages) == 1
    text = flat(reader.pages[0].extract_text())
    # the first and the last things printed are both on the page
    assert flat(data.holder_name) in text
    assert data.serial in text and data.verification_code in text


# --- Fonts -------------------------------------------------------------------------


def test_shipped_fonts_cover_spanish_and_vietnamese() -> None:
    letters = (
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        "ÁÉÍÓÚÜÑ¡¿áéíóúüñ"
        "ĂÂĐÊÔƠƯăâđêôơư"
        "ÀẢÃẠẰẲẴẶẦẨẪẬÈẺẼẸỀỂỄỆÌỈĨỊÒỎÕỌỒỔỖỘỜỞỠỢÙỦŨỤỪỬỮỰỲỶỸỴ"
        "àảãạằẳẵặầẩẫậèẻẽẹềểễệìỉĩịòỏõọồổỗộờởỡợùủũụừửữựỳỷỹỵ"
    )
    for path in sorted(FONTS_DIR.glob("*.ttf")):
        cmap = TTFont(path).getBestCmap()
        missing = [char for char in letters if ord(char) not in cmap]
        assert missing == [], path.name


def test_fonts_ship_with_their_license() -> None:
    license_text = (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in license_text
    assert "Google" in license_text


def test_pdf_embeds_only_the_shipped_fonts(cert_app: Flask) -> None:
    data = replace(SAMPLE, holder_name="Nguyễn Thị Hường", organization_name="José Ñúñez")
    fonts = embedded_fonts(render_certificate_pdf(data))
    assert len(fonts) == 2
    shipped = shipped_postscript_names()
    for font in fonts:
        assert re.fullmatch(r"/[A-Z]{6}\+Certificate-Sans(-Bold)?", str(font["base"]))
        assert font["program"], f"{font['base']} is not embedded"
        embedded = TTFont(io.BytesIO(font["program"]))  # type: ignore[arg-type]
        assert embedded["name"].getDebugName(6) in shipped


# --- PDF/A, metadata, determinism --------------------------------------------------


def test_pdf_declares_pdfa_3b_and_metadata(sample_pdf: bytes) -> None:
    reader = reader_for(sample_pdf)
    xmp = reader.xmp_metadata
    assert xmp is not None
    xml = xmp.stream.get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xml
    assert 'pdfaid:conformance="B"' in xml
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    info = reader.metadata
    assert info is not None
    assert info.title == f"Certificate {SAMPLE.serial}"
    assert info.author == "Anti-Trafficking Training Program"
    assert SAMPLE.track_title in (info.subject or "")
    assert info["/CreationDate"] == "D:20250302000000Z"
    assert info["/ModDate"] == "D:20250302000000Z"
    assert "<xmp:CreateDate>2025-03-02T00:00:00Z</xmp:CreateDate>" in xml
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_program_name_sets_author(cert_app: Flask) -> None:
    data = replace(SAMPLE, program_name="City of Houston Anti-Trafficking Program")
    pdf = render_certificate_pdf(data)
    assert reader_for(pdf).metadata.author == data.program_name  # type: ignore[union-attr]
    assert data.program_name.upper() in pdf_text(pdf)  # type: ignore[union-attr]


def test_render_is_byte_identical_over_time(cert_app: Flask, sample_pdf: bytes) -> None:
    first = sample_pdf  # rendered at least a second before `second`, in another app
    time.sleep(1.1)
    second = render_certificate_pdf(SAMPLE)
    assert first == second
    reader = reader_for(first)
    file_id = reader.trailer["/ID"]
    assert file_id[0] == file_id[1]


def test_different_data_gives_different_bytes(cert_app: Flask, sample_pdf: bytes) -> None:
    other = render_certificate_pdf(replace(SAMPLE, issued_on=date(2025, 3, 3)))
    assert other != sample_pdf
    assert reader_for(other).metadata["/CreationDate"] == "D:20250303000000Z"  # type: ignore[index]


# --- golden: what the certificate shows, not its bytes ------------------------------


def poppler_text(pdf: bytes) -> list[str]:
    """The PDF's text as poppler's pdftotext reads it: one trimmed line per line, no blanks."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    lines = (re.sub(r"\s+", " ", line).strip() for line in result.stdout.decode().splitlines())
    return [line for line in lines if line]


def qr_payloads(pdf: bytes) -> list[str]:
    """What the QR codes on the first page decode to (rendered at 150 dpi, read by zbar)."""
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "page"
        subprocess.run(
            ["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1", "-", image],
            input=pdf,
            check=True,
        )
        found = subprocess.run(
            ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", f"{image}.png"],
            capture_output=True,
            check=False,
        )
    return found.stdout.decode().splitlines()


def structure(pdf: bytes) -> dict[str, object]:
    """Pages, page size, fonts, PDF/A markers, metadata and QR payloads of a PDF."""
    reader = reader_for(pdf)
    root = reader.trailer["/Root"]
    xmp = reader.xmp_metadata
    assert xmp is not None
    xml = xmp.stream.get_data().decode("utf-8")
    pdfaid = dict(re.findall(r'pdfaid:(part|conformance)="([^"]+)"', xml))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            base = str(font["/BaseFont"])
            fonts.append(
                {
                    "name": re.sub(r"^/[A-Z]{6}\+", "", base),
                    "subset": bool(re.match(r"^/[A-Z]{6}\+", base)),
                    "type": [str(font["/Subtype"]), str(descendant["/Subtype"])],
                    "embedded": "/FontFile2" in descriptor,
                }
            )
    info = reader.metadata
    assert info is not None
    return {
        "pages": len(reader.pages),
        "page_size_pt": [
            [round(float(page.mediabox.width)), round(float(page.mediabox.height))]
            for page in reader.pages
        ],
        "fonts": sorted(fonts, key=lambda f: str(f["name"])),
        "pdfa": {
            "part": pdfaid.get("part"),
            "conformance": pdfaid.get("conformance"),
            "output_intent": str(root["/OutputIntents"][0]["/S"]),
        },
        "lang": str(root["/Lang"]),
        "title": info.title,
        "author": info.author,
        "created": info["/CreationDate"],
        "qr": qr_payloads(pdf),
    }


def test_golden_certificate(sample_pdf: bytes) -> None:
    text_file = GOLDEN_DIR / "certificate-en.txt"
    structure_file = GOLDEN_DIR / "certificate-en.json"
    lines = poppler_text(sample_pdf)
    shape = structure(sample_pdf)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        text_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        structure_file.write_text(json.dumps(shape, indent=2) + "\n", encoding="utf-8")
    assert text_file.exists() and structure_file.exists(), (
        "golden files missing: run with UPDATE_GOLDEN=1 (see module docstring)"
    )
    golden_lines = text_file.read_text(encoding="utf-8").splitlines()
    # Words in order; where a line wraps may differ between WeasyPrint versions.
    if " ".join(lines).split() != " ".join(golden_lines).split():
        diff = difflib.unified_diff(golden_lines, lines, "golden", "rendered", lineterm="")
        pytest.fail("the certificate's text changed:\n" + "\n".join(diff))
    assert shape == json.loads(structure_file.read_text(encoding="utf-8"))
    assert shape["qr"] == [SAMPLE.verify_url]
