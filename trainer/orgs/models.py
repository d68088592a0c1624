"""Organizations: hotels, city departments and partners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import Model
from trainer.timeutil import UTCDateTime, utcnow


class Organization(Model):
    """A hotel, a city department or a partner whose staff are trained."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    jurisdiction: Mapped[str] = mapped_column(String(64), index=True)
    department: Mapped[str | None] = mapped_column(String(32))
    permit_number: Mapped[str | None] = mapped_column(String(64))
    #: Guest rooms (hotels): some laws govern only places above a size. None: not recorded.
    rooms: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contacts: Mapped[list[OrganizationContact]] = relationship(
        order_by="OrganizationContact.position, OrganizationContact.id",
        back_populates="organization",
        lazy="select",
    )

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"


class OrganizationContact(Model):
    """A contact of the organization's own that learners see in lessons (a security desk)."""

    __tablename__ = "organization_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="contacts")

    def __repr__(self) -> str:
        return f"<OrganizationContact {self.id} {self.label!r}>"
