"""The filters of the outcomes page: a GET form read from the query string."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from trainer.core.vocabulary import DEPARTMENTS, JOB_ROLES, LANGUAGE_NAMES
from trainer.outcomes.services import POST, PRE, Filters


class OutcomeFilterForm(FlaskForm):
    """Narrow the outcomes of a module version; every field may be left empty."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    org = SelectField(_l("Organization"), choices=[], validators=[Optional()])
    department = SelectField(_l("City department"), choices=[], validators=[Optional()])
    job_role = SelectField(_l("Job role"), choices=[], validators=[Optional()])
    language = SelectField(_l("Language of the test"), choices=[], validators=[Optional()])
    date_from = DateField(
        _l("From"), validators=[Optional()], description=_l("First day, as YYYY-MM-DD.")
    )
    date_to = DateField(
        _l("To"), validators=[Optional()], description=_l("Last day, as YYYY-MM-DD.")
    )
    kind = SelectField(
        _l("Item analysis of"),
        choices=[
            SelectChoice(POST, _l("Post-tests")),
            SelectChoice(PRE, _l("Pre-tests")),
        ],
        validators=[Optional()],
    )

    def set_choices(self, organizations: Sequence[tuple[int, str]]) -> None:
        """Fill the choices: the organizations the viewer may see, and the fixed lists."""
        everyone = SelectChoice("", _("All"))
        self.org.choices = [everyone] + [SelectChoice(str(i), name) for i, name in organizations]
        self.department.choices = [everyone] + [
            SelectChoice(k, str(v)) for k, v in DEPARTMENTS.items()
        ]
        self.job_role.choices = [everyone] + [SelectChoice(k, str(v)) for k, v in JOB_ROLES.items()]
        self.language.choices = [everyone] + [SelectChoice(k, v) for k, v in LANGUAGE_NAMES.items()]

    def read(self, timezone: str, jurisdiction: str | None) -> tuple[Filters, str, list[str]]:
        """Validate the query: the filters, the test kind and a message per ignored value.

        A bad value is dropped (with its message), never an error.
        """
        self.validate()
        messages: list[str] = []
        for name, errors in self.errors.items():
            if name == "kind":
                self.kind.data = POST
            else:
                self[name].data = None
            messages.append(
                _(
                    "%(field)s: %(error)s The filter was ignored.",
                    field=self[name].label.text,
                    error=" ".join(str(e) for e in errors),
                )
            )
        date_from, date_to = self.date_from.data, self.date_to.data
        if date_from and date_to and date_from > date_to:
            messages.append(_("The first day is after the last day; the dates were ignored."))
            date_from = date_to = None
            self.date_from.data = self.date_to.data = None
        filters = Filters(
            organization_id=int(self.org.data) if self.org.data else None,
            department=self.department.data or None,
            job_role=self.job_role.data or None,
            language=self.language.data or None,
            date_from=date_from,
            date_to=date_to,
            timezone=timezone,
            jurisdiction=jurisdiction,
        )
        return filters, self.kind.data or POST, messages
