"""A document belongs to exactly one parent (meeting, stage, update or view) and follows who may see it.

The document row holds its current file, so a list of documents needs no join; each earlier
file it replaced is kept as a DocumentVersion, so the history stays downloadable.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psp.extensions import Model
from psp.timeutil import utcnow

MEETING, STAGE, UPDATE, VIEW = "meeting", "stage", "update", "view"
PUBLIC, PARTNERS, LEADS = "public", "partners", "leads"
AUDIENCES = {PUBLIC: "Anyone, including visitors", PARTNERS: "Partners, coordinators and NHS leads",
             LEADS: "Coordinators and NHS leads only"}
CATEGORIES = {
    MEETING: {"papers": "Papers", "presentation": "Presentation", "minutes": "Minutes"},
    STAGE: {"report": "Report", "evidence": "Evidence"},
    UPDATE: {"attachment": "Attachment"},
    VIEW: {"attachment": "Attachment"},
}
ALL_CATEGORIES = sorted({code for codes in CATEGORIES.values() for code in codes})
FORMATS = {
    "large-print": "Large print",
    "easy-read": "Easy Read",
    "audio": "Audio",
    "bsl": "British Sign Language (BSL)",
    "language": "Another language",
    "other": "Something else",
}
REQUESTED, SENT = "requested", "sent"
_ONE_PARENT = ("(CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END"
               " + CASE WHEN stage_id IS NULL THEN 0 ELSE 1 END"
               " + CASE WHEN update_id IS NULL THEN 0 ELSE 1 END"
               " + CASE WHEN contribution_id IS NULL THEN 0 ELSE 1 END) = 1")


def _in(column: str, values: object) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"  # type: ignore[attr-defined]


class _File:
    """The columns that describe one stored file, current or earlier."""

    storage_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))         # what a person reads: "PDF", "Word" ...
    mime: Mapped[str] = mapped_column(String(120))
    extension: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def description(self) -> str:
        from psp.uploads import describe

        return describe(self.kind, self.size, self.pages)


class Document(_File, Model):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(_ONE_PARENT, name="one_parent"),
        CheckConstraint(_in("audience", AUDIENCES), name="audience"),
        CheckConstraint(_in("category", ALL_CATEGORIES), name="category"),
        CheckConstraint("size >= 0", name="size"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_documents_meeting", "meeting_id", "id"),
        Index("ix_documents_stage", "stage_id", "id"),
        Index("ix_documents_update", "update_id", "id"),
        Index("ix_documents_contribution", "contribution_id", "id"),
        Index("ix_documents_programme", "programme_id", "id"),
        Index("ix_documents_uploaded_by", "uploaded_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    update_id: Mapped[int | None] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"))
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20))
    audience: Mapped[str] = mapped_column(String(10), default=PUBLIC)  # narrows its parent's, never widens
    version: Mapped[int] = mapped_column(Integer, default=1)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    uploaded_by = relationship("User")

    @property
    def parent_kind(self) -> str:
        if self.meeting_id is not None:
            return MEETING
        if self.stage_id is not None:
            return STAGE
        return UPDATE if self.update_id is not None else VIEW

    @property
    def category_name(self) -> str:
        return CATEGORIES[self.parent_kind].get(self.category, "")


class DocumentVersion(_File, Model):
    """A file the document held before it was replaced."""

    __tablename__ = "document_versions"
    __table_args__ = (Index("ix_document_versions_document", "document_id", "number", unique=True),
                      Index("ix_document_versions_uploaded_by", "uploaded_by_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    uploaded_by = relationship("User")


class FormatRequest(Model):
    """Someone asks for a document in another format; the coordinators send it and mark it sent."""

    __tablename__ = "format_requests"
    __table_args__ = (
        CheckConstraint(_in("format", FORMATS), name="format"),
        CheckConstraint(_in("status", (REQUESTED, SENT)), name="status"),
        Index("ix_format_requests_programme", "programme_id", "status", "id"),
        Index("ix_format_requests_document", "document_id"),
        Index("ix_format_requests_requester", "requester_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=REQUESTED)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    document = relationship("Document", innerjoin=True)
    requester = relationship("User", foreign_keys=[requester_id], innerjoin=True)

    @property
    def format_name(self) -> str:
        name = FORMATS[self.format]
        return f"{name}: {self.detail}" if self.detail else name
