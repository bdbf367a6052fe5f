"""Discussions, their messages, who follows and has read them, mentions and reports."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psp.extensions import Model
from psp.timeutil import utcnow

PARTNERS, PUBLIC = "partners", "public"
AUDIENCES = {PARTNERS: "Partners, coordinators and NHS leads only", PUBLIC: "Everyone, including the public"}
SHOWN, WITHDRAWN, HIDDEN = "shown", "withdrawn", "hidden"
PARTNER, COORDINATOR, NHS_LEAD = "partner", "coordinator", "nhs_lead"
ROLE_NAMES = {PARTNER: "", COORDINATOR: "Coordinator", NHS_LEAD: "NHS lead"}
OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"
EDIT_MINUTES = 30   # an author may change their message for this long after posting it


class Discussion(Model):
    """A thread on a programme, optionally on one of its stages, meetings or questions.

    message_count doubles as the thread's sequence: each reply takes the next number with a
    conditional UPDATE of this row, so replies at once queue on the row and land in order.
    """

    __tablename__ = "discussions"
    __table_args__ = (
        CheckConstraint("audience IN ('partners', 'public')", name="audience"),
        CheckConstraint("closed_at IS NULL OR closing_summary <> ''", name="closed_with_summary"),
        Index("ix_discussions_programme_activity", "programme_id", "last_message_at", "id"),
        Index("ix_discussions_programme_pinned", "programme_id", "pinned"),
        Index("ix_discussions_stage", "stage_id"),
        Index("ix_discussions_meeting", "meeting_id"),
        Index("ix_discussions_question", "question_id"),
        Index("ix_discussions_author", "author_id"),
        Index("ix_discussions_closed_by", "closed_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(10), default=PARTNERS)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closing_summary: Mapped[str] = mapped_column(Text, default="")

    stage = relationship("Stage")
    meeting = relationship("Meeting")
    question = relationship("Question")

    @property
    def is_public(self) -> bool:
        return self.audience == PUBLIC

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Message(Model):
    """One message of a discussion: number is its place in the thread, from 1."""

    __tablename__ = "discussion_messages"
    __table_args__ = (
        CheckConstraint("status IN ('shown', 'withdrawn', 'hidden')", name="status"),
        CheckConstraint("author_role IN ('partner', 'coordinator', 'nhs_lead')", name="author_role"),
        CheckConstraint("status <> 'hidden' OR hidden_reason <> ''", name="hidden_with_reason"),
        UniqueConstraint("discussion_id", "number", name="uq_discussion_messages_number"),
        Index("ix_discussion_messages_author", "author_id"),
        Index("ix_discussion_messages_reply_to", "reply_to_id"),
        Index("ix_discussion_messages_hidden_by", "hidden_by_id"),
        Index("ix_discussion_messages_recent", "discussion_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    author_role: Mapped[str] = mapped_column(String(12), default=PARTNER)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_messages.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=SHOWN)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)

    discussion = relationship("Discussion", innerjoin=True)
    author = relationship("User", foreign_keys=[author_id])
    organisation = relationship("Organisation")
    reply_to = relationship("Message", remote_side=[id])

    @property
    def is_shown(self) -> bool:
        return self.status == SHOWN

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.author_role]


class Reader(Model):
    """A person's place in a discussion: whether they follow it, and how far they have read."""

    __tablename__ = "discussion_readers"
    __table_args__ = (Index("ix_discussion_readers_user", "user_id", "discussion_id"),)

    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"),
                                               primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    following: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_count: Mapped[int] = mapped_column(Integer, default=0)


class Mention(Model):
    """An organisation drawn into a discussion by a message (its members are told)."""

    __tablename__ = "discussion_mentions"
    __table_args__ = (Index("ix_discussion_mentions_organisation", "organisation_id"),)

    message_id: Mapped[int] = mapped_column(ForeignKey("discussion_messages.id", ondelete="CASCADE"),
                                            primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)

    organisation = relationship("Organisation", innerjoin=True)


class Report(Model):
    """Someone signed in says a message breaks the rules; a coordinator hides it or dismisses this."""

    __tablename__ = "discussion_reports"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'upheld', 'dismissed')", name="status"),
        Index("ix_discussion_reports_programme_open", "programme_id", "status", "id"),
        Index("ix_discussion_reports_message", "message_id"),
        Index("ix_discussion_reports_reporter", "reporter_id"),
        Index("ix_discussion_reports_decided_by", "decided_by_id"),
        # One open report per person per message: a second click is the same report.
        Index("uq_discussion_reports_open", "message_id", "reporter_id", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("discussion_messages.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    message = relationship("Message", innerjoin=True)
    reporter = relationship("User", foreign_keys=[reporter_id])
