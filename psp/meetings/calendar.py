"""iCalendar files for one meeting and for a programme's feed (icalendar package)."""

from collections.abc import Callable, Sequence
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event

from psp.links import external_url
from psp.meetings.models import Meeting
from psp.timeutil import LONDON, utcnow


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "psp-codesign.local"


def uid(meeting: Meeting) -> str:
    """Stable for the life of the meeting, so calendars update the event rather than add one."""
    return f"meeting-{meeting.id}@{_host()}"


def _event(meeting: Meeting, programme_title: str, show_link: bool, stable: bool) -> Event:
    event = Event()
    event.add("uid", uid(meeting))
    # With no METHOD, DTSTAMP may be when the event last changed (RFC 5545 3.8.7.2): served
    # feeds use that, so their bytes (and ETag) stay the same until a meeting changes.
    event.add("dtstamp", (meeting.updated_at if stable else utcnow()).replace(tzinfo=UTC))
    event.add("dtstart", meeting.starts_at.replace(tzinfo=UTC).astimezone(LONDON))
    event.add("dtend", meeting.ends_at.replace(tzinfo=UTC).astimezone(LONDON))
    event.add("sequence", meeting.sequence)
    event.add("summary", f"{meeting.title} ({programme_title})")
    page = external_url("meetings.show", meeting_id=meeting.id)
    event.add("url", page)
    where = [meeting.venue] if meeting.venue else []
    if meeting.online_link and show_link:
        where.append(meeting.online_link)
    if where:
        event.add("location", ", ".join(where))
    description = [meeting.agenda.strip()] if meeting.agenda.strip() else []
    if meeting.access_info:
        description.append("Access: " + meeting.access_info)
    description.append(page)
    event.add("description", "\n\n".join(description))
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    return event


def calendar(meetings: Sequence[Meeting], programme_title: str, name: str | None = None,
             show_link: Callable[[Meeting], bool] = lambda meeting: False, stable: bool = False) -> bytes:
    """stable: stamp each event with its last change rather than now (served feeds, see _event)."""
    cal = Calendar()
    cal.add("prodid", "-//PSP Co-design//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/London")
    for meeting in meetings:
        cal.add_component(_event(meeting, programme_title, show_link(meeting), stable))
    if meetings:
        first = min(m.starts_at for m in meetings).date() - timedelta(days=366)
        last = max(m.ends_at for m in meetings).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()
