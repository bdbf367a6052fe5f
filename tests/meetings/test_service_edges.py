"""Meeting services called directly, for the refusals and quiet paths the pages rarely reach."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import event, func, select, update

from psp import builders
from psp.audit import AuditEntry
from psp.auth.models import User
from psp.errors import Refused
from psp.extensions import db
from psp.mail import OutboxMessage
from psp.meetings import services
from psp.meetings.models import BOOKED, CANCELLED, WAITING, Booking, Meeting
from psp.timeutil import utcnow


def _user(world, kind):
    return db.session.get(User, world[f"user:{kind}"])


def _meeting(meeting_id):
    programme, meeting = services.get_meeting(meeting_id)
    return programme, meeting


def _small_meeting(world, starts_at, capacity=1, title="Small circle"):
    """A meeting of the test programme with few places, committed."""
    meeting = builders.meeting(world["programme_id"], title, starts_at, capacity=capacity)
    db.session.add(meeting)
    db.session.commit()
    return meeting.id


def _booking(meeting_id, user_id, status=BOOKED, minutes_ago=0):
    booking = builders.booking(meeting_id, user_id, status=status,
                               requested_at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(booking)
    db.session.commit()
    return booking.id


def _status(booking_id):
    return db.session.scalar(select(Booking.status).where(Booking.id == booking_id))


def _edit_data(meeting, **changes):
    data = {"title": meeting.title, "agenda": meeting.agenda, "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at, "venue": meeting.venue, "access_info": meeting.access_info,
            "online_link": meeting.online_link, "capacity": meeting.capacity,
            "booking_deadline": meeting.booking_deadline, "audience": meeting.audience,
            "stage_id": meeting.stage_id}
    data.update(changes)
    return data


def test_to_utc_without_a_time_gives_no_moment():
    """A meeting day with no time chosen has no start yet; with a time it is converted from London."""
    assert services.to_utc(date(2027, 1, 5), None) is None
    assert services.to_utc(date(2027, 1, 5), time(14, 0)) is not None


def test_a_cancelled_meeting_cannot_be_edited(world, app_ctx):
    """Editing after cancelling would email people about a meeting that is not happening."""
    coordinator = _user(world, "coordinator")
    programme, meeting = _meeting(world["meeting_public"])
    services.cancel_meeting(coordinator, programme, meeting, "The hall flooded")
    with pytest.raises(Refused, match="was cancelled, so it cannot be changed") as refused:
        services.edit(coordinator, programme, meeting, _edit_data(meeting, title="Rescheduled forum"))
    assert refused.value.field == "title"
    db.session.rollback()
    assert db.session.get(Meeting, world["meeting_public"]).title == "Open forum"


def test_a_meeting_cannot_be_cancelled_twice(world, app_ctx):
    """The second cancellation is refused and the first reason stands."""
    coordinator = _user(world, "coordinator")
    programme, meeting = _meeting(world["meeting_public"])
    services.cancel_meeting(coordinator, programme, meeting, "The hall flooded")
    with pytest.raises(Refused, match="already cancelled") as refused:
        services.cancel_meeting(coordinator, programme, meeting, "A different reason")
    assert refused.value.field == "reason"
    db.session.rollback()
    again = db.session.get(Meeting, world["meeting_public"])
    assert (again.status, again.cancel_reason) == (CANCELLED, "The hall flooded")


def _booking_of(meeting, person):
    return db.session.scalar(select(Booking).where(Booking.meeting_id == meeting.id,
                                                   Booking.user_id == person.id))


def test_booking_again_after_cancelling_reuses_the_same_booking(world, app_ctx):
    """A person who cancels and books again gets their old row back, booked and clean."""
    partner = _user(world, "partner_member")
    programme, meeting = _meeting(world["meeting_partners"])
    first = _booking_of(meeting, partner)
    services.cancel_booking(partner, programme, meeting, first)
    assert _status(first.id) == CANCELLED

    booking, position = services.book(partner, programme, meeting, ["other"], "Large print please")
    assert booking.id == first.id
    assert position is None
    again = db.session.get(Booking, first.id)
    assert (again.status, again.cancelled_at, again.access_other) == (BOOKED, None, "Large print please")
    assert db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.meeting_id == meeting.id, Booking.user_id == partner.id)) == 1


def test_a_cancelled_booking_cannot_be_cancelled_again(world, app_ctx):
    """A second cancel (a double click, an old tab) is refused rather than recorded twice."""
    partner = _user(world, "partner_member")
    programme, meeting = _meeting(world["meeting_partners"])
    booking = _booking_of(meeting, partner)
    services.cancel_booking(partner, programme, meeting, booking)
    with pytest.raises(Refused, match="This booking is already cancelled"):
        services.cancel_booking(partner, programme, meeting, booking)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "booking.cancelled", AuditEntry.target_id == booking.id)) == 1


def test_leaving_the_waiting_list_keeps_the_order_behind(world, app_ctx):
    """Cancelling a waiting-list place frees no seat: the booked stay booked and the next in
    line moves up one position."""
    meeting_id = _small_meeting(world, utcnow() + timedelta(days=5))
    booked = _booking(meeting_id, world["user:no_organisation"], BOOKED, minutes_ago=30)
    leaving = _booking(meeting_id, world["user:other_member"], WAITING, minutes_ago=20)
    behind = _booking(meeting_id, world["user:bystander"], WAITING, minutes_ago=10)
    assert services.waiting_position(db.session.get(Booking, behind)) == 2

    programme, meeting = _meeting(meeting_id)
    services.cancel_booking(_user(world, "other_member"), programme, meeting,
                            db.session.get(Booking, leaving))
    assert [_status(b) for b in (booked, leaving, behind)] == [BOOKED, CANCELLED, WAITING]
    assert services.waiting_position(db.session.get(Booking, behind)) == 1


def test_a_place_given_up_after_the_start_goes_to_nobody(world, app_ctx, smtp_server):
    """Once a meeting has begun, nobody on the waiting list is promoted or emailed."""
    meeting_id = _small_meeting(world, utcnow() - timedelta(hours=1))
    booked = _booking(meeting_id, world["user:no_organisation"], BOOKED, minutes_ago=90)
    waiting = _booking(meeting_id, world["user:other_member"], WAITING, minutes_ago=80)

    programme, meeting = _meeting(meeting_id)
    services.cancel_booking(_user(world, "no_organisation"), programme, meeting,
                            db.session.get(Booking, booked))
    assert (_status(booked), _status(waiting)) == (CANCELLED, WAITING)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "booking.promoted")) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_releasing_a_waiting_place_promotes_nobody(world, app_ctx):
    """Account erasure gives up a waiting-list place; the meeting stays full, the one booked
    keeps their seat and the person behind moves up."""
    meeting_id = _small_meeting(world, utcnow() + timedelta(days=5))
    booked = _booking(meeting_id, world["user:no_organisation"], BOOKED, minutes_ago=30)
    leaving = _booking(meeting_id, world["user:other_member"], WAITING, minutes_ago=20)
    behind = _booking(meeting_id, world["user:bystander"], WAITING, minutes_ago=10)

    services.release_places(_user(world, "other_member"))
    db.session.commit()
    assert [_status(b) for b in (booked, leaving, behind)] == [BOOKED, CANCELLED, WAITING]
    assert services.waiting_position(db.session.get(Booking, behind)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "booking.promoted")) == 0


def test_recording_the_same_attendance_again_changes_nothing(world, app_ctx):
    """Saving the register twice only records the bookings whose attendance changed."""
    coordinator = _user(world, "coordinator")
    _, meeting = _meeting(world["meeting_partners"])
    booking_id = db.session.scalar(select(Booking.id).where(Booking.meeting_id == meeting.id))

    def logged():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "booking.attendance", AuditEntry.target_id == booking_id))

    services.record_attendance(coordinator, meeting, [booking_id])
    assert (db.session.get(Booking, booking_id).attended, logged()) == (True, 1)
    services.record_attendance(coordinator, meeting, [booking_id])
    assert (db.session.get(Booking, booking_id).attended, logged()) == (True, 1)
    services.record_attendance(coordinator, meeting, [])
    assert (db.session.get(Booking, booking_id).attended, logged()) == (False, 2)


def test_a_reminder_claimed_by_another_run_is_not_sent_again(world, app_ctx):
    """Two reminder runs at once: a booking the other run claimed after this run listed it is
    skipped, and the rest are still sent."""
    meeting_id = _small_meeting(world, utcnow() + timedelta(hours=24), capacity=None, title="Soon")
    taken = _booking(meeting_id, world["user:no_organisation"], BOOKED, minutes_ago=20)
    ours = _booking(meeting_id, world["user:other_member"], BOOKED, minutes_ago=10)
    now = utcnow()
    other_run = now - timedelta(minutes=1)
    claims = []

    def the_other_run_claims(session):
        """Between this run's listing and its claims, another run claims the first booking."""
        if claims:
            return
        with db.engine.begin() as conn:
            claims.append(conn.execute(update(Booking).where(Booking.id == taken)
                                       .values(reminded_at=other_run)).rowcount)

    event.listen(db.session, "after_commit", the_other_run_claims)
    try:
        sent = services.send_reminders(now=now)
    finally:
        event.remove(db.session, "after_commit", the_other_run_claims)

    assert claims == [1]
    assert sent == 1
    assert db.session.get(Booking, taken).reminded_at == other_run
    assert db.session.get(Booking, ours).reminded_at == now
    recipients = db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.subject.startswith("Reminder: Soon"))).all()
    assert recipients == ["other.member@example.org"]
