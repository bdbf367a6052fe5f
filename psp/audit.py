"""The audit log: who did what to which record, and when (UTC)."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from psp.extensions import Model, db
from psp.timeutil import utcnow

if TYPE_CHECKING:
    from psp.auth.models import Person


class AuditEntry(Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_target", "target_type", "target_id"),
        Index("ix_audit_entries_actor_id", "actor_id"),
        Index("ix_audit_entries_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def record(action: str, target: Model | None = None, actor: "Person | None" = None,
           **details: Any) -> AuditEntry:
    """Add an audit entry to the current unit of work; the caller's service commits.

    Never pass passwords or tokens in details.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if target is not None and getattr(target, "id", None) is None:
        db.session.flush()
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        ip_address=request.remote_addr if has_request_context() else None,
        details=details,
    )
    db.session.add(entry)
    return entry
