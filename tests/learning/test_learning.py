"""The training engine over HTTP: gating, pacing, tests, autosave, double submit."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import event, func, select, update

from tests.support import journey
from tests.support.web import csrf_token, login
from trainer import timeutil
from trainer.assessments.models import Attempt, Response
from trainer.certificates.models import Certificate
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import Enrollment, LessonProgress


def _enrollment(user) -> Enrollment:
    return learning.enrollments_of(user)[0]


def _start_pre_test(client, user):
    """Sign in and start the intro module's pre-test: (progress, attempt, CSRF token)."""
    login(client, user)
    intro = _enrollment(user).modules[0]
    token = csrf_token(client, f"/learn/m/{intro.id}")
    attempt = journey.attempt_from(
        client.post(f"/learn/m/{intro.id}/pre", data={"csrf_token": token})
    )
    return intro, attempt, token


def test_hotel_learner_completes_the_track_with_one_failed_attempt(client, make):
    org = make.org()
    user = make.user(org)
    login(client, user)
    home = client.get("/learn/")
    assert "Hotel" in home.text
    enrollment = _enrollment(user)
    intro, hotel = enrollment.modules
    assert intro.module.slug == "intro-indicators" and hotel.module.slug == "hotel-lodging"
    # component 2 is locked until component 1 is passed
    locked = client.get(f"/learn/m/{hotel.id}")
    assert locked.status_code == 302
    journey.take_test(client, intro.id, "pre", right=False)
    journey.read_lessons(client, intro.id, user)
    failed = journey.take_test(client, intro.id, "post", right=False)
    assert failed.passed is False and failed.score_percent == 0
    # cooldown: a new attempt right away is refused with a message
    token = csrf_token(client, f"/learn/m/{intro.id}")
    refused = client.post(f"/learn/m/{intro.id}/post", data={"csrf_token": token})
    assert refused.status_code == 302
    assert "wait" in client.get(f"/learn/m/{intro.id}").text
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == failed.id)
        .values(submitted_at=failed.submitted_at - timedelta(minutes=11))
    )
    db.session.commit()
    passed = journey.take_test(client, intro.id, "post", right=True)
    assert passed.passed is True and passed.score_percent == 100
    assert passed.number == 2
    assert client.get(f"/learn/m/{hotel.id}").status_code == 200
    journey.pass_module(client, hotel.id, user)
    db.session.expire_all()
    enrollment = db.session.get(Enrollment, enrollment.id)
    assert enrollment.completed_at is not None
    certs = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)).all()
    assert len(certs) == 1
    assert "Complete" in client.get("/learn/").text


def test_post_forms_are_fresh_draws_without_pre_test_items(client, make):
    user = make.user(make.org())
    login(client, user)
    intro = _enrollment(user).modules[0]
    pre = journey.take_test(client, intro.id, "pre", right=False)
    journey.read_lessons(client, intro.id, user)
    first = journey.take_test(client, intro.id, "post", right=False)
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == first.id)
        .values(submitted_at=first.submitted_at - timedelta(hours=1))
    )
    db.session.commit()
    second = journey.take_test(client, intro.id, "post", right=False)
    pre_ids = {e["item_id"] for e in pre.form}
    first_ids = {e["item_id"] for e in first.form}
    second_ids = {e["item_id"] for e in second.form}
    assert not pre_ids & first_ids and not pre_ids & second_ids
    assert len(first_ids) == len(second_ids) == first.version.post_test_length
    assert first.form != second.form  # a fresh draw (ids or option order)


def test_pre_test_is_taken_once_per_version(client, make):
    user = make.user(make.org())
    login(client, user)
    intro = _enrollment(user).modules[0]
    first = journey.take_test(client, intro.id, "pre", right=True)
    token = csrf_token(client, f"/learn/m/{intro.id}")
    again = client.post(f"/learn/m/{intro.id}/pre", data={"csrf_token": token})
    assert journey.attempt_from(again).id == first.id
    assert first.passed is None  # a baseline has no pass mark


def test_lessons_open_in_order_and_early_completion_is_refused(client, make):
    user = make.user(make.org())
    login(client, user)
    intro = _enrollment(user).modules[0]
    # no lesson before the pre-test
    assert client.get(f"/learn/m/{intro.id}/lesson/welcome").status_code == 302
    journey.take_test(client, intro.id, "pre", right=False)
    version = learning.version_for(journey.progress(intro.id))
    first, second = version.lessons[0]["id"], version.lessons[1]["id"]
    skipped = client.get(f"/learn/m/{intro.id}/lesson/{second}")
    assert skipped.status_code == 302
    page = client.get(f"/learn/m/{intro.id}/lesson/{first}")
    assert page.status_code == 200
    assert "data-pace-remaining" in page.text and "disabled" in page.text
    # a direct POST before the minimum time is refused, with a message, and saves nothing
    token = csrf_token(client, f"/learn/m/{intro.id}")
    early = client.post(f"/learn/m/{intro.id}/lesson/{first}", data={"csrf_token": token})
    assert early.status_code == 302 and early.headers["Location"].endswith(first)
    assert "can be completed in" in client.get(early.headers["Location"]).text
    row = db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == first))
    assert row.completed_at is None
    # reloading does not restart the server's clock
    opened = row.opened_at
    client.get(f"/learn/m/{intro.id}/lesson/{first}")
    db.session.expire_all()
    assert db.session.get(LessonProgress, row.id).opened_at == opened


def test_module_minimum_is_at_least_the_jurisdictions(app, make):
    user = make.user(make.org(jurisdiction="texas"))
    version = _enrollment(user).modules[0].module.current_version
    authored = sum(lesson["minimum_seconds"] for lesson in version.lessons)
    original = version.lessons
    version.content = {
        **version.content,
        "lessons": [{**lesson, "minimum_seconds": 60} for lesson in original],
    }
    try:
        total = sum(learning.lesson_minimum(version, lesson, user) for lesson in version.lessons)
        assert total >= 20 * 60 > 60 * len(original)
    finally:
        db.session.rollback()
    assert authored >= 20 * 60


def test_autosave_and_resume_after_sign_out(client, make):
    user = make.user(make.org())
    _intro, attempt, token = _start_pre_test(client, user)
    key, values = next(iter(journey.answers_for(attempt, right=True).items()))
    saved = client.post(
        f"/learn/attempt/{attempt.id}/answer",
        data={"question": key[2:], "answer": values, "csrf_token": token},
    )
    assert saved.status_code == 200 and saved.json == {"saved": True}
    client.post("/auth/logout", data={"csrf_token": token})
    login(client, user)
    page = client.get(f"/learn/attempt/{attempt.id}")
    dom_id = "q-" + key[2:].replace(".", "-") + "-" + values[0]
    assert f'id="{dom_id}" name="{key}" value="{values[0]}" checked' in page.text
    # changing the answer keeps one row, counting the change
    other = journey.answers_for(attempt, right=False)[key]
    client.post(
        f"/learn/attempt/{attempt.id}/answer",
        data={"question": key[2:], "answer": other, "csrf_token": csrf_token(client, "/learn/")},
    )
    rows = db.session.scalars(select(Response).where(Response.attempt_id == attempt.id)).all()
    assert len(rows) == 1 and rows[0].changes == 1


def test_save_and_finish_later_without_javascript(client, make):
    user = make.user(make.org())
    _intro, attempt, token = _start_pre_test(client, user)
    data = {**journey.answers_for(attempt, right=True), "action": "save", "csrf_token": token}
    response = client.post(f"/learn/attempt/{attempt.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.submitted_at is None
    assert len(attempt.responses) == sum(len(journey.answers_for(attempt, right=True)) for _ in [0])


def test_double_submit_grades_once(client, make):
    user = make.user(make.org())
    _intro, attempt, token = _start_pre_test(client, user)
    data = {**journey.answers_for(attempt, right=True), "action": "submit", "csrf_token": token}
    first = client.post(f"/learn/attempt/{attempt.id}", data=data)
    db.session.expire_all()
    graded = db.session.get(Attempt, attempt.id)
    submitted_at, score = graded.submitted_at, graded.score_percent
    wrong = {**journey.answers_for(attempt, right=False), "action": "submit", "csrf_token": token}
    second = client.post(f"/learn/attempt/{attempt.id}", data=wrong)
    assert first.status_code == second.status_code == 302
    db.session.expire_all()
    again = db.session.get(Attempt, attempt.id)
    assert (
        (again.submitted_at, again.score_percent)
        == (submitted_at, score)
        == (
            submitted_at,
            100.0,
        )
    )


def test_answers_outside_the_attempt_or_after_it_closed_are_refused(client, make):
    user = make.user(make.org())
    _intro, attempt, token = _start_pre_test(client, user)
    drawn = {e["item_id"] for e in attempt.form}
    outsider = next(i for i in attempt.version.items if i["id"] not in drawn)
    refused = client.post(
        f"/learn/attempt/{attempt.id}/answer",
        data={"question": outsider["id"], "answer": ["a"], "csrf_token": token},
    )
    assert refused.status_code == 400 and "not part of this test" in refused.json["error"]
    key = next(iter(journey.answers_for(attempt, right=True)))
    bad_option = client.post(
        f"/learn/attempt/{attempt.id}/answer",
        data={"question": key[2:], "answer": ["zz"], "csrf_token": token},
    )
    assert bad_option.status_code == 400
    full_form_refused = client.post(
        f"/learn/attempt/{attempt.id}",
        data={f"q:{outsider['id']}": "a", "action": "save", "csrf_token": token},
    )
    assert full_form_refused.status_code == 400
    assert db.session.scalar(select(func.count(Response.id))) == 0
    client.post(
        f"/learn/attempt/{attempt.id}",
        data={**journey.answers_for(attempt, right=True), "action": "submit", "csrf_token": token},
    )
    late = client.post(
        f"/learn/attempt/{attempt.id}/answer",
        data={"question": key[2:], "answer": ["a"], "csrf_token": token},
    )
    assert late.status_code == 400 and "already submitted" in late.json["error"]


def test_someone_elses_attempt_is_not_found(client, make):
    org = make.org()
    owner, other = make.user(org), make.user(org)
    intro, attempt, token = _start_pre_test(client, owner)
    client.post("/auth/logout", data={"csrf_token": token})
    login(client, other)
    assert client.get(f"/learn/attempt/{attempt.id}").status_code == 404
    assert client.get(f"/learn/m/{intro.id}").status_code == 404


def test_attempts_run_out_and_a_manager_grants_another_round(client, make):
    org = make.org()
    user = make.user(org)
    manager = make.user(org, role="manager")
    login(client, user)
    intro = _enrollment(user).modules[0]
    journey.take_test(client, intro.id, "pre", right=False)
    journey.read_lessons(client, intro.id, user)
    allowed = learning.version_for(journey.progress(intro.id)).attempts
    for _ in range(allowed):
        failed = journey.take_test(client, intro.id, "post", right=False)
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == failed.id)
            .values(submitted_at=failed.submitted_at - timedelta(hours=1))
        )
        db.session.commit()
    assert "ask your manager" in client.get(f"/learn/m/{intro.id}").text
    login_manager = client.application.test_client()
    login(login_manager, manager)
    token = csrf_token(login_manager, "/orgs/staff")
    granted = login_manager.post(
        f"/learn/progress/{intro.id}/extra-round", data={"csrf_token": token}
    )
    assert granted.status_code == 302
    passed = journey.take_test(client, intro.id, "post", right=True)
    assert passed.passed and passed.number == allowed + 1


def test_health_department_components_with_attestation(client, make):
    dept = make.org(
        kind="city_department",
        name="Houston Health Department",
        jurisdiction="houston-city",
        department="health",
        permit_number=None,
    )
    user = make.user(dept, job_role="clinic_staff")
    login(client, user)
    enrollment = _enrollment(user)
    assert [m.module.slug for m in enrollment.modules] == [
        "intro-indicators",
        "health-tailored",
        "health-implementation",
    ]
    intro, tailored, implementation = enrollment.modules
    journey.pass_module(client, intro.id, user)
    journey.pass_module(client, tailored.id, user)
    journey.take_test(client, implementation.id, "pre", right=False)
    journey.read_lessons(client, implementation.id, user)
    # the post-test waits for the attestation
    token = csrf_token(client, f"/learn/m/{implementation.id}")
    refused = client.post(f"/learn/m/{implementation.id}/post", data={"csrf_token": token})
    assert refused.headers["Location"].endswith(f"/learn/m/{implementation.id}")
    page = client.get(f"/learn/m/{implementation.id}/attest")
    assert "intake" in page.text.lower() and 'type="checkbox"' in page.text
    download = client.get(f"/learn/m/{implementation.id}/document/intake-screening")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    unticked = client.post(f"/learn/m/{implementation.id}/attest", data={"csrf_token": token})
    assert unticked.status_code == 200 and "Tick the box" in unticked.text
    journey.attest(client, implementation.id)
    assert journey.progress(implementation.id).attested_at is not None
    passed = journey.take_test(client, implementation.id, "post", right=True)
    assert passed.passed
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).completed_at is not None


def test_spanish_learner_reads_spanish(client, make):
    user = make.user(make.org(), language="es")
    login(client, user)
    home = client.get("/learn/")
    assert 'lang="es"' in home.text
    intro = _enrollment(user).modules[0]
    journey.take_test(client, intro.id, "pre", right=False)
    version = learning.version_for(journey.progress(intro.id))
    lesson = version.lessons[0]
    page = client.get(f"/learn/m/{intro.id}/lesson/{lesson['id']}")
    assert lesson["title"]["es"] in page.text
    assert lesson["title"]["en"] not in page.text


def test_admin_previews_any_version_in_any_language(client, make):
    admin = make.user(role="admin")
    login(client, admin)
    listing = client.get("/catalog/")
    from trainer.catalog.services import module_by_slug

    version = module_by_slug("hotel-lodging").current_version
    # Modules by their titles, never their slugs
    assert html.escape(version.title["en"], quote=False) in listing.text
    assert "hotel-lodging" not in listing.text.replace(f"/catalog/version/{version.id}", "")
    page = client.get(f"/catalog/version/{version.id}?lang=es")
    text = html.unescape(page.text)
    assert version.title["es"] in text
    for lesson in version.lessons:
        # each lesson rendered in Spanish, not as a dictionary of languages
        assert lesson["title"]["es"] in text
        first_words = re.sub(r"<[^>]+>", "", lesson["html"]["es"]).split()[:6]
        assert " ".join(first_words) in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text))
    assert "{'en'" not in text and "'es':" not in text
    for item in version.items:
        assert f">{item['id']}<" not in page.text and f"<strong>{item['id']}" not in page.text
    assert client.get(f"/catalog/version/{version.id}?lang=xx").status_code == 404


def test_manager_assigns_a_track(client, make):
    org = make.org()
    manager = make.user(org, role="manager")
    person = make.user(org)
    from trainer.catalog.services import active_tracks

    other_track = next(t for t in active_tracks() if t.slug == "health-department")
    login(client, manager)
    token = csrf_token(client, f"/orgs/staff/{person.id}/edit")
    response = client.post(
        f"/learn/assign/{person.id}", data={"track": str(other_track.id), "csrf_token": token}
    )
    assert response.status_code == 302
    slugs = {e.track.slug for e in learning.enrollments_of(person)}
    assert slugs == {"hotel-houston", "health-department"}
    enrollment = next(e for e in learning.enrollments_of(person) if e.track_id == other_track.id)
    assert enrollment.assigned_by_id == manager.id
    bad = client.post(f"/learn/assign/{person.id}", data={"track": "9999", "csrf_token": token})
    assert bad.status_code == 400


def test_two_first_saves_of_one_question_at_once_keep_one_answer(app, make):
    """Two autosaves of the same question racing (two boxes ticked quickly)."""
    import threading

    from trainer.assessments import services as tests_services
    from trainer.auth.models import User

    user = make.user(make.org())
    intro = _enrollment(user).modules[0]
    attempt = tests_services.start_pre_test(intro, user)
    db.session.commit()
    attempt_id, user_id = attempt.id, user.id
    key, values = next(iter(journey.answers_for(attempt, right=True).items()))
    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def save() -> None:
        with app.app_context():
            try:
                mine = db.session.get(Attempt, attempt_id)
                person = db.session.get(User, user_id)
                _ = list(mine.responses)
                barrier.wait()
                tests_services.save_answer(mine, person, key[2:], values)
                db.session.commit()
            except BaseException as exc:  # reported below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    rows = db.session.scalars(select(Response).where(Response.attempt_id == attempt_id)).all()
    assert len(rows) == 1 and rows[0].question_key == key[2:]
    assert not [e for e in errors if not isinstance(e, threading.BrokenBarrierError)], errors


def test_unanswered_questions_are_listed_before_the_test_is_graded(client, make):
    user = make.user(make.org())
    _intro, attempt, token = _start_pre_test(client, user)
    given = dict(list(journey.answers_for(attempt, right=True).items())[:1])
    response = client.post(
        f"/learn/attempt/{attempt.id}", data={**given, "action": "submit", "csrf_token": token}
    )
    # Not graded: the page comes back with the questions left unanswered listed.
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/learn/attempt/{attempt.id}?check=1")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_at is None
    page = client.get(response.headers["Location"]).text
    listed = re.findall(r'<li><a class="usa-link" href="#(q-[^"]+)">', page)
    assert len(listed) == sum(
        1 for key in journey.answers_for(attempt, right=True) if key not in given
    )
    assert all(f'id="{dom_id}"' in page for dom_id in listed)
    # Submitting anyway grades exactly what was given.
    response = client.post(
        f"/learn/attempt/{attempt.id}",
        data={**given, "action": "submit-anyway", "csrf_token": token},
    )
    assert response.headers["Location"].endswith(f"/learn/attempt/{attempt.id}/result")
    db.session.expire_all()
    graded = db.session.get(Attempt, attempt.id)
    assert graded.submitted_at is not None
    saved = db.session.scalars(select(Response).where(Response.attempt_id == attempt.id)).all()
    assert {r.question_key for r in saved} == {key[2:] for key in given}


def test_test_page_numbers_questions_and_says_the_hint_once(client, make):
    user = make.user(make.org())
    _intro, attempt, _token = _start_pre_test(client, user)
    page = client.get(f"/learn/attempt/{attempt.id}").text
    total = len(attempt.form)
    for n in range(1, total + 1):
        assert f"Question {n} of {total}" in page
    multiple = len(
        re.findall(r'<fieldset class="usa-fieldset question"[^>]*aria-describedby', page)
    )
    assert page.count("Choose all that apply") == multiple


def test_a_completed_lesson_leads_straight_to_the_next(client, make):
    user = make.user(make.org())
    intro, _attempt, _token = _start_pre_test(client, user)
    journey.take_test(client, intro.id, "pre", right=False)
    version = learning.version_for(journey.progress(intro.id))
    lessons = version.lessons
    for index, lesson in enumerate(lessons):
        client.get(f"/learn/m/{intro.id}/lesson/{lesson['id']}")
        journey.age_lesson(
            intro.id, lesson["id"], learning.lesson_minimum(version, lesson, user) + 1
        )
        token = csrf_token(client, f"/learn/m/{intro.id}/lesson/{lesson['id']}")
        done = client.post(f"/learn/m/{intro.id}/lesson/{lesson['id']}", data={"csrf_token": token})
        following = lessons[index + 1]["id"] if index + 1 < len(lessons) else None
        expected = (
            f"/learn/m/{intro.id}/lesson/{following}" if following else f"/learn/m/{intro.id}"
        )
        assert done.headers["Location"].endswith(expected)


def test_home_says_what_is_due_in_words(client, make):
    user = make.user(make.org())
    login(client, user)
    enrollment = _enrollment(user)
    today = timeutil.today()
    for due, words in (
        (today - timedelta(days=3), ["Overdue", "3 days ago"]),
        (today + timedelta(days=1), ["Due soon", "1 day left."]),
        (today + timedelta(days=200), ["200 days left."]),
    ):
        db.session.execute(
            update(Enrollment).where(Enrollment.id == enrollment.id).values(due_date=due)
        )
        db.session.commit()
        page = html.unescape(client.get("/learn/").text)
        for word in words:
            assert word in page, (due, word)
    assert "Due soon" not in page and "Overdue" not in page


def test_finishing_the_track_ends_on_the_completion_page(client, make):
    user = make.user(make.org())
    login(client, user)
    enrollment = _enrollment(user)
    intro, hotel = enrollment.modules
    journey.pass_module(client, intro.id, user)
    last = journey.pass_module(client, hotel.id, user)
    result = client.get(f"/learn/attempt/{last.id}/result").text
    earned = f"/certificates/earned/{enrollment.id}"
    assert f'href="{earned}"' in result
    page = client.get(earned)
    assert page.status_code == 200
    text = html.unescape(page.text)
    cert = db.session.scalar(select(Certificate).where(Certificate.enrollment_id == enrollment.id))
    assert "You are certified" in text
    assert cert.expires_on.strftime("%B") in text and str(cert.expires_on.year) in text
    assert f"/verify/{cert.verification_code}" in text and "<svg" in text
    assert f"/certificates/{cert.id}/download" in text
    assert f'href="{earned}"' in client.get("/learn/").text
    # Someone else's enrollment is not found.
    other = make.user(make.org())
    assert client.get(f"/certificates/earned/{_enrollment(other).id}").status_code == 404


def test_choose_all_that_apply_is_said_once_in_every_language(app):
    """Stems that end with the hint lose it: the page says it once, under the question."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from trainer.catalog.models import ModuleVersion
    from trainer.learning.presenters import _without_hint

    stems = []
    for version in db.session.scalars(select(ModuleVersion)):
        for item in version.items:
            for question in item.get("questions") or [item]:
                if question["type"] == "multiple":
                    stems.append(question["stem"])
    assert stems
    for lang in ("en", "es", "vi"):
        with app.test_request_context(), force_locale(lang):
            said = _("Choose all that apply.")
            hint = said.rstrip(".").casefold()
            assert _without_hint(f"Which of these? {said}") == "Which of these?"
            assert _without_hint("Which of these?") == "Which of these?"
            for stem in stems:
                if lang not in stem:
                    continue
                shown = _without_hint(stem[lang])
                assert not shown.rstrip(" .").casefold().endswith(hint), shown
                assert shown and stem[lang].startswith(shown)


def test_lesson_page_loads_each_row_once(client, make):
    """Opening a lesson saves its clock after the page is built, so nothing loads twice."""
    user = make.user(make.org())
    login(client, user)
    intro = _enrollment(user).modules[0]
    journey.take_test(client, intro.id, "pre", right=False)
    first = learning.version_for(journey.progress(intro.id)).lessons[0]["id"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        opened = client.get(f"/learn/m/{intro.id}/lesson/{first}")
        on_opening = list(statements)
        statements.clear()
        again = client.get(f"/learn/m/{intro.id}/lesson/{first}")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert opened.status_code == again.status_code == 200
    # Committing before rendering expired every loaded row: 18 and 20 queries, not 11 and 13.
    assert 0 < len(on_opening) <= 14 and 0 < len(statements) <= 14
