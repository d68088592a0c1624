"""Admins preview any module, any version, in any language, as a learner sees it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import force_locale, get_locale

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
    jurisdictions = current_app.extensions["trainer.jurisdictions"]
    jurisdiction = request.args.get("jurisdiction", "")
    if jurisdiction not in jurisdictions:
        jurisdiction = current_app.config["PREVIEW_JURISDICTION"]
    if jurisdiction not in jurisdictions:
        jurisdiction = min(jurisdictions, default="")
    contacts: dict[str, str] = {}
    marked = [lesson["id"] for lesson in version.lessons if lesson.get("contacts")]
    if marked and jurisdiction:
        box = services.preview_contacts(jurisdiction, lang)
        with force_locale(lang):  # the box as a learner reading `lang` sees it
            # Rendered by our own template with autoescaping; shown with |safe.
            contacts = {
                lesson_id: render_template(
                    "catalog/_preview_contacts.html", box=box, box_id=f"contacts-{lesson_id}"
                )
                for lesson_id in marked
            }
    ui = str(get_locale() or "en")
    return render_template(
        "catalog/preview.html",
        version=version,
        lang=lang,
        jurisdiction=jurisdiction,
        jurisdiction_choices=sorted(
            ((rule_id, localized(rule.name, ui)) for rule_id, rule in jurisdictions.items()),
            key=lambda pair: pair[1].casefold(),
        ),
        contacts_html=contacts,
        title=localized(version.title, lang),
        lessons=[
            {**les, "title": localized(les["title"], lang), "html": localized(les["html"], lang)}
            for les in version.lessons
        ],
        documents=[
            {"title": localized(d["title"], lang), "html": localized(d["html"], lang)}
            for d in version.documents
        ],
        items=version.items,
        localized=localized,
    )
