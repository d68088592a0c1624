"""Sign-in, password and invitation forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from trainer.core.printable import Printable, clean
from trainer.core.validators import EmailAddress

MIN_PASSWORD = 10


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class AccessCodeForm(FlaskForm):
    """A personal access code, for staff without an email address."""

    code = StringField(
        _l("Access code"),
        validators=[DataRequired(), Length(min=16, max=40)],
        description=_l("The code on the sheet your manager gave you, e.g. ABCD-EFGH-JKLM-NPQR."),
    )


class ResetRequestForm(FlaskForm):
    """Ask for a password reset link."""

    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    """Choose a password (reset)."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    """A signed-in person's current password, then the new one twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])


class AcceptInvitationForm(NewPasswordForm):
    """Accept an invitation: your name and a password."""

    first_name = StringField(
        _l("First name"), filters=[clean], validators=[DataRequired(), Length(max=100), Printable()]
    )
    last_name = StringField(
        _l("Last name"), filters=[clean], validators=[DataRequired(), Length(max=100), Printable()]
    )


class RoleForm(FlaskForm):
    """An admin changes an account's role."""

    role = SelectField(_l("Role"), choices=[])
