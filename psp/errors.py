"""The two ways a service says no, shared by every domain so routes handle them alike."""

from typing import Any


class Refused(Exception):
    """A rule the form cannot express; the message is shown to the person.

    ``field`` names the form field the message belongs on (see psp.forms.refuse_on);
    without one, the route shows it as a flash message.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Stale(Exception):
    """The record changed since the person opened the page; ``record`` is how it is now,
    so the page can be drawn again against the current version and nothing typed is lost."""

    def __init__(self, record: Any) -> None:
        super().__init__(f"This {type(record).__name__.lower()} changed since you opened it")
        self.record = record
