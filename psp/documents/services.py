"""Attaching, replacing and deleting documents; asking for one in another format.

A file is written to storage before its row, and removed again if the row does not commit,
so a failed upload leaves neither an orphan file nor a half row. Deleting a document removes
its files after the commit; what a cascade leaves behind (a meeting deleted with its papers)
is removed by `flask psp prune-files`.
"""

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from flask import url_for
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from psp import audit, policy, uploads
from psp.auth.models import Person, User
from psp.contributions.models import Contribution
from psp.cycles.models import Stage
from psp.documents.models import (
    AUDIENCES,
    LEADS,
    MEETING,
    PARTNERS,
    PUBLIC,
    REQUESTED,
    SENT,
    STAGE,
    UPDATE,
    VIEW,
    Document,
    DocumentVersion,
    FormatRequest,
)
from psp.errors import Refused
from psp.extensions import db
from psp.links import external_url
from psp.meetings.models import Meeting
from psp.notifications.services import notify
from psp.pagination import Page, paginate
from psp.programmes.models import Programme
from psp.programmes.services import coordinators
from psp.storage import storage
from psp.timeutil import utcnow
from psp.updates.models import Update

MAX_PER_PARENT = 100
KEY_STAMP = "%Y%m%d%H%M"
SUPERSEDED = "Someone uploaded a new version a moment ago: check the current version"
PRUNE_AFTER = timedelta(hours=1)  # an upload in progress has its file but not yet its row

AS_THE_VIEW = "Whoever can see the view"
ParentRecord = Meeting | Stage | Update | Contribution
_COLUMN = {MEETING: Document.meeting_id, STAGE: Document.stage_id, UPDATE: Document.update_id,
           VIEW: Document.contribution_id}


class Superseded(Refused):
    """Someone else uploaded a new version first."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


@dataclass
class Parent:
    """What a document hangs from, and the widest audience a document on it may have."""

    kind: str
    record: ParentRecord
    programme: Programme

    @property
    def widest(self) -> str:
        if self.kind in (MEETING, UPDATE):
            return PARTNERS if self.record.audience == "partners" else PUBLIC  # type: ignore[union-attr]
        return PUBLIC  # a stage is public; a view's documents follow the view itself

    @property
    def title(self) -> str:
        record = self.record
        if isinstance(record, Stage):
            return f"{record.kind.capitalize()} stage of cycle {record.cycle.number}"
        return record.title or "View"

    @property
    def url(self) -> str:
        record = self.record
        if isinstance(record, Meeting):
            return url_for("meetings.show", meeting_id=record.id)
        if isinstance(record, Stage):
            return url_for("cycles.stage", slug=self.programme.slug, number=record.cycle.number,
                           kind=record.kind)
        if isinstance(record, Update):
            return url_for("updates.show", update_id=record.id)
        return url_for("contributions.show", contribution_id=record.id)


def audiences(parent: Parent) -> dict[str, str]:
    """The audiences a document on this parent may be given, widest first."""
    if parent.kind == VIEW:
        return {PUBLIC: AS_THE_VIEW}
    return {code: words for code, words in AUDIENCES.items()
            if not (code == PUBLIC and parent.widest == PARTNERS)}


def seen_by(document: Document, parent: Parent) -> str:
    """Who may see the document, in words, for its page: the narrower of its own audience and its parent's."""
    if parent.kind == VIEW:
        return AS_THE_VIEW
    order = list(AUDIENCES)
    return AUDIENCES[max(document.audience, parent.widest, key=order.index)]


def _visible(person: Person, programme: Programme) -> list[str]:
    shown = [PUBLIC]
    if policy.can_see_partner_items(person, programme):
        shown.append(PARTNERS)
    if policy.is_programme_lead(person, programme):
        shown.append(LEADS)
    return shown


def on(person: Person, kind: str, record: ParentRecord, programme: Programme) -> Sequence[Document]:
    """For the parent's own page."""
    return listed(person, Parent(kind, record, programme))


def listed(person: Person, parent: Parent) -> Sequence[Document]:
    """The documents on a parent the person may see: one query (the parent is already visible)."""
    return db.session.scalars(
        select(Document).where(_COLUMN[parent.kind] == parent.record.id,
                               Document.audience.in_(_visible(person, parent.programme)))
        .order_by(Document.category, Document.id).limit(MAX_PER_PARENT)).all()


def get(document_id: int) -> tuple[Programme, Document] | tuple[None, None]:
    row = db.session.execute(select(Document, Programme)
                             .join(Programme, Programme.id == Document.programme_id)
                             .where(Document.id == document_id)
                             .options(joinedload(Document.uploaded_by))).first()
    return (row[1], row[0]) if row else (None, None)


def get_stage(stage_id: int) -> tuple[Programme, Stage] | tuple[None, None]:
    row = db.session.execute(select(Stage, Programme).join(Programme, Programme.id == Stage.programme_id)
                             .where(Stage.id == stage_id).options(joinedload(Stage.cycle))).first()
    return (row[1], row[0]) if row else (None, None)


def versions(document: Document) -> Sequence[DocumentVersion]:
    return db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                              .order_by(DocumentVersion.number.desc())
                              .options(joinedload(DocumentVersion.uploaded_by))).all()


def version(document: Document, number: int) -> DocumentVersion | None:
    return db.session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id,
                                                           DocumentVersion.number == number))


def new_key() -> str:
    """Random, never the uploaded name; the time in it lets the prune job leave fresh uploads alone."""
    return f"{utcnow().strftime(KEY_STAMP)}-{secrets.token_hex(16)}"


def _checked(stream: IO[bytes], filename: str) -> uploads.Checked:
    try:
        return uploads.check(stream, filename)
    except uploads.Unacceptable as problem:
        raise Refused(str(problem), "file") from None


def _set_file(record: Document | DocumentVersion, key: str, checked: uploads.Checked) -> None:
    record.storage_key, record.kind, record.mime = key, checked.kind, checked.mime
    record.extension, record.size, record.pages = checked.extension, checked.size, checked.pages
    record.uploaded_at = utcnow()


@contextmanager
def _stored(stream: IO[bytes], checked: uploads.Checked, replacing: bool = False) -> Iterator[str]:
    """Store the file, let the caller write the row that names it, commit; if the row does not
    commit, the file goes too. When replacing, the version's unique key refusing the row means
    someone replaced the document first."""
    key = new_key()
    storage().save(key, stream, checked.mime)
    try:
        yield key
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        storage().delete(key)
        if replacing:
            raise Superseded(SUPERSEDED) from None
        raise
    except BaseException:
        db.session.rollback()
        storage().delete(key)
        raise


def attach(person: User, parent: Parent, title: str, summary: str, category: str, audience: str,
           stream: IO[bytes], filename: str) -> Document:
    if audience not in audiences(parent):
        raise Refused("Select who can see the document", "audience")
    count = db.session.scalar(select(func.count()).select_from(Document)
                              .where(_COLUMN[parent.kind] == parent.record.id))
    if (count or 0) >= MAX_PER_PARENT:
        raise Refused(f"A {parent.kind} can hold at most {MAX_PER_PARENT} documents: delete one first",
                      "file")
    checked = _checked(stream, filename)
    with _stored(stream, checked) as key:
        document = Document(programme_id=parent.programme.id, title=title, summary=summary, category=category,
                            audience=audience, uploaded_by_id=person.id, version=1)
        setattr(document, _COLUMN[parent.kind].key, parent.record.id)
        _set_file(document, key, checked)
        db.session.add(document)
        db.session.flush()
        audit.record("document.attached", document, actor=person, programme_id=parent.programme.id,
                     parent=parent.kind, parent_id=parent.record.id, size=checked.size, kind=checked.kind)
    return document


def replace(person: User, document: Document, seen_version: int | None, stream: IO[bytes],
            filename: str) -> Document:
    """A new file for the document; the one it held goes into its history."""
    if seen_version is not None and seen_version != document.version:
        raise Superseded("Someone uploaded a new version while you were choosing yours: check the current "
                         "version, then upload yours again if it is still needed")
    checked = _checked(stream, filename)
    with _stored(stream, checked, replacing=True) as key:
        earlier = DocumentVersion(document_id=document.id, number=document.version,
                                  uploaded_by_id=document.uploaded_by_id, replaced_at=utcnow())
        for column in ("storage_key", "kind", "mime", "extension", "size", "pages", "uploaded_at"):
            setattr(earlier, column, getattr(document, column))
        db.session.add(earlier)
        _set_file(document, key, checked)
        document.version += 1
        document.uploaded_by_id = person.id
        db.session.flush()
        audit.record("document.replaced", document, actor=person, programme_id=document.programme_id,
                     version=document.version, size=checked.size, kind=checked.kind)
    return document


def delete(person: User, document: Document) -> None:
    keys = [document.storage_key] + [v.storage_key for v in versions(document)]
    audit.record("document.deleted", document, actor=person, programme_id=document.programme_id,
                 title=document.title, versions=len(keys))
    db.session.delete(document)
    db.session.commit()
    for key in keys:
        storage().delete(key)


def prune_files(now: datetime | None = None) -> int:
    """Delete stored files no document or earlier version names; fresh ones are left for their upload."""
    cutoff = ((now or utcnow()) - PRUNE_AFTER).strftime(KEY_STAMP)
    named = set(db.session.scalars(select(Document.storage_key))) | set(
        db.session.scalars(select(DocumentVersion.storage_key)))
    removed = 0
    for key in list(storage().keys()):
        stamp = key.split("-", 1)[0]
        if key in named or not (stamp.isdigit() and len(stamp) == len(cutoff) and stamp < cutoff):
            continue
        storage().delete(key)
        removed += 1
    return removed


def opened(record: Document | DocumentVersion) -> IO[bytes]:
    return storage().open(record.storage_key)


# Asking for another format -----------------------------------------------------------

def ask_for_format(person: User, programme: Programme, document: Document, chosen: str,
                   detail: str) -> FormatRequest:
    request = FormatRequest(programme_id=programme.id, document_id=document.id, requester_id=person.id,
                            format=chosen, detail=detail)
    db.session.add(request)
    db.session.flush()
    audit.record("format.requested", request, actor=person, programme_id=programme.id,
                 document_id=document.id, format=chosen)
    notify([c for c in coordinators(programme) if c.id != person.id], "documents",
           f"{person.name} asks for “{document.title}” as {request.format_name}",
           "mail/format_requested.txt", programme=programme, document=document, request=request,
           person=person, url=external_url("documents.format_requests", slug=programme.slug))
    db.session.commit()
    return request


def format_requests_query(programme: Programme, status: str) -> Select[FormatRequest]:
    return (select(FormatRequest).where(FormatRequest.programme_id == programme.id,
                                        FormatRequest.status == status)
            .options(joinedload(FormatRequest.document), joinedload(FormatRequest.requester))
            .order_by(FormatRequest.id.desc() if status == SENT else FormatRequest.id))


def format_requests(programme: Programme, status: str, raw_page: str | None) -> Page[FormatRequest]:
    return paginate(format_requests_query(programme, status), raw_page)


def get_format_request(programme: Programme, request_id: int) -> FormatRequest | None:
    """A request of this programme; another programme's id finds nothing."""
    found = db.session.get(FormatRequest, request_id)
    return found if found is not None and found.programme_id == programme.id else None


def mark_sent(person: User, programme: Programme, request: FormatRequest, note: str) -> None:
    if request.status == SENT:
        raise Refused("This request was already marked as sent")
    request.status, request.sent_at, request.sent_by_id, request.note = SENT, utcnow(), person.id, note
    audit.record("format.sent", request, actor=person, programme_id=programme.id,
                 document_id=request.document_id)
    notify([request.requester], "documents",
           f"“{request.document.title}” in {request.format_name} has been sent to you",
           "mail/format_sent.txt", programme=programme, request=request,
           url=external_url("documents.show", document_id=request.document_id))
    db.session.commit()


def open_format_requests(person: User) -> Sequence[FormatRequest]:
    """For "Your work": requests waiting in the programmes the person coordinates (at most 50)."""
    from psp.programmes.models import ProgrammeRole

    theirs = select(ProgrammeRole.programme_id).where(ProgrammeRole.user_id == person.id,
                                                      ProgrammeRole.role == "coordinator")
    return db.session.scalars(select(FormatRequest).where(FormatRequest.programme_id.in_(theirs),
                                                          FormatRequest.status == REQUESTED)
                              .options(joinedload(FormatRequest.document))
                              .order_by(FormatRequest.id).limit(50)).all()
