"""Compliance pages: the manager's dashboard, a person's training history, exports, the
annual certification, and the city's overview of every organization in its jurisdiction.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from trainer import jobs, timeutil
from trainer.auth.models import User
from trainer.certificates import services as certificates
from trainer.compliance import attention, cityview, exports, reports, services
from trainer.compliance import jobs as compliance_jobs
from trainer.compliance.forms import AttestForm, OrgFilterForm, StaffFilterForm
from trainer.compliance.models import AnnualReport
from trainer.core.http import arg_id, arg_int, parse_id
from trainer.core.navigation import NavLink
from trainer.core.text import localized
from trainer.extensions import db
from trainer.jobs import progress
from trainer.orgs.models import Organization
from trainer.policy import (
    Permission,
    authorize,
    get_in_scope,
    jurisdiction_of,
    may,
    named_organization,
    organization_args,
    requires,
    shows,
)

bp = Blueprint("compliance", __name__, url_prefix="/compliance")

#: The header links this feature contributes (see trainer.core.navigation).
NAVIGATION = (
    NavLink("compliance.dashboard", _l("Dashboard"), 30, shows(Permission.STAFF_MANAGE)),
    NavLink("compliance.auditor", _l("Compliance"), 80, shows(Permission.AUDIT_VIEW)),
)


def _lang() -> str:
    return str(get_locale() or "en")


def _scoped_org(permission: Permission = Permission.STAFF_VIEW) -> Organization | None:
    """The organization a page is about: a manager's own; admins and auditors pass ?org=.

    None when an admin or auditor gave no organization (they start from the city view).
    """
    return named_organization(Organization, arg_id("org"), permission)


def _org_args(org: Organization) -> dict[str, Any]:
    """The ?org= argument that links of admins and auditors carry."""
    return organization_args(current_user, org)


def _csv(chunks: Iterator[str], filename: str) -> Response:
    """A streamed CSV download."""
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _jurisdiction() -> str | None:
    """The jurisdiction the city view covers: the auditor's own; None (all) for admins."""
    return jurisdiction_of(current_user)


def _rule_names(org: Organization) -> dict[str, str]:
    return {rule.id: localized(rule.name, _lang()) for rule in services.org_rules(org)}


@bp.get("/")
@requires(Permission.STAFF_VIEW)
def dashboard() -> Response | str:
    """The organization's staff by status: chart, counts, and the filtered staff list."""
    org = _scoped_org()
    if org is None:
        return redirect(url_for("compliance.auditor"))
    form = StaffFilterForm(request.args)
    filters, ignored = form.to_filter()
    today = timeutil.today()
    rows = services.staff_rows(org, today)
    chosen = attention.filter_rows(rows, filters)
    year = today.year
    filed = [r for r in reports.reports_of(org) if r.year == year]
    rule_names = _rule_names(org)
    return render_template(
        "compliance/dashboard.html",
        org=org,
        org_args=_org_args(org),
        form=form,
        ignored=ignored,
        filtering=any(request.args.get(name) for name in ("q", "status", "job_role", "sort")),
        attention=attention.attention(org, rows),
        can_manage=may(current_user, Permission.STAFF_MANAGE, org),
        shared_rule=_shared_rule(rows, rule_names),
        describe=attention.describe,
        counts=services.status_counts(rows),
        total=len(rows),
        page=services.paginate(chosen, filters.page),
        query=request.args.to_dict(),
        labels=services.STATUS_LABELS,
        rule_names=rule_names,
        rooms_prompt=[localized(rule.name, _lang()) for rule in services.rooms_prompt(org)],
        read_only=not may(current_user, Permission.STAFF_MANAGE, org),
        year=year,
        today=today,
        certification_due=reports.due_on(org, year),
        filed=filed[0] if filed else None,
    )


def _shared_rule(rows: list[services.StaffRow], rule_names: dict[str, str]) -> str | None:
    """The name of the one rule that sets every listed due date (None when they differ)."""
    ids = {row.due.rule_id for row in rows if row.due.rule_id}
    return rule_names.get(ids.pop()) if len(ids) == 1 else None


@bp.route("/reminders", methods=["GET", "POST"])
@requires(Permission.STAFF_MANAGE)
def remind() -> Response | str:
    """Send the overdue reminder to the late staff who have an email, after confirming."""
    org = _scoped_org(Permission.STAFF_MANAGE)
    if org is None:
        return redirect(url_for("compliance.auditor"))
    today = timeutil.today()
    if request.method == "POST":
        sent = attention.send_reminders(org, today)
        db.session.commit()
        if sent.sent:
            flash(
                ngettext(
                    "A reminder was sent to %(num)d person.",
                    "Reminders were sent to %(num)d people.",
                    sent.sent,
                )
            )
        if sent.already:
            flash(
                ngettext(
                    "%(num)d person was already reminded today; nothing was sent again.",
                    "%(num)d people were already reminded today; nothing was sent again.",
                    sent.already,
                ),
                "info",
            )
        if not sent.sent and not sent.already:
            flash(_("No one who is overdue has an email address: nothing was sent."), "info")
        return redirect(url_for("compliance.dashboard", **_org_args(org)))
    rows = services.staff_rows(org, today)
    return render_template(
        "compliance/remind.html",
        org=org,
        org_args=_org_args(org),
        targets=attention.reminder_targets(rows),
        attention=attention.attention(org, rows),
        labels=services.STATUS_LABELS,
        today=today,
    )


@bp.get("/staff.csv")
@requires(Permission.STAFF_VIEW)
def staff_csv() -> Response:
    """The staff list with the dashboard's filters and sort, as CSV (every page)."""
    org = _scoped_org()
    if org is None:
        return redirect(url_for("compliance.auditor"))
    filters, _ignored = StaffFilterForm(request.args).to_filter()
    today = timeutil.today()
    rows = attention.filter_rows(services.staff_rows(org, today), filters)
    return _csv(exports.staff_csv(rows), f"staff-{org.id}-{today.isoformat()}.csv")


@bp.get("/records.zip")
@requires(Permission.STAFF_VIEW)
def records() -> Response:
    """The records package (records.csv, every certificate PDF and a SHA-256 manifest),
    built by a job; its page offers the file."""
    org = _scoped_org()
    if org is None:
        return redirect(url_for("compliance.auditor"))
    # Built by a job into a file; its page shows how far it got and then offers it.
    job_id = progress.start(compliance_jobs.RECORDS_KIND, current_user.id, org.id)
    jobs.enqueue_after_commit(
        compliance_jobs.build_records_package,
        job_id,
        org.id,
        timeutil.today().isoformat(),
        job_id=f"run-{job_id}",
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job_id))


@bp.get("/people/<int:user_id>")
@requires(Permission.STAFF_VIEW)
def person(user_id: int) -> str:
    """A person's status, training history (modules, test scores) and certificates."""
    user = db.session.get(User, user_id)
    if user is None or user.organization is None or user.role not in services.STAFF_ROLES:
        abort(404)
    authorize(Permission.STAFF_VIEW, user.organization)
    today = timeutil.today()
    row = services.person_row(user, today)
    return render_template(
        "compliance/person.html",
        person=user,
        org=user.organization,
        org_args=_org_args(user.organization),
        row=row,
        rule_names=_rule_names(user.organization),
        history=services.training_history(user, _lang()),
        certs=certificates.of_user(user),
        today=today,
        labels=services.STATUS_LABELS,
    )


# --------------------------------------------------------------------------- annual report


def _year_arg(today: date) -> int:
    year = arg_int("year", 1900, 9999)
    return year if year is not None and 2000 <= year <= today.year + 1 else today.year


def _annual_page(org: Organization, year: int, form: AttestForm | None) -> str:
    today = timeutil.today()
    rule = reports.certification_rule(org)
    filed = reports.reports_of(org)
    can_file = may(current_user, Permission.REPORT_FILE, org) and year in reports.fileable_years(
        org, today
    )
    preview = reports.build_report(org, year, today, language=_lang()) if rule else None
    counts = attention.annual_counts(services.staff_rows(org, today)) if rule else None
    return render_template(
        "compliance/annual.html",
        org=org,
        org_args=_org_args(org),
        year=year,
        years=sorted({today.year, today.year - 1, *(r.year for r in filed)}, reverse=True),
        rule=rule,
        rule_name=localized(rule.name, _lang()) if rule else "",
        recipient=localized(rule.annual_certification.to, _lang())
        if rule and rule.annual_certification
        else "",
        due=reports.due_on(org, year),
        date_notes=[
            localized(note.note, _lang())
            for note in (rule.unconfirmed if rule else ())
            if note.field in ("annual_certification", "annual_certification.due")
        ],
        filed=filed,
        filed_this_year=[r for r in filed if r.year == year],
        preview=preview,
        counts=counts,
        labels=services.STATUS_LABELS,
        form=form if can_file else None,
        today_date=today,
    )


@bp.get("/annual")
@requires(Permission.STAFF_VIEW)
def annual() -> Response | str:
    """The year's annual certification: what it lists, who filed it, and the form."""
    org = _scoped_org()
    if org is None:
        return redirect(url_for("compliance.auditor"))
    year = _year_arg(timeutil.today())
    form = AttestForm(year=str(year), attested_name=current_user.full_name)
    return _annual_page(org, year, form)


@bp.post("/annual")
@requires(Permission.REPORT_FILE)
def annual_file() -> Response | str:
    """File the year's certification: the manager attests, the PDF and CSV are stored."""
    org = _scoped_org(Permission.REPORT_FILE)
    if org is None:
        abort(404)
    form = AttestForm()
    today = timeutil.today()
    year = parse_id(form.year.data or "")
    if year is None or year not in reports.fileable_years(org, today):
        flash(_("Choose a year for which the certification can be filed."), "error")
        return redirect(url_for("compliance.annual"))
    form.overdue_count = attention.annual_counts(services.staff_rows(org, today)).overdue
    if not form.validate_on_submit():
        return _annual_page(org, year, form)
    try:
        report = reports.file_report(
            org,
            year,
            today,
            actor=current_user,
            attested_name=form.attested_name.data or "",
            attested_title=form.attested_title.data or "",
            language=_lang(),
        )
    except reports.FilingError:
        db.session.rollback()
        flash(_("The certification could not be filed. Please reload the page and try again."))
        return redirect(url_for("compliance.annual", year=year))
    db.session.commit()
    flash(
        _(
            "The %(year)d certification was filed. The city can see it now.",
            year=report.year,
        )
    )
    return redirect(url_for("compliance.annual", year=year))


@bp.get("/annual/<int:report_id>/<any(pdf, csv):kind>")
@requires(Permission.STAFF_VIEW)
def annual_download(report_id: int, kind: str) -> Response:
    """A filed report's PDF or CSV, byte for byte as filed."""
    report = get_in_scope(
        AnnualReport,
        report_id,
        Permission.STAFF_VIEW,
        lambda report: db.session.get(Organization, report.organization_id),
    )
    name = f"annual-certification-{report.organization_id}-{report.year}-r{report.revision}"
    return Response(
        reports.read_file(report, kind),
        mimetype="application/pdf" if kind == "pdf" else "text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{kind}"',
            "X-Content-SHA256": report.pdf_sha256 if kind == "pdf" else report.csv_sha256,
        },
    )


# --------------------------------------------------------------------------- the city


@bp.get("/city")
@requires(Permission.AUDIT_VIEW)
def auditor() -> str:
    """Every organization of the jurisdiction: compliance rate, late staff, certification."""
    today = timeutil.today()
    form = OrgFilterForm(request.args)
    filters, year, ignored = form.to_filter(today.year)
    jurisdiction = _jurisdiction()
    summaries = services.org_summaries(jurisdiction, year, today)
    chosen = services.filter_orgs(summaries, filters)
    known = services.all_rules().get(jurisdiction or "")
    return render_template(
        "compliance/auditor.html",
        form=form,
        ignored=ignored,
        year=year,
        totals=services.city_totals(summaries),
        headline=cityview.headline(summaries),
        page=services.paginate(chosen, filters.page),
        query=request.args.to_dict(),
        jurisdiction_name=localized(known.name, _lang()) if known else "",
    )


@bp.get("/city.csv")
@requires(Permission.AUDIT_VIEW)
def auditor_csv() -> Response:
    """The city's overview with its filters, as CSV (every page)."""
    today = timeutil.today()
    filters, year, _ignored = OrgFilterForm(request.args).to_filter(today.year)
    summaries = services.filter_orgs(services.org_summaries(_jurisdiction(), year, today), filters)
    return _csv(exports.orgs_csv(summaries, year), f"organizations-{year}.csv")


@bp.get("/city/staff.csv")
@requires(Permission.AUDIT_VIEW)
def city_staff_csv() -> Response:
    """Every active staff member of the jurisdiction with their status, streamed."""
    today = timeutil.today()
    return _csv(exports.city_staff_csv(_jurisdiction(), today), f"staff-{today.isoformat()}.csv")


@bp.get("/city/certificates.csv")
@requires(Permission.AUDIT_VIEW)
def certificates_csv() -> Response:
    """A certificate search (?q=, as on the search page) as CSV."""
    q = (request.args.get("q") or "")[:100]
    found = certificates.search(_jurisdiction(), q, limit=10_000) if q.strip() else []
    return _csv(exports.certificates_csv(found, timeutil.today()), "certificates.csv")


@bp.get("/city/audit.csv")
@requires(Permission.AUDIT_VIEW)
def audit_csv() -> Response:
    """The audit log of the jurisdiction's organizations, with each event's hashes."""
    return _csv(exports.audit_csv(_jurisdiction()), "audit-log.csv")
