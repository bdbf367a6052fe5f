"""Documents at their edges: the hundred-document ceiling, a replacement racing another, a database
that fails for another reason, refusals past the pages, and a file recorded as empty."""

import io

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import OperationalError

from psp import builders
from psp.auth.models import User
from psp.documents import services
from psp.documents.models import MEETING, Document, DocumentVersion, FormatRequest
from psp.errors import Refused
from psp.extensions import db
from psp.meetings.models import Meeting
from psp.programmes.models import Programme
from psp.storage import storage
from psp.timeutil import utcnow
from tests.documents.test_documents import _keys, attach, fetched, meeting_url
from tests.factories import PDF_BYTES


def _parent(world, key="meeting_public"):
    meeting = db.session.get(Meeting, world[key])
    return services.Parent(MEETING, meeting, db.session.get(Programme, meeting.programme_id))


def _coordinator(world):
    return db.session.get(User, world["user:coordinator"])


def test_a_meeting_holds_at_most_a_hundred_documents(app, world, sign_in_as):
    with app.app_context():
        held = db.session.scalar(select(func.count()).select_from(Document).where(
            Document.meeting_id == world["meeting_public"]))
        db.session.add_all(builders.document(world["programme_id"], f"Paper {n}", f"none-{n}",
                                             meeting_id=world["meeting_public"])
                           for n in range(services.MAX_PER_PARENT - held))
        db.session.commit()
    before = _keys(app)
    response = attach(sign_in_as("coordinator@example.org"), meeting_url(world), {}, PDF_BYTES)
    assert response.status_code == 400
    assert f"can hold at most {services.MAX_PER_PARENT} documents" in response.get_data(as_text=True)
    assert _keys(app) == before


def test_an_audience_the_parent_cannot_give_is_refused_by_the_service(app, world):
    with app.test_request_context():
        before = set(storage().keys())
        with pytest.raises(Refused, match="Select who can see the document"):
            services.attach(_coordinator(world), _parent(world, "meeting_partners"), "Title", "", "papers",
                            "public", io.BytesIO(PDF_BYTES), "a.pdf")
        assert set(storage().keys()) == before


def test_a_replacement_racing_another_is_superseded_and_leaves_no_file(app, world):
    with app.test_request_context():
        before = set(storage().keys())
        document = db.session.get(Document, world["doc_public"])

        def other_replacement(session, _context, _instances):   # took version 1 into the history first
            session.execute(insert(DocumentVersion).values(
                document_id=document.id, number=1, uploaded_by_id=None, replaced_at=utcnow(),
                storage_key="theirs", kind="PDF", mime="application/pdf", extension=".pdf", size=1, pages=1,
                uploaded_at=utcnow()))

        event.listen(db.session(), "before_flush", other_replacement, once=True)
        with pytest.raises(services.Superseded, match="uploaded a new version a moment ago"):
            services.replace(_coordinator(world), document, 1, io.BytesIO(PDF_BYTES), "v2.pdf")
        assert set(storage().keys()) == before
    with app.app_context():
        assert db.session.get(Document, world["doc_public"]).version == 1


def test_a_database_failing_otherwise_takes_the_file_with_it(app, world):
    with app.test_request_context():
        before = set(storage().keys())

        def failing(_session, _context, _instances):
            raise OperationalError("INSERT INTO documents", {}, Exception("database is locked"))

        event.listen(db.session(), "before_flush", failing, once=True)
        with pytest.raises(OperationalError):
            services.attach(_coordinator(world), _parent(world), "Locked out", "", "papers", "public",
                            io.BytesIO(PDF_BYTES), "a.pdf")
        assert set(storage().keys()) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document).where(
            Document.title == "Locked out")) == 0


def test_a_request_already_sent_is_not_sent_again(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    url = f"/programmes/{world['programme']}/format-requests/{world['format_request']}/sent"
    assert coordinator.forms.post(url, {"note": "Posted."}).status_code == 302
    with app.test_request_context():
        asked = db.session.get(FormatRequest, world["format_request"])
        with pytest.raises(Refused, match="already marked as sent"):
            services.mark_sent(_coordinator(world), db.session.get(Programme, world["programme_id"]), asked,
                               "Twice")
    with app.app_context():
        assert db.session.get(FormatRequest, world["format_request"]).note == "Posted."


def test_a_file_recorded_as_empty_downloads_as_it_is(app, world, client):
    with app.app_context():
        key = services.new_key()
        storage().save(key, io.BytesIO(b""), "application/pdf")
        document = builders.document(world["programme_id"], "Empty", key, size=0,
                                     meeting_id=world["meeting_public"])
        db.session.add(document)
        db.session.commit()
        document_id = document.id
    response = fetched(client, f"/documents/{document_id}/download")
    assert response.status_code == 200 and response.data == b""
    assert response.headers["Cache-Control"] == "private, no-store"
