"""Minutes at their edges: a new deadline already past, an empty draft, and what only a race or a
direct call can bring (sent twice, no deadline, a decline without a reason, agreeing twice at once)."""

from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from psp.auth.models import User
from psp.errors import Refused
from psp.extensions import db
from psp.meetings import minutes as agreeing
from psp.meetings import services
from psp.meetings.models import DRAFT_SENT, Booking, Meeting, MinutesAgreement, MinutesCorrection
from psp.timeutil import london, utcnow
from tests.meetings.test_minutes import COORDINATOR, count, day, made, meeting_row, publish


def test_a_new_deadline_already_past_is_refused_and_the_old_one_kept(app, world, sign_in_as):
    meeting_id, _ = made(app, world)
    before = meeting_row(app, meeting_id).minutes_deadline
    coordinator = sign_in_as(COORDINATOR)
    response = coordinator.forms.post(f"/meetings/{meeting_id}/minutes",
                                      {"minutes": "- Changed words", "deadline": day(-1)})
    assert response.status_code == 409
    assert "A new deadline for agreeing must be in the future" in response.get_data(as_text=True)
    after = meeting_row(app, meeting_id)
    assert (after.minutes_deadline, after.minutes_draft) == (
        before, "- Draft: the group met and agreed to map services")


def test_an_empty_draft_is_not_published(app, world, sign_in_as):
    meeting_id, _ = made(app, world, correction=False)
    with app.app_context():
        db.session.get(Meeting, meeting_id).minutes_draft = "   "
        db.session.commit()
    response = publish(sign_in_as(COORDINATOR), meeting_id)
    assert response.status_code == 409 and "Enter the minutes" in response.get_data(as_text=True)
    assert meeting_row(app, meeting_id).minutes_state == DRAFT_SENT


def test_the_minutes_services_refuse_what_the_pages_never_send(app, world):
    meeting_id, correction_id = made(app, world)
    with app.test_request_context():
        programme, meeting = services.get_meeting(meeting_id)
        person = db.session.get(User, world["user:coordinator"])
        with pytest.raises(Refused, match="Enter the date by which attendees agree"):
            agreeing.send_draft(person, programme, meeting, "Words", None)
        with pytest.raises(Refused, match="Enter the date by which attendees agree"):
            agreeing.edit_draft(person, meeting, "Words", None)
        # Another coordinator sent it while this one had the empty form open.
        deadline = london(utcnow()).date() + timedelta(days=4)
        with pytest.raises(Refused, match="already been sent for agreement"):
            agreeing.send_draft(person, programme, meeting, "Words", deadline)
        correction = db.session.get(MinutesCorrection, correction_id)
        with pytest.raises(Refused, match="Enter why the correction is declined"):
            agreeing.decide_correction(person, programme, meeting, correction, False, "")
    assert meeting_row(app, meeting_id).minutes_draft == "- Draft: the group met and agreed to map services"
    with app.app_context():
        assert db.session.get(MinutesCorrection, correction_id).status == "suggested"


def test_agreeing_in_two_tabs_at_once_records_one_agreement(app, world):
    meeting_id, _ = made(app, world, correction=False)
    with app.test_request_context():
        _programme, meeting = services.get_meeting(meeting_id)
        person = db.session.get(User, world["user:partner_member"])
        booking = db.session.scalar(select(Booking).where(Booking.meeting_id == meeting_id,
                                                          Booking.user_id == person.id))

        def other_tab(session, _context, _instances):   # lands between the check and the insert
            session.execute(insert(MinutesAgreement).values(meeting_id=meeting_id, user_id=person.id,
                                                            organisation_id=booking.organisation_id))

        event.listen(db.session(), "before_flush", other_tab, once=True)
        assert agreeing.agree(person, meeting, booking) is False
    assert count(app, MinutesAgreement, meeting_id=meeting_id) == 0
    with app.test_request_context():       # the row the other tab would have kept is made normally
        _programme, meeting = services.get_meeting(meeting_id)
        person = db.session.get(User, world["user:partner_member"])
        booking = db.session.scalar(select(Booking).where(Booking.meeting_id == meeting_id,
                                                          Booking.user_id == person.id))
        assert agreeing.agree(person, meeting, booking) is True
    assert count(app, MinutesAgreement, meeting_id=meeting_id) == 1
