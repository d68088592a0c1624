"""QR codes (certificate verification, access sheets), as inline SVG markup."""

import segno

#: Printed edge length of the whole symbol, quiet zone included.
QR_PRINT_SIZE = "1in"
#: Error correction level: M restores up to about 15% of a damaged symbol.
QR_ERROR_LEVEL = "m"


def make_qr(url: str) -> segno.QRCode:
    """Return the QR symbol that encodes ``url`` (full QR, level M, no boosting)."""
    return segno.make_qr(url, error=QR_ERROR_LEVEL, boost_error=False)


def qr_svg(url: str, *, title: str | None = None, size: str = QR_PRINT_SIZE) -> str:
    """Return inline SVG markup of a QR code for ``url``, ``size`` wide when printed.

    The markup has no XML declaration, black modules on a white quiet zone, a ``<title>``
    for screen readers (``title``, or the URL itself), and is the same for the same input.
    """
    markup = make_qr(url).svg_inline(
        dark="#000",
        light="#fff",
        omitsize=True,
        title=title if title is not None else url,
        svgclass="qr",
        lineclass=None,
    )
    # The viewBox is in modules; a fixed physical size makes the symbol print at that
    # size whatever its version.
    sized = f'<svg width="{size}" height="{size}" role="img" '
    return sized + markup.removeprefix("<svg ")
