from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psp.extensions import Model
from psp.timeutil import utcnow

COORDINATOR, NHS_LEAD = "coordinator", "nhs_lead"
ROLE_NAMES = {COORDINATOR: "Coordinator", NHS_LEAD: "NHS lead"}
REQUESTED, ADMITTED, DECLINED = "requested", "admitted", "declined"


class Programme(Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    strategy: Mapped[str] = mapped_column(String(200), default="")
    lead_body_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    lead_interface_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    lead_body = relationship("Organisation", foreign_keys=[lead_body_id], lazy="joined")
    lead_interface = relationship("Organisation", foreign_keys=[lead_interface_id], lazy="joined")
    areas: Mapped[list["ProgrammeArea"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ProgrammeArea.area")
    outcomes: Mapped[list["Outcome"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Outcome.position")

    @property
    def area_codes(self) -> list[str]:
        return [a.area for a in self.areas]


class ProgrammeArea(Model):
    __tablename__ = "programme_areas"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(String(40), primary_key=True)


class Outcome(Model):
    """An agreed social outcome of a programme."""

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("programme_id", "position", name="uq_outcomes_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))


class ProgrammeRole(Model):
    """Coordinator or NHS lead of one programme: roles are held per programme."""

    __tablename__ = "programme_roles"
    __table_args__ = (
        UniqueConstraint("programme_id", "user_id", "role", name="uq_programme_roles"),
        CheckConstraint("role IN ('coordinator', 'nhs_lead')", name="role"),
        Index("ix_programme_roles_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", lazy="joined")


class RoleInvitation(Model):
    """A role offered to an address with no account yet; granted when it registers."""

    __tablename__ = "role_invitations"
    __table_args__ = (
        UniqueConstraint("programme_id", "email", "role", name="uq_role_invitations"),
        CheckConstraint("role IN ('coordinator', 'nhs_lead')", name="role"),
        Index("ix_role_invitations_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)


class Participation(Model):
    """An organisation's place in a programme: a partner once admitted."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("programme_id", "organisation_id", name="uq_participations"),
        CheckConstraint("status IN ('requested', 'admitted', 'declined')", name="status"),
        Index("ix_participations_programme_status", "programme_id", "status"),
        Index("ix_participations_organisation_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=REQUESTED)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation = relationship("Organisation", lazy="joined")
    programme = relationship("Programme", lazy="joined")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
