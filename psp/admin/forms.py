"""Forms of site administration."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from psp.forms import text_field


class DisableForm(FlaskForm):
    reason = text_field("Why you are disabling the account", "Enter why you are disabling the account", 1000,
                        area=True)
    submit = SubmitField("Disable the account", widget=GovSubmitInput())
