from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psp.extensions import Model
from psp.timeutil import utcnow

MAY_BID, ROLE_ELSEWHERE, FINANCIAL, OTHER, NONE = "may-bid", "role-elsewhere", "financial", "other", "none"
KIND_NAMES = {
    MAY_BID: "May bid to deliver part of this service",
    ROLE_ELSEWHERE: "Trustee, director or employee of another organisation involved",
    FINANCIAL: "A financial interest",
    OTHER: "Another interest",
    NONE: "No interests to declare",
}
NEEDS_DESCRIPTION = (FINANCIAL, OTHER)
# Declarations are confirmed every 12 months; the reminder goes a month before.
REMIND_AFTER_DAYS = 335


class Declaration(Model):
    """One interest a person declares on a programme, for themselves or (``organisation_id``) for an
    organisation they administer. ``reminded_at`` is claimed by one reminder run per period."""

    __tablename__ = "declarations"
    __table_args__ = (
        CheckConstraint("kind IN ('may-bid', 'role-elsewhere', 'financial', 'other', 'none')", name="kind"),
        CheckConstraint("kind != 'role-elsewhere' OR interest_organisation_id IS NOT NULL",
                        name="role_names_organisation"),
        Index("ix_declarations_programme", "programme_id", "id"),
        Index("ix_declarations_user", "user_id", "programme_id"),
        Index("ix_declarations_organisation", "organisation_id"),
        Index("ix_declarations_interest_organisation", "interest_organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    interest_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")
    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    interest_organisation = relationship("Organisation", foreign_keys=[interest_organisation_id])

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]
