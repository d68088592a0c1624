"""Accounts: every person who signs in, whatever their role."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from trainer.core.folding import fold
from trainer.core.vocabulary import Role
from trainer.extensions import Model
from trainer.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from trainer.orgs.models import Organization


def new_security_stamp() -> str:
    """A random stamp; changing it ends every session and voids every token of the account."""
    return secrets.token_hex(16)


class User(UserMixin, Model):
    """A person: learner, manager, auditor or admin. Never deleted, only deactivated."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    #: First and last name folded for searching (no accents, no case), kept in step with
    #: the names by `_fold_name`, so "gonzalez" finds "González" on every database.
    search_name: Mapped[str] = mapped_column(String(201), default="", server_default="")
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER.value)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(64))
    job_role: Mapped[str | None] = mapped_column(String(32))
    hire_date: Mapped[date | None]
    #: `direct` (employed by the organization) or `contractor` (a contractor's or agency's
    #: staff): some laws cover only direct employees.
    employment: Mapped[str] = mapped_column(String(16), default="direct", server_default="direct")
    #: Under 16 on the hire date: the only age fact kept, for laws that exempt young staff.
    under_16_at_hire: Mapped[bool] = mapped_column(default=False, server_default=false())
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_hash: Mapped[str | None] = mapped_column(String(255))
    access_code_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    access_code_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extra_time_percent: Mapped[int] = mapped_column(default=0)
    security_stamp: Mapped[str] = mapped_column(String(32), default=new_security_stamp)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization | None] = relationship(lazy="joined")

    @validates("first_name", "last_name")
    def _fold_name(self, key: str, value: str) -> str:
        """Whenever a name is set, refold `search_name` from both names."""
        first = value if key == "first_name" else self.first_name
        last = value if key == "last_name" else self.last_name
        self.search_name = fold(f"{first or ''} {last or ''}")
        return value

    @property
    def full_name(self) -> str:
        """First and last name as the person gave them."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_active(self) -> bool:
        """Flask-Login: deactivated accounts cannot sign in."""
        return self.active

    def get_id(self) -> str:
        """Flask-Login session id: the account and its security stamp.

        Rotating the stamp (sign-out, a new password or access code, a role change,
        deactivation) makes every copy of an earlier session cookie stop working.
        """
        return f"{self.id}:{self.security_stamp}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


#: The unique index that keeps e-mail addresses unique whatever their case.
EMAIL_INDEX = "uq_user_email_lower"
Index(EMAIL_INDEX, func.lower(User.email), unique=True)
