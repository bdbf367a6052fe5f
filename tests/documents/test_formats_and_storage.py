"""Asking for a document in another format; a person's documents in their data; the whole
document life through the app with its files in S3 (a real S3-speaking server on loopback)."""

import io
import json

from sqlalchemy import func, select

from psp.auth.models import User
from psp.documents.models import Document, FormatRequest
from psp.extensions import db
from psp.notifications.models import Notification
from tests.conftest import csrf_from
from tests.documents.test_documents import attach, fetched, meeting_url, pdf

ASK = "/documents/{}/formats"


def _requests(app, **where):
    with app.app_context():
        return db.session.scalars(select(FormatRequest).filter_by(**where).order_by(FormatRequest.id)).all()


def test_a_partner_asks_for_easy_read_and_the_coordinator_sends_it(app, world, sign_in_as, smtp_server):
    partner = sign_in_as("organisation.admin@example.org")
    url = ASK.format(world["doc_public"])
    page = partner.get(url).get_data(as_text=True)
    response = partner.post(url, data={"csrf_token": csrf_from(page), "format": "large-print", "detail": ""})
    assert response.status_code == 302
    asked = _requests(app, format="large-print")[-1]
    assert asked.detail == "" and asked.document_id == world["doc_public"]
    [message] = smtp_server.to("coordinator@example.org")
    assert "asks for “Agenda pack” as Large print" in message["Subject"]

    coordinator = sign_in_as("coordinator@example.org")
    work = coordinator.get("/my").get_data(as_text=True)
    assert "Documents asked for in another format" in work and "Agenda pack in Large print" in work
    listing = coordinator.get(f"/programmes/{world['programme']}/format-requests").get_data(as_text=True)
    assert "organisation.admin@example.org" in listing
    sent = f"/programmes/{world['programme']}/format-requests/{asked.id}/sent"
    token = csrf_from(coordinator.get(sent).get_data(as_text=True))
    response = coordinator.post(sent, data={"csrf_token": token, "note": "Posted to your office today."})
    assert response.status_code == 302
    [told] = smtp_server.to("organisation.admin@example.org")
    assert "Posted to your office today." in smtp_server.body(told)
    assert _requests(app, id=asked.id)[0].status == "sent"
    assert "Agenda pack in Large print" not in coordinator.get("/my").get_data(as_text=True)
    again = coordinator.post(sent, data={"csrf_token": token, "note": ""})
    assert again.status_code == 409 and "already marked as sent" in again.get_data(as_text=True)
    with app.app_context():
        kinds = db.session.scalars(select(Notification.kind)
                                   .where(Notification.title.contains("Large print")))
        assert set(kinds) == {"documents"}


def test_another_language_needs_saying_which(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    url = ASK.format(world["doc_public"])
    token = csrf_from(partner.get(url).get_data(as_text=True))
    before = len(_requests(app))
    for data, message in [({"format": "language", "detail": ""}, "Enter the language you need"),
                          ({"format": "other", "detail": "  "}, "Enter the format you need"),
                          ({"format": "hologram"}, "Select the format you need"),
                          ({"format": "bsl", "detail": "x" * 501}, "500 characters or fewer")]:
        response = partner.post(url, data={"csrf_token": token, **data})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page and "govuk-error-summary" in page
    assert len(_requests(app)) == before
    response = partner.post(url, data={"csrf_token": token, "format": "language", "detail": "Polish"})
    assert response.status_code == 302
    assert _requests(app)[-1].format_name == "Another language: Polish"


def test_a_coordinator_of_another_programme_cannot_mark_it_sent(app, world, make_user, sign_in_as):
    from psp.programmes.models import Programme, ProgrammeRole

    make_user(email="review.coordinator@example.org", factor=True)
    with app.app_context():
        review = db.session.scalar(select(Programme.id).where(Programme.slug == "review-programme"))
        user = db.session.scalar(select(User.id).where(User.email == "review.coordinator@example.org"))
        db.session.add(ProgrammeRole(programme_id=review, user_id=user, role="coordinator"))
        db.session.commit()
    other = sign_in_as("review.coordinator@example.org")
    mine = f"/programmes/review-programme/format-requests/{world['format_request']}/sent"
    theirs = f"/programmes/{world['programme']}/format-requests/{world['format_request']}/sent"
    assert other.get(mine).status_code == 404
    assert other.get(theirs).status_code == 403
    token = csrf_from(other.get("/account").get_data(as_text=True))
    assert other.post(mine, data={"csrf_token": token}).status_code == 404
    assert _requests(app, id=world["format_request"])[0].status == "requested"


def test_a_persons_documents_and_requests_are_in_their_data_and_requests_go_with_them(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    data = json.loads(partner.get("/account/data.json").get_data(as_text=True))
    assert [r["format"] for r in data["format_requests"]] == ["easy-read"]
    assert "storage_key" not in json.dumps(data)
    coordinator = sign_in_as("coordinator@example.org")
    attach(coordinator, meeting_url(world), {"title": "Minutes of the forum"}, pdf(1))
    mine = json.loads(coordinator.get("/account/data.json").get_data(as_text=True))
    assert [d["title"] for d in mine["documents"]] == ["Minutes of the forum"]

    from psp.auth import privacy

    with app.app_context():
        privacy.erase(db.session.scalar(select(User).where(User.email == "partner.member@example.org")))
        erase_coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
        privacy.erase(erase_coordinator)
        assert db.session.scalar(select(func.count()).select_from(FormatRequest)) == 0
        kept = db.session.scalar(select(Document).where(Document.title == "Minutes of the forum"))
        assert kept is not None and kept.uploaded_by_id == erase_coordinator.id  # now "Former member"


def test_documents_live_in_s3_when_it_is_configured(s3_app, world, sign_in_as, s3_client, s3_bucket):
    """Upload, download, replace and delete through the pages, with boto3 talking HTTP to the
    S3 test server: objects appear and go under the prefix, never under the uploaded name."""
    app = s3_app

    def objects():
        listed = s3_client.list_objects_v2(Bucket=s3_bucket).get("Contents", [])
        return {item["Key"] for item in listed}

    coordinator = sign_in_as("coordinator@example.org")
    world_files = objects()  # the world's documents were stored here too
    first = pdf(2)
    assert attach(coordinator, meeting_url(world), {"title": "Stored in S3"}, first,
                  filename="secret-name.pdf").status_code == 302
    [key] = objects() - world_files
    assert key.startswith("uploads/") and "secret" not in key
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.title == "Stored in S3"))
    assert fetched(coordinator, f"/documents/{document_id}/download").data == first

    replace = f"/documents/{document_id}/replace"
    token = csrf_from(coordinator.get(replace).get_data(as_text=True))
    second = pdf(4)
    assert coordinator.post(replace, data={"csrf_token": token, "version": "1",
                                           "file": (io.BytesIO(second), "v2.pdf")},
                            content_type="multipart/form-data").status_code == 302
    assert len(objects() - world_files) == 2
    assert fetched(coordinator, f"/documents/{document_id}/download").data == second
    assert fetched(coordinator, f"/documents/{document_id}/versions/1/download").data == first

    delete = f"/documents/{document_id}/delete"
    token = csrf_from(coordinator.get(delete).get_data(as_text=True))
    assert coordinator.post(delete, data={"csrf_token": token}).status_code == 302
    assert objects() == world_files


def test_only_coordinators_find_the_requests_from_the_programme_page(app, world, sign_in_as):
    link = "Requests for documents in other formats"
    page = f"/programmes/{world['programme']}"
    assert link in sign_in_as("coordinator@example.org").get(page).get_data(as_text=True)
    assert link not in sign_in_as("nhs.lead@example.org").get(page).get_data(as_text=True)
