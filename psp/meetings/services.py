"""Meetings: scheduling, booking with a waiting list, attendance, minutes, reminders.

Every booking change locks the meeting row first (FOR UPDATE on PostgreSQL; on
SQLite each writing request already holds the write lock from BEGIN IMMEDIATE),
so capacity is counted and changed by one request at a time and never exceeded.
"""

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Row, Select, case, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import joinedload

from psp import audit, mail, policy
from psp.auth.models import Person, User
from psp.cycles.models import CURRENT, UPCOMING, Cycle, Stage
from psp.errors import Refused, commit_or_refuse
from psp.extensions import db
from psp.links import external_url as _external
from psp.meetings import calendar
from psp.meetings.models import BOOKED, CANCELLED, PUBLIC, SCHEDULED, WAITING, Booking, Meeting
from psp.notifications.services import deliveries, notify
from psp.organisations.models import ACTIVE, Membership
from psp.programmes.models import ADMITTED, Participation, Programme
from psp.spreadsheets import CsvText
from psp.timeutil import LONDON, format_datetime, london, utcnow

REMINDER_WINDOW = timedelta(hours=48)


def to_utc(day: date, clock: time | None) -> datetime | None:
    """A London wall-clock time as naive UTC; None without a time or when the clocks skip it."""
    if clock is None:
        return None
    local = datetime.combine(day, clock).replace(tzinfo=LONDON)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return as_utc.replace(tzinfo=None)


def end_of_day_utc(day: date) -> datetime:
    return (datetime.combine(day, time(23, 59)).replace(tzinfo=LONDON).astimezone(UTC)
            .replace(tzinfo=None))


# Who sees what -------------------------------------------------------------------

def visible(query: Select[Meeting], person: Person) -> Select[Meeting]:
    """Public meetings for everyone; partners-only ones for the programme's partners and leads."""
    if policy.is_site_admin(person):
        return query
    held = policy.holdings(person)
    inside = held.partner_in | {programme_id for programme_id, _ in held.roles}
    return query.where(or_(Meeting.audience == PUBLIC, Meeting.programme_id.in_(inside or {0})))


def upcoming(person: Person, programme: Programme | None = None,
             now: datetime | None = None) -> Select[Meeting]:
    query = select(Meeting).where(Meeting.ends_at >= (now or utcnow()))
    if programme is not None:
        query = query.where(Meeting.programme_id == programme.id)
    return visible(query, person).order_by(Meeting.starts_at, Meeting.id)


def past(person: Person, programme: Programme, now: datetime | None = None) -> Select[Meeting]:
    query = select(Meeting).where(Meeting.programme_id == programme.id, Meeting.ends_at < (now or utcnow()))
    return visible(query, person).order_by(Meeting.starts_at.desc(), Meeting.id.desc())


def get_meeting(meeting_id: int) -> tuple[Programme | None, Meeting | None]:
    """(programme, meeting) for the meeting id, or (None, None): one query."""
    row = db.session.execute(select(Meeting, Programme).join(Programme, Programme.id == Meeting.programme_id)
                             .where(Meeting.id == meeting_id)
                             .options(joinedload(Meeting.stage).joinedload(Stage.cycle))).first()
    return (row[1], row[0]) if row else (None, None)


def next_meetings(person: Person, programme: Programme, limit: int) -> Sequence[Meeting]:
    """The soonest meetings the person may see, for the programme page."""
    return db.session.scalars(upcoming(person, programme).limit(limit)).all()


FEED_PAST = timedelta(days=90)
FEED_SIZE = 500


def for_calendar(person: Person, programme: Programme, now: datetime | None = None) -> Sequence[Meeting]:
    """What a programme's calendar feed holds: meetings from 90 days ago on, which the person may see."""
    since = (now or utcnow()).replace(hour=0, minute=0) - FEED_PAST
    return db.session.scalars(visible(select(Meeting).where(
        Meeting.programme_id == programme.id, Meeting.starts_at >= since), person)
        .order_by(Meeting.starts_at, Meeting.id).limit(FEED_SIZE)).all()


def last_changed(programme: Programme) -> datetime:
    """When any of the programme's meetings last changed, partners-only ones included (the
    calendar feed's Last-Modified: a public meeting turned partners-only makes it newer too)."""
    newest = db.session.scalar(select(func.max(Meeting.updated_at))
                               .where(Meeting.programme_id == programme.id))
    return newest or programme.created_at


def stages_ahead(programme: Programme) -> Sequence[Row[int, str, int]]:
    """(id, kind, cycle number) of the current and upcoming stages, which a meeting can be for."""
    return db.session.execute(select(Stage.id, Stage.kind, Cycle.number)
                              .join(Cycle, Cycle.id == Stage.cycle_id)
                              .where(Stage.programme_id == programme.id,
                                     Stage.status.in_((*CURRENT, UPCOMING)))
                              .order_by(Cycle.number, Stage.position)).all()


def counts(meeting_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """{meeting id: (booked, waiting)} for a page of meetings, in one query."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(select(Booking.meeting_id, Booking.status, func.count()).where(
        Booking.meeting_id.in_(meeting_ids), Booking.status.in_((BOOKED, WAITING)))
        .group_by(Booking.meeting_id, Booking.status)).all()
    found = {meeting_id: [0, 0] for meeting_id in meeting_ids}
    for meeting_id, status, count in rows:
        found[meeting_id][0 if status == BOOKED else 1] = count
    return {key: (booked, waiting) for key, (booked, waiting) in found.items()}


def my_booking(person: Person, meeting: Meeting) -> Booking | None:
    if not policy.is_signed_in(person):
        return None
    return db.session.scalar(select(Booking).where(Booking.meeting_id == meeting.id,
                                                   Booking.user_id == person.id))


SOON = timedelta(days=14)


def my_meetings_soon(person: User, now: datetime | None = None) -> Sequence[Row[Meeting, str]]:
    """Meetings the person has a place on, or is waiting for, in the next two weeks: one query."""
    now = now or utcnow()
    return db.session.execute(
        select(Meeting, Booking.status).join(Booking, Booking.meeting_id == Meeting.id)
        .where(Booking.user_id == person.id, Booking.status.in_((BOOKED, WAITING)),
               Meeting.status == SCHEDULED, Meeting.ends_at >= now, Meeting.starts_at <= now + SOON)
        .order_by(Meeting.starts_at, Meeting.id).limit(50)).all()


def own_state(person: Person, meeting: Meeting) -> str:
    """All the meeting page shows of the person's own: their booking, their place on the waiting
    list, whether they agreed the minutes (a kept page's key, psp.cache.for_audience)."""
    from psp.meetings.minutes import has_agreed

    booking = my_booking(person, meeting)
    if booking is None:
        return repr((None, has_agreed(person, meeting)))
    return repr((booking.status, booking.access_needs, booking.access_other, booking.attended,
                 waiting_position(booking), has_agreed(person, meeting)))


def waiting_position(booking: Booking | None) -> int | None:
    if booking is None or booking.status != WAITING:
        return None
    return db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.meeting_id == booking.meeting_id, Booking.status == WAITING,
        or_(Booking.requested_at < booking.requested_at,
            (Booking.requested_at == booking.requested_at) & (Booking.id <= booking.id))))


# Scheduling ----------------------------------------------------------------------

def _apply(meeting: Meeting, data: Mapping[str, Any]) -> None:
    meeting.title, meeting.agenda = data["title"], data["agenda"]
    meeting.starts_at, meeting.ends_at = data["starts_at"], data["ends_at"]
    meeting.venue, meeting.access_info = data["venue"], data["access_info"]
    meeting.online_link, meeting.capacity = data["online_link"], data["capacity"]
    meeting.booking_deadline, meeting.audience = data["booking_deadline"], data["audience"]
    meeting.stage_id = data["stage_id"]


def schedule(person: User, programme: Programme, data: Mapping[str, Any]) -> Meeting:
    if data["starts_at"] <= utcnow():
        raise Refused("The meeting must start in the future", field="day")
    meeting = Meeting(programme_id=programme.id, created_by_id=person.id)
    _apply(meeting, data)
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.scheduled", meeting, actor=person, programme_id=programme.id,
                 title=meeting.title, starts_at=meeting.starts_at.isoformat())
    db.session.commit()
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    """The meeting row under a lock; no eager outer joins, which PostgreSQL cannot lock."""
    return db.session.scalars(select(Meeting).where(Meeting.id == meeting.id)
                              .with_for_update().execution_options(populate_existing=True)).one()


def _people_booked(meeting: Meeting) -> Sequence[Booking]:
    return db.session.scalars(select(Booking).where(Booking.meeting_id == meeting.id,
                                                    Booking.status.in_((BOOKED, WAITING)))
                              .order_by(Booking.id).options(joinedload(Booking.user))).all()


def _ics(meeting: Meeting, programme: Programme, booking: Booking | None = None) -> tuple[str, str, str]:
    show = booking is not None and booking.status == BOOKED
    return (f"meeting-{meeting.id}.ics", "text/calendar",
            calendar.calendar([meeting], programme.title, show_link=lambda m: show).decode())


def edit(person: User, programme: Programme, meeting: Meeting, data: Mapping[str, Any]) -> Meeting:
    meeting = _locked(meeting)
    if meeting.is_cancelled:
        raise Refused("This meeting was cancelled, so it cannot be changed", field="title")
    before = (meeting.starts_at, meeting.ends_at, meeting.venue, meeting.online_link)
    if data["capacity"] is not None:
        taken = db.session.scalar(select(func.count()).select_from(Booking).where(
            Booking.meeting_id == meeting.id, Booking.status == BOOKED)) or 0
        if data["capacity"] < taken:
            raise Refused(f"{taken} places are booked: the capacity cannot be fewer", field="capacity")
    _apply(meeting, data)
    meeting.sequence += 1
    audit.record("meeting.edited", meeting, actor=person, title=meeting.title)
    changed = before != (meeting.starts_at, meeting.ends_at, meeting.venue, meeting.online_link)
    booked = _people_booked(meeting)
    chosen = deliveries([b.user_id for b in booked])
    for booking in booked:
        notify([booking.user], "meetings", f"Changed: {meeting.title}", "mail/meeting_changed.txt",
               chosen=chosen, attachment=_ics(meeting, programme, booking), booking=booking, meeting=meeting,
               programme=programme, when=format_datetime(meeting.starts_at), changed=changed,
               url=_external("meetings.show", meeting_id=meeting.id))
    _promote(meeting, programme, person)  # a larger capacity frees places for the waiting list
    db.session.commit()
    return meeting


def cancel_meeting(person: User, programme: Programme, meeting: Meeting, reason: str) -> None:
    meeting = _locked(meeting)
    if meeting.is_cancelled:
        raise Refused("This meeting is already cancelled", field="reason")
    meeting.status, meeting.cancel_reason = CANCELLED, reason
    meeting.sequence += 1
    audit.record("meeting.cancelled", meeting, actor=person, reason=reason)
    booked = _people_booked(meeting)
    chosen = deliveries([b.user_id for b in booked])
    for booking in booked:
        notify([booking.user], "meetings", f"Cancelled: {meeting.title}", "mail/meeting_cancelled.txt",
               chosen=chosen,
               attachment=_ics(meeting, programme), booking=booking, meeting=meeting,
               programme=programme, when=format_datetime(meeting.starts_at),
               url=_external("meetings.show", meeting_id=meeting.id))
    db.session.commit()


# Booking -------------------------------------------------------------------------

def _partner_organisation(person: User, programme: Programme) -> int | None:
    """The organisation a booking is made through: the person's first admitted partner, if any."""
    return db.session.scalar(select(Membership.organisation_id).join(
        Participation, Participation.organisation_id == Membership.organisation_id).where(
        Membership.user_id == person.id, Membership.status == ACTIVE,
        Participation.programme_id == programme.id, Participation.status == ADMITTED)
        .order_by(Membership.organisation_id).limit(1))


def bookable(meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why booking is closed, or None when it is open."""
    now = now or utcnow()
    if meeting.is_cancelled:
        return "This meeting was cancelled."
    if meeting.starts_at <= now:
        return "This meeting has started or taken place."
    if meeting.booking_deadline is not None and meeting.booking_deadline < now:
        return "Booking for this meeting has closed."
    return None


def book(person: User, programme: Programme, meeting: Meeting, needs: Sequence[str],
         other: str) -> tuple[Booking, int | None]:
    """A place if one is free, otherwise the end of the waiting list. Returns the booking."""
    meeting = _locked(meeting)
    closed = bookable(meeting)
    if closed:
        raise Refused(closed, field="access_needs")
    booking = db.session.scalar(select(Booking).where(Booking.meeting_id == meeting.id,
                                                      Booking.user_id == person.id))
    if booking is not None and booking.status in (BOOKED, WAITING):
        raise Refused("You have already booked this meeting or are on its waiting list",
                      field="access_needs")
    booked = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.meeting_id == meeting.id, Booking.status == BOOKED)) or 0
    status = BOOKED if meeting.capacity is None or booked < meeting.capacity else WAITING
    if booking is None:
        booking = Booking(meeting_id=meeting.id, user_id=person.id)
        db.session.add(booking)
    booking.status, booking.requested_at = status, utcnow()
    booking.access_needs, booking.access_other = ",".join(needs), other if "other" in needs else ""
    booking.organisation_id = _partner_organisation(person, programme)
    booking.cancelled_at = booking.promoted_at = None  # reminded_at stays: one reminder per person
    booking.attended = None
    db.session.flush()
    audit.record("booking.booked" if status == BOOKED else "booking.waiting", booking, actor=person,
                 meeting_id=meeting.id)
    position = waiting_position(booking)
    mail.queue(person.email, (f"Booked: {meeting.title}" if status == BOOKED
                              else f"Waiting list: {meeting.title}"), "mail/booking_made.txt",
               attachment=_ics(meeting, programme, booking) if status == BOOKED else None,
               booking=booking, meeting=meeting, programme=programme, position=position,
               when=format_datetime(meeting.starts_at), url=_external("meetings.show", meeting_id=meeting.id))
    # The same person, twice at once: the first request won.
    commit_or_refuse("You have already booked this meeting or are on its waiting list", "access_needs")
    return booking, position


def cancel_booking(person: User, programme: Programme, meeting: Meeting, booking: Booking) -> None:
    meeting = _locked(meeting)
    booking = db.session.get_one(Booking, booking.id, populate_existing=True)
    if booking.status not in (BOOKED, WAITING):
        raise Refused("This booking is already cancelled")
    was = booking.status
    booking.status, booking.cancelled_at = CANCELLED, utcnow()
    audit.record("booking.cancelled", booking, actor=person, meeting_id=meeting.id, was=was)
    db.session.flush()
    if was == BOOKED:
        _promote(meeting, programme, person)
    db.session.commit()


def release_places(person: User) -> None:
    """Give up every place and waiting-list position the person holds on meetings still to
    come, promoting whoever is next. Flushes only: account erasure commits it all at once."""
    held = db.session.execute(select(Booking, Meeting).join(Meeting, Meeting.id == Booking.meeting_id).where(
        Booking.user_id == person.id, Booking.status.in_((BOOKED, WAITING)), Meeting.starts_at > utcnow())
        .order_by(Meeting.id)).all()
    for booking, meeting in held:
        meeting = _locked(meeting)
        was = booking.status
        booking.status, booking.cancelled_at = CANCELLED, utcnow()
        audit.record("booking.cancelled", booking, actor=person, meeting_id=meeting.id, was=was)
        db.session.flush()
        if was == BOOKED:
            _promote(meeting, db.session.get_one(Programme, meeting.programme_id), person)


def _promote(meeting: Meeting, programme: Programme, actor: User) -> None:
    """Fill free places from the front of the waiting list, emailing each person promoted."""
    if meeting.is_cancelled or meeting.starts_at <= utcnow():
        return
    booked = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.meeting_id == meeting.id, Booking.status == BOOKED)) or 0
    free = None if meeting.capacity is None else meeting.capacity - booked
    query = select(Booking).where(Booking.meeting_id == meeting.id, Booking.status == WAITING).order_by(
        Booking.requested_at, Booking.id)
    if free is not None:
        if free <= 0:
            return
        query = query.limit(free)
    promoted = db.session.scalars(query.options(joinedload(Booking.user))).all()
    chosen = deliveries([b.user_id for b in promoted])
    for booking in promoted:
        booking.status, booking.promoted_at = BOOKED, utcnow()
        audit.record("booking.promoted", booking, actor=actor, meeting_id=meeting.id,
                     user_id=booking.user_id)
        notify([booking.user], "meetings", f"A place is yours: {meeting.title}", "mail/booking_promoted.txt",
               chosen=chosen,
               attachment=_ics(meeting, programme, booking), booking=booking, meeting=meeting,
               programme=programme, when=format_datetime(meeting.starts_at),
               url=_external("meetings.show", meeting_id=meeting.id))
    db.session.flush()


# After the meeting ----------------------------------------------------------------

def bookings(meeting: Meeting, statuses: Sequence[str] = (BOOKED, WAITING)) -> Sequence[Booking]:
    """The meeting's bookings with the person and organisation each is for, which lists show."""
    return db.session.scalars(select(Booking).where(Booking.meeting_id == meeting.id,
                                                    Booking.status.in_(statuses))
                              .order_by(Booking.status, Booking.requested_at, Booking.id)
                              .options(joinedload(Booking.user), joinedload(Booking.organisation))).all()


def record_attendance(person: User, meeting: Meeting, attended_ids: Iterable[int]) -> None:
    attended_ids = set(attended_ids)
    for booking in bookings(meeting, (BOOKED,)):
        value = booking.id in attended_ids
        if booking.attended != value:
            booking.attended = value
            audit.record("booking.attendance", booking, actor=person, meeting_id=meeting.id,
                         attended=value)
    db.session.commit()


BOOKING_COLUMNS = ["Status", "Position", "Name", "Email", "Organisation", "Access needs",
                   "Other access needs", "Attended", "Booked at (UTC)"]
BOOKING_STATUS = {BOOKED: "Booked", WAITING: "Waiting", CANCELLED: "Cancelled"}
CSV_BATCH = 500


def _booking_rows(bookings: Iterable[Booking]) -> Iterator[tuple[Booking, list[object]]]:
    """Each booking with its cells, in list order; the waiting list is numbered from 1 in each meeting."""
    meeting_id = position = 0
    for booking in bookings:
        if booking.meeting_id != meeting_id:
            meeting_id, position = booking.meeting_id, 0
        waiting = booking.status == WAITING
        position += waiting
        yield booking, [
            BOOKING_STATUS[booking.status], position if waiting else "", booking.user.name,
            booking.user.email, booking.organisation.name if booking.organisation else "",
            "; ".join(booking.need_names),
            booking.access_other, {True: "Yes", False: "No", None: ""}[booking.attended],
            booking.requested_at.strftime("%Y-%m-%d %H:%M:%S")]


def bookings_csv(meeting: Meeting) -> str:
    text = CsvText()
    text.row(BOOKING_COLUMNS)
    for _, cells in _booking_rows(bookings(meeting)):
        text.row(cells)
    return text.take()


def programme_bookings_csv(programme: Programme) -> Iterator[str]:
    """Every booking of every meeting of the programme, cancelled ones too, meeting by meeting.

    Two queries whatever the size: the meetings, then the bookings streamed from one cursor in
    batches, so a large programme downloads in constant memory.
    """
    text = CsvText()
    text.row(["Meeting", "Starts (UK time)", "Venue", "Meeting cancelled", *BOOKING_COLUMNS])
    yield text.take()
    of_programme = Meeting.programme_id == programme.id
    meetings = {m.id: m for m in db.session.scalars(select(Meeting).where(of_programme))}
    in_list_order = case({BOOKED: 0, WAITING: 1}, value=Booking.status, else_=2)
    listed = (select(Booking).join(Meeting, Meeting.id == Booking.meeting_id).where(of_programme)
              .order_by(Meeting.starts_at, Meeting.id, in_list_order, Booking.requested_at, Booking.id)
              .options(joinedload(Booking.user), joinedload(Booking.organisation))
              .execution_options(yield_per=CSV_BATCH))
    for count, (booking, cells) in enumerate(_booking_rows(db.session.scalars(listed)), start=1):
        meeting = meetings[booking.meeting_id]
        text.row([meeting.title, london(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                  meeting.venue or ("Online" if meeting.online_link else ""),
                  "Yes" if meeting.is_cancelled else "No", *cells])
        if count % CSV_BATCH == 0:
            yield text.take()
    yield text.take()


# Reminders -----------------------------------------------------------------------

def send_reminders(now: datetime | None = None) -> int:
    """Email everyone booked on a meeting starting within 48 hours, once per booking.

    Each booking is claimed with a conditional UPDATE, so two runs at once never both send.
    """
    now = now or utcnow()
    due = db.session.execute(select(Booking.id, Meeting.id).join(Meeting, Meeting.id == Booking.meeting_id)
                             .where(Booking.status == BOOKED, Booking.reminded_at.is_(None),
                                    Meeting.status != CANCELLED, Meeting.starts_at > now,
                                    Meeting.starts_at <= now + REMINDER_WINDOW)
                             .order_by(Meeting.starts_at, Booking.id)).all()
    db.session.commit()
    sent = 0
    for booking_id, meeting_id in due:
        claimed = cast(CursorResult[Any], db.session.execute(update(Booking).where(
            Booking.id == booking_id, Booking.reminded_at.is_(None), Booking.status == BOOKED)
            .values(reminded_at=now).execution_options(synchronize_session=False)))
        if claimed.rowcount != 1:
            db.session.rollback()
            continue
        booking = db.session.get_one(Booking, booking_id, options=[joinedload(Booking.user)])
        meeting = db.session.get_one(Meeting, meeting_id)
        programme = db.session.get_one(Programme, meeting.programme_id)
        mail.queue(booking.user.email, f"Reminder: {meeting.title}, {format_datetime(meeting.starts_at)}",
                   "mail/meeting_reminder.txt", attachment=_ics(meeting, programme, booking),
                   booking=booking, meeting=meeting, programme=programme,
                   when=format_datetime(meeting.starts_at),
                   url=_external("meetings.show", meeting_id=meeting.id))
        db.session.commit()
        sent += 1
    return sent
