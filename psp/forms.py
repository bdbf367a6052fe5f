"""Validators every form shares."""

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextArea, GovTextInput
from wtforms import DateField, Field, Form, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

if TYPE_CHECKING:
    from psp.errors import Refused

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f]")

# What WTForms calls with the form and the field; it raises ValidationError to refuse.
Validator = Callable[[Form, Field], None]


class NoControlCharacters:
    """Refuse NUL and other control characters (databases and emails choke on them)."""

    def __init__(self, message: str = "Remove the invisible control characters",
                 allow_newlines: bool = False) -> None:
        self.message = message
        self.pattern = _CONTROL if allow_newlines else _CONTROL_OR_NEWLINE

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and self.pattern.search(field.data):
            raise ValidationError(self.message)


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def blank(value: str | None) -> str:
    """An optional text field left out of the form is empty text, not None."""
    return "" if value is None else value


def email_validators(what: str = "your email address") -> list[Validator]:
    return [
        InputRequired(f"Enter {what}"),
        NoControlCharacters(),
        Length(max=254, message="Email address must be 254 characters or fewer"),
        Email(message="Enter an email address in the correct format, like name@example.org",
              check_deliverability=False, allow_smtputf8=False),
    ]


class ActionForm(FlaskForm):
    """A button-only form: CSRF protection and nothing else."""


def search_text(raw: str | None, max_length: int = 200) -> str:
    """A search box's text without control characters (PostgreSQL refuses NUL)."""
    return _CONTROL.sub("", raw or "").strip()[:max_length]


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class DateEntry(DateField):
    """A GOV.UK date input (day, month, year boxes) with errors a person can act on.

    The widget unpacks exactly three raw values, so a missing or tampered field is
    normalised here rather than failing when the page is drawn again.
    """

    def __init__(self, label: str | None = None, validators: Sequence[Validator] | None = None,
                 **kwargs: Any) -> None:
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [str(v).strip() for v in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        name = self.label.text.split(" (")[0]
        if not all(parts):
            missing = [part for part, value in zip(("day", "month", "year"), parts, strict=True)
                       if not value]
            raise ValueError(f"{name} must include a {' and '.join(missing)}")
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError(f"{name} must be a real date, like 27 3 2027")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(f"{name} must be a real date, like 27 3 2027") from None
        if not 2000 <= self.data.year <= 2100:
            self.data = None
            raise ValueError(f"{name} must be between the years 2000 and 2100")


class DateRequired:
    """For DateEntry: only an entirely empty date is "missing"; half a date gets its own message."""

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if not any(field.raw_data or []):
            field.errors[:] = []
            raise StopValidation(self.message)


def refuse_on(form: Form, refusal: "Refused") -> None:
    """Show a service's refusal on the form field it names, as if the form had found it."""
    form[refusal.field or ""].errors = [str(refusal)]


def text_field(label: str, required: str | None, max_length: int, area: bool = False) -> Field:
    """A GOV.UK text input or textarea, trimmed, without control characters, with a length limit."""
    what = label.split(" (")[0]
    validators: list[Any] = [DataRequired(required)] if required else [Optional()]
    validators += [NoControlCharacters(allow_newlines=area),
                   Length(max=max_length, message=f"{what} must be {max_length:,} characters or fewer")]
    field = TextAreaField if area else StringField
    return field(label, validators=validators, filters=[strip, blank],
                 widget=GovTextArea() if area else GovTextInput())
