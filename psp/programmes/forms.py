from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    Form,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from psp.forms import NoControlCharacters, choices, email_validators, strip
from psp.places import AREAS
from psp.programmes.models import ROLE_NAMES


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def outcomes_valid(form: Form, field: Field) -> None:
    lines = _lines(field.data)
    if len(lines) > 20:
        raise ValidationError("Enter 20 outcomes or fewer")
    if any(len(line) > 300 for line in lines):
        raise ValidationError("Each outcome must be 300 characters or fewer")


class ProgrammeForm(FlaskForm):
    title = StringField("Title", validators=[
        DataRequired("Enter a title"), NoControlCharacters(),
        Length(max=200, message="Title must be 200 characters or fewer")],
        filters=[strip], widget=GovTextInput())
    summary = TextAreaField("Summary", validators=[
        DataRequired("Enter a summary"), NoControlCharacters(allow_newlines=True),
        Length(max=4000, message="Summary must be 4,000 characters or fewer")],
        filters=[strip], widget=GovTextArea())
    strategy = StringField("Strategy it serves (optional)", validators=[
        Optional(), NoControlCharacters(),
        Length(max=200, message="Strategy must be 200 characters or fewer")],
        filters=[strip], widget=GovTextInput())
    lead_body = SelectField("Lead public body", coerce=str, validators=[
        DataRequired("Select the lead public body")], widget=GovSelect())
    lead_interface = SelectField("Lead interface", coerce=str, validators=[
        DataRequired("Select the lead interface")], widget=GovSelect())
    areas = SelectMultipleField("Community planning areas", choices=choices(AREAS.items()),
                                validators=[DataRequired("Select at least one area")],
                                widget=GovCheckboxesInput())
    outcomes = TextAreaField("Agreed social outcomes", validators=[
        DataRequired("Enter at least one agreed social outcome"),
        NoControlCharacters(allow_newlines=True), outcomes_valid],
        widget=GovTextArea())
    submit = SubmitField("Create programme", widget=GovSubmitInput())

    @property
    def outcome_lines(self) -> list[str]:
        return _lines(self.outcomes.data)


class AppointForm(FlaskForm):
    email = StringField("Email address", validators=email_validators("their email address"),
                        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
                        widget=GovTextInput())
    role = RadioField("Role", choices=choices(ROLE_NAMES.items()),
                      validators=[DataRequired("Select a role")], widget=GovRadioInput())
    submit = SubmitField("Appoint", widget=GovSubmitInput())


class TakePartForm(FlaskForm):
    organisation = RadioField("Which organisation should take part?", coerce=str,
                              validators=[DataRequired("Select an organisation")],
                              widget=GovRadioInput())
    submit = SubmitField("Ask to take part", widget=GovSubmitInput())


class DeclineForm(FlaskForm):
    reason = TextAreaField("Reason for declining", validators=[
        DataRequired("Enter the reason for declining"), NoControlCharacters(allow_newlines=True),
        Length(max=2000, message="Reason must be 2,000 characters or fewer")],
        filters=[strip], widget=GovTextArea())
    submit = SubmitField("Decline", widget=GovSubmitInput())


class RejectRequestForm(DeclineForm):
    """Rejecting an organisation that asked while it waits to be verified."""

    reason = TextAreaField("Reason for rejecting", validators=[
        DataRequired("Enter the reason for rejecting the organisation"),
        NoControlCharacters(allow_newlines=True),
        Length(max=2000, message="Reason must be 2,000 characters or fewer")],
        filters=[strip], widget=GovTextArea())
    submit = SubmitField("Reject", widget=GovSubmitInput())
