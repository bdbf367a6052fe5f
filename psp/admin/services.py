"""What site admins read: accounts to manage and the audit log. Changes to accounts are
psp.auth.services'."""

from collections.abc import Sequence

from sqlalchemy import Row, Select, func, or_, select

from psp.audit import AuditEntry
from psp.auth.models import User
from psp.extensions import db

AUDIT_PAGE = 50


def people(search: str = "") -> Select[User]:
    """Every account, or those whose name or email contains the search, oldest first."""
    query = select(User).order_by(User.id)
    if search:
        needle = search.lower()
        query = query.where(or_(func.lower(User.email).contains(needle, autoescape=True),
                                func.lower(User.name).contains(needle, autoescape=True)))
    return query


def audit_entries(person: str = "", record_type: str = "", record_id: int | None = None,
                  before: int | None = None) -> tuple[Sequence[Row[AuditEntry, User]], int | None]:
    """A page of the log, newest first, paged by id (keyset) because the log only grows.

    Returns (entry, actor) rows and the id to pass as ``before`` for the next page, or None.
    """
    query = (select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.actor_id)
             .order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE + 1))
    if person:
        query = query.where(User.email == person)
    if record_type:
        query = query.where(AuditEntry.target_type == record_type)
    if record_id is not None:
        query = query.where(AuditEntry.target_id == record_id)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = db.session.execute(query).all()
    older = rows[AUDIT_PAGE - 1][0].id if len(rows) > AUDIT_PAGE else None
    return rows[:AUDIT_PAGE], older


def record_types() -> list[str]:
    return sorted(kind for kind in db.session.scalars(select(AuditEntry.target_type).distinct()
                                                      .where(AuditEntry.target_type.is_not(None))) if kind)
