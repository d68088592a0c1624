"""Home, health check, language switch and error pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from trainer.core.branding import branding
from trainer.core.safety import safe_next
from trainer.core.vocabulary import Role
from trainer.extensions import db
from trainer.policy import public

bp = Blueprint("home", __name__)

ROLE_HOME = {
    Role.LEARNER: "learning.home",
    Role.MANAGER: "orgs.staff_list",
    Role.AUDITOR: "compliance.auditor",
    Role.ADMIN: "orgs.org_list",
}


@bp.get("/")
@public
def index() -> Response | str:
    """Send each person to their role's home page; visitors see the welcome page."""
    if current_user.is_authenticated:
        endpoint = ROLE_HOME.get(Role(current_user.role), "learning.home")
        if endpoint in current_app.view_functions:
            return redirect(url_for(endpoint))
    return render_template("core/index.html")


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable", database=False), 503
    return jsonify(status="ok", database=True), 200


@bp.post("/language")
@public
def set_language() -> Response:
    """Remember the chosen language (and save it on the account)."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated and current_user.language != lang:
            current_user.language = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))


@bp.get("/seal")
@public
def seal() -> Response:
    """The program's seal (configured by CERTIFICATE_SEAL), for the header and footer."""
    image = branding().seal
    response = Response(image.data, mimetype=image.mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
