"""Organizations: hotels, city departments and partners."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import db
from trainer.timeutil import UTCDateTime, utcnow


class OrgKind(enum.StrEnum):
    """What kind of organization it is; decides which tracks and laws apply."""

    HOTEL = "hotel"
    CITY_DEPARTMENT = "city_department"
    PARTNER = "partner"


class Organization(db.Model):
    """A hotel, a city department or a partner whose staff are trained."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    jurisdiction: Mapped[str] = mapped_column(String(64), index=True)
    department: Mapped[str | None] = mapped_column(String(32))
    permit_number: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"
