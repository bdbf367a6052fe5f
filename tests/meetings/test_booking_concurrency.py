"""Many people booking at once through a real threaded server: capacity holds, nobody is lost."""

import re
import threading
from datetime import timedelta

from sqlalchemy import func, select

from psp.extensions import db
from psp.meetings.models import Booking, Meeting
from psp.timeutil import utcnow
from tests.conftest import csrf_from
from tests.factories import PASSWORD
from tests.httpclient import HttpClient


def _meeting(app, world, capacity):
    with app.app_context():
        start = utcnow() + timedelta(days=5)
        meeting = Meeting(
            programme_id=world["programme_id"],
            title="Busy forum",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            venue="Hall",
            capacity=capacity,
            audience="public",
        )
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def _people(make_user, live_server, meeting_id, prefix, count):
    """Signed-in clients, each holding the booking page's form token."""
    clients = []
    for n in range(count):
        person = make_user(email=f"{prefix}{n}@example.org", password=PASSWORD)
        client = HttpClient(live_server.url)
        client.sign_in(person.email)
        _, html = client.request(f"/meetings/{meeting_id}")
        client.token = csrf_from(html)
        client.user_id = person.id
        clients.append(client)
    return clients


def _all_at_once(jobs):
    start = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        start.wait()
        results[index] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _rows(app, meeting_id):
    with app.app_context():
        return db.session.execute(
            select(Booking.id, Booking.user_id, Booking.status)
            .where(Booking.meeting_id == meeting_id)
            .order_by(Booking.requested_at, Booking.id)
        ).all()


def test_fifty_people_book_twenty_places_at_once(app, world, make_user, live_server):
    meeting_id = _meeting(app, world, capacity=20)
    clients = _people(make_user, live_server, meeting_id, "booker", 50)
    results = _all_at_once(
        [(lambda c=c: c.request(f"/meetings/{meeting_id}/book", {"csrf_token": c.token})) for c in clients]
    )

    assert [status for status, _ in results] == [302] * 50
    rows = _rows(app, meeting_id)
    assert len(rows) == 50
    assert [status for _, _, status in rows] == ["booked"] * 20 + ["waiting"] * 30
    # arrival order: the order the server took them in is the order of their rows
    assert [row_id for row_id, _, _ in rows] == sorted(row_id for row_id, _, _ in rows)
    # each person on the waiting list was told their true position
    for position, (_, user_id, _) in enumerate(rows[20:], start=1):
        client = next(c for c in clients if c.user_id == user_id)
        _, html = client.request(f"/meetings/{meeting_id}")
        assert f"You are number {position} on the waiting list" in html


def test_cancellations_racing_with_bookings_keep_capacity_and_order(app, world, make_user, live_server):
    meeting_id = _meeting(app, world, capacity=20)
    early = _people(make_user, live_server, meeting_id, "early", 30)
    for client in early:  # 20 places taken, 10 waiting, in this order
        assert client.request(f"/meetings/{meeting_id}/book", {"csrf_token": client.token})[0] == 302
    first_waiting = [user_id for _, user_id, status in _rows(app, meeting_id) if status == "waiting"]
    assert len(first_waiting) == 10
    late = _people(make_user, live_server, meeting_id, "late", 15)
    for client in early[:10]:
        _, html = client.request(f"/meetings/{meeting_id}")
        client.token = csrf_from(html)

    jobs = [
        (lambda c=c: c.request(f"/meetings/{meeting_id}/cancel-booking", {"csrf_token": c.token}))
        for c in early[:10]
    ]
    jobs += [(lambda c=c: c.request(f"/meetings/{meeting_id}/book", {"csrf_token": c.token})) for c in late]
    results = _all_at_once(jobs)

    assert [status for status, _ in results] == [302] * 25
    rows = _rows(app, meeting_id)
    booked = {user_id for _, user_id, status in rows if status == "booked"}
    waiting = [user_id for _, user_id, status in rows if status == "waiting"]
    assert len(booked) == 20
    assert set(first_waiting) <= booked  # the waiting list moved up first, in order
    assert waiting == [
        user_id for _, user_id, status in rows if user_id in {c.user_id for c in late} and status == "waiting"
    ]
    assert len(waiting) == 15
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Booking)
                .where(Booking.meeting_id == meeting_id, Booking.status == "cancelled")
            )
            == 10
        )
    assert re.search(r"0 of 20 free", early[10].request(f"/meetings/{meeting_id}")[1])
