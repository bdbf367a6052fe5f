from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import AnyOf, InputRequired

from psp.forms import choices, text_field
from psp.interests.models import KIND_NAMES


class DeclarationForm(FlaskForm):
    on_behalf = RadioField("Who is this declaration for", widget=GovRadioInput(), validate_choice=False,
                           filters=[lambda value: value or ""])
    kind = RadioField("What do you declare", choices=choices(KIND_NAMES.items()),
                      validators=[InputRequired("Select what you declare"),
                                  AnyOf(tuple(KIND_NAMES), message="Select what you declare")],
                      widget=GovRadioInput(), validate_choice=False)
    organisation = SelectField("Which organisation (if you name one)", widget=GovSelect(),
                               validate_choice=False)
    description = text_field("Describe the interest (optional for some kinds)", None, 2000, area=True)
    submit = SubmitField("Add to the register", widget=GovSubmitInput())

    def offer(self, mine: list[tuple[int, str]], organisations: list[tuple[int, str]]) -> None:
        """The organisations the person declares for, and those involved in the programme."""
        self.on_behalf.choices = choices([("", "Myself"),
                                          *((o, f"{name}, on its behalf") for o, name in mine)])
        self.on_behalf.validators = [AnyOf(["", *(str(o) for o, _ in mine)],
                                           message="Select who this declaration is for")]
        self.organisation.choices = choices([("", "Select an organisation"), *organisations])
