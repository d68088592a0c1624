"""Filters of the compliance lists (read from the query string) and the attestation form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from trainer.compliance.attention import LATE, URGENCY
from trainer.compliance.services import (
    ORG_SORTS,
    SORTS,
    STATUS_LABELS,
    STATUS_ORDER,
    OrgFilter,
    StaffFilter,
)
from trainer.core.vocabulary import job_role_choices

_DIRECTIONS = [SelectChoice("asc", _l("Ascending")), SelectChoice("desc", _l("Descending"))]
_SORT_LABELS = {
    "name": _l("Name"),
    "status": _l("Status"),
    "due": _l("Due date"),
    "rate": _l("Compliance rate"),
    "late": _l("Overdue or expired"),
    "certified": _l("Annual certification"),
}


class _QueryForm(FlaskForm):
    """A GET form read from the query string: a bad value falls back to its default."""

    class Meta:
        csrf = False

    def cleaned(self) -> tuple[dict[str, Any], list[str]]:
        """The valid values (defaults for invalid ones) and the names of ignored fields."""
        self.validate()
        values: dict[str, Any] = {}
        ignored: list[str] = []
        for name, fld in self._fields.items():
            if fld.errors:
                values[name] = fld.default
                ignored.append(str(fld.label.text))
            else:
                values[name] = fld.data if fld.data is not None else fld.default
        return values, ignored


class StaffFilterForm(_QueryForm):
    """Filters, search, sort and page of the staff list."""

    q = StringField(_l("Name or email"), default="", validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), default="")
    job_role = SelectField(_l("Job role"), default="")
    sort = SelectField(
        _l("Sort by"),
        default=URGENCY,
        choices=[SelectChoice(URGENCY, _l("Most urgent first"))]
        + [SelectChoice(s, _SORT_LABELS[s]) for s in SORTS],
    )
    dir = SelectField(_l("Order"), default="asc", choices=_DIRECTIONS)
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice("", _l("Any status")),
            SelectChoice(LATE, _l("Overdue or expired")),
        ] + [SelectChoice(s.value, STATUS_LABELS[s.value]) for s in STATUS_ORDER]
        self.job_role.choices = [SelectChoice("", _l("Any job role"))] + [
            SelectChoice(code, label) for code, label in job_role_choices()
        ]

    def to_filter(self) -> tuple[StaffFilter, list[str]]:
        """The filter to apply and the labels of the parameters that were ignored."""
        values, ignored = self.cleaned()
        return (
            StaffFilter(
                status=values["status"] or None,
                job_role=values["job_role"] or None,
                q=(values["q"] or "").strip(),
                sort=values["sort"],
                descending=values["dir"] == "desc",
                page=values["page"],
            ),
            ignored,
        )


class OrgFilterForm(_QueryForm):
    """Year, search, certification filter, sort and page of the city's overview."""

    year = StringField(
        _l("Year"),
        default="",
        validators=[
            Optional(),
            Regexp(r"^(20\d\d|2100)$", message=_l("Give a year such as 2026.")),
        ],
    )
    q = StringField(
        _l("Organization name or permit"), default="", validators=[Optional(), Length(max=100)]
    )
    certified = SelectField(
        _l("Annual certification"),
        default="",
        choices=[
            SelectChoice("", _l("All organizations")),
            SelectChoice("no", _l("Not certified for the year")),
            SelectChoice("yes", _l("Certified for the year")),
        ],
    )
    sort = SelectField(
        _l("Sort by"),
        default="name",
        choices=[SelectChoice(s, _SORT_LABELS[s]) for s in ORG_SORTS],
    )
    dir = SelectField(_l("Order"), default="asc", choices=_DIRECTIONS)
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(min=1)])

    def to_filter(self, default_year: int) -> tuple[OrgFilter, int, list[str]]:
        """The filter, the year and the labels of the parameters that were ignored."""
        values, ignored = self.cleaned()
        return (
            OrgFilter(
                q=(values["q"] or "").strip(),
                certified=values["certified"] or None,
                sort=values["sort"],
                descending=values["dir"] == "desc",
                page=values["page"],
            ),
            int(values["year"]) if values["year"] else default_year,
            ignored,
        )


class AttestForm(FlaskForm):
    """The manager's attestation that files the annual certification."""

    year = HiddenField()
    attested_name = StringField(
        _l("Your full name"), validators=[DataRequired(), Length(max=200)], default=""
    )
    attested_title = StringField(
        _l("Your title"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example: General manager."),
    )
    confirm = BooleanField(
        _l(
            "I attest that the employees listed were trained as shown, and that the list is "
            "complete and true."
        ),
        validators=[DataRequired(_l("Confirm the statement to file the certification."))],
    )
    confirm_overdue = BooleanField(_l("I file the certification although staff are overdue."))

    #: How many covered employees are overdue (set by the view before validating).
    overdue_count = 0

    def validate_confirm_overdue(self, field: BooleanField) -> None:
        """With anyone overdue, the manager must say they file anyway."""
        if self.overdue_count and not field.data:
            raise ValidationError(
                _l("Some staff are overdue: confirm that you file the certification anyway.")
            )
