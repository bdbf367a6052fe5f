"""Discussion forms: input only; which stage, meeting or organisation is allowed is the service's rule."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSelect, GovSubmitInput
from wtforms import Field, Form, HiddenField, RadioField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import AnyOf, InputRequired, Optional, ValidationError

from psp.discussions.models import AUDIENCES, PARTNERS, PUBLIC
from psp.forms import choices, text_field

MESSAGE_LIMIT = 10_000


def _id_select(label: str, message: str) -> SelectField:
    """A select of ids: an empty choice means none; anything not offered is refused."""
    def check(form: Form, field: Field) -> None:
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(message)
    return SelectField(label, validators=[check], widget=GovSelect(), validate_choice=False)


def _mentions() -> SelectMultipleField:
    def check(form: Form, field: Field) -> None:
        offered = {c.value for c in field.choices}
        if any(value not in offered for value in field.data or []):
            raise ValidationError("Select organisations from the list")
    return SelectMultipleField("Mention organisations (optional)", validators=[Optional(), check],
                               widget=GovCheckboxesInput(), validate_choice=False, choices=[])


def _body() -> Field:
    return text_field("Message", "Enter your message", MESSAGE_LIMIT, area=True)


class StartForm(FlaskForm):
    title = text_field("Title", "Enter a title", 200)
    body = _body()
    audience = RadioField("Who can read it", choices=choices(AUDIENCES.items()), default=PARTNERS,
                          validators=[InputRequired("Select who can read it"),
                                      AnyOf((PARTNERS, PUBLIC), message="Select who can read it")],
                          widget=GovRadioInput(), validate_choice=False)
    stage = _id_select("Stage it is about (optional)", "Select a stage of this programme, or none")
    meeting = _id_select("Meeting it is about (optional)", "Select a meeting of this programme, or none")
    question = _id_select("Question it is about (optional)", "Select a question of this programme, or none")
    mentions = _mentions()
    submit = SubmitField("Start the discussion", widget=GovSubmitInput())


class ReplyForm(FlaskForm):
    reply_to = HiddenField()
    body = _body()
    mentions = _mentions()
    submit = SubmitField("Post reply", widget=GovSubmitInput())


class EditForm(FlaskForm):
    body = _body()
    submit = SubmitField("Save the change", widget=GovSubmitInput())


class ReportForm(FlaskForm):
    reason = text_field("Why should the coordinators look at this message?", "Enter why you are reporting it",
                        2_000, area=True)
    submit = SubmitField("Report the message", widget=GovSubmitInput())


class HideForm(FlaskForm):
    reason = text_field("Reason, shown in place of the message", "Enter why the message is hidden", 500,
                        area=True)
    submit = SubmitField("Hide the message", widget=GovSubmitInput())


class CloseForm(FlaskForm):
    summary = text_field("Closing summary", "Enter a closing summary", 5_000, area=True)
    submit = SubmitField("Close the discussion", widget=GovSubmitInput())


class ViewForm(FlaskForm):
    title = text_field("Title of the view", "Enter a title", 200)
    body = text_field("The view", "Enter the view", 20_000, area=True)
    submit = SubmitField("Make a draft view", widget=GovSubmitInput())


def ids(values: list[str] | None) -> list[int]:
    return [int(v) for v in values or [] if v.isdigit()]


def optional_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) < 2**31 else None
