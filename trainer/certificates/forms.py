"""Revocation, re-issue and verification upload forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from trainer.core.printable import Printable, clean


class RevokeForm(FlaskForm):
    """Revoke a certificate: the reason is required and shown to verifiers."""

    reason = TextAreaField(
        _l("Reason for revocation"), validators=[DataRequired(), Length(min=5, max=1000)]
    )


class ReissueForm(FlaskForm):
    """Re-issue with a corrected holder name."""

    holder_name = StringField(
        _l("Name on the new certificate"),
        filters=[clean],
        validators=[DataRequired(), Length(max=200), Printable()],
    )


class UploadForm(FlaskForm):
    """Upload a PDF to compare with the one issued."""

    pdf = FileField(
        _l("Certificate PDF"),
        validators=[FileRequired(_l("Choose a PDF file."))],
        render_kw={"accept": ".pdf,application/pdf"},
    )
