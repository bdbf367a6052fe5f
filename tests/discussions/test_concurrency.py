"""Replies at once, and an edit racing a hide, through a real threaded server."""

import pytest
from sqlalchemy import select

from psp.discussions.models import Discussion, Message
from psp.extensions import db
from tests.conftest import csrf_from
from tests.httpclient import HttpClient
from tests.meetings.test_minutes_concurrency import _all_at_once


def _signed_in(live_server, email):
    client = HttpClient(live_server.url)
    client.sign_in(email)
    return client


def _post(client, path, page, data):
    _, html = client.request(page)
    token = csrf_from(html)
    return lambda: client.request(path, {**data, "csrf_token": token})


def test_people_replying_at_once_all_land_in_order(app, world, live_server):
    discussion_id = world["disc_partners"]
    page, path = f"/discussions/{discussion_id}", f"/discussions/{discussion_id}/reply"
    people = ["partner.member@example.org", "organisation.admin@example.org", "coordinator@example.org",
              "nhs.lead@example.org"]
    calls = [_post(_signed_in(live_server, email), path, page, {"body": f"Reply from {email}"})
             for email in people]
    results = _all_at_once(calls)
    assert [status for status, _ in results] == [302] * len(people)
    with app.app_context():
        messages = db.session.scalars(select(Message).where(Message.discussion_id == discussion_id)
                                      .order_by(Message.number)).all()
        count = db.session.get(Discussion, discussion_id).message_count
    assert [m.number for m in messages] == list(range(1, 3 + len(people) + 1)) and count == 3 + len(people)
    assert sorted(m.body for m in messages[3:]) == sorted(f"Reply from {email}" for email in people)
    # Numbers follow the order they landed in.
    assert [m.id for m in messages[3:]] == sorted(m.id for m in messages[3:])


@pytest.mark.parametrize("attempt", range(3))
def test_an_edit_racing_a_hide_never_unhides(app, world, live_server, attempt):
    message_id = world["msg_partners"]
    author = _signed_in(live_server, "partner.member@example.org")
    coordinator = _signed_in(live_server, "coordinator@example.org")
    edit = _post(author, f"/messages/{message_id}/edit", f"/messages/{message_id}/edit",
                 {"body": "My changed words"})
    hide = _post(coordinator, f"/messages/{message_id}/hide", f"/messages/{message_id}/hide",
                 {"reason": "Names a patient"})
    (edited, edit_page), (hidden, _) = _all_at_once([edit, hide])
    with app.app_context():
        message = db.session.get(Message, message_id)
        status, body = message.status, message.body
    assert hidden == 302 and status == "hidden"
    if edited == 302:    # the edit landed first; the hide followed it
        assert body == "My changed words"
    else:                # the hide landed first: the edit is refused, saying why, with the text kept
        assert edited == 409 and body == "Transport is the problem."
        assert "hidden by the coordinator" in edit_page and "My changed words" in edit_page


def test_posting_is_rate_limited_per_person(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    page = f"/discussions/{world['disc_partners']}"
    codes = [member.forms.post(page + "/reply", {"body": f"Message {n}"}, page=page).status_code
             for n in range(11)]
    assert codes == [302] * 10 + [429]
    # Another person is not held back by them.
    admin = sign_in_as("organisation.admin@example.org")
    assert admin.forms.post(page + "/reply", {"body": "Mine"}, page=page).status_code == 302
