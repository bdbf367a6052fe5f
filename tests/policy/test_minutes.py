"""Minutes agreed by those who came: who counts as an attendee, who agrees, who follows the agreement."""

from datetime import timedelta

from psp import policy
from psp.meetings.models import Booking
from psp.timeutil import london, utcnow
from tests.policy.tables import NOBODY, SIGNED_IN


def _booking(scene, which):
    """The person's own booking of the partners' meeting, as the page loads it, in one of these
    shapes: attended; booked but not marked; marked as not attended; someone else's; another
    meeting's (an id changed in a URL); cancelled after being marked; none."""
    if which == "none" or not policy.is_signed_in(scene.me):
        return None
    meeting_id, user_id = scene.world["meeting_partners"], scene.me.id
    status, attended = "booked", True
    if which == "not marked":
        attended = None
    elif which == "absent":
        attended = False
    elif which == "someone else's":
        user_id = scene.world["user:partner_member"] if scene.me.id != scene.world["user:partner_member"] \
            else scene.world["user:coordinator"]
    elif which == "another meeting's":
        meeting_id = scene.world["meeting_public"]
    elif which == "cancelled":
        status = "cancelled"
    return Booking(meeting_id=meeting_id, user_id=user_id, status=status, attended=attended)


def _draft(scene, state="sent", days=3):
    meeting = scene.meeting("partners")
    meeting.minutes_state = state
    meeting.minutes_deadline = london(utcnow()).date() + timedelta(days=days)
    return meeting


def test_is_attendee(check):
    check([
        # their booking            who counts as having come
        ("attended",               SIGNED_IN),
        ("not marked",             NOBODY),
        ("absent",                 NOBODY),
        ("someone else's",         NOBODY),
        ("another meeting's",      NOBODY),
        ("cancelled",              NOBODY),
        ("none",                   NOBODY),
    ], lambda scene, which: (_draft(scene), _booking(scene, which)))


def test_can_agree_minutes(check):
    check([
        # minutes, their booking                       who may agree or suggest a correction
        (("sent", 3, "attended"),                      SIGNED_IN),
        (("sent", 0, "attended"),                      SIGNED_IN),   # until the end of the deadline's day
        (("sent", -1, "attended"),                     NOBODY),      # the deadline has passed
        (("none", 3, "attended"),                      NOBODY),      # not sent
        (("agreed", 3, "attended"),                    NOBODY),      # published
        (("sent", 3, "not marked"),                    NOBODY),
        (("sent", 3, "another meeting's"),             NOBODY),
    ], lambda scene, row: (_draft(scene, row[0], row[1]), _booking(scene, row[2])))


def test_can_see_minutes_agreement(check):
    check([
        # their booking            who sees the draft, who agreed and why corrections were declined
        ("attended",               SIGNED_IN),
        ("not marked",             {"coordinator"}),
        ("another meeting's",      {"coordinator"}),
        ("none",                   {"coordinator"}),   # not an NHS lead who did not come
    ], lambda scene, which: (scene.programme(), _draft(scene), _booking(scene, which)))

