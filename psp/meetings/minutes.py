"""Minutes agreed, not just published.

After a meeting a coordinator sends draft minutes to those who attended (bookings marked
attended), with a deadline: the end of a London day. Attendees agree, or suggest corrections,
until then; the coordinator accepts or declines each correction (a decline says why), edits
the draft to match, and publishes the agreed minutes once no correction waits for a decision.

Every change takes the meeting's row lock first, with a conditional UPDATE that bumps
minutes_version only while the minutes are in the state the change needs, and checks the
row count. Two requests on the same meeting's minutes therefore run one after the other
(on PostgreSQL the second waits for the row; on SQLite the write lock is already held from
BEGIN IMMEDIATE), and each reads what the other committed: a correction that lands first
makes publication wait for its decision; one that comes after publication is refused.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import Row, exists, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from psp import audit, policy
from psp.auth.models import Person, User
from psp.cycles.models import DONE, Action, Cycle
from psp.errors import Refused
from psp.extensions import db
from psp.links import external_url
from psp.meetings.models import (
    ACCEPTED,
    AGREED,
    BOOKED,
    CANCELLED,
    DECLINED,
    DRAFT_SENT,
    NO_MINUTES,
    SUGGESTED,
    Booking,
    Meeting,
    MinutesAgreement,
    MinutesCorrection,
)
from psp.notifications.services import deliveries, notify
from psp.programmes.models import Programme, ProgrammeRole
from psp.timeutil import format_day, london, utcnow

PUBLISHED = "The minutes have been published"
NOT_SENT = "The draft minutes have not been sent for agreement"
DEADLINE_PASSED = "The deadline for agreeing these minutes has passed"
OPEN_ACTIONS = 50    # at most this many open actions under "Matters arising"
MY_MINUTES = 50      # at most this many drafts of each kind in "Your work"


def today() -> date:
    return london(utcnow()).date()


# What the pages show ----------------------------------------------------------------

@dataclass
class Agreement:
    """Where agreeing a meeting's minutes stands: who could agree, who did, what was suggested."""

    attendees: int = 0
    agreements: Sequence[MinutesAgreement] = field(default_factory=list)
    corrections: Sequence[MinutesCorrection] = field(default_factory=list)

    @property
    def undecided(self) -> list[MinutesCorrection]:
        return [c for c in self.corrections if c.status == SUGGESTED]

    @property
    def accepted(self) -> list[MinutesCorrection]:
        return [c for c in self.corrections if c.status == ACCEPTED]

    @property
    def declined(self) -> list[MinutesCorrection]:
        return [c for c in self.corrections if c.status == DECLINED]

    def agreed_by(self, person: Person) -> bool:
        return any(a.user_id == getattr(person, "id", None) for a in self.agreements)


def has_agreed(person: Person, meeting: Meeting) -> bool:
    """Whether the person agreed the meeting's minutes; no query when none were ever sent."""
    if meeting.minutes_state == NO_MINUTES or not policy.is_signed_in(person):
        return False
    return db.session.scalar(select(MinutesAgreement.id).where(
        MinutesAgreement.meeting_id == meeting.id, MinutesAgreement.user_id == person.id)) is not None


def agreement(meeting: Meeting) -> Agreement:
    """Three queries whatever the numbers; none for a meeting whose minutes were never sent."""
    if meeting.minutes_state == NO_MINUTES:
        return Agreement()
    attendees = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.meeting_id == meeting.id, Booking.status == BOOKED, Booking.attended.is_(True))) or 0
    agreements = db.session.scalars(select(MinutesAgreement).where(MinutesAgreement.meeting_id == meeting.id)
                                    .order_by(MinutesAgreement.created_at, MinutesAgreement.id)
                                    .options(joinedload(MinutesAgreement.user),
                                             joinedload(MinutesAgreement.organisation))).all()
    corrections = db.session.scalars(select(MinutesCorrection)
                                     .where(MinutesCorrection.meeting_id == meeting.id)
                                     .order_by(MinutesCorrection.id)
                                     .options(joinedload(MinutesCorrection.author),
                                              joinedload(MinutesCorrection.organisation))).all()
    return Agreement(attendees, agreements, corrections)


def get_correction(meeting: Meeting, correction_id: int) -> MinutesCorrection | None:
    """A correction of this meeting only: an id from another meeting is not found."""
    return db.session.scalar(select(MinutesCorrection).where(
        MinutesCorrection.id == correction_id, MinutesCorrection.meeting_id == meeting.id)
        .options(joinedload(MinutesCorrection.author), joinedload(MinutesCorrection.organisation)))


@dataclass
class MattersArising:
    meeting: Meeting
    actions: Sequence[Action]


def matters_arising(visible_meetings: Any, meeting: Meeting) -> MattersArising | None:
    """The latest earlier meeting of the programme, not cancelled, with agreed minutes, that the
    person may see (``visible_meetings`` narrows a query to those), and the programme's open
    actions of its running cycle: two queries at most, whatever the numbers."""
    previous = db.session.scalar(visible_meetings(select(Meeting).where(
        Meeting.programme_id == meeting.programme_id, Meeting.id != meeting.id,
        Meeting.starts_at < meeting.starts_at, Meeting.status != CANCELLED, Meeting.minutes_state == AGREED))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(1))
    if previous is None:
        return None
    actions = db.session.scalars(
        select(Action).join(Cycle, Cycle.id == Action.cycle_id)
        .where(Cycle.programme_id == meeting.programme_id, Cycle.closed_at.is_(None), Action.status != DONE)
        .order_by(Action.due_on, Action.id).limit(OPEN_ACTIONS)
        .options(contains_eager(Action.cycle), joinedload(Action.organisation))).all()
    return MattersArising(previous, actions)


def my_minutes(person: User) -> tuple[Sequence[Row[Meeting, int]], Sequence[Meeting]]:
    """For "Your work": drafts of the person's programmes with corrections waiting for their
    decision (with how many), and drafts they attended and have not yet agreed. Two queries."""
    undecided = (select(MinutesCorrection.meeting_id, func.count().label("waiting"))
                 .where(MinutesCorrection.status == SUGGESTED)
                 .group_by(MinutesCorrection.meeting_id).subquery())
    to_decide = db.session.execute(
        select(Meeting, undecided.c.waiting).join(undecided, undecided.c.meeting_id == Meeting.id)
        .join(ProgrammeRole, (ProgrammeRole.programme_id == Meeting.programme_id)
              & (ProgrammeRole.user_id == person.id) & (ProgrammeRole.role == "coordinator"))
        .where(Meeting.minutes_state == DRAFT_SENT)
        .order_by(Meeting.minutes_deadline, Meeting.id).limit(MY_MINUTES)).all()
    to_agree = db.session.scalars(
        select(Meeting).join(Booking, Booking.meeting_id == Meeting.id)
        .where(Booking.user_id == person.id, Booking.status == BOOKED, Booking.attended.is_(True),
               Meeting.minutes_state == DRAFT_SENT, Meeting.minutes_deadline >= today(),
               ~exists().where(MinutesAgreement.meeting_id == Meeting.id,
                               MinutesAgreement.user_id == person.id))
        .order_by(Meeting.minutes_deadline, Meeting.id).limit(MY_MINUTES)).all()
    return to_decide, to_agree


# Changes ----------------------------------------------------------------------------

def _claim(meeting: Meeting, state: str, field: str = "minutes") -> Meeting:
    """Lock the meeting's row while its minutes are in ``state`` and read it afresh; otherwise
    roll back and refuse, saying where the minutes are now."""
    claimed = cast(CursorResult[Any], db.session.execute(
        update(Meeting).where(Meeting.id == meeting.id, Meeting.minutes_state == state)
        .values(minutes_version=Meeting.minutes_version + 1).execution_options(synchronize_session=False)))
    fresh = db.session.scalars(select(Meeting).where(Meeting.id == meeting.id)
                               .execution_options(populate_existing=True)).one()
    if claimed.rowcount != 1:
        db.session.rollback()
        raise Refused(_why_not(fresh, state), field=field)
    return fresh


def _why_not(meeting: Meeting, wanted: str) -> str:
    if meeting.minutes_state == AGREED:
        return PUBLISHED
    if meeting.minutes_state == DRAFT_SENT:
        return "The draft minutes have already been sent for agreement"
    return NOT_SENT


def _refuse(message: str, field: str) -> Refused:
    db.session.rollback()
    return Refused(message, field=field)


def _attendees(meeting: Meeting) -> Sequence[Booking]:
    return db.session.scalars(select(Booking).where(
        Booking.meeting_id == meeting.id, Booking.status == BOOKED, Booking.attended.is_(True))
        .order_by(Booking.id).options(joinedload(Booking.user))).all()


def _tell_attendees(meeting: Meeting, programme: Programme, subject: str, template: str) -> None:
    booked = _attendees(meeting)
    chosen = deliveries([b.user_id for b in booked])
    for booking in booked:
        notify([booking.user], "minutes", subject, template, chosen=chosen, person=booking.user,
               meeting=meeting, programme=programme, deadline=format_day(meeting.minutes_deadline),
               url=external_url("meetings.show", meeting_id=meeting.id, _anchor="minutes"))


def send_draft(person: User, programme: Programme, meeting: Meeting, text: str,
               deadline: date | None) -> None:
    """Send the draft to everyone marked attended, open for agreement to the end of ``deadline``."""
    if deadline is None:
        raise Refused("Enter the date by which attendees agree the minutes", field="deadline")
    if meeting.is_cancelled:
        raise Refused("This meeting was cancelled, so it has no minutes", field="minutes")
    if meeting.starts_at > utcnow():
        raise Refused("Draft minutes can be sent once the meeting has started", field="minutes")
    if deadline <= today():
        raise Refused("The deadline for agreeing must be in the future", field="deadline")
    meeting = _claim(meeting, NO_MINUTES)
    if not _attendees(meeting):
        raise _refuse("Nobody is marked as having attended this meeting. Record attendance first: the "
                      "draft goes to those who came", "minutes")
    meeting.minutes_state, meeting.minutes_draft = DRAFT_SENT, text
    meeting.minutes_deadline, meeting.minutes_sent_at = deadline, utcnow()
    audit.record("meeting.minutes_sent", meeting, actor=person, deadline=deadline.isoformat())
    _tell_attendees(meeting, programme, f"Draft minutes to agree: {meeting.title}", "mail/minutes_sent.txt")
    db.session.commit()


def edit_draft(person: User, meeting: Meeting, text: str, deadline: date | None) -> None:
    """Change the draft while it is out: attendees see the current text. A new deadline must be
    in the future; the one already set may have passed (the coordinator edits in corrections)."""
    if deadline is None:
        raise Refused("Enter the date by which attendees agree the minutes", field="deadline")
    meeting = _claim(meeting, DRAFT_SENT)
    if deadline != meeting.minutes_deadline and deadline <= today():
        raise _refuse("A new deadline for agreeing must be in the future", "deadline")
    meeting.minutes_draft, meeting.minutes_deadline = text, deadline
    audit.record("meeting.minutes_draft_edited", meeting, actor=person)
    db.session.commit()


def agree(person: User, meeting: Meeting, booking: Booking) -> bool:
    """Record that the attendee agrees the draft. True when recorded now; False when they had
    already agreed (a double submit is no error)."""
    meeting = _claim(meeting, DRAFT_SENT)
    if not meeting.minutes_open():
        raise _refuse(DEADLINE_PASSED, "minutes")
    if db.session.scalar(select(MinutesAgreement.id).where(MinutesAgreement.meeting_id == meeting.id,
                                                           MinutesAgreement.user_id == person.id)):
        db.session.rollback()
        return False
    db.session.add(MinutesAgreement(meeting_id=meeting.id, user_id=person.id,
                                    organisation_id=booking.organisation_id))
    try:
        db.session.commit()
    except IntegrityError:   # the same person a moment ago: their agreement is recorded
        db.session.rollback()
        return False
    return True


def suggest_correction(person: User, programme: Programme, meeting: Meeting, booking: Booking,
                       text: str) -> MinutesCorrection:
    meeting = _claim(meeting, DRAFT_SENT, "text")
    if not meeting.minutes_open():
        raise _refuse(DEADLINE_PASSED, "text")
    correction = MinutesCorrection(meeting_id=meeting.id, author_id=person.id,
                                   organisation_id=booking.organisation_id, text=text)
    db.session.add(correction)
    db.session.flush()
    audit.record("minutes.correction_suggested", correction, actor=person, meeting_id=meeting.id)
    coordinators = db.session.scalars(select(User).join(ProgrammeRole, ProgrammeRole.user_id == User.id)
                                      .where(ProgrammeRole.programme_id == programme.id,
                                             ProgrammeRole.role == "coordinator")).all()
    notify(coordinators, "corrections", f"Correction suggested: {meeting.title}",
           "mail/correction_suggested.txt", meeting=meeting, programme=programme, correction=correction,
           author=person,
           url=external_url("meetings.decide_correction", meeting_id=meeting.id, correction_id=correction.id))
    db.session.commit()
    return correction


def decide_correction(person: User, programme: Programme, meeting: Meeting, correction: MinutesCorrection,
                      accept: bool, reason: str) -> None:
    """Accept (the coordinator then edits the draft to match) or decline with a reason."""
    if not accept and not reason:
        raise Refused("Enter why the correction is declined", field="reason")
    meeting = _claim(meeting, DRAFT_SENT, "decision")
    decided = cast(CursorResult[Any], db.session.execute(
        update(MinutesCorrection).where(MinutesCorrection.id == correction.id,
                                        MinutesCorrection.meeting_id == meeting.id,
                                        MinutesCorrection.status == SUGGESTED)
        .values(status=ACCEPTED if accept else DECLINED, reason=reason, decided_by_id=person.id,
                decided_at=utcnow()).execution_options(synchronize_session=False)))
    if decided.rowcount != 1:
        raise _refuse("This correction has already been decided", "decision")
    correction = db.session.scalars(select(MinutesCorrection).where(MinutesCorrection.id == correction.id)
                                    .options(joinedload(MinutesCorrection.author))
                                    .execution_options(populate_existing=True)).one()
    audit.record("minutes.correction_decided", correction, actor=person, meeting_id=meeting.id,
                 decision=correction.status)
    if correction.author is not None:
        notify([correction.author], "minutes", f"Your correction is {correction.status}: {meeting.title}",
               "mail/correction_decided.txt", person=correction.author, meeting=meeting,
               programme=programme, correction=correction,
               url=external_url("meetings.show", meeting_id=meeting.id, _anchor="minutes"))
    db.session.commit()


def publish(person: User, programme: Programme, meeting: Meeting) -> None:
    """Publish the draft as the agreed minutes, once every correction has a decision."""
    meeting = _claim(meeting, DRAFT_SENT)
    waiting = db.session.scalar(select(func.count()).select_from(MinutesCorrection).where(
        MinutesCorrection.meeting_id == meeting.id, MinutesCorrection.status == SUGGESTED)) or 0
    if waiting:
        raise _refuse(f"{waiting} suggested correction{'s are' if waiting > 1 else ' is'} waiting for a "
                      "decision: accept or decline each one before publishing", "minutes")
    if not meeting.minutes_draft.strip():
        raise _refuse("Enter the minutes", "minutes")
    meeting.minutes, meeting.minutes_state, meeting.minutes_published_at = (
        meeting.minutes_draft, AGREED, utcnow())
    audit.record("meeting.minutes_published", meeting, actor=person)
    _tell_attendees(meeting, programme, f"Minutes agreed and published: {meeting.title}",
                    "mail/minutes_published.txt")
    db.session.commit()
