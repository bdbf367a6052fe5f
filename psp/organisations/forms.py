import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, Form, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from psp.forms import NoControlCharacters, choices, strip
from psp.places import AREAS, ORGANISATION_KINDS

CHARITY_NUMBER = re.compile(r"^SC\d{6}$")


def upper_no_spaces(value: str | None) -> str | None:
    return value.replace(" ", "").upper() if isinstance(value, str) else value


def charity_number(form: Form, field: Field) -> None:
    if field.data and not CHARITY_NUMBER.match(field.data):
        raise ValidationError("Enter a Scottish charity number: SC followed by 6 digits, like SC012345")


def website(form: Form, field: Field) -> None:
    if field.data and not re.match(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", field.data):
        raise ValidationError("Enter a website address starting with https://, like https://example.org")


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name of the organisation",
        validators=[DataRequired("Enter the name of the organisation"), NoControlCharacters(),
                    Length(max=200, message="Name must be 200 characters or fewer")],
        filters=[strip], widget=GovTextInput())
    kind = RadioField(
        "What kind of organisation is it?", choices=choices(ORGANISATION_KINDS.items()),
        validators=[DataRequired("Select what kind of organisation it is")], widget=GovRadioInput())
    charity_number = StringField(
        "Scottish charity number (optional)",
        validators=[Optional(), NoControlCharacters(), Length(max=20, message="Enter a Scottish charity "
                    "number: SC followed by 6 digits, like SC012345"), charity_number],
        filters=[strip, upper_no_spaces], widget=GovTextInput())
    areas = SelectMultipleField(
        "Which community planning areas does it work in?", choices=choices(AREAS.items()),
        validators=[DataRequired("Select at least one area")], widget=GovCheckboxesInput())
    website = StringField(
        "Website (optional)",
        validators=[Optional(), NoControlCharacters(),
                    Length(max=300, message="Website must be 300 characters or fewer"), website],
        filters=[strip], widget=GovTextInput())
    description = TextAreaField(
        "Describe what the organisation does",
        validators=[DataRequired("Describe what the organisation does"),
                    NoControlCharacters(allow_newlines=True),
                    Length(max=2000, message="Description must be 2,000 characters or fewer")],
        filters=[strip], widget=GovTextArea())
    submit = SubmitField("Save", widget=GovSubmitInput())


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Why are you rejecting it?",
        validators=[DataRequired("Enter the reason for rejecting the organisation"),
                    NoControlCharacters(allow_newlines=True),
                    Length(max=2000, message="Reason must be 2,000 characters or fewer")],
        filters=[strip], widget=GovTextArea())
    submit = SubmitField("Reject organisation", widget=GovSubmitInput())
