"""Programme updates: posting, who sees which, the Atom feed."""

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, insert, select

from psp.audit import AuditEntry
from psp.extensions import db
from psp.timeutil import utcnow
from psp.updates.models import Update
from tests.conftest import csrf_from

P = "/programmes/test-programme"
ATOM = "{http://www.w3.org/2005/Atom}"


def _post(client, url, data):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_coordinator_posts_an_update_rendered_safely(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    response = _post(coordinator, P + "/updates/new", {
        "title": "Plan is open", "audience": "public",
        "body": "We are planning.\n\n- one\n- two\n\n<script>alert(1)</script> [link](javascript:alert(1))"})
    assert response.status_code == 302
    with app.app_context():
        update = db.session.scalar(select(Update).where(Update.title == "Plan is open"))
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "update.posted", AuditEntry.target_id == update.id)) == 1
    html = app.test_client().get(f"/updates/{update.id}").get_data(as_text=True)
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert "Plan is open" in app.test_client().get(P).get_data(as_text=True)


BAD = [
    ({"title": ""}, "Enter a title"),
    ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
    ({"body": ""}, "Enter the update"),
    ({"body": "x" * 20_001}, "Update must be 20,000 characters or fewer"),
    ({"body": "nul\x00here"}, "Remove the invisible control characters"),
    ({"audience": ""}, "Select who can read it"),
    ({"audience": "everyone"}, "Select who can read it"),
]


@pytest.mark.parametrize("change, message", BAD, ids=[m for _, m in BAD])
def test_bad_input_keeps_what_was_typed(app, world, sign_in_as, change, message):
    data = {"title": "Kept title", "body": "Kept body", "audience": "public", **change}
    response = _post(sign_in_as("coordinator@example.org"), P + "/updates/new", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and message in html
    if "body" not in change:
        assert "Kept body" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Update)) == 2


@pytest.mark.parametrize("kind, sees_partner_news", [
    ("anonymous", False), ("other.member", False), ("no.organisation", False),
    ("partner.member", True), ("coordinator", True), ("nhs.lead", True)])
def test_partners_only_updates_stay_inside_on_every_surface(app, world, sign_in_as, kind, sees_partner_news):
    client = app.test_client() if kind == "anonymous" else sign_in_as(f"{kind}@example.org")
    for path in (P, P + "/updates", P + "/updates.atom"):
        text = client.get(path).get_data(as_text=True)
        assert "News for everyone" in text, path
        assert ("News for partners" in text) is sees_partner_news, path
    status = client.get(f"/updates/{world['update_partners']}").status_code
    assert status == (200 if sees_partner_news else 404)


def test_the_feed_is_valid_atom_newest_first(app, world, client):
    with app.app_context():
        db.session.get(Update, world["update_public"]).posted_at = utcnow() - timedelta(days=3)
        db.session.add(Update(programme_id=world["programme_id"], title="Newest <news> & more",
                              body="**bold**", audience="public"))
        db.session.commit()
    response = client.get(P + "/updates.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "Test programme: updates"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith(P + "/updates.atom")
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Newest <news> & more", "News for everyone"]
    newest = entries[0]
    assert newest.find(f"{ATOM}id").text.startswith("http") and "/updates/" in newest.find(f"{ATOM}id").text
    assert newest.find(f"{ATOM}content").get("type") == "html"
    assert "<strong>bold</strong>" in newest.find(f"{ATOM}content").text
    assert newest.find(f"{ATOM}updated").text.endswith("Z")


@pytest.mark.parametrize("path", [P, P + "/updates"])
def test_the_feed_link_says_what_a_feed_is_for(client, world, path):
    html = client.get(path).get_data(as_text=True)
    link = "Follow updates in a feed reader (Atom feed)"
    assert f'<a class="govuk-link" href="{P}/updates.atom">{link}</a>' in html
    assert ("A feed reader is an app that shows you new posts from websites you choose, so you do not have "
            "to keep checking them. To follow these updates, copy the link and add it to your feed reader."
            ) in html


def test_editing_an_update(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    url = f"/updates/{world['update_partners']}/edit"
    assert 'value="News for partners"' in coordinator.get(url).get_data(as_text=True)
    assert _post(coordinator, url, {"title": "Now public", "body": "Open news.",
                                    "audience": "public"}).status_code == 302
    assert "Now public" in app.test_client().get(P + "/updates").get_data(as_text=True)


def test_update_pages_run_a_fixed_number_of_queries(app, world, sign_in_as, count_queries):
    partner = sign_in_as("partner.member@example.org")

    def measure():
        return [count_queries(lambda: partner.get(path))[1]  # noqa: B023
                for path in (P + "/updates", P + "/updates.atom", P, P + "/updates?page=3")]

    def add(count):
        with app.app_context():
            db.session.execute(insert(Update), [{"programme_id": world["programme_id"], "title": f"Bulk {n}",
                                                 "body": "Text", "audience": "public"} for n in range(count)])
            db.session.commit()

    add(30)
    small = measure()
    add(600)
    assert measure() == small
