from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import (
    BooleanField,
    Field,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from psp.cycles.models import ACTION_STATUS_NAMES
from psp.forms import (
    DateEntry,
    DateRequired,
    Validator,
    choices,
    text_field,
)


def _text(label: str, required: str | None, max_length: int, newlines: bool = True) -> Field:
    """What a stage holds is mostly paragraphs: a textarea unless told otherwise."""
    return text_field(label, required, max_length, area=newlines)


def _version(form: Form, field: Field) -> None:
    if not str(field.data or "").isdigit():
        raise ValidationError("This page is out of date: reload it and try again")


class SubmitStageForm(FlaskForm):
    version = HiddenField(validators=[_version])
    summary = _text("Summary of what was done and decided", "Enter a summary of what was done and decided",
                    8000)
    submit = SubmitField("Submit for review", widget=GovSubmitInput())


SIGN_OFF, RETURN = "sign-off", "return"


class ReviewStageForm(FlaskForm):
    version = HiddenField(validators=[_version])
    decision = RadioField("Your decision", choices=choices([
        (SIGN_OFF, "Sign off this stage"), (RETURN, "Return it to the coordinators")]),
        validators=[InputRequired("Select whether to sign off or return the stage")],
        widget=GovRadioInput())
    reason = _text("Reason or note", None, 8000)
    submit = SubmitField("Confirm decision", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        # Optional() stops a field's own chain when empty, so this check lives on the form.
        valid = super().validate(extra_validators)
        if self.decision.data == RETURN and not self.reason.data and not self.reason.errors:
            self.reason.errors = ["Enter the reason for returning the stage"]
            return False
        return valid


class ActionDetailsForm(FlaskForm):
    title = _text("What is to be done", "Enter what is to be done", 300, newlines=False)
    organisation = SelectField("Organisation that owns it", coerce=str, validators=[
        DataRequired("Select the organisation that owns the action")], widget=GovSelect())
    due_on = DateEntry("Due date", validators=[DateRequired("Enter the due date")])
    submit = SubmitField("Save action", widget=GovSubmitInput())


class ActionStatusForm(FlaskForm):
    status = RadioField("Status", choices=choices(ACTION_STATUS_NAMES.items()),
                        validators=[InputRequired("Select the status of the action")],
                        widget=GovRadioInput())
    blocked_reason = _text("What is blocking it (if blocked)", None, 2000)
    result = _text("What came of it so far (optional)", None, 4000)
    submit = SubmitField("Update status", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.status.data == "blocked" and not self.blocked_reason.data and not self.blocked_reason.errors:
            self.blocked_reason.errors = ["Enter what is blocking the action"]
            return False
        return valid


class DecisionForm(FlaskForm):
    title = _text("Decision", "Enter the decision", 300, newlines=False)
    detail = _text("Detail (optional)", None, 8000)
    partners_only = BooleanField("Show to partners only", widget=GovCheckboxInput())
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class QuestionForm(FlaskForm):
    text = _text("Question", "Enter the question", 500, newlines=False)
    detail = _text("More about the question (optional)", None, 8000)
    partners_only = BooleanField("Ask partners only", widget=GovCheckboxInput())
    submit = SubmitField("Save question", widget=GovSubmitInput())


class StageDatesForm(FlaskForm):
    planned_start = DateEntry("Planned start (optional)", validators=[Optional()])
    planned_end = DateEntry("Planned end (optional)", validators=[Optional()])
    submit = SubmitField("Save dates", widget=GovSubmitInput())


class MeasureForm(FlaskForm):
    measure = _text("Measure", "Enter the measure, for example a figure or a rating", 200, newlines=False)
    note = _text("Note (optional)", None, 4000)
    submit = SubmitField("Save measure", widget=GovSubmitInput())


class NeedForm(FlaskForm):
    need = _text("Re-framed need", "Enter the re-framed need", 8000)
    submit = SubmitField("Save re-framed need", widget=GovSubmitInput())
