"""Access sheets: the printed sign-in of staff without an email address.

A sheet carries a personal access code, which the database keeps only as a keyed digest:
a sheet can be printed once, when its code is issued, and never again. Printing another
means replacing the code (the old sheet stops working), a separate confirmed action.

A sheet is printed in the employee's language with the same words in English beside
them when that language is not English. It says what the training is, by when it is due
and how to sign in: scan the QR code, or open the sign-in address and type the code. The
QR code carries the code in the address's fragment (`/auth/code#code=...`), which the
browser keeps to itself: the code never reaches the server's access log.

Sheets are rendered to one PDF (a page per person) from plain data, like certificates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from trainer.auth.models import Role, User
from trainer.core import vocabulary
from trainer.core.branding import Branding
from trainer.core.hooks import Hook
from trainer.core.pdf import html_to_pdf
from trainer.core.qr import qr_svg
from trainer.core.text import localized
from trainer.extensions import db
from trainer.orgs.models import Organization

TEMPLATE = "orgs/access_sheets_pdf.html"
SHEET_LANGUAGES = vocabulary.LANGUAGES


@dataclass(frozen=True)
class TrainingLine:
    """A training a person is enrolled in: its title per language and its due date."""

    titles: Mapping[str, str]
    due_on: date | None


#: Who knows a person's trainings (learning registers itself in create_app).
TRAININGS_OF: Hook[[User], list[TrainingLine]] = Hook("orgs.trainings_of")


@dataclass(frozen=True)
class Sheet:
    """Everything printed on one person's sheet, as plain values."""

    name: str
    organization: str
    language: str
    code: str
    sign_in_url: str
    trainings: tuple[TrainingLine, ...]
    issued_on: date

    @property
    def qr_link(self) -> str:
        """The sign-in address with the code in its fragment (never sent to the server)."""
        return f"{self.sign_in_url}#code={self.code}"


def trainings_of(user: User) -> tuple[TrainingLine, ...]:
    """The person's trainings, from every provider."""
    return tuple(line for lines in TRAININGS_OF.emit(user) for line in lines)


def without_sign_in(org: Organization) -> list[User]:
    """Active learners with no way to sign in yet: no email, no password, no access code."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organization_id == org.id,
                User.role == Role.LEARNER.value,
                User.active.is_(True),
                User.email.is_(None),
                User.password_hash.is_(None),
                User.access_code_digest.is_(None),
            )
            .order_by(User.last_name, User.first_name, User.id)
        )
    )


def sheet_for(user: User, code: str, *, sign_in_url: str, today: date) -> Sheet:
    """The sheet of one person, with the code just issued to them."""
    language = user.language if user.language in SHEET_LANGUAGES else "en"
    return Sheet(
        name=user.full_name,
        organization=user.organization.name if user.organization else "",
        language=language,
        code=code,
        sign_in_url=sign_in_url,
        trainings=trainings_of(user),
        issued_on=today,
    )


def _texts(sheet: Sheet, brand: Branding, language: str) -> dict[str, object]:
    """The sheet's words in `language` (the current locale)."""
    trainings = [
        {
            "title": localized(line.titles, language),
            "due": (
                _("Finish it by %(date)s.", date=format_date(line.due_on, "long"))
                if line.due_on
                else None
            ),
        }
        for line in sheet.trainings
    ]
    return {
        "heading": _("Your training sign-in"),
        "what": _(
            "%(office)s asks every employee to take this training: how to recognize human "
            "trafficking and how to report it safely. It takes a few hours, on a phone or a "
            "computer, and you can stop and come back.",
            office=brand.operator or brand.program_name,
        ),
        "trainings": trainings,
        "no_training": _("Your manager will tell you which training to take."),
        "how": _("How to sign in"),
        "step_scan": _("Scan the QR code with your phone's camera, then press “Sign in”."),
        "step_type": _("Or open %(address)s and type your access code.", address="{address}"),
        "code_label": _("Your access code"),
        "private": _(
            "This code is yours alone: keep it private. If you lose this sheet, ask your "
            "manager for a new one; this code will then stop working."
        ),
        "issued": _("Sheet printed on %(date)s.", date=format_date(sheet.issued_on, "long")),
    }


def render_sheets(sheets: Sequence[Sheet], brand: Branding) -> bytes:
    """One PDF with one page per sheet (needs an app context)."""
    pages = []
    for sheet in sheets:
        languages = [sheet.language] + (["en"] if sheet.language != "en" else [])
        columns = []
        for language in languages:
            with force_locale(language):
                texts = _texts(sheet, brand, language)
                texts["step_type"] = Markup(  # noqa: S704 - escaped parts, fixed markup
                    Markup.escape(texts["step_type"]).replace(
                        "{address}",
                        Markup('<span class="url">%s</span>') % sheet.sign_in_url,
                    )
                )
                columns.append({"lang": language, "t": texts})
        with force_locale(sheet.language):
            qr_title = _("QR code that opens the sign-in page with your access code")
        pages.append(
            {
                "sheet": sheet,
                "columns": columns,
                # qr_svg escapes its title; its markup holds no other text.
                "qr": Markup(qr_svg(sheet.qr_link, title=qr_title, size="45mm")),  # noqa: S704
            }
        )
    with force_locale(sheets[0].language if sheets else "en"):
        title = _("Access sheets")
        html = render_template(
            TEMPLATE,
            pages=pages,
            program_name=brand.program_name,
            operator=brand.operator,
            document_title=title,
            lang=sheets[0].language if sheets else "en",
        )
    return html_to_pdf(html, {"seal": (brand.seal.data, brand.seal.mimetype)})
