from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from psp.extensions import Model
from psp.timeutil import utcnow

PUBLIC, PARTNERS = "public", "partners"


class Update(Model):
    """News from the programme, in Markdown; public or for partners only."""

    __tablename__ = "updates"
    __table_args__ = (
        CheckConstraint("audience IN ('public', 'partners')", name="audience"),
        Index("ix_updates_programme_posted", "programme_id", "posted_at", "id"),
        Index("ix_updates_author", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(10), default=PUBLIC)
    posted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_public(self) -> bool:
        return self.audience == PUBLIC
