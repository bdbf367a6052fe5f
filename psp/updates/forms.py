from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from psp.forms import NoControlCharacters, blank, choices, strip
from psp.updates.models import PARTNERS, PUBLIC


class UpdateForm(FlaskForm):
    title = StringField("Title", validators=[
        DataRequired("Enter a title"), NoControlCharacters(),
        Length(max=200, message="Title must be 200 characters or fewer")],
        filters=[strip, blank], widget=GovTextInput())
    body = TextAreaField("Update", validators=[
        DataRequired("Enter the update"), NoControlCharacters(allow_newlines=True),
        Length(max=20_000, message="Update must be 20,000 characters or fewer")],
        filters=[strip, blank], widget=GovTextArea())
    audience = RadioField("Who can read it", choices=choices([
        (PUBLIC, "Everyone, including the public"), (PARTNERS, "Partners of the programme only")]),
        validators=[InputRequired("Select who can read it"),
                    AnyOf((PUBLIC, PARTNERS), message="Select who can read it")],
        widget=GovRadioInput(), validate_choice=False)
    submit = SubmitField("Post update", widget=GovSubmitInput())
