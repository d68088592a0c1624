"""The program's identity: its name, the office and city that run it, and its seal.

Read once at start-up from the configuration (`PROGRAM_NAME`, `PROGRAM_OFFICE`,
`PROGRAM_CITY`, `CERTIFICATE_SEAL`, `CERTIFICATE_SIGNATORY_NAME`,
`CERTIFICATE_SIGNATORY_TITLE`) and shown in the header, the footer and on documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app

#: The neutral seal shipped with the package, used when CERTIFICATE_SEAL is empty.
DEFAULT_SEAL = Path(__file__).resolve().parent.parent / "static" / "img" / "seal.svg"
SEAL_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Seal:
    """An image file's bytes and media type."""

    data: bytes
    mimetype: str


@dataclass(frozen=True)
class Branding:
    """Who runs the program, as printed on pages and documents."""

    program_name: str
    office: str
    city: str
    seal: Seal
    signatory_name: str
    signatory_title: str
    domain: str

    @property
    def operator(self) -> str:
        """'Mayor's Office, City of Houston' (either part may be empty)."""
        return ", ".join(part for part in (self.office, self.city) if part)


def read_seal(path: str) -> Seal:
    """Read a seal image (SVG or PNG); ValueError with a clear message when unusable."""
    file = Path(path) if path else DEFAULT_SEAL
    mimetype = SEAL_TYPES.get(file.suffix.lower())
    if mimetype is None:
        raise ValueError(f"CERTIFICATE_SEAL must be an .svg or .png file, not {file.name!r}")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise ValueError(f"CERTIFICATE_SEAL {str(file)!r} cannot be read: {error}") from None
    looks_right = (
        data.startswith(_PNG_SIGNATURE) if mimetype == "image/png" else b"<svg" in data[:4096]
    )
    if not looks_right:
        raise ValueError(f"CERTIFICATE_SEAL {str(file)!r} is not a {file.suffix} image")
    return Seal(data=data, mimetype=mimetype)


def load_branding(app: Flask) -> None:
    """Read the program's identity from the configuration into the app (once)."""
    config = app.config
    app.extensions["trainer.branding"] = Branding(
        program_name=config["PROGRAM_NAME"],
        office=config["PROGRAM_OFFICE"],
        city=config["PROGRAM_CITY"],
        seal=read_seal(config["CERTIFICATE_SEAL"]),
        signatory_name=config["CERTIFICATE_SIGNATORY_NAME"].strip(),
        signatory_title=config["CERTIFICATE_SIGNATORY_TITLE"].strip(),
        domain=urlsplit(config["PUBLIC_BASE_URL"]).netloc or config["PUBLIC_BASE_URL"],
    )


def branding() -> Branding:
    """The current app's program identity."""
    return current_app.extensions["trainer.branding"]
