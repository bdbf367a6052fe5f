"""Meetings of a programme and the places booked on them."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
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

SCHEDULED, CANCELLED = "scheduled", "cancelled"
PARTNERS, PUBLIC = "partners", "public"
BOOKED, WAITING = "booked", "waiting"
ACCESS_NEEDS = {
    "bsl": "British Sign Language interpreter",
    "step-free": "Step-free access",
    "hearing-loop": "Hearing loop",
    "dietary": "Dietary needs",
    "other": "Other",
}


class Meeting(Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status"),
        CheckConstraint("audience IN ('partners', 'public')", name="audience"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        Index("ix_meetings_programme_starts", "programme_id", "starts_at", "id"),
        Index("ix_meetings_starts", "starts_at", "id"),
        Index("ix_meetings_stage_id", "stage_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime)   # UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime)     # UTC
    venue: Mapped[str] = mapped_column(String(300), default="")
    access_info: Mapped[str] = mapped_column(Text, default="")
    online_link: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    booking_deadline: Mapped[datetime | None] = mapped_column(DateTime)  # UTC
    audience: Mapped[str] = mapped_column(String(10), default=PARTNERS)
    status: Mapped[str] = mapped_column(String(10), default=SCHEDULED)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_published_at: Mapped[datetime | None] = mapped_column(DateTime)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE: bumped on change
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    stage = relationship("Stage", lazy="joined")

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def is_public(self) -> bool:
        return self.audience == PUBLIC


class Booking(Model):
    """A place on a meeting, or a place in its waiting list (ordered by requested_at, id)."""

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id", name="uq_bookings_meeting_user"),
        CheckConstraint("status IN ('booked', 'waiting', 'cancelled')", name="status"),
        Index("ix_bookings_meeting_status", "meeting_id", "status", "requested_at", "id"),
        Index("ix_bookings_user_id", "user_id"),
        Index("ix_bookings_reminders", "status", "reminded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10))
    access_needs: Mapped[str] = mapped_column(String(200), default="")  # codes, comma-separated
    access_other: Mapped[str] = mapped_column(Text, default="")
    attended: Mapped[bool | None] = mapped_column(Boolean)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User", lazy="joined", innerjoin=True)
    organisation = relationship("Organisation", lazy="joined")

    @property
    def need_codes(self) -> list[str]:
        return [code for code in self.access_needs.split(",") if code]

    @property
    def need_names(self) -> list[str]:
        return [ACCESS_NEEDS[code] for code in self.need_codes if code in ACCESS_NEEDS]
