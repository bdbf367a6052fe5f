from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psp.extensions import Model
from psp.timeutil import utcnow

PENDING, VERIFIED, REJECTED = "pending", "verified", "rejected"
MEMBER, ADMIN = "member", "admin"
REQUESTED, ACTIVE, DECLINED = "requested", "active", "declined"


class Organisation(Model):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'verified', 'rejected')", name="status"),
        Index("ix_organisations_status_name", "status", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    charity_number: Mapped[str | None] = mapped_column(String(8), unique=True)
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    areas: Mapped[list["OrganisationArea"]] = relationship(
        cascade="all, delete-orphan", lazy="select", order_by="OrganisationArea.area")
    # Lists that show areas ask for them with selectinload; single pages load them when drawn.

    @property
    def area_codes(self) -> list[str]:
        return [a.area for a in self.areas]

    @property
    def is_verified(self) -> bool:
        return self.status == VERIFIED


class OrganisationArea(Model):
    __tablename__ = "organisation_areas"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Membership(Model):
    """A person in an organisation: asked to join, active, or declined."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", name="uq_memberships_user_organisation"),
        CheckConstraint("role IN ('member', 'admin')", name="role"),
        CheckConstraint("status IN ('requested', 'active', 'declined')", name="status"),
        Index("ix_memberships_organisation_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10), default=MEMBER)
    status: Mapped[str] = mapped_column(String(10), default=REQUESTED)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User", lazy="joined")
    organisation = relationship("Organisation", lazy="joined")
