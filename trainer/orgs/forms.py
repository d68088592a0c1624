"""Organization, staff and import forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from trainer import timeutil
from trainer.core.contacts import parse_phone
from trainer.core.printable import Printable, clean
from trainer.core.validators import EmailAddress
from trainer.core.vocabulary import EMPLOYMENT_TYPES, LANGUAGE_NAMES, ORG_KINDS, job_role_choices


def _not_future(form: FlaskForm, field: DateField) -> None:
    if field.data and field.data > timeutil.today():
        raise ValidationError(_l("The hire date cannot be in the future."))


class OrganizationForm(FlaskForm):
    """Create or edit an organization (admins)."""

    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(code, label) for code, label in ORG_KINDS.items()],
    )
    name = StringField(
        _l("Name"), filters=[clean], validators=[DataRequired(), Length(max=200), Printable()]
    )
    address = StringField(
        _l("Address"), filters=[clean], validators=[Optional(), Length(max=300), Printable()]
    )
    jurisdiction = SelectField(_l("Jurisdiction"), choices=[])
    department = SelectField(_l("Department"), choices=[], validators=[Optional()])
    permit_number = StringField(_l("Hotel permit number"), validators=[Optional(), Length(max=64)])
    rooms = IntegerField(
        _l("Number of guest rooms"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100000, message=_l("Enter a whole number from 1 to 100000.")),
        ],
        description=_l(
            "Hotels only. Some laws cover only larger places (Texas: more than 10 rooms). "
            "Until the number is recorded, the staff count as covered."
        ),
    )

    def validate_rooms(self, field: IntegerField) -> None:
        """Only a hotel has guest rooms."""
        if field.data is not None and self.kind.data != "hotel":
            raise ValidationError(_l("Only hotels have guest rooms: leave this empty."))


class StaffForm(FlaskForm):
    """Add or edit a staff member (email optional)."""

    first_name = StringField(
        _l("First name"), filters=[clean], validators=[DataRequired(), Length(max=100), Printable()]
    )
    last_name = StringField(
        _l("Last name"), filters=[clean], validators=[DataRequired(), Length(max=100), Printable()]
    )
    email = EmailField(
        _l("Email"),
        validators=[Optional(), EmailAddress(), Length(max=254)],
        description=_l("Leave empty for staff without an email: they sign in with an access code."),
    )
    job_role = SelectField(_l("Job role"), choices=[])
    hire_date = DateField(_l("Hire date"), validators=[DataRequired(), _not_future])
    employment = SelectField(
        _l("Employed by"),
        choices=[SelectChoice(code, label) for code, label in EMPLOYMENT_TYPES.items()],
        default="direct",
        description=_l("Some laws cover only the staff an organization employs directly."),
    )
    under_16_at_hire = BooleanField(
        _l("Under 16 when hired"),
        description=_l(
            "Some laws exempt staff under 16 who do not clean guest rooms (Minnesota). "
            "No date of birth is kept."
        ),
    )
    language = SelectField(
        _l("Language"), choices=[SelectChoice(k, v) for k, v in LANGUAGE_NAMES.items()]
    )
    extra_time_percent = SelectField(
        _l("Extended time"),
        choices=[
            SelectChoice(0, _l("None")),
            SelectChoice(25, _l("25% more")),
            SelectChoice(50, _l("50% more")),
            SelectChoice(100, _l("Double")),
        ],
        coerce=int,
        default=0,
        description=_l(
            "More time before an idle session signs out, for example for someone who uses a "
            "screen reader or reads in a second language. Minimum lesson times stay the same."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.job_role.choices = [SelectChoice(v, label) for v, label in job_role_choices()]


class ImportForm(FlaskForm):
    """Upload a staff CSV."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


def _phone_number(form: FlaskForm, field: StringField) -> None:
    if field.data and parse_phone(field.data) is None:
        raise ValidationError(
            _l(
                "Enter a phone number or an extension, using digits, spaces and + - . ( ); "
                'write "ext" before an extension, for example: ext. 4500.'
            )
        )


class ContactForm(FlaskForm):
    """Add or edit one of the organization's own contacts (security desk, manager on duty)."""

    label = StringField(
        _l("Who"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("For example: Security desk, Manager on duty."),
    )
    phone = StringField(
        _l("Phone number"), validators=[DataRequired(), Length(max=40), _phone_number]
    )
    note = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=300)],
        description=_l("Optional. For example: day and night, or ask for the manager on duty."),
    )
