"""Validators every form shares."""

import re

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f]")


class NoControlCharacters:
    """Refuse NUL and other control characters (databases and emails choke on them)."""

    def __init__(self, message="Remove the invisible control characters", allow_newlines=False):
        self.message = message
        self.pattern = _CONTROL if allow_newlines else _CONTROL_OR_NEWLINE

    def __call__(self, form, field):
        if isinstance(field.data, str) and self.pattern.search(field.data):
            raise ValidationError(self.message)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def email_validators(what="your email address"):
    return [
        InputRequired(f"Enter {what}"),
        NoControlCharacters(),
        Length(max=254, message="Email address must be 254 characters or fewer"),
        Email(message="Enter an email address in the correct format, like name@example.org",
              check_deliverability=False, allow_smtputf8=False),
    ]


class ActionForm(FlaskForm):
    """A button-only form: CSRF protection and nothing else."""


def search_text(raw, max_length=200):
    """A search box's text without control characters (PostgreSQL refuses NUL)."""
    return _CONTROL.sub("", raw or "").strip()[:max_length]


def choices(pairs):
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(str(value), label) for value, label in pairs]
