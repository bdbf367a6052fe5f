"""Times are stored in UTC and shown in Europe/London."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import overload
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_behind = [timedelta(0)]  # how far the clock is set back: only the demo's story sets it


def utcnow() -> datetime:
    """Naive UTC now: both databases store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None) - _behind[0]


@contextmanager
def days_ago(days: float) -> Iterator[None]:
    """Set the clock back while the demo tells what happened on an earlier day, so everything the
    services stamp (audit log, stage history, notifications) carries that day. Not for requests."""
    _behind[0] = timedelta(days=days)
    try:
        yield
    finally:
        _behind[0] = timedelta(0)


@overload
def london(value: datetime) -> datetime: ...
@overload
def london(value: None) -> str: ...
def london(value: datetime | None) -> datetime | str:
    """The London wall-clock time of a stored UTC datetime; empty for none (templates)."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone(LONDON)


def format_datetime(value: datetime | None) -> str:
    """'22 November 2026 at 5:30pm', GOV.UK style."""
    if value is None:
        return ""
    local = london(value)
    return f"{local.day} {local.strftime('%B %Y')} at {format_clock(value)}"


def format_day(value: date | None) -> str:
    """'27 March 2027' for a date, or for the London day of a stored UTC datetime."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = london(value)
    return f"{value.day} {value.strftime('%B %Y')}"


def format_clock(value: datetime | None) -> str:
    """'4:30pm' in London for a stored UTC datetime."""
    if value is None:
        return ""
    local = london(value)
    hour, minute = local.strftime("%I").lstrip("0") or "12", local.strftime("%M")
    half = local.strftime("%p").lower()
    return f"{hour}{half}" if minute == "00" else f"{hour}:{minute}{half}"
