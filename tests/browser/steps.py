"""Steps the browser journeys share: signing in, tests, paced lessons, certificates.

Pages are driven through what a person sees: links, buttons, radio buttons and check
boxes, found by structure rather than by English words so that every language walks the
same way. The database is used only to move clocks (a lesson's opening, a failed
attempt's cooldown) and to read what a person would know (the right answers).
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from tests.support import journey
from trainer.assessments.models import Attempt
from trainer.extensions import db
from trainer.learning import services as learning
from trainer.learning.models import LessonProgress, ModuleProgress

# --- moving through pages ------------------------------------------------------------------


class Driver:
    """Moves a page by mouse (or touch on a phone) or by the keyboard alone."""

    def __init__(
        self, page: Any, checker: Any, *, keyboard: bool = False, touch: bool = False
    ) -> None:
        self.page = page
        self.checker = checker
        self.keyboard = keyboard
        self.touch = touch

    def check(self, name: str) -> bool:
        """Run every page check on the current page (once per name and language)."""
        return self.checker.check(self.page, name)

    def settle(self) -> None:
        """Wait for the page's autosaves to answer."""
        self.checker.settle(self.page)

    def focus(self, selector: str, limit: int = 150) -> None:
        """Press Tab until the element matching `selector` has the focus (keyboard only)."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
                assert_focus_visible(self.page)
                return
        raise AssertionError(f"Tab never reached {selector} on {self.page.url}")

    def activate(self, selector: str) -> None:
        """Follow a link or press a button."""
        target = self.page.locator(selector).first
        if self.keyboard:
            self.focus(selector)
            self.page.keyboard.press("Enter")
        elif self.touch:
            target.tap()
        else:
            target.click()

    def go(self, selector: str) -> None:
        """Follow a link or press a button that leads to another page."""
        with self.page.expect_navigation(wait_until="load"):
            self.activate(selector)

    def type_into(self, selector: str, text: str) -> None:
        """Type into a field."""
        if self.keyboard:
            self.focus(selector)
            self.page.keyboard.press("ControlOrMeta+A")
            self.page.keyboard.type(text)
        else:
            self.page.locator(selector).fill(text)

    def choose(self, field: str, value: str, *, multiple: bool) -> None:
        """Tick one answer: a check box, or a radio button of a group."""
        selector = f'input[name="{field}"][value="{value}"]'
        if not self.keyboard:
            # USWDS draws the box or circle on the label; the input itself is hidden.
            input_id = self.page.locator(selector).get_attribute("id")
            label = self.page.locator(f'label[for="{input_id}"]')
            label.tap() if self.touch else label.click()
            assert self.page.locator(selector).is_checked()
            return
        if multiple:
            self.focus(selector)
            self.page.keyboard.press("Space")
            return
        # Tab enters a radio group once; the arrow keys move through it and choose.
        self.focus(f'input[name="{field}"]')
        for _ in range(12):
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                break
            self.page.keyboard.press("ArrowDown")
        else:
            raise AssertionError(f"arrow keys never reached {selector}")
        self.page.keyboard.press("Space")

    def tick(self, selector: str) -> None:
        """Tick a check box (by its label, where USWDS draws the box)."""
        if self.keyboard:
            self.focus(selector)
            self.page.keyboard.press("Space")
        else:
            input_id = self.page.locator(selector).get_attribute("id")
            self.page.locator(f'label[for="{input_id}"]').click()
        assert self.page.locator(selector).is_checked()


def assert_focus_visible(page: Any) -> None:
    """The focused element shows a visible focus indicator (WCAG 2.4.7)."""
    style = page.evaluate(
        """() => {
          // A USWDS check box or radio button shows its focus on its label's drawn box.
          let el = document.activeElement, pseudo = null;
          if (el.matches('.usa-checkbox__input, .usa-radio__input') && el.id) {
            el = document.querySelector(`label[for="${el.id}"]`);
            pseudo = '::before';
          }
          const s = getComputedStyle(el, pseudo);
          return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow};
        }"""
    )
    visible = (style["outline"] != "none" and style["width"] > 0) or style["shadow"] != "none"
    assert visible, f"no visible focus indicator on {page.url}: {style}"


def number_in(url: str, pattern: str) -> int:
    """The id in a URL such as /learn/m/12."""
    match = re.search(pattern, url)
    assert match, f"{pattern} not in {url}"
    return int(match.group(1))


def sign_in(driver: Driver, email: str, password: str) -> None:
    """Sign in with email and password through the form."""
    driver.page.goto("/auth/login")
    driver.check("sign-in")
    driver.type_into("#email", email)
    driver.type_into("#password", password)
    driver.go("main form button[type=submit]")


def open_menu(driver: Driver) -> None:
    """On a phone, open the header's menu (the links, language and sign-out are in it)."""
    button = driver.page.locator("header .usa-menu-btn")
    if button.is_visible():
        driver.activate("header .usa-menu-btn")
        driver.page.locator("header .usa-nav.is-visible").wait_for()


def sign_out(driver: Driver) -> None:
    """The sign-out button in the header (in the menu on a phone)."""
    open_menu(driver)
    driver.go("form.signout button")


# --- clocks and answers (the database) ------------------------------------------------------


def age_lesson(progress_id: int, lesson_id: str) -> None:
    """Move a lesson's server-side opening time back by its minimum (plus a second)."""
    db.session.expire_all()
    progress = db.session.get(ModuleProgress, progress_id)
    version = learning.version_for(progress)
    lesson = version.lessons[learning.lesson_index(version, lesson_id)]
    minimum = learning.lesson_minimum(version, lesson, progress.enrollment.user)
    journey.age_lesson(progress_id, lesson_id, minimum + 1)


def lesson_opened(progress_id: int, lesson_id: str) -> bool:
    """True when the server has started this lesson's clock."""
    db.session.expire_all()
    return (
        db.session.scalar(
            select(LessonProgress.id).where(
                LessonProgress.module_progress_id == progress_id,
                LessonProgress.lesson_id == lesson_id,
            )
        )
        is not None
    )


def end_cooldown(progress_id: int) -> None:
    """Move the last post-test's submission back past the module's cooldown."""
    db.session.expire_all()
    progress = db.session.get(ModuleProgress, progress_id)
    version = learning.version_for(progress)
    last = db.session.scalars(
        select(Attempt)
        .where(Attempt.module_progress_id == progress_id, Attempt.kind == "post")
        .order_by(Attempt.number.desc())
    ).first()
    assert last is not None and last.submitted_at is not None
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == last.id)
        .values(submitted_at=last.submitted_at - timedelta(minutes=version.cooldown_minutes + 1))
    )
    db.session.commit()


def answers(attempt_id: int, *, right: bool) -> dict[str, tuple[list[str], bool]]:
    """Field name -> (values to tick, several allowed) for every question of an attempt."""
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    bank = {item["id"]: item for item in attempt.version.items}
    multiple: dict[str, bool] = {}
    for entry in attempt.form:
        item = bank[entry["item_id"]]
        subs = (
            [(f"{item['id']}.{q['id']}", q) for q in item["questions"]]
            if item["type"] == "scenario"
            else [(item["id"], item)]
        )
        for key, question in subs:
            multiple["q:" + key] = question["type"] == "multiple"
    fields = journey.answers_for(attempt, right=right)
    return {name: (values, multiple[name]) for name, values in fields.items()}


# --- a module, step by step -------------------------------------------------------------


def step_indicator(page: Any) -> dict[str, Any]:
    """What the module's step indicator shows: the current step, the total, the heading."""
    box = page.locator("main .usa-step-indicator")
    assert box.count() == 1, f"no step indicator on {page.url}"
    return {
        "current": int(box.locator(".usa-step-indicator__current-step").inner_text()),
        "segments": box.locator(".usa-step-indicator__segment").count(),
        "heading": box.locator(".usa-step-indicator__heading-text").inner_text().strip(),
        "complete": box.locator(".usa-step-indicator__segment--complete").count(),
    }


def check_test_page(page: Any, attempt_id: int) -> None:
    """Questions numbered "n of N"; "choose all that apply" said once per such question;
    no box inside a box."""
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    total = len(attempt.form)
    numbers = page.locator("main .test-item__number").all_inner_texts()
    assert len(numbers) == total
    for n, text in enumerate(numbers, start=1):
        assert re.search(rf"\b{n}\b.*\b{total}\b", text), text
    multiple = page.locator("main fieldset.question:has(input[type=checkbox])").count()
    assert page.locator("main .question__hint").count() == multiple
    nested = page.evaluate(
        """() => {
          const boxed = el => {
            const st = getComputedStyle(el);
            return st.borderLeftStyle !== 'none' && parseFloat(st.borderLeftWidth) > 0;
          };
          return [...document.querySelectorAll('main fieldset.question')].filter(f => {
            let up = f.parentElement, inside = false;
            while (up && up.tagName !== "MAIN") {
              inside = inside || boxed(up);
              up = up.parentElement;
            }
            return boxed(f) && inside;
          }).length;
        }"""
    )
    assert nested == 0, "a question's box sits inside another box"


def take_test(driver: Driver, kind: str, *, right: bool, leave_unanswered: int = 0) -> bool:
    """From the module page: start the test, answer every question, submit; True if passed.

    With `leave_unanswered`, the last questions are first left blank: submitting lists
    them in a warning (and sends nothing); they are then answered and the test submitted.
    """
    page = driver.page
    driver.go(f"main form[action$='/{kind}'] button[type=submit]")
    driver.check(f"attempt-{kind}")
    attempt_id = number_in(page.url, r"/learn/attempt/(\d+)")
    steps = step_indicator(page)
    assert steps["current"] == (1 if kind == "pre" else steps["segments"] - 1), steps
    check_test_page(page, attempt_id)
    fields = list(answers(attempt_id, right=right).items())
    later = fields[len(fields) - leave_unanswered :] if leave_unanswered else []
    for field, (values, multiple) in fields[: len(fields) - len(later)]:
        for value in values:
            driver.choose(field, value, multiple=multiple)
    driver.settle()
    if later:
        warning = page.locator("#unanswered")
        assert warning.is_hidden()
        driver.activate("button[name=action][value=submit]")
        warning.wait_for(state="visible")
        assert "/attempt/" in page.url and "/result" not in page.url
        listed = warning.locator("li a").all()
        assert len(listed) == len(later)
        targets = {link.get_attribute("href").lstrip("#") for link in listed}
        expected = {
            page.locator(f'fieldset:has(input[name="{field}"])').get_attribute("id")
            for field, _ in later
        }
        assert targets == expected
        assert page.evaluate("() => document.activeElement.id") == "unanswered"
        driver.check(f"attempt-{kind}-unanswered")
        db.session.expire_all()
        assert db.session.get(Attempt, attempt_id).submitted_at is None
        for field, (values, multiple) in later:
            for value in values:
                driver.choose(field, value, multiple=multiple)
        driver.settle()
    driver.go("button[name=action][value=submit]")
    assert "/result" in page.url, page.url
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.submitted_at is not None
    return bool(attempt.passed)


def read_lessons(driver: Driver, slug: str) -> list[str]:
    """From the module page: open the next lesson, let its time pass on the server, and
    press Next, which leads straight to the following lesson (the module page after the
    last one).

    Returns the lessons' headings, in order.
    """
    page = driver.page
    progress_id = number_in(page.url, r"/learn/m/(\d+)")
    headings = []
    driver.go("main .usa-summary-box a.usa-button[href*='/lesson/']")
    while re.search(r"/learn/m/\d+/lesson/", page.url):
        lesson_id = page.url.rstrip("/").rsplit("/", 1)[1]
        assert lesson_opened(progress_id, lesson_id)
        assert page.locator("[data-pace-next]").is_disabled()
        steps = step_indicator(page)
        assert steps["current"] == 2, steps
        done = len(headings)
        assert re.search(rf"\b{done}\b", steps["heading"]), steps
        driver.check(f"lesson-{slug}-{lesson_id}")
        headings.append(page.locator("main h1").inner_text().strip())
        age_lesson(progress_id, lesson_id)
        page.reload()
        assert page.locator("[data-pace-next]").is_enabled()
        driver.check("lesson-ready")
        driver.go("[data-pace-next]")
        assert not page.url.endswith(f"/lesson/{lesson_id}"), f"completion refused: {page.url}"
    assert re.search(r"/learn/m/\d+$", page.url), page.url
    return headings


def attest(driver: Driver) -> None:
    """Read the new form and procedure, tick the statement and confirm."""
    page = driver.page
    driver.go("main .usa-summary-box a.usa-button[href$='/attest']")
    driver.check("attestation")
    assert page.locator("section.document").count() >= 1
    driver.tick("#confirm")
    driver.go("main form.attest-form button[type=submit]")
    assert re.search(r"/learn/m/\d+$", page.url), page.url


def do_module(
    driver: Driver, *, fail_first: bool = False, leave_unanswered: int = 0
) -> dict[str, Any]:
    """A whole module from its page: pre-test, lessons, attestation, post-test(s).

    Ends on the page the passed post-test leads to: the next module, or the certificate.
    """
    page = driver.page
    progress_id = number_in(page.url, r"/learn/m/(\d+)")
    db.session.expire_all()
    slug = db.session.get(ModuleProgress, progress_id).module.slug
    driver.check("module-start")
    title = page.locator("main h1").inner_text().strip()
    assert step_indicator(page)["current"] == 1
    take_test(driver, "pre", right=False, leave_unanswered=leave_unanswered)
    driver.check("result-pre")
    driver.go("main a.usa-button[href*='/learn/m/']")
    driver.check("module-lessons")
    assert step_indicator(page)["current"] == 2
    lessons = read_lessons(driver, slug)
    db.session.expire_all()
    if learning.version_for(db.session.get(ModuleProgress, progress_id)).attestation:
        driver.check("module-attest")
        attest(driver)
    driver.check("module-post")
    failed = 0
    if fail_first:
        assert not take_test(driver, "post", right=False)
        driver.check("result-post-not-passed")
        driver.go("main a.usa-button[href*='/learn/m/']")
        driver.check("module-cooldown")
        assert page.locator("main form[action$='/post']").count() == 0
        end_cooldown(progress_id)
        page.reload()
        failed = 1
    assert take_test(driver, "post", right=True)
    driver.check("result-post-passed")
    steps = step_indicator(page)
    # Every step done; the last (the certificate, or the next module) is where they are.
    assert steps["complete"] == steps["segments"] - 1, steps
    assert steps["current"] == steps["segments"], steps
    driver.go("main .button-row a.usa-button")
    return {
        "progress_id": progress_id,
        "slug": slug,
        "title": title,
        "lessons": lessons,
        "first_lesson": lessons[0],
        "failed": failed,
        "next_url": page.url,
    }


def do_track(
    driver: Driver, *, fail_first_post: bool = False, leave_unanswered: int = 0
) -> list[dict[str, Any]]:
    """Every module of the learner's first track, from "My training".

    Ends on the completion page ("You are certified") the last module leads to.
    """
    page = driver.page
    done: list[dict[str, Any]] = []
    while True:
        page.goto("/learn/")
        driver.check("my-training")
        links = page.locator("main .track-modules a[href*='/learn/m/']")
        open_modules = [links.nth(i).get_attribute("href") for i in range(links.count())]
        pending = [
            href
            for href in open_modules
            if href not in {f"/learn/m/{d['progress_id']}" for d in done}
        ]
        if not pending:
            break
        # The home page's "what to do next" leads to the same module.
        assert (
            page.locator("main .usa-summary-box a.usa-button").get_attribute("href") == (pending[0])
        )
        driver.go("main .usa-summary-box a.usa-button")
        first = not done
        done.append(
            do_module(
                driver,
                fail_first=fail_first_post and first,
                leave_unanswered=leave_unanswered if first else 0,
            )
        )
        if re.search(r"/certificates/earned/\d+$", page.url):
            break
        # Otherwise the passed module led straight to the next one.
        assert re.search(r"/learn/m/\d+$", page.url) and page.url != pending[0], page.url
    assert re.search(r"/certificates/earned/\d+$", page.url), page.url
    return done


# --- certificates --------------------------------------------------------------------


def qr_in_png(png: Path) -> str:
    """The text of the QR code in an image."""
    return subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True
    ).stdout.strip()


def qr_in_pdf(pdf: Path) -> str:
    """The text of the QR code printed on a PDF's first page."""
    stem = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(stem)], check=True
    )
    return qr_in_png(stem.with_suffix(".png"))
