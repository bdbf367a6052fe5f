import re
from collections.abc import Mapping, Sequence
from datetime import time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Field,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from psp.forms import (
    DateEntry,
    DateRequired,
    NoControlCharacters,
    Validator,
    blank,
    choices,
    strip,
    text_field,
)
from psp.meetings.models import ACCESS_NEEDS, PARTNERS, PUBLIC

_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def parse_clock(text: str | None) -> time | None:
    """'14:30', '2:30pm', '2pm', '9.15am' -> time; None when it is not a time."""
    found = _CLOCK.match((text or "").strip())
    if not found:
        return None
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), (found.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif found.group(2) is None:
        return None  # "14" alone is ambiguous: ask for 14:00 or 2pm
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _clock(name: str) -> Validator:
    def check(form: Form, field: Field) -> None:
        if not field.data:
            raise ValidationError(f"Enter the {name} time")
        if parse_clock(field.data) is None:
            raise ValidationError(f"Enter the {name} time like 14:30 or 2:30pm")
    return check



def _web_address(form: Form, field: Field) -> None:
    if field.data and not re.match(r"^https://[^\s/$.?#][^\s]*$", field.data):
        raise ValidationError("Enter the online link as a full web address starting https://")


class WholeNumber(IntegerField):
    data: int | None

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and str(valuelist[0]).strip():
            try:
                self.data = int(str(valuelist[0]).strip())
            except ValueError:
                self.data = None
                raise ValueError("Number of places must be a whole number, like 20") from None
        else:
            self.data = None


class MeetingForm(FlaskForm):
    title = text_field("Title", "Enter a title", 200)
    agenda = text_field("Agenda (optional)", None, 20_000, area=True)
    stage = SelectField("Stage it belongs to (optional)", coerce=str, validators=[Optional()],
                        widget=GovSelect())
    day = DateEntry("Date", validators=[DateRequired("Enter the date of the meeting")])
    start = StringField("Start time", validators=[_clock("start")], filters=[strip], widget=GovTextInput())
    end = StringField("End time", validators=[_clock("end")], filters=[strip], widget=GovTextInput())
    venue = text_field("Venue (optional if online)", None, 300)
    access_info = text_field("Access information (optional)", None, 4000, area=True)
    online_link = StringField("Online link (optional if there is a venue)", validators=[
        Optional(), NoControlCharacters(),
        Length(max=500, message="Online link must be 500 characters or fewer"), _web_address],
        filters=[strip, blank], widget=GovTextInput())
    capacity = WholeNumber("Number of places (optional)", validators=[
        Optional(), NumberRange(min=1, max=10_000, message="Number of places must be between 1 and 10,000")],
        widget=GovTextInput())
    deadline = DateEntry("Booking closes at the end of (optional)", validators=[Optional()])
    audience = RadioField("Who can come", choices=choices([
        (PARTNERS, "Partners of the programme only"), (PUBLIC, "Open to the public")]),
        validators=[InputRequired("Select who can come")], widget=GovRadioInput())
    submit = SubmitField("Save meeting", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.venue.data and not self.online_link.data and not self.venue.errors:
            self.venue.errors = ["Enter a venue, an online link, or both"]
            valid = False
        start, end = parse_clock(self.start.data), parse_clock(self.end.data)
        if start and end and end <= start and not self.end.errors:
            self.end.errors = ["The end time must be after the start time"]
            valid = False
        if self.day.data and self.deadline.data and self.deadline.data > self.day.data:
            self.deadline.errors = ["Booking must close on or before the day of the meeting"]
            valid = False
        return valid



class BookingForm(FlaskForm):
    access_needs = SelectMultipleField("Access needs (optional)", choices=choices(ACCESS_NEEDS.items()),
                                       validators=[Optional()], widget=GovCheckboxesInput())
    access_other = text_field("Tell us about other access needs", None, 2000, area=True)
    submit = SubmitField("Book a place", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if "other" in (self.access_needs.data or []) and not self.access_other.data:
            self.access_other.errors = ["Tell us about the other access needs"]
            valid = False
        return valid


class CancelMeetingForm(FlaskForm):
    reason = text_field("Reason for cancelling", "Enter the reason for cancelling", 2000, area=True)
    submit = SubmitField("Cancel meeting", widget=GovSubmitInput())


class MinutesForm(FlaskForm):
    minutes = text_field("Draft minutes and actions", "Enter the minutes", 50_000, area=True)
    deadline = DateEntry("Attendees agree or suggest corrections by the end of",
                         validators=[DateRequired("Enter the date by which attendees agree the minutes")])
    submit = SubmitField("Send draft minutes to attendees", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    text = text_field("Your correction", "Enter your correction", 5000, area=True)
    submit = SubmitField("Suggest correction", widget=GovSubmitInput())


ACCEPT, DECLINE = "accept", "decline"


class DecideCorrectionForm(FlaskForm):
    decision = RadioField("Your decision", choices=choices([
        (ACCEPT, "Accept it: I will change the draft to match"), (DECLINE, "Decline it")]),
        validators=[InputRequired("Select whether you accept or decline the correction")],
        widget=GovRadioInput())
    reason = text_field("Why (needed when you decline; shown to attendees)", None, 5000, area=True)
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data == DECLINE and not self.reason.data and not self.reason.errors:
            self.reason.errors = ["Enter why the correction is declined"]
            valid = False
        return valid


class AttendanceForm(FlaskForm):
    attended = SelectMultipleField("Who came", coerce=str, validators=[Optional()],
                                   widget=GovCheckboxesInput())
    submit = SubmitField("Save attendance", widget=GovSubmitInput())
