"""Anti-trafficking training and certification platform.

`create_app` builds the Flask application: configuration, extensions, one blueprint per
feature, and the CLI commands.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TypeVar

from flask import Flask

from config import Config, config_from_env

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | type[Config] | None = None) -> Flask:
    """Application factory: build and return a configured app."""
    # Templates live at the top level (templates/, one folder per feature) so designers
    # and translators find every page in one place, as the product brief lays out.
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config if config is not None else config_from_env())
    app.jinja_env.add_extension("jinja2.ext.do")
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set.")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite has one writer at a time: wait for it (up to SQLITE_BUSY_SECONDS)
        # rather than fail with "database is locked" when requests write at once.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("timeout", app.config["SQLITE_BUSY_SECONDS"])
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}
    if app.config["PROXY_COUNT"]:
        # Behind N proxies, the client's address is the Nth from the right of
        # X-Forwarded-For: rate limits and audit records name the real client.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
    from trainer.core.http import BoundedInt

    app.url_map.converters["int"] = BoundedInt
    logging.basicConfig(level=logging.INFO if not app.testing else logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    _load_branding(app)
    _init_extensions(app)
    _init_jobs(app)
    _load_rules(app)
    _register_blueprints(app)
    _register_cli(app)
    _connect_features()
    return app


def _init_extensions(app: Flask) -> None:
    import trainer.models  # noqa: F401 - every table registered before migrations run
    from trainer.core import http
    from trainer.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=http.select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to open that page.")

    @login_manager.user_loader
    def load_user(session_id: str) -> object:
        from trainer.auth.models import User

        user_id, _sep, _stamp = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.get_id() != session_id:
            return None
        return user

    app.before_request(http.refuse_control_characters)
    app.before_request(http.enforce_session_limits)
    app.after_request(http.add_security_headers)
    app.after_request(http.no_store)
    http.register_error_handlers(app)

    from trainer.core.templating import register_template_helpers

    register_template_helpers(app)


def _init_jobs(app: Flask) -> None:
    """The queue, and the daily jobs the scheduler queues (times in PROGRAM_TIMEZONE)."""
    from datetime import time

    from trainer import jobs
    from trainer.audit.jobs import daily_checkpoint
    from trainer.certificates.jobs import daily_renewals
    from trainer.compliance.jobs import daily_reminders
    from trainer.jobs.progress import clear_old
    from trainer.jobs.scheduler import DailyTask, register_daily, register_every_minute
    from trainer.mail.outbox import sweep

    jobs.init_app(app)
    register_daily(DailyTask("renewals", time(2, 0), daily_renewals))
    register_daily(DailyTask("audit-checkpoint", time(3, 0), daily_checkpoint))
    register_daily(DailyTask("reminders", time(7, 0), daily_reminders))
    register_daily(DailyTask("job-results", time(4, 0), clear_old))
    register_every_minute(sweep)


def _load_branding(app: Flask) -> None:
    """The program's name, office, city and seal; a missing USWDS build is reported."""
    from trainer.core.branding import load_branding

    try:
        load_branding(app)
    except ValueError as error:
        raise RuntimeError(str(error)) from None
    if not (Path(app.static_folder or "") / "uswds" / "css" / "uswds.min.css").is_file():
        app.logger.warning(
            "The U.S. Web Design System files are missing from trainer/static/uswds/: "
            "run `make assets` (it needs npm) before serving or packaging the app."
        )


def _load_rules(app: Flask) -> None:
    """Read the jurisdiction rules once at start-up (they are content, not state)."""
    from trainer.compliance.rules import load_rules

    rules, problems = load_rules(Path(app.config["MODULES_DIR"]) / "rules")
    for problem in problems:
        app.logger.warning("rules: %s", problem)
    app.extensions["trainer.jurisdictions"] = rules


def _register_blueprints(app: Flask) -> None:
    """Register each feature's blueprint and the header links it contributes."""
    from trainer import policy
    from trainer.auditlog import views as audit
    from trainer.auth import views as auth
    from trainer.catalog import views as catalog
    from trainer.certificates import views as certificates
    from trainer.compliance import views as compliance
    from trainer.core.navigation import add_links
    from trainer.home import views as home
    from trainer.jobs import views as jobs
    from trainer.learning import views as learning
    from trainer.mail import views as mail
    from trainer.orgs import views as orgs
    from trainer.outcomes import views as outcomes

    for feature in (
        home,
        auth,
        orgs,
        audit,
        catalog,
        learning,
        certificates,
        outcomes,
        compliance,
        mail,
        jobs,
    ):
        app.register_blueprint(feature.bp)
        add_links(app, getattr(feature, "NAVIGATION", ()))
    # templates ask the policy, never compare role names
    app.jinja_env.globals["may"] = policy.current_may
    app.jinja_env.globals["org_args"] = policy.current_organization_args
    app.jinja_env.globals["current_scope"] = policy.current_scope


def _register_cli(app: Flask) -> None:
    from trainer.audit.cli import audit_group
    from trainer.catalog.cli import content_group
    from trainer.certificates.cli import certificates_group
    from trainer.compliance.cli import compliance_group, reminders_group
    from trainer.demo.cli import demo_group
    from trainer.jobs.cli import jobs_group
    from trainer.mail.cli import mail_group
    from trainer.outcomes.cli import stats_group

    for group in (
        audit_group,
        certificates_group,
        content_group,
        compliance_group,
        reminders_group,
        demo_group,
        jobs_group,
        mail_group,
        stats_group,
    ):
        app.cli.add_command(group)


_Hook = TypeVar("_Hook")


def _connect_features() -> None:
    """Connect the hooks through which a lower feature reaches a higher one.

    Every cross-feature reaction or question is listed here, so the features themselves
    import only downwards (see docs/architecture.md); connecting twice changes nothing.
    """
    from trainer.assessments import services as assessments
    from trainer.catalog import services as catalog
    from trainer.certificates import services as certificates
    from trainer.compliance import services as compliance
    from trainer.learning import services as learning
    from trainer.orgs import services as orgs
    from trainer.orgs import sheets

    # grading reports a passed module; learning decides the track is complete
    assessments.MODULE_VERSION.connect(learning.version_for)
    assessments.MODULE_START.connect(learning.start_module)
    assessments.LESSONS_DONE.connect(learning.lessons_done)
    assessments.MODULE_PASSED.connect(learning.module_passed)
    # a completed track earns its certificate
    learning.TRACK_COMPLETED.connect(certificates.issue_for_enrollment)
    # new staff are enrolled; their sheets list their trainings
    orgs.STAFF_ADDED.connect(learning.enroll_automatically)
    sheets.TRAININGS_OF.connect(learning.trainings_for_sheet)
    # the jurisdiction rules answer what the law says
    learning.DUE_DATE.connect(compliance.first_due_date)
    learning.MINIMUM_MINUTES.connect(compliance.minimum_minutes_for)
    learning.LESSON_CONTACTS.connect(compliance.contacts_for_learner)
    catalog.PREVIEW_CONTACTS.connect(compliance.contacts_box)
    certificates.JURISDICTION_FACTS.connect(compliance.certificate_facts)
