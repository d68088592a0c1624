"""The audit log, read-only, for auditors (their jurisdiction) and admins."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from trainer.audit import services
from trainer.audit.models import AuditEvent
from trainer.auth.models import Role
from trainer.core.http import arg_id
from trainer.extensions import db
from trainer.orgs.models import Organization
from trainer.policy import Permission, requires

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


@bp.get("/")
@requires(Permission.AUDIT_VIEW)
def log() -> str:
    """Newest events first, with the chain's verification status."""
    before = arg_id("before")
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE)
    if before:
        query = query.where(AuditEvent.seq < before)
    if current_user.role != Role.ADMIN:
        orgs = select(Organization.id).where(Organization.jurisdiction == current_user.jurisdiction)
        query = query.where(AuditEvent.organization_id.in_(orgs))
    events = db.session.scalars(query).all()
    return render_template("audit/log.html", events=events, chain=services.verify_chain())
