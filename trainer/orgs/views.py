"""Organizations (admins), staff lists, staff import and access sheets (managers)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
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
from wtforms.fields.choices import SelectChoice

from trainer import jobs, timeutil
from trainer.auth import services as auth_services
from trainer.auth.models import Role, User
from trainer.catalog.services import active_tracks
from trainer.core.branding import branding
from trainer.core.http import arg_id
from trainer.core.navigation import NavLink
from trainer.core.text import localized
from trainer.core.vocabulary import DEPARTMENTS
from trainer.extensions import db
from trainer.jobs import progress
from trainer.mail import send_after_commit
from trainer.orgs import imports, services, sheets
from trainer.orgs import jobs as org_jobs
from trainer.orgs.forms import ContactForm, ImportForm, OrganizationForm, StaffForm
from trainer.orgs.models import Organization, OrganizationContact
from trainer.policy import (
    Permission,
    StaffAction,
    authorize,
    authorize_manage,
    get_in_scope,
    jurisdiction_of,
    names_organization,
    organization_args,
    organization_for,
    requires,
    shows,
)

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

#: The header links this feature contributes (see trainer.core.navigation).
NAVIGATION = (
    NavLink("orgs.staff_list", _l("Staff"), 40, shows(Permission.STAFF_MANAGE)),
    NavLink(
        "orgs.contact_list",
        _l("Workplace contacts"),
        50,
        shows(Permission.CONTACTS_MANAGE, roles=(Role.MANAGER,)),
    ),
    NavLink(
        "orgs.org_list",
        _l("Organizations"),
        70,
        shows(Permission.ORG_VIEW, roles=(Role.AUDITOR, Role.ADMIN)),
    ),
)


def _org_form(org: Organization | None = None) -> OrganizationForm:
    form = OrganizationForm(obj=org)
    form.jurisdiction.choices = [
        SelectChoice(j, localized(rule.name, str(get_locale())) or j)
        for j, rule in sorted(current_app.extensions["trainer.jurisdictions"].items())
    ]
    form.department.choices = [SelectChoice("", "—")] + [
        SelectChoice(k, str(v)) for k, v in DEPARTMENTS.items()
    ]
    return form


def _org_data(form: OrganizationForm) -> services.OrgData:
    return services.OrgData(
        kind=form.kind.data or "hotel",
        name=(form.name.data or "").strip(),
        address=(form.address.data or "").strip(),
        jurisdiction=form.jurisdiction.data or "",
        department=form.department.data or None,
        permit_number=(form.permit_number.data or "").strip() or None,
        rooms=form.rooms.data,
    )


def _get_org(org_id: int, permission: Permission) -> Organization:
    return get_in_scope(Organization, org_id, permission, lambda org: org)


def _get_staff(user_id: int, action: StaffAction) -> User:
    """The person, if the signed-in manager or admin may take this action on them."""
    return authorize_manage(db.session.get(User, user_id), action)


def _manager_org() -> Organization:
    """The organization a manager manages (admins and auditors name one with ?org=)."""
    return _org_for(Permission.STAFF_VIEW)


def _org_for(permission: Permission) -> Organization:
    return organization_for(Organization, arg_id("org"), permission)


@bp.get("/")
@requires(Permission.ORG_VIEW)
def org_list() -> str | Response:
    """Organizations: every one for admins, the jurisdiction's for auditors."""
    if not names_organization(current_user):
        return redirect(url_for("orgs.staff_list"))
    orgs = services.list_orgs(jurisdiction_of(current_user))
    return render_template("orgs/org_list.html", orgs=orgs)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.ORG_ADMIN)
def org_new() -> Response | str:
    """Create an organization (admins)."""
    form = _org_form()
    if form.validate_on_submit():
        org = services.create_org(_org_data(form), actor=current_user)
        db.session.commit()
        flash(_("Organization created."))
        return redirect(url_for("orgs.org_edit", org_id=org.id))
    return render_template("orgs/org_form.html", form=form, org=None)


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@requires(Permission.ORG_ADMIN)
def org_edit(org_id: int) -> Response | str:
    """Edit an organization (admins)."""
    org = _get_org(org_id, Permission.ORG_ADMIN)
    form = _org_form(org)
    if form.validate_on_submit():
        services.update_org(org, _org_data(form), actor=current_user)
        db.session.commit()
        flash(_("Organization saved."))
        return redirect(url_for("orgs.org_edit", org_id=org.id))
    rooms_missing = org.kind == "hotel" and org.rooms is None
    return render_template("orgs/org_form.html", form=form, org=org, rooms_missing=rooms_missing)


@bp.get("/staff")
@requires(Permission.STAFF_VIEW)
def staff_list() -> str:
    """The manager's staff list (admins: ?org=ID; auditors read it per organization)."""
    org = _manager_org()
    return render_template(
        "orgs/staff_list.html",
        org=org,
        staff=services.staff_of(org),
        without_sign_in=len(sheets.without_sign_in(org)),
    )


def _staff_data(form: StaffForm) -> services.StaffData:
    return services.StaffData(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        email=form.email.data or None,
        job_role=form.job_role.data or "other",
        hire_date=form.hire_date.data,
        language=form.language.data or "en",
        extra_time_percent=form.extra_time_percent.data or 0,
        employment=form.employment.data or "direct",
        under_16_at_hire=bool(form.under_16_at_hire.data),
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@requires(Permission.STAFF_MANAGE)
def staff_new() -> Response | str:
    """Add a staff member; with an email, an invitation goes out."""
    org = _manager_org()
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user = services.add_staff(org, _staff_data(form), actor=current_user)
        except services.EmailTaken:
            db.session.rollback()
            form.email.errors.append(_("Another account already uses this email."))
        else:
            if user.email:
                _send_invitation(user)
            db.session.commit()
            flash(_("%(name)s was added.", name=user.full_name))
            return redirect(url_for("orgs.staff_list"))
    return render_template("orgs/staff_form.html", form=form, org=org, person=None)


@bp.route("/staff/<int:user_id>/edit", methods=["GET", "POST"])
@requires(Permission.STAFF_MANAGE)
def staff_edit(user_id: int) -> Response | str:
    """Edit a staff member's details."""
    person = _get_staff(user_id, StaffAction.EDIT)
    form = StaffForm(obj=person)
    if form.validate_on_submit():
        try:
            services.update_staff(person, _staff_data(form), actor=current_user)
        except services.EmailTaken:
            db.session.rollback()
            form.email.errors.append(_("Another account already uses this email."))
        else:
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("orgs.staff_list"))
    return render_template(
        "orgs/staff_form.html",
        form=form,
        org=person.organization,
        person=person,
        tracks=active_tracks(),
    )


@bp.post("/staff/<int:user_id>/active")
@requires(Permission.STAFF_MANAGE)
def staff_active(user_id: int) -> Response | str:
    """Deactivate (after a confirmation page) or reactivate a staff member; records stay."""
    person = _get_staff(user_id, StaffAction.DEACTIVATE)
    active = request.form.get("active") == "1"
    if not active and person.active and request.form.get("confirm") != "yes":
        return render_template(
            "orgs/deactivate_confirm.html", person=person, back=_staff_list_of(person)
        )
    services.set_staff_active(person, active, actor=current_user)
    db.session.commit()
    flash(_("Reactivated.") if active else _("Deactivated. Their training records are kept."))
    return redirect(_staff_list_of(person))


def _send_invitation(user: User) -> None:
    link = url_for(
        "auth.accept_invitation", token=auth_services.make_token(user, "invite"), _external=True
    )
    send_after_commit(
        user.email or "",
        _("You are invited to your anti-trafficking training"),
        render_template("orgs/mail_invitation.txt", user=user, link=link),
        language=user.language,
    )


@bp.post("/staff/<int:user_id>/invite")
@requires(Permission.STAFF_MANAGE)
def staff_invite(user_id: int) -> Response:
    """Send (again) the invitation email."""
    person = _get_staff(user_id, StaffAction.INVITE)
    if not person.email:
        abort(400, _("This person has no email address; print an access sheet instead."))
    _send_invitation(person)
    services.record_invitation(person, actor=current_user)
    db.session.commit()
    flash(_("Invitation sent to %(email)s.", email=person.email))
    return redirect(url_for("orgs.staff_list"))


def _sheets_response(people: list[tuple[User, str]], filename: str) -> Response:
    """The access sheets of people whose codes were just issued, as one PDF download."""
    sign_in = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("auth.code_login")
    today = timeutil.today()
    pdf = sheets.render_sheets(
        [sheets.sheet_for(user, code, sign_in_url=sign_in, today=today) for user, code in people],
        branding(),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _staff_list_of(person: User) -> str:
    """The staff list a person is on (an admin names the organization)."""
    org = person.organization_id if names_organization(current_user) else None
    return url_for("orgs.staff_list", org=org)


def _code_stamp(person: User) -> str:
    """Which code a confirmation page was about (when it was issued)."""
    issued = person.access_code_issued_at
    return issued.isoformat() if issued else "none"


@bp.post("/staff/<int:user_id>/access-code")
@requires(Permission.STAFF_MANAGE)
def staff_access_code(user_id: int) -> Response:
    """Print the access sheet of someone without a code (issuing it), or revoke their code.

    A code exists only as a digest, so a sheet prints once: with a code already issued,
    this leads to the confirmation page for replacing it (nothing changes here).
    """
    person = _get_staff(user_id, StaffAction.ACCESS_CODE)
    if request.form.get("action") == "revoke":
        auth_services.revoke_access_code(person, actor=current_user)
        db.session.commit()
        flash(_("The access code no longer works."))
        return redirect(_staff_list_of(person))
    if person.access_code_digest:
        return redirect(url_for("orgs.staff_access_code_replace", user_id=person.id))
    code = auth_services.issue_access_code(person, actor=current_user)
    response = _sheets_response([(person, code)], f"access-sheet-{person.id}.pdf")
    db.session.commit()
    return response


@bp.route("/staff/<int:user_id>/access-code/replace", methods=["GET", "POST"])
@requires(Permission.STAFF_MANAGE)
def staff_access_code_replace(user_id: int) -> Response | str:
    """Replace a person's access code after confirming it: their old sheet stops working."""
    person = _get_staff(user_id, StaffAction.ACCESS_CODE)
    if request.method == "POST":
        if request.form.get("code_issued") != _code_stamp(person):
            # The page was sent again (a reload, a second click): nothing new is issued.
            flash(
                _("This code was already replaced: the sheet printed then is the current one."),
                "info",
            )
            return redirect(url_for("orgs.staff_access_code_replace", user_id=person.id))
        code = auth_services.issue_access_code(person, actor=current_user)
        response = _sheets_response([(person, code)], f"access-sheet-{person.id}.pdf")
        db.session.commit()
        return response
    return render_template(
        "orgs/access_code_replace.html",
        person=person,
        stamp=_code_stamp(person),
        back=_staff_list_of(person),
    )


@bp.post("/staff/access-sheets")
@requires(Permission.STAFF_MANAGE)
def access_sheets() -> Response:
    """One PDF with the sheets of everyone without a sign-in (their first codes)."""
    org = _manager_org()
    people = sheets.without_sign_in(org)
    if not people:
        flash(
            _(
                "Everyone has a way to sign in: no sheet was printed. To print a person's "
                "sheet again, replace their access code."
            ),
            "info",
        )
        return redirect(url_for("orgs.staff_list", org=arg_id("org")))
    issued = [(p, auth_services.issue_access_code(p, actor=current_user)) for p in people]
    response = _sheets_response(issued, f"access-sheets-{org.id}.pdf")
    db.session.commit()
    return response


@bp.route("/staff/import", methods=["GET", "POST"])
@requires(Permission.STAFF_MANAGE)
def staff_import() -> Response | str:
    """Import staff from a CSV: all rows or, if any row is bad, none (large files by a
    job, followed on its progress page)."""
    org = _manager_org()
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        max_bytes = current_app.config["STAFF_IMPORT_MAX_BYTES"]
        with form.file.data.stream as upload:
            raw = upload.read(max_bytes + 1)
        if (
            len(raw) <= max_bytes
            and imports.count_rows(raw) > current_app.config["STAFF_IMPORT_INLINE_ROWS"]
        ):
            # A large file: stored, checked and imported by a job; its page shows how far.
            job_id = progress.start(org_jobs.KIND, current_user.id, org.id, input_data=raw)
            jobs.enqueue_after_commit(org_jobs.import_staff_file, job_id, job_id=f"run-{job_id}")
            db.session.commit()
            return redirect(url_for("jobs.show", job_id=job_id))
        result = imports.parse_staff_csv(raw, org, max_bytes=max_bytes)
        if result.ok:
            users = imports.import_staff(org, result.rows, actor=current_user)
            for user in users:
                if user.email:
                    _send_invitation(user)
            db.session.commit()
            flash(ngettext("%(num)d person imported.", "%(num)d people imported.", len(users)))
            return redirect(url_for("orgs.staff_list"))
    return render_template(
        "orgs/staff_import.html",
        form=form,
        org=org,
        result=result,
        job_roles=imports.accepted_job_roles(),
        employment=imports.accepted_employment(),
        inline_rows=current_app.config["STAFF_IMPORT_INLINE_ROWS"],
    )


@bp.get("/staff/import/template.csv")
@requires(Permission.STAFF_MANAGE)
def staff_import_template() -> Response:
    """The CSV template for the staff import: the header row it expects."""
    return Response(
        imports.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="staff-import-template.csv"'},
    )


# --------------------------------------------------------------------------- contacts


def _contacts_org() -> Organization:
    """The organization whose contacts are edited: the manager's own; admins pick ?org=."""
    return _org_for(Permission.CONTACTS_MANAGE)


def _get_contact(contact_id: int) -> OrganizationContact:
    contact = db.session.get(OrganizationContact, contact_id)
    if contact is None:
        abort(404)
    authorize(Permission.CONTACTS_MANAGE, contact.organization)
    return contact


def _contacts_url(org: Organization) -> str:
    return url_for("orgs.contact_list", **organization_args(current_user, org))


def _contact_data(form: ContactForm) -> services.ContactData:
    return services.ContactData(
        label=form.label.data or "", phone=form.phone.data or "", note=form.note.data or ""
    )


@bp.route("/contacts", methods=["GET", "POST"])
@requires(Permission.CONTACTS_MANAGE)
def contact_list() -> Response | str:
    """The organization's own contacts that learners see in lessons; add one."""
    org = _contacts_org()
    form = ContactForm()
    if form.validate_on_submit():
        try:
            services.add_contact(org, _contact_data(form), actor=current_user)
        except services.ContactLimitError:
            db.session.rollback()
            form.label.errors.append(
                _("Lessons show at most %(n)d contacts: remove one first.", n=services.MAX_CONTACTS)
            )
        else:
            db.session.commit()
            flash(_("Contact added. Learners see it in the lessons on reporting."))
            return redirect(_contacts_url(org))
    return render_template(
        "orgs/contacts.html", org=org, form=form, contacts=services.contacts_of(org)
    )


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONTACTS_MANAGE)
def contact_edit(contact_id: int) -> Response | str:
    """Change one of the organization's own contacts."""
    contact = _get_contact(contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        services.update_contact(contact, _contact_data(form), actor=current_user)
        db.session.commit()
        flash(_("Contact saved."))
        return redirect(_contacts_url(contact.organization))
    return render_template(
        "orgs/contact_form.html", org=contact.organization, form=form, contact=contact
    )


@bp.post("/contacts/<int:contact_id>/delete")
@requires(Permission.CONTACTS_MANAGE)
def contact_delete(contact_id: int) -> Response:
    """Remove one of the organization's own contacts."""
    contact = _get_contact(contact_id)
    org = contact.organization
    services.remove_contact(contact, actor=current_user)
    db.session.commit()
    flash(_("Contact removed."))
    return redirect(_contacts_url(org))
