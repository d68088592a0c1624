"""Outcomes: per module version for auditors and admins, and a summary for partners.

Auditors see the attempts of learners whose organization is in their jurisdiction;
admins see every attempt. The partners' summary holds aggregates only (no names, no
organizations, no group under 5 learners), so it is public: partners without an account
can read what the program achieves, as the strategic plan asks (1.2.8, 5.3.5).

Figures read every attempt of a module version, which takes seconds at city scale, so a
computed set is saved and shown again for OUTCOMES_MAX_AGE_MINUTES (15 by default; 0
computes on every request), with the time it was computed and, on the module page, a
button to recalculate now. The CSV export serves the same saved figures as the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from trainer.catalog.models import ModuleVersion
from trainer.core.navigation import NavLink
from trainer.core.text import localized
from trainer.extensions import db, limiter
from trainer.outcomes import charts, services
from trainer.outcomes.forms import OutcomeFilterForm
from trainer.outcomes.groups import BREAKDOWNS, is_withheld
from trainer.policy import Permission, jurisdiction_of, public, requires, shows

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")

#: The header links this feature contributes (see trainer.core.navigation).
NAVIGATION = (NavLink("outcomes.index", _l("Outcomes"), 100, shows(Permission.AUDIT_VIEW)),)

MODULE_FIGURES = (
    "gains",
    "distribution",
    "items",
    "test",
    "flags",
    "options",
    "transitions",
    *BREAKDOWNS,
)
SUMMARY_FIGURES = ("summary", "languages", "org_kinds")
SUMMARY_LIMIT = "60 per minute"
RECALCULATE_LIMIT = "10 per minute"


@bp.app_template_filter("stat")
def stat_filter(value: object) -> str:
    """Write a figure as the page shows it."""
    return charts.number(value)


def _scope() -> str | None:
    """The viewer's jurisdiction (None: every one, for admins; "-" matches none)."""
    return jurisdiction_of(current_user)


def _language() -> str:
    return str(get_locale() or "en")


def _version(version_id: int) -> ModuleVersion:
    version = db.session.get(ModuleVersion, version_id)
    if version is None:
        abort(404)
    return version


def _filters() -> tuple[OutcomeFilterForm, services.Filters, str, list[str]]:
    """Read the filters from the query string; bad values are dropped with a message."""
    scope = _scope()
    form = OutcomeFilterForm(request.args)
    form.set_choices(services.organizations_in_scope(scope))
    timezone = current_app.config["PROGRAM_TIMEZONE"]
    filters, kind, messages = form.read(timezone, scope)
    return form, filters, kind, messages


def _csv(body: str, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/")
@requires(Permission.AUDIT_VIEW)
def index() -> str:
    """Module versions with how many learners took their tests, linking to each."""
    snapshot = services.index_snapshot(_scope(), _language(), _max_age())
    db.session.commit()
    table = snapshot.tables["versions"]
    rows = [dict(zip([c.key for c in table.columns], row, strict=True)) for row in table.rows]
    return render_template("outcomes/index.html", rows=rows, snapshot=snapshot)


def _max_age() -> float:
    return float(
        current_app.config.get("OUTCOMES_MAX_AGE_MINUTES", services.DEFAULT_MAX_AGE_MINUTES)
    )


#: The module's pages: the summary, then one page per section (endpoint, title).
SECTIONS = (
    ("outcomes.module", _l("Summary")),
    ("outcomes.items", _l("Questions")),
    ("outcomes.answers", _l("Answers chosen")),
    ("outcomes.changes", _l("Before and after")),
    ("outcomes.groups", _l("By group")),
)


def _module_page(
    version_id: int,
    template: str,
    figures: Callable[[dict[str, services.Table], str], dict[str, object]] | None = None,
) -> str:
    """Render one page of a module version's outcomes (the figures are computed once).

    `figures` turns the tables into what the page draws (charts) and labels.
    """
    version = _version(version_id)
    form, filters, kind, messages = _filters()
    snapshot = services.module_snapshot(version, filters, kind, _language(), _max_age())
    db.session.commit()
    tables = snapshot.tables
    kind_label = _("post-tests") if kind == services.POST else _("pre-tests")
    withheld = is_withheld(tables["gains"])
    return render_template(
        template,
        version=version,
        title=localized(version.title, _language()) or _("Untitled module"),
        form=form,
        filters=filters,
        messages=messages,
        snapshot=snapshot,
        max_age=_max_age(),
        kind=kind,
        kind_label=kind_label,
        export_args={**filters.query_args(), "kind": kind},
        tables=tables,
        withheld=withheld,
        minimum=services.MIN_GROUP,
        sections=SECTIONS,
        breakdowns=BREAKDOWNS,
        **(figures(tables, kind_label) if figures and not withheld else {}),
    )


@bp.get("/<int:version_id>")
@requires(Permission.AUDIT_VIEW)
def module(version_id: int) -> str:
    """A module version's outcomes at a glance: learners, gains, scores before and after."""
    return _module_page(
        version_id,
        "outcomes/module.html",
        lambda tables, _kind: {
            "means": charts.means_chart(tables["gains"]),
            "distribution": charts.distribution_chart(tables["distribution"]),
        },
    )


@bp.get("/<int:version_id>/questions")
@requires(Permission.AUDIT_VIEW)
def items(version_id: int) -> str:
    """Each question by its text: how many got it right, and the ones to review."""
    return _module_page(
        version_id,
        "outcomes/module_items.html",
        lambda tables, kind_label: {
            "facility": charts.facility_chart(tables["items"], kind_label),
            "flag_labels": {code: str(label) for code, label in services.FLAG_REASONS.items()},
        },
    )


@bp.get("/<int:version_id>/answers")
@requires(Permission.AUDIT_VIEW)
def answers(version_id: int) -> str:
    """How often each answer of each question was chosen."""
    return _module_page(version_id, "outcomes/module_answers.html")


@bp.get("/<int:version_id>/before-after")
@requires(Permission.AUDIT_VIEW)
def changes(version_id: int) -> str:
    """Per question: right before and after, and who went from wrong to right."""
    return _module_page(version_id, "outcomes/module_changes.html")


@bp.get("/<int:version_id>/groups")
@requires(Permission.AUDIT_VIEW)
def groups(version_id: int) -> str:
    """The outcomes by organization, language of the test and job role (groups of 5+)."""
    return _module_page(version_id, "outcomes/module_groups.html")


@bp.post("/<int:version_id>/recalculate")
@requires(Permission.AUDIT_VIEW)
@limiter.limit(RECALCULATE_LIMIT)
def recalculate(version_id: int) -> Response:
    """Compute the figures again now, under the same filters, and show them."""
    version = _version(version_id)
    _form, filters, kind, _messages = _filters()
    services.module_snapshot(version, filters, kind, _language(), _max_age(), refresh=True)
    db.session.commit()
    flash(_("The figures were recalculated."))
    args: dict[str, Any] = {**filters.query_args(), "kind": kind}
    section = request.args.get("section", "")
    endpoint = section if section in {name for name, _label in SECTIONS} else "outcomes.module"
    return redirect(url_for(endpoint, version_id=version.id, **args))


@bp.get("/<int:version_id>/export")
@requires(Permission.AUDIT_VIEW)
def export(version_id: int) -> Response:
    """One figure of the module page as CSV, under the same filters (the same snapshot)."""
    version = _version(version_id)
    figure = request.args.get("figure", "")
    if figure not in MODULE_FIGURES:
        abort(400, description=_("Choose a figure: %(names)s.", names=", ".join(MODULE_FIGURES)))
    _form, filters, kind, _messages = _filters()
    snapshot = services.module_snapshot(version, filters, kind, _language(), _max_age())
    db.session.commit()
    name = f"outcomes-{version.slug}-v{version.version}-{figure}.csv"
    return _csv(snapshot.tables[figure].to_csv(), name)


@bp.get("/summary")
@public
@limiter.limit(SUMMARY_LIMIT)
def summary() -> str:
    """Program outcomes for partners: aggregates only, groups under 5 learners hidden."""
    snapshot = services.summary_snapshot(_language(), _max_age())
    db.session.commit()
    chart = charts.summary_chart(snapshot.tables["summary"], lambda row: f"{row[0]} (v{row[1]})")
    return render_template(
        "outcomes/summary.html",
        tables=snapshot.tables,
        chart=chart,
        snapshot=snapshot,
        minimum=services.MIN_GROUP,
    )


@bp.get("/summary/export")
@public
@limiter.limit(SUMMARY_LIMIT)
def summary_export() -> Response:
    """One table of the partners' summary as CSV (suppressed cells stay suppressed)."""
    figure = request.args.get("figure", "summary")
    if figure not in SUMMARY_FIGURES:
        abort(400, description=_("Choose a figure: %(names)s.", names=", ".join(SUMMARY_FIGURES)))
    snapshot = services.summary_snapshot(_language(), _max_age())
    db.session.commit()
    return _csv(snapshot.tables[figure].to_csv(), f"outcomes-summary-{figure}.csv")
