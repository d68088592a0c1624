"""Certificates: public verification, learners' and managers' lists, admin actions."""

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from trainer import jobs, timeutil
from trainer.catalog.services import active_tracks
from trainer.certificates import jobs as cert_jobs
from trainer.certificates import services
from trainer.certificates.forms import ReissueForm, RevokeForm, UploadForm
from trainer.certificates.models import Certificate, CertStatus
from trainer.core.http import arg_id, parse_id
from trainer.core.navigation import NavLink
from trainer.core.qr import qr_svg
from trainer.extensions import db, limiter
from trainer.jobs import progress
from trainer.orgs.models import Organization
from trainer.policy import (
    Permission,
    get_in_scope,
    jurisdiction_of,
    may_see_records_of,
    organization_for,
    own_or_404,
    public,
    requires,
    shows,
)

bp = Blueprint("certificates", __name__)

#: The header links this feature contributes (see trainer.core.navigation).
NAVIGATION = (
    NavLink("certificates.mine", _l("My certificates"), 20, shows(Permission.LEARN)),
    NavLink("certificates.org_list", _l("Certificates"), 60, shows(Permission.STAFF_MANAGE)),
    NavLink("certificates.search", _l("Find a certificate"), 90, shows(Permission.AUDIT_VIEW)),
)


def _verify_limit() -> str:
    return current_app.config["VERIFY_LIMIT"]


def _unknown_code(code: str) -> tuple[str, int]:
    """The page for a code no certificate has (404): it may not be genuine."""
    return render_template("certificates/unknown.html", code=code[:40]), 404


def _org_of(cert: Certificate) -> Organization | None:
    """The organization a certificate was issued under (None: none)."""
    return db.session.get(Organization, cert.organization_id) if cert.organization_id else None


def _full_record(cert: Certificate) -> bool:
    """Scores and revocation reasons only for the holder and staff in scope."""
    return may_see_records_of(current_user, cert.user_id, _org_of(cert))


@bp.route("/verify/<code>", methods=["GET", "POST"])
@public
@limiter.limit(_verify_limit)
def verify(code: str) -> str | tuple[str, int]:
    """Public page: holder, organization, training, dates, status; checks an uploaded PDF."""
    cert = services.by_code(code)
    if cert is None:
        return _unknown_code(code)
    form = UploadForm()
    upload_result = None
    if form.validate_on_submit():
        with form.pdf.data.stream as upload:
            data = upload.read(5 * 1024 * 1024 + 1)
        upload_result = services.matches_issued(cert, data)
    full = _full_record(cert)
    record = services.public_record(cert, timeutil.today(), full=full)
    return render_template(
        "certificates/verify.html",
        cert=cert,
        record=record,
        full=full,
        training=services.track_title(cert, str(get_locale() or "en")),
        form=form,
        upload_result=upload_result,
    )


@bp.get("/verify/<code>.json")
@public
@limiter.limit(_verify_limit)
def verify_json(code: str) -> Response | tuple[Response, int]:
    """The same record as JSON, with the PDF's SHA-256."""
    cert = services.by_code(code)
    if cert is None:
        return jsonify(error="No certificate has this code."), 404
    return jsonify(services.public_record(cert, timeutil.today(), full=_full_record(cert)))


@bp.get("/certificates/mine")
@requires(Permission.LEARN)
def mine() -> str:
    """The learner's certificates."""
    return render_template(
        "certificates/mine.html", certs=services.of_user(current_user), today=timeutil.today()
    )


@bp.get("/certificates/earned/<int:enrollment_id>")
@requires(Permission.LEARN)
def earned(enrollment_id: int) -> Response | str:
    """The end of a track: "You are certified", the PDF, the QR code and the expiry date."""
    cert = own_or_404(services.latest_for_enrollment(enrollment_id), lambda c: c.user_id)
    link = services.verify_url(cert.verification_code)
    return render_template(
        "certificates/earned.html",
        cert=cert,
        status=cert.status(timeutil.today()).value,
        training=services.track_title(cert, str(get_locale() or "en")),
        verify=link,
        qr=qr_svg(link, title=_("QR code of your certificate's verification page"), size="100%"),
    )


def _cert_in_scope(cert_id: int) -> Certificate:
    """A certificate its holder, or staff whose scope covers it, may open (else 404)."""
    cert = db.session.get(Certificate, cert_id)
    if cert is not None and cert.user_id == current_user.id:
        return cert
    return get_in_scope(Certificate, cert_id, Permission.STAFF_VIEW, _org_of)


@bp.get("/certificates/<int:cert_id>/download")
@requires(Permission.SIGNED_IN)
def download(cert_id: int) -> Response:
    """The stored PDF, byte for byte (staff downloads are audited)."""
    cert = _cert_in_scope(cert_id)
    changed = services.ensure_rendered(cert)  # its job has not run yet: render it now
    if cert.user_id != current_user.id:
        services.record_download(cert, current_user)
        changed = True
    if changed:
        db.session.commit()
    return Response(
        services.pdf_bytes(cert),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{cert.serial}.pdf"',
            "X-Content-SHA256": cert.pdf_sha256,
        },
    )


def _manager_org() -> Organization:
    """A manager's own organization; admins and auditors name one with ?org=."""
    return organization_for(Organization, arg_id("org"), Permission.STAFF_VIEW)


def _filters() -> services.CertFilter:
    status = request.args.get("status") or None
    if status not in {s.value for s in CertStatus} | {None}:
        status = None
    return services.CertFilter(
        status=status,
        q=(request.args.get("q") or "")[:100] or None,
        track_id=arg_id("track"),
    )


@bp.get("/certificates/org")
@requires(Permission.STAFF_VIEW)
def org_list() -> str:
    """The organization's certificates with filters, and a ZIP of the selected or all."""
    org = _manager_org()
    filters = _filters()
    certs = services.of_org(org, filters, timeutil.today())
    return render_template(
        "certificates/org_list.html",
        org=org,
        certs=certs,
        filters=filters,
        tracks=active_tracks(),
        statuses=[s.value for s in CertStatus],
        today=timeutil.today(),
    )


@bp.post("/certificates/org/zip")
@requires(Permission.STAFF_VIEW)
def org_zip() -> Response:
    """ZIP of the selected certificates (or all that match the filters) with a manifest,
    built by a job; its page offers the file."""
    org = _manager_org()
    certs = services.of_org(org, _filters(), timeutil.today())
    selected = {i for v in request.form.getlist("cert") if (i := parse_id(v)) is not None}
    if selected:
        certs = [c for c in certs if c.id in selected]
    if not certs:
        flash(_("No certificates to download."), "error")
        return redirect(url_for("certificates.org_list"))
    for cert in certs:
        services.record_download(cert, current_user)
    # Built by a job into a file, offered on the job's page when ready.
    job_id = progress.start(cert_jobs.ZIP_KIND, current_user.id, org.id)
    jobs.enqueue_after_commit(
        cert_jobs.build_certificate_zip,
        job_id,
        [cert.id for cert in certs],
        f"certificates-{org.id}.zip",
        job_id=f"run-{job_id}",
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job_id))


@bp.get("/certificates/search")
@requires(Permission.AUDIT_VIEW)
def search() -> str:
    """Find a certificate by serial, code, name or organization (own jurisdiction)."""
    q = (request.args.get("q") or "")[:100]
    limit = 100
    results = services.search(jurisdiction_of(current_user), q, limit=limit) if q.strip() else []
    return render_template(
        "certificates/search.html", q=q, results=results, today=timeutil.today(), limit=limit
    )


@bp.get("/certificates/<int:cert_id>")
@requires(Permission.STAFF_VIEW)
def detail(cert_id: int) -> str:
    """A certificate as staff see it, with the admin's revoke and re-issue forms."""
    cert = _cert_in_scope(cert_id)
    return render_template(
        "certificates/detail.html",
        cert=cert,
        record=services.public_record(cert, timeutil.today(), full=True),
        training=services.track_title(cert, str(get_locale() or "en")),
        qr=qr_svg(services.verify_url(cert.verification_code), size="12rem"),
        verify=services.verify_url(cert.verification_code),
        revoke_form=RevokeForm(),
        reissue_form=ReissueForm(holder_name=cert.holder_name),
    )


@bp.post("/certificates/<int:cert_id>/revoke")
@requires(Permission.CERT_ADMIN)
def revoke(cert_id: int) -> Response | str:
    """Revoke with a required reason (admins), after a confirmation page."""
    cert = get_in_scope(Certificate, cert_id, Permission.CERT_ADMIN, _org_of)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give a reason of at least 5 characters."), "error")
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    if cert.revoked_at is None and request.form.get("confirm") != "yes":
        return render_template(
            "certificates/revoke_confirm.html",
            cert=cert,
            form=form,
            record=services.public_record(cert, timeutil.today()),
        )
    try:
        services.revoke(cert, form.reason.data or "", actor=current_user)
    except services.CertificateActionError:
        abort(400, _("This certificate is already revoked."))
    db.session.commit()
    flash(_("Certificate %(serial)s revoked.", serial=cert.serial))
    return redirect(url_for("certificates.detail", cert_id=cert.id))


@bp.post("/certificates/<int:cert_id>/reissue")
@requires(Permission.CERT_ADMIN)
def reissue(cert_id: int) -> Response:
    """Re-issue (e.g. a corrected name); the new certificate supersedes this one."""
    cert = get_in_scope(Certificate, cert_id, Permission.CERT_ADMIN, _org_of)
    form = ReissueForm()
    if not form.validate_on_submit():
        flash(_("Give the name for the new certificate."), "error")
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    try:
        new = services.reissue(cert, actor=current_user, holder_name=form.holder_name.data)
    except services.CertificateActionError:
        abort(400, _("Only a current certificate can be re-issued."))
    db.session.commit()
    flash(
        _(
            "Certificate %(serial)s issued; it supersedes %(old)s.",
            serial=new.serial,
            old=cert.serial,
        )
    )
    return redirect(url_for("certificates.detail", cert_id=new.id))
