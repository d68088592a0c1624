"""Admins preview any module, any version, in any language, as a learner sees it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l

from trainer.catalog import services
from trainer.catalog.models import ModuleVersion
from trainer.core.navigation import NavLink
from trainer.core.text import localized
from trainer.extensions import db
from trainer.policy import Permission, requires, shows

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

#: The header links this feature contributes (see trainer.core.navigation).
NAVIGATION = (
    NavLink("catalog.admin_modules", _l("Content"), 130, shows(Permission.CONTENT_ADMIN)),
)

#: How the preview names an item's type and the tests that may draw it.
ITEM_TYPE_LABELS = {
    "single": _l("One answer"),
    "multiple": _l("Choose all that apply"),
    "true_false": _l("True or false"),
    "scenario": _l("Scenario with questions"),
}
ITEM_USE_LABELS = {
    "pre": _l("Pre-test only"),
    "post": _l("Post-test only"),
    "both": _l("Pre-test and post-test"),
}


@bp.get("/")
@requires(Permission.CONTENT_ADMIN)
def admin_modules() -> str:
    """Every module with its versions."""
    lang = str(get_locale() or "en")
    rows = []
    for module in services.all_modules():
        versions = services.versions_of(module)
        current = next((v for v in versions if v.id == module.current_version_id), None)
        latest = current or (versions[0] if versions else None)
        title = localized(latest.title, lang) if latest else ""
        rows.append({"module": module, "title": title, "versions": versions})
    return render_template("catalog/modules.html", rows=rows)


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
            {
                **les,
                "title": localized(les["title"], lang),
                "html": localized(les["html"], lang),
                "minutes": max(1, round(int(les.get("minimum_seconds") or 0) / 60)),
            }
            for les in version.lessons
        ],
        documents=[
            {"title": localized(d["title"], lang), "html": localized(d["html"], lang)}
            for d in version.documents
        ],
        items=version.items,
        localized=localized,
        type_labels=ITEM_TYPE_LABELS,
        use_labels=ITEM_USE_LABELS,
    )
