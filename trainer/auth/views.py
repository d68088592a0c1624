"""Sign in and out, password reset, invitations, access codes and roles."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from trainer.auth import services
from trainer.auth.forms import (
    AcceptInvitationForm,
    AccessCodeForm,
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
    RoleForm,
)
from trainer.auth.models import Role, User
from trainer.core.http import start_session
from trainer.core.navigation import NavLink
from trainer.core.safety import safe_next
from trainer.extensions import db, limiter
from trainer.mail import send_after_commit
from trainer.policy import Permission, StaffAction, authorize_manage, public, requires, shows

bp = Blueprint("auth", __name__, url_prefix="/auth")

#: The header links this feature contributes (see trainer.core.navigation).
NAVIGATION = (
    NavLink("auth.user_list", _l("Accounts"), 120, shows(Permission.USER_ADMIN)),
    NavLink("auth.change_password", _l("Password"), 140, shows(Permission.SIGNED_IN)),
)


def _account_key() -> str:
    """Rate-limit key for one account: the email typed into the form."""
    return "account:" + request.form.get("email", "").strip().lower()


def _limit_per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _limit_per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _post_only() -> bool:
    return request.method != "POST"


def _finish_login(user: User) -> Response:
    """Commit, then start a fresh session (new CSRF token) and go where the person was headed."""
    target = safe_next(request.args.get("next"))
    db.session.commit()
    start_session(user)
    return redirect(target or url_for("home.index"))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_limit_per_address, exempt_when=_post_only)
@limiter.limit(_limit_per_account, key_func=_account_key, exempt_when=_post_only)
def login() -> Response | str:
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(
            form.email.data or "", form.password.data or "", address=request.remote_addr
        )
        if user is not None:
            return _finish_login(user)
        db.session.commit()
        flash(_("Email or password is not right."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/code", methods=["GET", "POST"])
@public
@limiter.limit(_limit_per_address, exempt_when=_post_only)
def code_login() -> Response | str:
    """Sign in with a personal access code.

    The sheet's QR code carries the code in the address's fragment (#code=...), which
    browsers never send: a script on the page fills the field, so the code stays out of
    URLs the server sees and logs.
    """
    form = AccessCodeForm()
    if form.validate_on_submit():
        user = services.authenticate_code(form.code.data or "", address=request.remote_addr)
        if user is not None:
            return _finish_login(user)
        db.session.commit()
        flash(_("That access code is not valid. Ask your manager for a new sheet."), "error")
    return render_template("auth/code.html", form=form)


@bp.post("/logout")
@requires(Permission.SIGNED_IN)
def logout() -> Response:
    """Sign out (one button on every page): every session of the person ends."""
    services.sign_out(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute", exempt_when=_post_only)
def reset_request() -> Response | str:
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data or "")
        if user is not None and user.active and user.email:
            link = url_for("auth.reset", token=services.make_token(user, "reset"), _external=True)
            send_after_commit(
                user.email,
                _("Reset your password"),
                render_template("auth/mail_reset.txt", user=user, link=link),
                language=user.language,
            )
        db.session.commit()
        flash(_("If that address has an account, a link to reset the password is on its way."))
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str) -> Response | str:
    """Choose a new password with a valid reset link."""
    user = services.read_token(token, "reset")
    if user is None:
        flash(_("This link has expired or was already used. Ask for a new one."), "error")
        return redirect(url_for("auth.reset_request"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data or "")
        db.session.commit()
        flash(_("Your password is changed. You can sign in now."))
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> Response | str:
    """An invited person gives their name and chooses a password."""
    user = services.read_token(token, "invite")
    if user is None or user.password_hash:
        flash(_("This invitation has expired or was already used."), "error")
        return redirect(url_for("auth.login"))
    form = AcceptInvitationForm(obj=user) if request.method == "GET" else AcceptInvitationForm()
    if form.validate_on_submit():
        user.first_name = (form.first_name.data or "").strip()
        user.last_name = (form.last_name.data or "").strip()
        services.set_password(user, form.password.data or "")
        return _finish_login(user)
    return render_template("auth/invitation.html", form=form, invited=user)


@bp.get("/users")
@requires(Permission.USER_ADMIN)
def user_list() -> str:
    """Every account with its role (admins)."""
    users = db.session.scalars(
        select(User).where(User.role != Role.LEARNER.value).order_by(User.email)
    ).all()
    return render_template("auth/users.html", users=users, roles=list(Role))


@bp.post("/users/<int:user_id>/role")
@requires(Permission.USER_ADMIN)
def change_role(user_id: int) -> Response:
    """Change one account's role (admins)."""
    user = authorize_manage(db.session.get(User, user_id), StaffAction.CHANGE_ROLE)
    form = RoleForm()
    form.role.choices = [SelectChoice(r.value) for r in Role]
    if not form.validate_on_submit():
        abort(400, _("Choose one of the listed roles."))
    services.change_role(user, Role(form.role.data), actor=current_user)
    db.session.commit()
    flash(_("Role changed."))
    return redirect(url_for("auth.user_list"))


@bp.route("/password", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def change_password() -> Response | str:
    """A signed-in person changes their password; their other sessions end."""
    if not current_user.password_hash:
        return render_template("auth/change_password.html", form=None)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        changed = services.change_password(
            current_user, form.current.data or "", form.password.data or ""
        )
        db.session.commit()
        if changed:
            start_session(current_user._get_current_object())  # the user, not the proxy
            flash(_("Your password is changed. You were signed out everywhere else."))
            return redirect(url_for("home.index"))
        form.current.errors.append(_("That is not your current password."))
    return render_template("auth/change_password.html", form=form)
