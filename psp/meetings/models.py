"""Meetings of a programme and the places booked on them."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
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
from psp.timeutil import london, utcnow

SCHEDULED, CANCELLED = "scheduled", "cancelled"
PARTNERS, PUBLIC = "partners", "public"
BOOKED, WAITING = "booked", "waiting"
# Minutes: none written yet -> a draft sent to the attendees for agreement -> agreed and published.
NO_MINUTES, DRAFT_SENT, AGREED = "none", "sent", "agreed"
SUGGESTED, ACCEPTED, DECLINED = "suggested", "accepted", "declined"
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
        CheckConstraint("minutes_state IN ('none', 'sent', 'agreed')", name="minutes_state"),
        CheckConstraint("minutes_state = 'none' OR minutes_deadline IS NOT NULL OR minutes_published_at "
                        "IS NOT NULL", name="minutes_sent_with_deadline"),
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
    minutes_state: Mapped[str] = mapped_column(String(10), default=NO_MINUTES, server_default=NO_MINUTES)
    minutes_draft: Mapped[str] = mapped_column(Text, default="", server_default="")
    minutes_deadline: Mapped[date | None] = mapped_column(Date)   # a London day: agreement closes at its end
    minutes_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped with every change to the minutes' agreement (sent, edited, agreed, corrected, decided,
    # published): the write that takes the meeting's row lock, and a key for anything cached.
    minutes_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE: bumped on change
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    stage = relationship("Stage")

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def is_public(self) -> bool:
        return self.audience == PUBLIC

    @property
    def minutes_agreed(self) -> bool:
        return self.minutes_state == AGREED

    def minutes_open(self, now: datetime | None = None) -> bool:
        """The draft is out for agreement and its deadline (the end of a London day) has not passed."""
        return (self.minutes_state == DRAFT_SENT and self.minutes_deadline is not None
                and london(now or utcnow()).date() <= self.minutes_deadline)


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

    user = relationship("User", innerjoin=True)
    organisation = relationship("Organisation")

    @property
    def need_codes(self) -> list[str]:
        return [code for code in self.access_needs.split(",") if code]

    @property
    def need_names(self) -> list[str]:
        return [ACCESS_NEEDS[code] for code in self.need_codes if code in ACCESS_NEEDS]


class MinutesAgreement(Model):
    """An attendee agreed the draft minutes: one per person per meeting."""

    __tablename__ = "minutes_agreements"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id", name="uq_minutes_agreements_meeting_user"),
        Index("ix_minutes_agreements_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", innerjoin=True)
    organisation = relationship("Organisation")


class MinutesCorrection(Model):
    """A correction an attendee suggests to draft minutes, and the coordinator's decision on it.

    Accepting does not change the text: the coordinator edits the draft to match. The author
    goes (SET NULL) when their account is erased; the text stays, read as a former participant's."""

    __tablename__ = "minutes_corrections"
    __table_args__ = (
        CheckConstraint("status IN ('suggested', 'accepted', 'declined')", name="status"),
        CheckConstraint("status <> 'declined' OR reason <> ''", name="declined_has_reason"),
        Index("ix_minutes_corrections_meeting", "meeting_id", "status", "id"),
        Index("ix_minutes_corrections_author_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=SUGGESTED)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    author = relationship("User", foreign_keys=[author_id])
    organisation = relationship("Organisation")

    @property
    def is_decided(self) -> bool:
        return self.status != SUGGESTED
