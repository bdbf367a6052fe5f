"""HTTP caching (psp/httpcache.py): ETags, Last-Modified and 304s on the feeds and visitors' pages,
and a shareable Cache-Control only on the response anyone not signed in would get."""

from datetime import timedelta

import pytest
from werkzeug.http import http_date, parse_date

from psp import builders
from psp.extensions import db
from psp.meetings.models import Meeting
from psp.timeutil import utcnow
from psp.updates.models import Update

P = "/programmes/test-programme"
PAGES = ["/", "/accessibility", "/organisations", P, P + "/views", P + "/you-said-we-did", P + "/updates",
         P + "/meetings", "/meetings/{meeting_public}", P + "/interests", P + "/discussions",
         P + "/cycles/1/analyse", "/updates/{update_public}", "/documents/{doc_public}"]
FEEDS = [P + "/updates.atom", P + "/meetings.ics", "/meetings/{meeting_public}.ics"]
FEED_CACHE = "public, max-age=300"

pytestmark = pytest.mark.usefixtures("module_world")  # each test in a savepoint of the module's world


@pytest.fixture
def ids(module_world):
    return module_world.ids


def get(client, path, **headers):
    """GET and close (filterwarnings=error): the status, headers and body."""
    with client.get(path, headers=headers) as response:
        return response.status_code, response.headers, response.get_data(as_text=True)


def modified(headers):
    return parse_date(headers["Last-Modified"])


def later(app, model, record_id, minutes=5, **changes):
    """Change a record as of a few minutes from now, so its Last-Modified moves on by whole seconds."""
    with app.app_context():
        record = db.session.get(model, record_id)
        for name, value in changes.items():
            setattr(record, name, value)
        record.updated_at = utcnow() + timedelta(minutes=minutes)
        db.session.commit()


@pytest.mark.parametrize("path", PAGES)
def test_a_visitors_page_is_shareable_and_answers_304_to_its_etag(client, ids, path):
    path = path.format(**ids)
    status, headers, body = get(client, path)
    assert status == 200
    assert headers["Cache-Control"] == "public, no-cache"
    assert "Cookie" in headers["Vary"] and "Set-Cookie" not in headers
    etag = headers["ETag"]
    assert etag.startswith('W/"')
    status, again, body = get(client, path, **{"If-None-Match": etag})
    assert status == 304 and body == ""
    assert again["ETag"] == etag and again["Cache-Control"] == "public, no-cache"
    assert get(client, path, **{"If-None-Match": 'W/"something-else"'})[0] == 200


@pytest.mark.parametrize("path", FEEDS)
def test_a_visitors_feed_has_a_strong_etag_and_last_modified(client, ids, path):
    path = path.format(**ids)
    status, headers, body = get(client, path)
    assert status == 200
    assert headers["Cache-Control"] == FEED_CACHE and "Cookie" in headers["Vary"]
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert get(client, path) == (200, headers, body)  # the same bytes until something changes
    status, again, body = get(client, path, **{"If-None-Match": etag})
    assert (status, body) == (304, "")
    assert again["ETag"] == etag and again["Cache-Control"] == FEED_CACHE
    assert get(client, path, **{"If-Modified-Since": modified})[0] == 304
    a_second_before = http_date(parse_date(modified) - timedelta(seconds=1))
    assert get(client, path, **{"If-Modified-Since": a_second_before})[0] == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)
    assert get(client, path, **{"If-None-Match": '"old"', "If-Modified-Since": modified})[0] == 200


def test_a_new_update_changes_the_atom_feeds_etag_and_last_modified(app, client, ids):
    _, before, _ = get(client, P + "/updates.atom")
    with app.app_context():
        update = builders.update(ids["programme_id"], ids["user:coordinator"], "Fresh news")
        db.session.add(update)
        db.session.commit()
        update_id = update.id
    later(app, Update, update_id)
    status, after, body = get(client, P + "/updates.atom", **{"If-None-Match": before["ETag"]})
    assert status == 200 and "Fresh news" in body
    assert after["ETag"] != before["ETag"] and modified(after) > modified(before)
    assert get(client, P + "/updates.atom", **{"If-Modified-Since": before["Last-Modified"]})[0] == 200


@pytest.mark.parametrize("path", [P + "/meetings.ics", "/meetings/{meeting_public}.ics"])
def test_a_changed_meeting_changes_the_calendars_etag(app, client, ids, path):
    path = path.format(**ids)
    _, before, _ = get(client, path)
    later(app, Meeting, ids["meeting_public"], venue="The New Hall")
    status, after, body = get(client, path, **{"If-None-Match": before["ETag"]})
    assert status == 200 and "The New Hall" in body
    assert after["ETag"] != before["ETag"] and modified(after) > modified(before)


def test_a_new_meeting_changes_the_programme_calendars_etag(app, client, ids):
    _, before, _ = get(client, P + "/meetings.ics")
    with app.app_context():
        db.session.add(builders.meeting(ids["programme_id"], "Another forum", utcnow() + timedelta(days=20)))
        db.session.commit()
    status, after, body = get(client, P + "/meetings.ics", **{"If-None-Match": before["ETag"]})
    assert status == 200 and "Another forum" in body and after["ETag"] != before["ETag"]


def test_partners_only_news_is_never_in_the_shareable_feed(client, sign_in_as, ids):
    status, anonymous, body = get(client, P + "/updates.atom")
    assert status == 200 and anonymous["Cache-Control"] == FEED_CACHE
    assert "News for everyone" in body and "News for partners" not in body
    partner = sign_in_as("partner.member@example.org")
    status, inside, body = get(partner, P + "/updates.atom")
    assert status == 200 and "News for partners" in body
    assert inside["Cache-Control"] == "private, no-store"
    assert inside["ETag"] != anonymous["ETag"]
    # The partner's copy is no validator for a visitor, nor the visitor's for the partner.
    assert get(client, P + "/updates.atom", **{"If-None-Match": inside["ETag"]})[0] == 200
    assert get(partner, P + "/updates.atom", **{"If-None-Match": anonymous["ETag"]})[0] == 200
    assert get(partner, P + "/updates.atom", **{"If-None-Match": inside["ETag"]})[0] == 304


def test_an_update_turned_partners_only_leaves_the_visitors_feed_at_once(app, client, ids):
    """Last-Modified counts partners-only changes too, so If-Modified-Since alone cannot keep it."""
    _, before, _ = get(client, P + "/updates.atom")
    later(app, Update, ids["update_public"], audience="partners")
    status, after, body = get(client, P + "/updates.atom", **{"If-Modified-Since": before["Last-Modified"]})
    assert status == 200 and "News for everyone" not in body
    assert after["Cache-Control"] == FEED_CACHE


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_pages_are_never_shareable_nor_validated(client, sign_in_as, ids, path):
    path = path.format(**ids)
    anonymous = get(client, path)[1]["ETag"]
    partner = sign_in_as("partner.member@example.org")
    status, headers, _ = get(partner, path, **{"If-None-Match": anonymous})
    assert status == 200
    assert headers["Cache-Control"] == "no-store" and "ETag" not in headers


@pytest.mark.parametrize("path", FEEDS)
def test_signed_in_feeds_are_private(sign_in_as, ids, path):
    partner = sign_in_as("partner.member@example.org")
    status, headers, _ = get(partner, path.format(**ids))
    assert status == 200
    assert headers["Cache-Control"] == "private, no-store" and headers["ETag"]


def test_a_signed_in_copy_identical_to_the_visitors_may_answer_304_but_stays_private(client, sign_in_as, ids):
    """A public meeting's file for a partner who has not booked is byte for byte the visitor's."""
    path = f"/meetings/{ids['meeting_public']}.ics"
    anonymous = get(client, path)[1]["ETag"]
    status, headers, _ = get(sign_in_as("partner.member@example.org"), path, **{"If-None-Match": anonymous})
    assert status == 304 and headers["Cache-Control"] == "private, no-store"


def test_the_meeting_feed_with_a_partners_link_is_private(sign_in_as, ids):
    partner = sign_in_as("partner.member@example.org")
    status, headers, body = get(partner, f"/meetings/{ids['meeting_partners']}.ics")
    assert status == 200 and "secret-room" in body
    assert headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("path", ["/sign-in", "/register"])
def test_a_page_that_sets_a_cookie_is_not_shareable(client, path):
    status, headers, body = get(client, path)
    assert status == 200 and "Set-Cookie" in headers and 'name="csrf_token"' in body
    assert headers["Cache-Control"] == "no-store" and "ETag" not in headers
    assert get(client, path, **{"If-None-Match": "*"})[0] == 200


def test_a_page_carrying_the_visitors_csrf_token_is_not_shareable_even_without_a_new_cookie(client):
    get(client, "/sign-in")  # the session now holds a CSRF token
    status, headers, body = get(client, "/sign-in")
    assert status == 200 and 'name="csrf_token"' in body and "Set-Cookie" not in headers
    assert headers["Cache-Control"] == "no-store" and "ETag" not in headers
    status, headers, _ = get(client, "/")  # no form here: the same page as anyone's
    assert status == 200 and headers["Cache-Control"] == "public, no-cache"


def test_half_way_through_signing_in_nothing_is_shareable(client, auth, ids):
    response = auth.sign_in("coordinator@example.org", code=False)  # password done, code to come
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code")
    response.close()
    status, headers, _ = get(client, "/accessibility")
    assert status == 200 and headers["Cache-Control"] == "no-store" and "ETag" not in headers


@pytest.mark.parametrize("path, status", [("/no-such-page", 404), (P + "/updates/new", 302)])
def test_other_answers_to_visitors_are_not_shareable(client, path, status):
    got, headers, _ = get(client, path)
    assert got == status
    assert "public" not in headers.get("Cache-Control", "") and "ETag" not in headers


def test_assets_keep_their_own_caching(client):
    with client.get("/assets/images/favicon.ico") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=86400"
