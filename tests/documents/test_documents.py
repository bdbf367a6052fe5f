"""Documents through the pages: attach, list, download, replace, delete; refusals that save
nothing and leave no file behind; leads-only and other programmes' documents stay hidden."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select

from psp.audit import AuditEntry
from psp.documents import services
from psp.documents.models import Document, DocumentVersion
from psp.extensions import db
from psp.meetings.models import Meeting
from psp.programmes.models import Programme
from psp.storage import storage
from psp.timeutil import utcnow
from tests.conftest import csrf_from
from tests.factories import PDF_BYTES, stored_document


def pdf(pages=3):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _keys(app):
    with app.app_context():
        return set(storage().keys())


def _documents(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document))


def attach(client, url, data, content=None, filename="papers.pdf"):
    token = csrf_from(client.get(url).get_data(as_text=True))
    fields = {"csrf_token": token, "title": "Crisis service options", "summary": "", "category": "papers",
              "audience": "public", **data}
    if content is not None:
        fields["file"] = (io.BytesIO(content), filename)
    return client.post(url, data=fields, content_type="multipart/form-data")


def fetched(client, url):
    """A download's response with its body read and the file it streamed closed."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def meeting_url(world):
    return f"/meetings/{world['meeting_public']}/documents/new"


def test_a_coordinator_attaches_papers_and_anyone_downloads_them(app, world, sign_in_as, client):
    coordinator = sign_in_as("coordinator@example.org")
    before = _keys(app)
    content = pdf(3)
    response = attach(coordinator, meeting_url(world), {"title": "Crisis service options",
                                                         "summary": "Three ways to run the crisis service."},
                      content)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{world['meeting_public']}"
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.title == "Crisis service options"))
        assert (document.kind, document.pages, document.size, document.extension) == ("PDF", 3, len(content),
                                                                                        ".pdf")
        assert document.meeting_id == world["meeting_public"] and document.uploaded_by_id is not None
        assert document.storage_key not in before and "papers" not in document.storage_key
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_id == document.id,
                                                                  AuditEntry.target_type == "Document")) \
            == "document.attached"
        document_id = document.id
    assert len(_keys(app) - before) == 1

    page = client.get(f"/meetings/{world['meeting_public']}").get_data(as_text=True)
    assert "Crisis service options" in page and f"PDF, {len(content):,} bytes, 3 pages" in page \
        or f"PDF, {round(len(content) / 1024)} KB, 3 pages" in page
    download = fetched(client, f"/documents/{document_id}/download")
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="Crisis service options.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"
    shown = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "Three ways to run the crisis service." in shown and "Anyone, including visitors" in shown


def test_a_download_name_comes_from_the_title_not_the_uploaded_name(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    attach(coordinator, meeting_url(world), {"title": "Réunion: ../../etc/passwd"}, PDF_BYTES,
           filename="../../evil.html")
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.title.startswith("Réunion")))
    disposition = fetched(coordinator, f"/documents/{document_id}/download").headers["Content-Disposition"]
    assert "passwd" in disposition and "/" not in disposition and "evil" not in disposition
    assert "filename*=UTF-8''R%C3%A9union" in disposition


@pytest.mark.parametrize("data, content, filename, field_message", [
    ({"title": ""}, PDF_BYTES, "a.pdf", "Enter a title"),
    ({}, None, "", "Select a file to upload"),
    ({}, b"<!doctype html><script>alert(1)</script>", "agenda.pdf", "must be a PDF"),
    ({}, b"", "empty.pdf", "The selected file is empty"),
    ({"category": "minutes-of-doom"}, PDF_BYTES, "a.pdf", "Select what the document is"),
    ({"audience": "everyone"}, PDF_BYTES, "a.pdf", "Select who can see the document"),
    ({"title": "x" * 201}, PDF_BYTES, "a.pdf", "Title must be 200 characters or fewer"),
])
def test_bad_input_is_refused_with_nothing_saved_and_no_file_left(app, world, sign_in_as, data, content,
                                                                   filename, field_message):
    coordinator = sign_in_as("coordinator@example.org")
    before, count = _keys(app), _documents(app)
    response = attach(coordinator, meeting_url(world), {"summary": "Kept as typed", **data}, content,
                      filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and field_message in page
    assert "Kept as typed" in page
    assert _documents(app) == count and _keys(app) == before


def test_a_partners_meeting_cannot_take_a_public_document(app, world, sign_in_as):
    """The audience can narrow the parent's, never widen it (a forged radio value)."""
    coordinator = sign_in_as("coordinator@example.org")
    url = f"/meetings/{world['meeting_partners']}/documents/new"
    page = coordinator.get(url).get_data(as_text=True)
    assert 'value="public"' not in page and 'value="partners"' in page
    before = _keys(app)
    response = attach(coordinator, url, {"audience": "public"}, PDF_BYTES)
    assert response.status_code == 400
    assert "Select who can see the document" in response.get_data(as_text=True)
    assert _keys(app) == before


def test_a_row_that_cannot_be_saved_takes_its_file_with_it(app, world, make_user):
    """The file is written first; when the database refuses the row, the file is deleted."""
    from psp.auth.models import User
    from psp.documents.models import MEETING

    with app.app_context(), app.test_request_context():
        before = set(storage().keys())
        person = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
        meeting = db.session.get(Meeting, world["meeting_public"])
        parent = services.Parent(MEETING, meeting, db.session.get(Programme, meeting.programme_id))
        with pytest.raises(Exception) as refused:
            services.attach(person, parent, "Title", "", "not-a-category", "public", io.BytesIO(PDF_BYTES),
                            "a.pdf")
        assert "category" in str(refused.value).lower()
        assert set(storage().keys()) == before
        assert db.session.scalar(select(func.count()).select_from(Document).where(
            Document.title == "Title")) == 0


def test_a_new_version_replaces_the_file_and_keeps_the_old_one(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    url = f"/documents/{world['doc_public']}/replace"
    page = coordinator.get(url).get_data(as_text=True)
    assert 'name="version" value="1"' in page
    content = pdf(2)
    response = coordinator.post(url, data={"csrf_token": csrf_from(page), "version": "1",
                                           "file": (io.BytesIO(content), "v2.pdf")},
                                content_type="multipart/form-data")
    assert response.status_code == 302
    assert fetched(coordinator, f"/documents/{world['doc_public']}/download").data == content
    assert fetched(coordinator, f"/documents/{world['doc_public']}/versions/1/download").data == PDF_BYTES
    shown = coordinator.get(f"/documents/{world['doc_public']}").get_data(as_text=True)
    assert "Earlier versions" in shown and "Version 1" in shown and "Version</dt>" in shown
    with app.app_context():
        document = db.session.get(Document, world["doc_public"])
        assert (document.version, document.pages) == (2, 2)
        assert db.session.scalar(select(DocumentVersion.number).where(
            DocumentVersion.document_id == document.id)) == 1

    stale = coordinator.post(url, data={"csrf_token": csrf_from(page), "version": "1",
                                        "file": (io.BytesIO(pdf(1)), "v3.pdf")},
                             content_type="multipart/form-data")
    assert stale.status_code == 409
    assert "Someone uploaded a new version" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Document, world["doc_public"]).version == 2


def test_deleting_a_document_deletes_its_files(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    url = f"/documents/{world['doc_partners']}/replace"
    page = coordinator.get(url).get_data(as_text=True)
    coordinator.post(url, data={"csrf_token": csrf_from(page), "version": "1",
                                "file": (io.BytesIO(pdf(1)), "v2.pdf")}, content_type="multipart/form-data")
    with app.app_context():
        document = db.session.get(Document, world["doc_partners"])
        keys = {document.storage_key, *db.session.scalars(select(DocumentVersion.storage_key))}
    assert len(keys) == 2 and keys <= _keys(app)
    delete = f"/documents/{world['doc_partners']}/delete"
    response = coordinator.post(delete, data={"csrf_token": csrf_from(coordinator.get(delete).get_data(
        as_text=True))})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{world['meeting_public']}"
    assert not keys & _keys(app)
    assert coordinator.get(f"/documents/{world['doc_partners']}").status_code == 404


def test_hidden_documents_are_not_found(app, world, sign_in_as, client):
    """A partner asking for a leads-only document, and anyone for another programme's partners-only
    paper, by its id: 404, as if it did not exist; the meeting page does not list it either."""
    partner = sign_in_as("partner.member@example.org")
    for path in (f"/documents/{world['doc_leads']}", f"/documents/{world['doc_leads']}/download",
                 f"/documents/{world['doc_leads']}/formats"):
        assert partner.get(path).status_code == 404
    page = partner.get(f"/meetings/{world['meeting_public']}").get_data(as_text=True)
    assert "Options appraisal" in page and "Draft specification" not in page
    visitor = client.get(f"/meetings/{world['meeting_public']}").get_data(as_text=True)
    assert "Agenda pack" in visitor and "Options appraisal" not in visitor

    with app.app_context():
        review = db.session.scalar(select(Programme).where(Programme.slug == "review-programme"))
        elsewhere = Meeting(programme_id=review.id, title="Review partners", audience="partners",
                            starts_at=utcnow() + timedelta(days=3),
                            ends_at=utcnow() + timedelta(days=3, hours=1))
        db.session.add(elsewhere)
        db.session.flush()
        hidden = stored_document(review.id, "Review partners' paper", meeting_id=elsewhere.id)
        db.session.add(hidden)
        db.session.commit()
        hidden_id = hidden.id
    other = sign_in_as("other.member@example.org")
    assert other.get(f"/documents/{hidden_id}/download").status_code == 404
    assert partner.get(f"/documents/{hidden_id}").status_code == 404  # a partner here, not there
    assert client.get(f"/documents/{hidden_id}/download").status_code == 404


def test_a_partner_attaches_a_document_to_their_view_until_it_is_answered(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    url = f"/views/{world['view_shared']}/documents/new"
    page = partner.get(url).get_data(as_text=True)
    assert 'name="audience" value="public"' in page  # follows the view: no choice to make
    content = b"question,answer\nWhat helps?,A phone call\n"
    response = attach(partner, url, {"title": "Survey of 40 carers", "category": "attachment"}, content,
                      filename="survey.csv")
    assert response.status_code == 302
    view_page = partner.get(f"/views/{world['view_shared']}").get_data(as_text=True)
    assert "Survey of 40 carers" in view_page and f"CSV, {len(content)} bytes" in view_page
    assert partner.get(f"/views/{world['view_answered']}/documents/new").status_code == 403


def test_an_upload_over_the_limit_gets_a_page_that_says_so(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    token = csrf_from(coordinator.get(meeting_url(world)).get_data(as_text=True))
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\r\n" \
        + b"%PDF-" + b"0" * limit + b"\r\n--x--\r\n"
    response = coordinator.post(meeting_url(world), data=body, headers={
        "Content-Type": "multipart/form-data; boundary=x", "X-CSRFToken": token})
    assert response.status_code == 413
    assert f"Files can be up to {limit // 1048576} MB" in response.get_data(as_text=True)


def test_prune_deletes_only_old_files_no_row_names(app, world):
    with app.app_context():
        stale = f"{(utcnow() - timedelta(hours=2)).strftime(services.KEY_STAMP)}-{'a' * 32}"
        fresh = services.new_key()
        for key in (stale, fresh):
            storage().save(key, io.BytesIO(b"orphan"), "text/plain")
        named = set(db.session.scalars(select(Document.storage_key)))
        assert services.prune_files() >= 1  # the store is the test session's: others' files go too
        left = set(storage().keys())
        assert stale not in left and fresh in left and named <= left
        assert services.prune_files(now=utcnow() + timedelta(hours=2)) >= 1  # now the fresh one is old
        assert set(storage().keys()) == named


def test_the_meeting_page_runs_the_same_queries_with_1_or_40_documents(app, world, client, count_queries):
    url = f"/meetings/{world['meeting_public']}"

    def load():
        response = client.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    _, few = count_queries(load)
    with app.app_context():
        db.session.add_all([stored_document(world["programme_id"], f"Paper {n}",
                                            meeting_id=world["meeting_public"]) for n in range(40)])
        db.session.commit()
    page, many = count_queries(load)
    assert "Paper 39" in page
    assert many == few


def test_stage_and_update_pages_list_their_documents(app, world, sign_in_as, client):
    programme = world["programme"]
    assert "Analyse report" in client.get(f"/programmes/{programme}/cycles/1/analyse").get_data(as_text=True)
    partner = sign_in_as("partner.member@example.org")
    assert "Newsletter" in partner.get(f"/updates/{world['update_partners']}").get_data(as_text=True)
