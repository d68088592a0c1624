"""Admins preview any module, any version, in any language, as a learner sees it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from trainer.catalog import services
from trainer.catalog.models import ModuleVersion
from trainer.core.text import localized
from trainer.extensions import db
from trainer.policy import Permission, requires

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.get("/")
@requires(Permission.CONTENT_ADMIN)
def admin_modules() -> str:
    """Every module with its versions."""
    modules = [(m, services.versions_of(m)) for m in services.all_modules()]
    return render_template("catalog/modules.html", modules=modules)


@bp.get("/version/<int:version_id>")
@requires(Permission.CONTENT_ADMIN)
def preview(version_id: int) -> str:
    """One version rendered as a learner sees it (?lang=es for Spanish)."""
    version = db.session.get(ModuleVersion, version_id) or abort(404)
    lang = request.args.get("lang", "en")
    if lang not in version.languages:
        abort(404)
    return render_template(
        "catalog/preview.html",
        version=version,
        lang=lang,
        title=localized(version.title, lang),
        lessons=[
            {"title": localized(les["title"], lang), "html": localized(les["html"], lang), **les}
            for les in version.lessons
        ],
        documents=[
            {"title": localized(d["title"], lang), "html": localized(d["html"], lang)}
            for d in version.documents
        ],
        items=version.items,
        localized=localized,
    )
