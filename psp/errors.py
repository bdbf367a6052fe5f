"""The two ways a service says no, shared by every domain so routes handle them alike."""

from typing import Any

from sqlalchemy.exc import IntegrityError

# A 503 is (we hope) for a moment: clients and load balancers may ask again after this.
UNAVAILABLE = {"Retry-After": "30"}


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


def commit_or_refuse(message: str, field: str | None = None) -> None:
    """Commit the service's unit of work; when a unique key refuses it because someone did the
    same a moment ago, roll back and say so, on the field the person would change."""
    from psp.extensions import db

    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused(message, field) from None
