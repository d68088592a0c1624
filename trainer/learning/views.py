"""My training: modules, the pre-test, paced lessons, attestation and the post-test."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from trainer import timeutil
from trainer.assessments import services as tests
from trainer.assessments.models import Attempt
from trainer.auth.models import User
from trainer.catalog.models import Track
from trainer.core.http import form_id
from trainer.core.navigation import NavLink
from trainer.core.safety import safe_next
from trainer.core.text import localized
from trainer.extensions import db
from trainer.learning import services
from trainer.learning.models import ModuleProgress
from trainer.learning.presenters import (
    ModuleOverview,
    attempt_view,
    module_overview,
    result_view,
    step_indicator,
    track_overview,
)
from trainer.policy import Permission, StaffAction, authorize_manage, own_or_404, requires, shows

bp = Blueprint("learning", __name__, url_prefix="/learn")

#: The header links this feature contributes (see trainer.core.navigation).
NAVIGATION = (NavLink("learning.home", _l("My training"), 10, shows(Permission.LEARN)),)


def _lang() -> str:
    return str(get_locale() or "en")


def _my_progress(progress_id: int) -> ModuleProgress:
    progress = own_or_404(
        db.session.get(ModuleProgress, progress_id), lambda p: p.enrollment.user_id
    )
    if not services.is_open(progress):
        flash(_("Finish the module before this one first."), "error")
        abort(redirect(url_for("learning.home")))
    return progress


def _my_attempt(attempt_id: int) -> Attempt:
    return own_or_404(db.session.get(Attempt, attempt_id), lambda a: a.user_id)


def _progress_of(attempt: Attempt) -> ModuleProgress:
    progress = db.session.get(ModuleProgress, attempt.module_progress_id)
    if progress is None:  # pragma: no cover - an attempt always belongs to a module
        abort(404)
    return progress


@bp.get("/")
@requires(Permission.LEARN)
def home() -> str:
    """Every track the learner is enrolled in, with each module's state."""
    enrollments = services.enrollments_of(current_user)
    today, soon = timeutil.today(), current_app.config["DUE_SOON_DAYS"]
    return render_template(
        "learning/home.html",
        tracks=[track_overview(e, _lang(), today, soon) for e in enrollments],
    )


@bp.get("/m/<int:progress_id>")
@requires(Permission.LEARN)
def module(progress_id: int) -> str:
    """A module's steps, and the button to the next one."""
    progress = _my_progress(progress_id)
    overview = module_overview(progress, current_user, _lang())
    return render_template(
        "learning/module.html",
        m=overview,
        steps=step_indicator(overview),
        next_url=_after_module(overview),
    )


@bp.post("/m/<int:progress_id>/pre")
@requires(Permission.LEARN)
def start_pre(progress_id: int) -> Response:
    """Start or resume the pre-test."""
    progress = _my_progress(progress_id)
    attempt = tests.start_pre_test(progress, current_user)
    db.session.commit()
    return redirect(url_for("learning.attempt", attempt_id=attempt.id))


@bp.get("/m/<int:progress_id>/lesson/<lesson_id>")
@requires(Permission.LEARN)
def lesson(progress_id: int, lesson_id: str) -> Response | str:
    """Read a lesson; the server starts its clock the first time it opens."""
    progress = _my_progress(progress_id)
    try:
        row = services.open_lesson(progress, lesson_id, pre_test_done=tests.pre_test_done(progress))
    except services.NotAvailable:
        flash(_("That lesson is not open yet."), "error")
        return redirect(url_for("learning.module", progress_id=progress.id))
    version = services.version_for(progress)
    index = services.lesson_index(version, lesson_id)
    data = version.lessons[index]
    overview = module_overview(progress, current_user, _lang())
    # Rendered before the commit (which saves the clock's start): committing first would
    # expire every loaded row and the page would load them all again.
    page = render_template(
        "learning/lesson.html",
        m=overview,
        steps=step_indicator(overview, "lesson"),
        lesson=data,
        title=localized(data["title"], _lang()),
        body=localized(data["html"], _lang()),
        number=index + 1,
        total=len(version.lessons),
        remaining=services.seconds_remaining(progress, row, current_user),
        completed=row.completed_at is not None,
        contacts=services.lesson_contacts(data, current_user, _lang()),
    )
    db.session.commit()
    return page


@bp.post("/m/<int:progress_id>/lesson/<lesson_id>")
@requires(Permission.LEARN)
def complete_lesson(progress_id: int, lesson_id: str) -> Response:
    """Complete a lesson: refused, with a message, before its minimum time has passed."""
    progress = _my_progress(progress_id)
    try:
        services.complete_lesson(progress, lesson_id, current_user)
    except services.TooEarly as early:
        flash(
            ngettext(
                "Please keep reading: this lesson can be completed in %(num)d second.",
                "Please keep reading: this lesson can be completed in %(num)d seconds.",
                early.remaining_seconds,
            ),
            "error",
        )
        return redirect(url_for("learning.lesson", progress_id=progress.id, lesson_id=lesson_id))
    except services.NotAvailable:
        abort(400, _("Open the lesson before completing it."))
    db.session.commit()
    # Straight on to the next lesson; after the last one, the module page says what is next.
    done = services.completed_lessons(progress)
    pending = [les["id"] for les in services.version_for(progress).lessons if les["id"] not in done]
    if pending:
        return redirect(url_for("learning.lesson", progress_id=progress.id, lesson_id=pending[0]))
    return redirect(url_for("learning.module", progress_id=progress.id))


@bp.route("/m/<int:progress_id>/attest", methods=["GET", "POST"])
@requires(Permission.LEARN)
def attest(progress_id: int) -> Response | str:
    """Read the new forms and procedure, and attest it (component 3)."""
    progress = _my_progress(progress_id)
    version = services.version_for(progress)
    if not version.attestation:
        abort(404)
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            flash(_("Tick the box to confirm that you read the form and the procedure."), "error")
        else:
            try:
                services.attest(progress, current_user)
            except services.NotAvailable:
                abort(400, _("Finish every lesson first."))
            db.session.commit()
            return redirect(url_for("learning.module", progress_id=progress.id))
    overview = module_overview(progress, current_user, _lang())
    return render_template(
        "learning/attest.html",
        m=overview,
        steps=step_indicator(overview, "attest"),
        statement=localized(version.attestation.get("statement"), _lang()),
        documents=[
            {
                "id": d["id"],
                "title": localized(d["title"], _lang()),
                "html": localized(d["html"], _lang()),
            }
            for d in version.documents
        ],
    )


@bp.get("/m/<int:progress_id>/document/<doc_id>")
@requires(Permission.LEARN)
def document(progress_id: int, doc_id: str) -> Response:
    """Download one of the module's new forms or policies as a printable page."""
    progress = _my_progress(progress_id)
    version = services.version_for(progress)
    doc = next((d for d in version.documents if d["id"] == doc_id), None)
    if doc is None:
        abort(404)
    html = render_template(
        "learning/document_download.html",
        title=localized(doc["title"], _lang()),
        body=localized(doc["html"], _lang()),
    )
    return Response(
        html,
        mimetype="text/html",
        headers={"Content-Disposition": f'attachment; filename="{doc_id}-{_lang()}.html"'},
    )


@bp.post("/m/<int:progress_id>/post")
@requires(Permission.LEARN)
def start_post(progress_id: int) -> Response:
    """Start a new post-test attempt when the rules allow it."""
    progress = _my_progress(progress_id)
    try:
        attempt = tests.start_post_test(progress, current_user)
    except tests.AttemptRefused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("learning.module", progress_id=progress.id))
    db.session.commit()
    return redirect(url_for("learning.attempt", attempt_id=attempt.id))


@bp.post("/progress/<int:progress_id>/extra-round")
@requires(Permission.STAFF_MANAGE)
def extra_round(progress_id: int) -> Response:
    """A manager lets a learner who used every attempt try another round."""
    progress = db.session.get(ModuleProgress, progress_id)
    if progress is None:
        abort(404)
    authorize_manage(progress.enrollment.user, StaffAction.EXTRA_ROUND)
    services.grant_extra_round(progress, actor=current_user)
    db.session.commit()
    flash(_("%(name)s can take the post-test again.", name=progress.enrollment.user.full_name))
    return redirect(safe_next(request.form.get("next")) or url_for("orgs.staff_list"))


@bp.post("/assign/<int:user_id>")
@requires(Permission.STAFF_MANAGE)
def assign(user_id: int) -> Response:
    """A manager assigns a track to a staff member (besides automatic enrollment)."""
    person = authorize_manage(db.session.get(User, user_id), StaffAction.ASSIGN)
    track = db.session.get(Track, form_id("track") or 0)
    if track is None or not track.active:
        abort(400, _("Choose one of the listed trainings."))
    services.enroll(person, track, assigned_by=current_user)
    db.session.commit()
    flash(_("Training assigned to %(name)s.", name=person.full_name))
    return redirect(url_for("orgs.staff_edit", user_id=person.id))


@bp.get("/attempt/<int:attempt_id>")
@requires(Permission.LEARN)
def attempt(attempt_id: int) -> Response | str:
    """The test form, with the answers already saved filled in."""
    attempt = _my_attempt(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("learning.result", attempt_id=attempt.id))
    overview = module_overview(_progress_of(attempt), current_user, _lang())
    return render_template(
        "learning/attempt.html",
        a=attempt_view(attempt, _lang()),
        steps=step_indicator(overview, attempt.kind),
        check=request.args.get("check") == "1",
    )


def _posted_answers() -> dict[str, list[str]]:
    return {key[2:]: request.form.getlist(key) for key in request.form if key.startswith("q:")}


@bp.post("/attempt/<int:attempt_id>/answer")
@requires(Permission.LEARN)
def save_answer(attempt_id: int) -> tuple[Response, int]:
    """Autosave one answer (sent by the page as each answer is given)."""
    attempt = _my_attempt(attempt_id)
    try:
        tests.save_answer(
            attempt, current_user, request.form.get("question", ""), request.form.getlist("answer")
        )
    except tests.AttemptRefused as refused:
        db.session.rollback()
        return jsonify(error=str(refused.message)), 400
    db.session.commit()
    return jsonify(saved=True), 200


@bp.post("/attempt/<int:attempt_id>")
@requires(Permission.LEARN)
def submit(attempt_id: int) -> Response:
    """Save every answer on the page; with 'submit', grade the attempt (once)."""
    attempt = _my_attempt(attempt_id)
    if attempt.submitted_at is not None and request.form.get("action") in (
        "submit",
        "submit-anyway",
    ):
        return redirect(url_for("learning.result", attempt_id=attempt.id))
    try:
        tests.save_answers(attempt, current_user, _posted_answers())
    except tests.AttemptRefused as refused:
        db.session.rollback()
        abort(400, str(refused.message))
    action = request.form.get("action")
    if action not in ("submit", "submit-anyway"):
        db.session.commit()
        flash(_("Your answers are saved. You can come back and finish later."))
        return redirect(url_for("learning.attempt", attempt_id=attempt.id))
    if action == "submit" and attempt_view(attempt, _lang())["unanswered"]:
        # A confirmation step: the page lists the questions left unanswered.
        db.session.commit()
        return redirect(url_for("learning.attempt", attempt_id=attempt.id, check=1))
    tests.submit(attempt, current_user)
    db.session.commit()
    return redirect(url_for("learning.result", attempt_id=attempt.id))


@bp.get("/attempt/<int:attempt_id>/result")
@requires(Permission.LEARN)
def result(attempt_id: int) -> Response | str:
    """The score and, per question, what the module's review setting allows."""
    attempt = _my_attempt(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("learning.attempt", attempt_id=attempt.id))
    overview = module_overview(_progress_of(attempt), current_user, _lang())
    return render_template(
        "learning/result.html",
        r=result_view(attempt, _lang()),
        m=overview,
        steps=step_indicator(overview, attempt.kind if not overview.passed else None),
        next_url=_after_module(overview),
    )


def _after_module(m: ModuleOverview) -> str:
    """Where a learner goes on from a module: the next module, or the certificate."""
    if m.passed and m.is_last and m.track_completed:
        return url_for("certificates.earned", enrollment_id=m.enrollment_id)
    if m.passed and m.next_progress_id is not None:
        return url_for("learning.module", progress_id=m.next_progress_id)
    return url_for("learning.module", progress_id=m.progress_id)
