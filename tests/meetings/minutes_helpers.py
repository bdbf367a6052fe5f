"""A meeting that took place, with draft minutes out for agreement, for the minutes tests."""

from datetime import timedelta

from psp import builders
from psp.extensions import db
from psp.meetings.models import DRAFT_SENT, MinutesCorrection
from psp.timeutil import london, utcnow


def minuted_meeting(ids, title="Minuted meeting", days_ago=2, attended=("partner_member",), state=DRAFT_SENT,
                    deadline_days=3, programme_id=None, correction=True, audience="partners"):
    """A meeting of the world's programme held ``days_ago``, each of ``attended`` (world kinds)
    booked and marked attended, its draft minutes sent with a deadline ``deadline_days`` from today
    (London), and a suggested correction from the first attendee. Returns (meeting id, correction id)."""
    starts_at = utcnow().replace(microsecond=0) - timedelta(days=days_ago)
    meeting = builders.meeting(programme_id or ids["programme_id"], title, starts_at, audience=audience,
                               venue="Testshire Hall")
    if state != "none":
        meeting.minutes_state = state
        meeting.minutes_draft = "- Draft: the group met and agreed to map services"
        meeting.minutes_deadline = london(utcnow()).date() + timedelta(days=deadline_days)
        meeting.minutes_sent_at = utcnow()
    db.session.add(meeting)
    db.session.flush()
    for kind in attended:
        org = ids["org_id:partner"] if kind in ("partner_member", "organisation_admin") else None
        db.session.add(builders.booking(meeting.id, ids[f"user:{kind}"], organisation_id=org, attended=True))
    found = None
    if correction and attended:
        found = MinutesCorrection(meeting_id=meeting.id, author_id=ids[f"user:{attended[0]}"],
                                  organisation_id=ids["org_id:partner"], text="It was Tuesday, not Monday.")
        db.session.add(found)
    db.session.commit()
    return meeting.id, found.id if found else None
