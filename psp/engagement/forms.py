from collections.abc import Mapping, Sequence

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
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from psp.contributions.models import COMMUNITIES
from psp.engagement.evidence import MEASURES
from psp.engagement.models import LEVELS, MANUAL, METHODS, RATINGS, SUPPORT
from psp.forms import Validator, choices, strip, text_field
from psp.places import AREAS


def _listed(what: str, allowed: Mapping[str, str]) -> Validator:
    def check(form: Form, field: Field) -> None:
        if any(value not in allowed for value in field.data or []):
            raise ValidationError(f"Select {what} from the list")
    return check


def _many(label: str, options: Mapping[str, str], what: str,
          required: str | None = None) -> SelectMultipleField:
    validators: list[Validator] = [InputRequired(required)] if required else [Optional()]
    return SelectMultipleField(label, choices=choices(options.items()), widget=GovCheckboxesInput(),
                               validators=[*validators, _listed(what, options)], validate_choice=False)


def _level(kind: str) -> RadioField:
    return RadioField(f"{kind}", choices=choices(LEVELS.items()), widget=GovRadioInput(),
                      validators=[InputRequired(f"Select the level of involvement aimed for at {kind}")])


class PlanForm(FlaskForm):
    version = HiddenField()
    aims = text_field("What the engagement in this cycle aims to achieve",
                      "Enter what the engagement aims to achieve", 4000, area=True)
    communities = _many("Communities that must be involved", COMMUNITIES, "communities")
    areas = _many("Areas that must be involved", AREAS, "areas")
    who_else = text_field("Anyone else who must be involved (optional)", None, 2000, area=True)
    methods = _many("Methods", METHODS, "methods", "Select at least one method of engagement")
    support = _many("Support offered (optional)", SUPPORT, "support")
    support_other = text_field("Other support offered (optional)", None, 2000, area=True)
    level_analyse = _level("Analyse")
    level_plan = _level("Plan")
    level_do = _level("Do")
    level_review = _level("Review")
    submit = SubmitField("Save engagement plan", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.communities.data or self.areas.data or self.who_else.data) and not self.who_else.errors:
            self.communities.errors = list(self.communities.errors) + [
                "Select the communities or areas that must be involved, or say who else"]
            valid = False
        return valid


def _whole_number(what: str, top: int = 1_000_000) -> Validator:
    def check(form: Form, field: Field) -> None:
        raw = (field.data or "").strip()
        if not raw:
            raise ValidationError(f"Enter the {what}")
        if not raw.isdigit() or len(raw) > 7 or int(raw) > top:
            raise ValidationError(f"The {what} must be a whole number between 0 and {top:,}, like 80")
    return check


class IndicatorForm(FlaskForm):
    measure = SelectField("Measure", coerce=str, widget=GovSelect(), validate_choice=False,
                          choices=choices([("", "Select a measure"), *MEASURES.items(),
                                           (MANUAL, "Another measure, written by hand "
                                                    "(value entered at Review)")]),
                          validators=[InputRequired("Select a measure")])
    title = text_field("What it measures, if written by hand", None, 200)
    target = StringField("Target", filters=[strip], validators=[_whole_number("target")],
                         widget=GovTextInput())
    submit = SubmitField("Save indicator", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.measure.data and self.measure.data != MANUAL and self.measure.data not in MEASURES:
            self.measure.errors = ["Select a measure from the list"]
            valid = False
        if self.measure.data == MANUAL and not self.title.data and not self.title.errors:
            self.title.errors = ["Enter what the indicator measures"]
            valid = False
        return valid


class ValueForm(FlaskForm):
    value = StringField("Value", filters=[strip], validators=[_whole_number("value")], widget=GovTextInput())
    note = text_field("How you found it (optional)", None, 2000, area=True)
    submit = SubmitField("Save value", widget=GovSubmitInput())


def _rating() -> RadioField:
    return RadioField("How well was the standard met?", choices=choices(RATINGS.items()),
                      widget=GovRadioInput(), validators=[
                          InputRequired("Select whether the standard was met, partly met or not met")])


class AssessmentForm(FlaskForm):
    version = HiddenField()
    rating = _rating()
    learnt = text_field("What was learnt", "Enter what was learnt", 4000, area=True)
    submit = SubmitField("Save assessment", widget=GovSubmitInput())


class PartnerRatingForm(FlaskForm):
    organisation = SelectField("Rating on behalf of", coerce=str, widget=GovSelect(), validate_choice=False,
                               validators=[InputRequired("Select your organisation")])
    rating = _rating()
    comment = text_field("Your comment (optional)", None, 4000, area=True)
    submit = SubmitField("Save your rating", widget=GovSubmitInput())


class FinishForm(FlaskForm):
    submit = SubmitField("Finish the review", widget=GovSubmitInput())
