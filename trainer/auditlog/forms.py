"""The audit log's filters (read from the query string) and its verify button."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from trainer.auditlog.reading import LogFilter
from trainer.auditlog.sentences import KINDS


class LogFilterForm(FlaskForm):
    """Who, what, when and which organization; a bad value is ignored and said so."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    who = StringField(
        _l("Who"),
        default="",
        validators=[Optional(), Length(max=100)],
        description=_l("The name of the person who acted."),
    )
    kind = SelectField(_l("What"), default="")
    org = SelectField(_l("Organization"), default="")
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args: Any, organizations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = sorted(KINDS.values(), key=lambda k: str(k.label).casefold())
        self.kind.choices = [SelectChoice("", _l("Every kind of event"))] + [
            SelectChoice(k.code, k.label) for k in kinds
        ]
        self.org.choices = [SelectChoice("", _l("Every organization"))] + [
            SelectChoice(str(org_id), name) for org_id, name in organizations
        ]

    def to_filter(self) -> tuple[LogFilter, list[str]]:
        """The filter and the labels of the fields that were ignored."""
        self.validate()
        ignored = [str(f.label.text) for f in self if f.errors]
        ok = {name: not f.errors for name, f in self._fields.items()}
        date_from = self.date_from.data if ok["date_from"] else None
        date_to = self.date_to.data if ok["date_to"] else None
        return (
            LogFilter(
                who=(self.who.data or "").strip() if ok["who"] else "",
                kind=(self.kind.data or None) if ok["kind"] else None,
                organization_id=int(self.org.data) if ok["org"] and self.org.data else None,
                date_from=date_from,
                date_to=date_to,
                page=(self.page.data or 1) if ok["page"] else 1,
            ),
            ignored,
        )


class VerifyForm(FlaskForm):
    """The button that verifies the chain now (CSRF-protected)."""
