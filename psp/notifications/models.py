from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from psp.extensions import Model
from psp.timeutil import utcnow

KINDS = {
    "organisations": "Your organisation is verified, or not",
    "partnerships": "Your organisation is admitted to a programme, or not",
    "meetings": "A meeting you booked is changed or cancelled, or a place frees up for you",
    "views": "Your organisation's view is answered",
    "stages": "A stage you lead or review is submitted, returned or signed off",
    "updates": "A programme you take part in posts an update",
    "documents": "Someone asks for a document in another format, or the format you asked for is sent",
    "minutes": "Draft minutes of a meeting you attended are sent for agreement or published, or a "
               "correction you suggested is decided",
    "corrections": "Someone suggests a correction to draft minutes of a meeting you coordinate",
    "discussions": "Someone replies in a discussion you follow, or mentions your organisation",
    "moderation": "A message of yours in a discussion is hidden, or (coordinators) a message is reported",
    "interests": "Your declarations of interest on a programme are due to be confirmed",
}
IMMEDIATE, DIGEST, APP = "immediate", "digest", "app"
DELIVERIES = {IMMEDIATE: "Email me at once", DIGEST: "Email me a daily digest", APP: "Only show it here"}
NONE, PENDING, SENT = "none", "pending", "sent"
_KINDS_SQL = "kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")"


class Notification(Model):
    """Written in the same transaction as the event it tells of."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_KINDS_SQL, name="kind"),
        CheckConstraint("digest IN ('none', 'pending', 'sent')", name="digest"),
        Index("ix_notifications_user", "user_id", "id"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_digest", "digest", "user_id", "id"),
        Index("ix_notifications_claim", "digest_claim"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    digest: Mapped[str] = mapped_column(String(10), default=NONE)
    digest_claim: Mapped[str | None] = mapped_column(String(32))

    @property
    def kind_name(self) -> str:
        return KINDS[self.kind]


class NotificationPreference(Model):
    __tablename__ = "notification_preferences"
    __table_args__ = (
        CheckConstraint(_KINDS_SQL, name="kind"),
        CheckConstraint("delivery IN ('immediate', 'digest', 'app')", name="delivery"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(10), default=IMMEDIATE)
