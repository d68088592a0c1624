"""The admin's view of the outbox: what failed, what waits, and sending again."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from trainer.core.http import arg_int
from trainer.core.navigation import NavLink
from trainer.extensions import db
from trainer.mail import outbox
from trainer.mail.models import MailStatus, OutboxMail
from trainer.policy import Permission, requires, shows

bp = Blueprint("mail", __name__, url_prefix="/admin/mail")
NAVIGATION = (NavLink("mail.outbox_list", _l("Outgoing mail"), 125, shows(Permission.USER_ADMIN)),)
PAGE_SIZE = 50
SHOWN = (MailStatus.FAILED, MailStatus.PENDING, MailStatus.SENDING, MailStatus.SENT)


@bp.get("/")
@requires(Permission.USER_ADMIN)
def outbox_list() -> str:
    """Messages by status, newest first, failed ones by default."""
    status = request.args.get("status", MailStatus.FAILED)
    if status not in SHOWN:
        abort(400, _("Unknown status."))
    page = arg_int("page", maximum=100_000) or 1
    counts = dict(
        db.session.execute(
            select(OutboxMail.status, func.count()).group_by(OutboxMail.status)
        ).all()
    )
    mails = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.status == status)
        .order_by(OutboxMail.id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "mail/outbox.html",
        mails=mails[:PAGE_SIZE],
        more=len(mails) > PAGE_SIZE,
        page=page,
        status=status,
        counts={s: counts.get(s, 0) for s in SHOWN},
        statuses=SHOWN,
    )


@bp.post("/<int:mail_id>/retry")
@requires(Permission.USER_ADMIN)
def retry(mail_id: int) -> Response:
    """Send a failed message again (queued after the commit)."""
    if db.session.get(OutboxMail, mail_id) is None:
        abort(404)
    if outbox.retry(mail_id):
        db.session.commit()
        flash(_("The message is queued again."), "success")
    else:
        flash(_("Only a message that failed can be sent again."), "error")
    return redirect(url_for("mail.outbox_list"))
