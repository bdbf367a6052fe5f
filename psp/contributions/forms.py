from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, Length, Optional, ValidationError

from psp.contributions.models import (
    COMMUNITIES,
    CONSIDERING,
    EVENT,
    GIVERS,
    GROUP,
    IN_PLACE,
    LEADS,
    NOT_TAKEN,
    PARTNER,
    SHARED,
    SOURCE_LABELS,
    SOURCES,
    TAKEN,
)
from psp.forms import DateEntry, DateRequired, NoControlCharacters, Validator, blank, choices, strip
from psp.places import AREAS, ORGANISATION_KINDS
from psp.timeutil import london, utcnow


def _id_select(label: str, message: str) -> SelectField:
    """A select of ids: an empty choice means none; anything not offered is refused."""
    def check(form: Form, field: Field) -> None:
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(message)
    return SelectField(label, validators=[check], widget=GovSelect(), validate_choice=False)


def _listed(what: str) -> Validator:
    def check(form: Form, field: Field) -> None:
        offered = {c.value for c in field.choices}
        if any(value not in offered for value in field.data or []):
            raise ValidationError(f"Select from the {what} listed")
    return check


# The fields a view has, given by a partner or recorded by a coordinator. Each call makes a new
# field, so a form lists them where it declares them.

def _stage_select() -> SelectField:
    return _id_select("Stage it is about", "Select the current stage or an earlier one")


def _question_select() -> SelectField:
    return _id_select("Question it answers (optional)",
                      "Select a question posed for the stage, or no question")


def _meeting_select() -> SelectField:
    return _id_select("Meeting it was raised at (optional)",
                      "Select a meeting of this programme, or no meeting")


def _title() -> StringField:
    return StringField("Title", validators=[
        NoControlCharacters(), Length(max=200, message="Title must be 200 characters or fewer")],
        filters=[strip, blank], widget=GovTextInput())


def _body(label: str, name: str = "Your view") -> TextAreaField:
    return TextAreaField(label, validators=[
        NoControlCharacters(allow_newlines=True),
        Length(max=20_000, message=f"{name} must be 20,000 characters or fewer")],
        filters=[strip, blank], widget=GovTextArea())


def _communities() -> SelectMultipleField:
    return SelectMultipleField("Communities it speaks for", choices=choices(COMMUNITIES.items()),
                               validators=[Optional(), _listed("communities")], widget=GovCheckboxesInput(),
                               validate_choice=False)


def _areas() -> SelectMultipleField:
    return SelectMultipleField("Areas it concerns", choices=choices(AREAS.items()),
                               validators=[Optional(), _listed("areas")], widget=GovCheckboxesInput(),
                               validate_choice=False)


def _audience() -> RadioField:
    return RadioField("Who can read it", choices=choices([
        (SHARED, "All partners of the programme, and the public once it is answered"),
        (LEADS, "Only the coordinators and NHS leads")]), validators=[Optional()], widget=GovRadioInput(),
        validate_choice=False)


class ContributionForm(FlaskForm):
    """Giving or editing a view. A draft needs only a title; submitting needs the rest."""

    version = HiddenField()
    organisation = _id_select("Organisation you speak for", "Select one of your organisations")
    stage, question, meeting = _stage_select(), _question_select(), _meeting_select()
    title, body = _title(), _body("Your view")
    communities, areas, audience = _communities(), _areas(), _audience()
    save_draft = SubmitField("Save as a draft", widget=GovSubmitInput())
    submit = SubmitField("Submit your view", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        submitting = bool(self.submit.data)
        if not self.title.data and not self.title.errors:
            self.title.errors = ["Enter a title for your view"]
            valid = False
        if not self.organisation.data and not self.organisation.errors:
            self.organisation.errors = ["Select the organisation you speak for"]
            valid = False
        if not self.stage.data and not self.stage.errors:
            self.stage.errors = ["Select the stage your view is about"]
            valid = False
        if submitting:
            if not self.body.data and not self.body.errors:
                self.body.errors = ["Enter your view"]
                valid = False
            if not self.communities.data and not self.communities.errors:
                self.communities.errors = ["Select at least one community your view speaks for"]
                valid = False
            if not self.areas.data and not self.areas.errors:
                self.areas.errors = ["Select at least one area your view concerns"]
                valid = False
            if self.audience.data not in (SHARED, LEADS):
                self.audience.errors = ["Select who can read your view"]
                valid = False
        return valid


class AnswerForm(FlaskForm):
    version = HiddenField()
    status = RadioField("Answer", choices=choices([
        (CONSIDERING, "Under consideration"), (TAKEN, "Taken forward"),
        (NOT_TAKEN, "Not taken forward"), (IN_PLACE, "Already in place")]),
        validators=[Optional()], widget=GovRadioInput(), validate_choice=False)
    text = TextAreaField("Response for the public", validators=[
        NoControlCharacters(allow_newlines=True),
        Length(max=10_000, message="Response must be 10,000 characters or fewer")],
        filters=[strip, blank], widget=GovTextArea())
    reason = TextAreaField("Why it is not taken forward", validators=[
        NoControlCharacters(allow_newlines=True),
        Length(max=5_000, message="Reason must be 5,000 characters or fewer")],
        filters=[strip, blank], widget=GovTextArea())
    actions = SelectMultipleField("Actions it shaped", coerce=str,
                                  validators=[Optional(), _listed("actions")],
                                  widget=GovCheckboxesInput(), validate_choice=False)
    decisions = SelectMultipleField("Decisions it shaped", coerce=str,
                                    validators=[Optional(), _listed("decisions")],
                                    widget=GovCheckboxesInput(), validate_choice=False)
    submit = SubmitField("Save answer", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.status.data not in (CONSIDERING, TAKEN, NOT_TAKEN, IN_PLACE):
            self.status.errors = ["Select an answer"]
            valid = False
        if not self.text.data and not self.text.errors:
            self.text.errors = ["Enter the response for the public"]
            valid = False
        if self.status.data == NOT_TAKEN and not self.reason.data and not self.reason.errors:
            self.reason.errors = ["Enter the reason it is not taken forward"]
            valid = False
        if self.status.data == TAKEN and not self.actions.data and not self.decisions.data:
            self.actions.errors = ["Select the actions or decisions this view shaped"]
            valid = False
        return valid


def _whole_number(form: Form, field: Field) -> None:
    raw = (field.data or "").strip()
    if raw and (not raw.isdigit() or not 1 <= int(raw) <= 100_000):
        raise ValidationError("How many people took part must be a whole number from 1 to 100,000")


class RecordForm(FlaskForm):
    """A view given outside the service, as a coordinator enters it: the view, where it came from,
    and who gave it."""

    stage, question, meeting = _stage_select(), _question_select(), _meeting_select()
    title, body = _title(), _body("The view, as it was given", "The view")
    communities, areas, audience = _communities(), _areas(), _audience()
    source = RadioField("Where it came from", choices=choices(SOURCE_LABELS.items()),
        validators=[Optional()], widget=GovRadioInput(), validate_choice=False)
    given_on = DateEntry("Date it was given", validators=[DateRequired("Enter the date the view was given")])
    given_where = StringField("Where it was given (optional)", description="For example, the Leith drop-in",
                              validators=[NoControlCharacters(), Length(
                                  max=200, message="Where it was given must be 200 characters or fewer")],
                              filters=[strip, blank], widget=GovTextInput())
    giver = RadioField("Who gave it", choices=choices(GIVERS.items()), validators=[Optional()],
                       widget=GovRadioInput(), validate_choice=False)
    organisation = _id_select("Partner organisation", "Select a partner organisation of this programme")
    group_name = StringField("Name of the group or organisation", validators=[
        NoControlCharacters(), Length(max=200, message="Name must be 200 characters or fewer")],
        filters=[strip, blank], widget=GovTextInput())
    group_kind = SelectField("Kind of group (optional)", choices=choices(
        [("", "Not known")] + list(ORGANISATION_KINDS.items())), validators=[Optional()], widget=GovSelect())
    group_area = SelectField("Area it is in (optional)",
                             choices=choices([("", "Not known")] + list(AREAS.items())),
                             validators=[Optional()], widget=GovSelect())
    people = StringField("How many people took part", validators=[_whole_number], filters=[strip, blank],
                         widget=GovTextInput())
    contact_email = StringField(
        "Email address to tell them of the answer (optional)",
        description="Only the coordinators see it. It is deleted 30 days after the view is answered.",
        validators=[Optional(), Email(message="Enter an email address in the correct format, like "
                                              "name@example.org"),
                    Length(max=254, message="Email address must be 254 characters or fewer")],
        filters=[strip, blank], widget=GovTextInput())
    consent = BooleanField("They agreed to be emailed about the answer", widget=GovCheckboxInput())
    submit = SubmitField("Record the view", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        required = [
            (self.title, not self.title.data, "Enter a title for the view"),
            (self.body, not self.body.data, "Enter the view, as it was given"),
            (self.stage, not self.stage.data, "Select the stage the view is about"),
            (self.communities, not self.communities.data,
             "Select at least one community the view speaks for"),
            (self.areas, not self.areas.data, "Select at least one area the view concerns"),
            (self.audience, self.audience.data not in (SHARED, LEADS), "Select who can read the view"),
            (self.source, self.source.data not in SOURCES, "Select where the view came from"),
            (self.giver, self.giver.data not in GIVERS, "Select who gave the view"),
            (self.organisation, self.giver.data == PARTNER and not self.organisation.data,
             "Select the partner organisation that gave the view"),
            (self.group_name, self.giver.data == GROUP and not self.group_name.data,
             "Enter the name of the group or organisation"),
            (self.people, self.giver.data == EVENT and not self.people.data,
             "Enter how many people took part"),
            (self.consent, bool(self.contact_email.data) and not self.consent.data,
             "Confirm they agreed to be emailed about the answer, or leave the email address out"),
        ]
        for field, missing, message in required:
            if missing and not field.errors:
                field.errors = [message]
                valid = False
        if self.given_on.data and self.given_on.data > london(utcnow()).date() and not self.given_on.errors:
            self.given_on.errors = ["Date it was given must be today or in the past"]
            valid = False
        return valid


class ImportForm(FlaskForm):
    stage = _id_select("Stage the views are about", "Select the current stage or an earlier one")
    file = FileField("Spreadsheet of views", widget=GovFileInput())
    submit = SubmitField("Check the file", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.stage.data and not self.stage.errors:
            self.stage.errors = ["Select the stage the views are about"]
            valid = False
        upload = self.file.data
        if not getattr(upload, "filename", "") and not self.file.errors:
            self.file.errors = ["Select a CSV file or an Excel spreadsheet (.xlsx)"]
            valid = False
        return valid
