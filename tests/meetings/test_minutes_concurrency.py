"""Agreeing minutes and publishing them at the same moment, through a real threaded server."""

import threading

import pytest
from sqlalchemy import select

from psp.extensions import db
from psp.meetings.models import Meeting, MinutesAgreement, MinutesCorrection
from tests.conftest import csrf_from
from tests.httpclient import HttpClient
from tests.meetings.minutes_helpers import minuted_meeting


def _signed_in(live_server, email):
    client = HttpClient(live_server.url)
    client.sign_in(email)
    return client


def _all_at_once(calls):
    """Run each call in its own thread, released together; returns their results in order."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index):
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _post(client, path, page, data=None):
    _, html = client.request(page)
    token = csrf_from(html)
    return lambda: client.request(path, {**(data or {}), "csrf_token": token})


def test_two_attendees_agreeing_at_once_are_both_recorded(app, world, live_server):
    with app.app_context():
        meeting_id, _ = minuted_meeting(world.ids, attended=("partner_member", "organisation_admin"),
                                        correction=False)
    page, path = f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/minutes/agree"
    member = _signed_in(live_server, "partner.member@example.org")
    admin = _signed_in(live_server, "organisation.admin@example.org")
    # Both at once, and the member's second click of the same button beside them.
    results = _all_at_once([_post(member, path, page), _post(admin, path, page), _post(member, path, page)])
    assert [status for status, _ in results] == [302, 302, 302]
    with app.app_context():
        agreed = db.session.scalars(select(MinutesAgreement.user_id).where(
            MinutesAgreement.meeting_id == meeting_id)).all()
    assert sorted(agreed) == sorted([world["user:partner_member"], world["user:organisation_admin"]])


@pytest.mark.parametrize("attempt", range(3))
def test_a_correction_racing_publication_is_never_lost(app, world, live_server, attempt):
    with app.app_context():
        meeting_id, _ = minuted_meeting(world.ids, attended=("partner_member",), correction=False)
    member = _signed_in(live_server, "partner.member@example.org")
    coordinator = _signed_in(live_server, "coordinator@example.org")
    suggest = _post(member, f"/meetings/{meeting_id}/minutes/correction",
                    f"/meetings/{meeting_id}/minutes/correction", {"text": "Late but important."})
    publish = _post(coordinator, f"/meetings/{meeting_id}/minutes/publish", f"/meetings/{meeting_id}/minutes")
    (suggested, suggest_body), (published, publish_body) = _all_at_once([suggest, publish])
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        corrections = db.session.scalars(select(MinutesCorrection).where(
            MinutesCorrection.meeting_id == meeting_id)).all()
        state = meeting.minutes_state
    if published == 302:
        # Publication won: the correction was refused, and said so; nothing waits undecided.
        assert suggested == 409 and "The minutes have been published" in suggest_body
        assert "Late but important." in suggest_body   # what they typed is still on the page
        assert state == "agreed" and corrections == []
    else:
        # The correction landed first: publication waits for its decision.
        assert suggested == 302 and published == 409
        assert "waiting for a decision" in publish_body
        assert state == "sent" and [c.status for c in corrections] == ["suggested"]
