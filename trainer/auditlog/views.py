"""The audit log, read-only, for auditors (their jurisdiction) and admins."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug import Response

from trainer.audit import services
from trainer.auditlog import reading
from trainer.auditlog.forms import LogFilterForm, VerifyForm
from trainer.core.navigation import NavLink
from trainer.extensions import db
from trainer.policy import Permission, jurisdiction_of, requires, shows

bp = Blueprint("audit", __name__, url_prefix="/audit")

#: The header links this feature contributes (see trainer.core.navigation).
NAVIGATION = (NavLink("audit.log", _l("Audit log"), 110, shows(Permission.AUDIT_VIEW)),)


def _jurisdiction() -> str | None:
    """The jurisdiction the viewer's scope covers (None: every one, for admins)."""
    return jurisdiction_of(current_user)


@bp.get("/")
@requires(Permission.AUDIT_VIEW)
def log() -> str:
    """Newest events first, as sentences, with filters, pages and the last verification."""
    jurisdiction = _jurisdiction()
    form = LogFilterForm(request.args, organizations=reading.organizations_in_scope(jurisdiction))
    filters, ignored = form.to_filter()
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "audit/log.html",
        form=form,
        ignored=ignored,
        page=reading.log_page(jurisdiction, filters, zone),
        query=query,
        filtered=bool(query),
        verification=reading.last_verification(),
        verify_form=VerifyForm(),
    )


@bp.post("/verify")
@requires(Permission.AUDIT_VIEW)
def verify() -> Response:
    """Recompute every hash and link of the chain now, and record the result."""
    if not VerifyForm().validate_on_submit():
        flash(_("The form expired; please submit it again."), "error")
        return redirect(url_for("audit.log"))
    report = services.record_verification(current_user.id)
    db.session.commit()
    if report.ok:
        flash(
            ngettext(
                "The audit log is intact: %(num)d event checked, none altered.",
                "The audit log is intact: %(num)d events checked, none altered.",
                report.count,
            ),
            "success",
        )
    else:
        flash(
            _(
                "The audit log was altered: event %(seq)d does not match. "
                "Tell the program's administrator at once.",
                seq=report.first_broken_seq or 0,
            ),
            "error",
        )
    return redirect(url_for("audit.log"))
