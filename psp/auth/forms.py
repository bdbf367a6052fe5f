from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import Field, Form, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from psp.auth import passwords
from psp.forms import NoControlCharacters, email_validators, strip, text_field


def lower_strip(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


class NewPassword:
    """At least 12 characters, at most 128, not a common password; no composition rules."""

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data or ""
        if len(value) < passwords.MIN_LENGTH:
            raise ValidationError(f"Password must be {passwords.MIN_LENGTH} characters or more")
        if len(value) > passwords.MAX_LENGTH:
            raise ValidationError(f"Password must be {passwords.MAX_LENGTH} characters or fewer")
        if passwords.is_common(value):
            raise ValidationError(
                "This password is too common and easy to guess. Choose a different one, "
                "for example three or four random words"
            )


def _email_field(label: str = "Email address") -> StringField:
    return StringField(label, validators=email_validators(), filters=[lower_strip],
                       widget=GovTextInput())


def _new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired("Enter a password"), NoControlCharacters(), NewPassword()],
        widget=GovPasswordInput(),
    )


class RegisterForm(FlaskForm):
    name = StringField(
        "Full name",
        validators=[DataRequired("Enter your full name"), NoControlCharacters(),
                    Length(max=200, message="Full name must be 200 characters or fewer")],
        filters=[strip],
        widget=GovTextInput(),
    )
    email = _email_field()
    password = _new_password_field("Create a password")
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignInForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password"),
                    Length(max=passwords.MAX_LENGTH, message="Enter your password")],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ResetRequestForm(FlaskForm):
    email = _email_field()
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


def _confirm_password_field() -> PasswordField:
    """The person's own password, typed again before a change that matters."""
    return PasswordField("Your password",
                         validators=[InputRequired("Enter your password to confirm"),
                                     Length(max=passwords.MAX_LENGTH, message="Password is wrong")],
                         widget=GovPasswordInput())


class NewPasswordForm(FlaskForm):
    password = _new_password_field("New password")
    submit = SubmitField("Save new password", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password"),
                    Length(max=passwords.MAX_LENGTH, message="Current password is wrong")],
        widget=GovPasswordInput(),
    )
    new_password = _new_password_field("New password")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ChangeEmailForm(FlaskForm):
    email = StringField("New email address", validators=email_validators("your new email address"),
                        filters=[lower_strip], widget=GovTextInput())
    password = _confirm_password_field()
    submit = SubmitField("Send a confirmation link", widget=GovSubmitInput())


class DeleteAccountForm(FlaskForm):
    password = _confirm_password_field()
    submit = SubmitField("Delete my account", widget=GovSubmitInput())


def _code_field(label: str = "Code",
                message: str = "Enter the 6-digit code from your authenticator app") -> StringField:
    too_long = Length(max=40, message="Enter the code as your app shows it")
    return StringField(label, validators=[InputRequired(message), NoControlCharacters(), too_long],
                       filters=[strip], widget=GovTextInput())


class SetUpCodeForm(FlaskForm):
    code = _code_field("Code from your app")
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class SignInCodeForm(FlaskForm):
    code = _code_field("Code", "Enter the code from your authenticator app, or a recovery code")
    submit = SubmitField("Continue", widget=GovSubmitInput())


class _PasswordAndCode(FlaskForm):
    password = _confirm_password_field()
    code = _code_field("Code from your app")


class TurnOffForm(_PasswordAndCode):
    submit = SubmitField("Turn off two-factor sign-in", widget=GovSubmitInput())


class RegenerateCodesForm(_PasswordAndCode):
    submit = SubmitField("Make new recovery codes", widget=GovSubmitInput())


class _PasskeyAnswer(FlaskForm):
    """What static/js/passkeys.mjs posts back: the authenticator's answer as JSON, or why there is
    none (the person cancelled, the browser refused); both empty without JavaScript."""

    credential = HiddenField()   # its length is checked by psp.auth.passkeys
    problem = HiddenField()


class AddPasskeyForm(_PasskeyAnswer):
    name = text_field("Name for this passkey", "Enter a name for this passkey, like Work laptop", 60)
    submit = SubmitField("Add passkey", widget=GovSubmitInput())


class SignInPasskeyForm(_PasskeyAnswer):
    pass


class RemovePasskeyForm(FlaskForm):
    password = _confirm_password_field()
    submit = SubmitField("Remove passkey", widget=GovSubmitInput())
