"""The audit log, read-only, for auditors (their jurisdiction) and admins."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from trainer.audit import services
from trainer.audit.models import AuditEvent
from trainer.core.http import arg_id
from trainer.core.navigation import NavLink
from trainer.extensions import db
from trainer.policy import Permission, requires, scope_of, shows

bp = Blueprint("audit", __name__, url_prefix="/audit")

#: The header links this feature contributes (see trainer.core.navigation).
NAVIGATION = (NavLink("audit.log", _l("Audit log"), 110, shows(Permission.AUDIT_VIEW)),)
PAGE_SIZE = 50


@bp.get("/")
@requires(Permission.AUDIT_VIEW)
def log() -> str:
    """Newest events first, with the chain's verification status."""
    before = arg_id("before")
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE)
    if before:
        query = query.where(AuditEvent.seq < before)
    query = services.within(query, scope_of(current_user))
    events = db.session.scalars(query).all()
    return render_template("audit/log.html", events=events, chain=services.verify_chain())
