"""Sign-in, passwords, signed tokens (reset, invitation) and personal access codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from trainer.audit import services as audit
from trainer.auth.models import Role, User, new_security_stamp
from trainer.extensions import db
from trainer.timeutil import utcnow

ACCESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 16  # 16 symbols of 32 = 80 bits
_DUMMY_HASH_CACHE: dict[str, str] = {}


def hash_password(password: str) -> str:
    """Hash a password with the configured scrypt parameters."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    """A hash to check against when no account matches, so timing reveals nothing."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH_CACHE:
        _DUMMY_HASH_CACHE[method] = generate_password_hash("x", method=method)
    return _DUMMY_HASH_CACHE[method]


def find_by_email(email: str) -> User | None:
    """The account with this email, compared without regard to case."""
    email = email.strip().lower()
    if not email:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def authenticate(email: str, password: str, *, address: str | None = None) -> User | None:
    """Check an email and password; record the success or failure in the audit log."""
    user = find_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        audit.record(
            "login.failed", details={"email": email.strip().lower()[:254], "address": address}
        )
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        audit.about_person(
            "login.failed",
            user,
            actor_id=user.id,
            details={"address": address, "inactive": not user.active},
        )
        return None
    audit.about_person(
        "login.succeeded",
        user,
        actor_id=user.id,
        details={"address": address, "method": "password"},
    )
    return user


def set_password(user: User, password: str) -> None:
    """Give the account a new password (ends every session, voids every token)."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every session of the person (a copied cookie stops working) and void tokens."""
    user.security_stamp = new_security_stamp()


def change_password(user: User, current: str, new: str) -> bool:
    """Change a signed-in person's password after checking the current one."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        audit.about_person("password.change_failed", user, actor_id=user.id)
        return False
    set_password(user, new)
    audit.about_person("password.changed", user, actor_id=user.id)
    return True


def sign_out(user: User) -> None:
    """Signing out ends every session of the person, not only this browser's."""
    end_sessions(user)
    audit.about_person("logout", user, actor_id=user.id)


# --- signed tokens -------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"trainer-{purpose}")


def _fingerprint(user: User) -> str:
    """The account's own state: changes with its stamp, e-mail or password.

    Setting a password rotates the stamp, so a reset or invitation link works once; a
    changed e-mail voids links sent to the old address.
    """
    state = f"{user.id}|{user.security_stamp}|{user.email or ''}|{user.password_hash or ''}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def make_token(user: User, purpose: str) -> str:
    """A signed token for password reset ("reset") or an invitation ("invite")."""
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def read_token(token: str, purpose: str) -> User | None:
    """The user a still-valid token names, or None (expired, tampered or used)."""
    try:
        data = _serializer(purpose).loads(
            token, max_age=current_app.config["TOKEN_MAX_AGE_SECONDS"]
        )
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


# --- personal access codes -----------------------------------------------------------


def _code_digest(code: str) -> str:
    """Keyed digest of a normalized access code (codes are random, so HMAC suffices)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalize_code(code).encode(), hashlib.sha256).hexdigest()


def normalize_code(code: str) -> str:
    """Upper-case, without spaces or dashes, so a typed code matches a printed one."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """Groups of four for printing and typing: ABCD-EFGH-JKLM-NPQR."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue_access_code(user: User, *, actor: User) -> str:
    """Give the person a new access code (the old one stops working) and return it."""
    code = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    if user.role != Role.LEARNER:
        raise ValueError("access codes are for learners only")
    user.access_code_digest = _code_digest(code)
    user.access_code_issued_at = utcnow()
    end_sessions(user)
    audit.about_person("access_code.issued", user, actor_id=actor.id)
    return format_code(code)


def revoke_access_code(user: User, *, actor: User) -> None:
    """Stop the person's access code from working."""
    user.access_code_digest = None
    user.access_code_issued_at = None
    end_sessions(user)
    audit.about_person("access_code.revoked", user, actor_id=actor.id)


def authenticate_code(code: str, *, address: str | None = None) -> User | None:
    """The active learner this access code belongs to, or None; audited either way."""
    normalized = normalize_code(code)
    user = None
    if len(normalized) == ACCESS_CODE_LENGTH:
        user = db.session.scalar(select(User).where(User.access_code_digest == _code_digest(code)))
    if user is None or not user.active or user.role != Role.LEARNER:
        audit.record("login.failed", details={"method": "access_code", "address": address})
        return None
    audit.about_person(
        "login.succeeded",
        user,
        actor_id=user.id,
        details={"address": address, "method": "access_code"},
    )
    return user


@dataclass(frozen=True)
class RoleChange:
    """What a role change did, for the caller's message."""

    user: User
    old: str
    new: str


class NotOnOneself(ValueError):  # noqa: N818 - a refusal, not a crash
    """A change a person may not make to their own account (it would raise or lock out
    themself)."""


def change_role(user: User, new_role: Role, *, actor: User) -> RoleChange:
    """Change an account's role (admins only; checked by the view's policy); never one's
    own (`NotOnOneself`).

    The person's sessions end, so the new role applies at once; an access code, which
    signs in learners only, stops working when the role is no longer learner.
    """
    if user.id == actor.id:
        raise NotOnOneself("one's own role cannot be changed")
    old = user.role
    user.role = new_role.value
    if new_role != Role.LEARNER and user.access_code_digest:
        user.access_code_digest = None
        user.access_code_issued_at = None
    end_sessions(user)
    audit.about_person(
        "user.role_changed", user, actor_id=actor.id, details={"from": old, "to": new_role.value}
    )
    return RoleChange(user, old, new_role.value)
