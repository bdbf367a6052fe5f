"""Forms for documents and requests for other formats; rules needing the database are in services."""

from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField

from psp.documents.models import FORMATS
from psp.forms import Validator, choices, text_field


def _radios(label: str) -> RadioField:
    return RadioField(label, choices=[], widget=GovRadioInput(), validate_choice=False)


def _file_chosen(field: FileField) -> bool:
    return bool(getattr(field.data, "filename", ""))


class _Upload(FlaskForm):
    file = FileField("File", widget=GovFileInput())

    def _check_file(self) -> bool:
        if not _file_chosen(self.file) and not self.file.errors:
            self.file.errors = ["Select a file to upload"]
            return False
        return True


class DocumentForm(_Upload):
    title = text_field("Title", "Enter a title", 200)
    summary = text_field("Summary (optional)", None, 1000, area=True)
    category = _radios("What it is")
    audience = _radios("Who can see it")
    submit = SubmitField("Upload the document", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for field, message in ((self.category, "Select what the document is"),
                               (self.audience, "Select who can see the document")):
            if field.data not in {c.value for c in field.choices} and not field.errors:
                field.errors = [message]
                valid = False
        return self._check_file() and valid


class ReplaceForm(_Upload):
    submit = SubmitField("Upload the new version", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        return self._check_file() and valid


class FormatForm(FlaskForm):
    format = RadioField("Format you need", choices=choices(FORMATS.items()), widget=GovRadioInput(),
                        validate_choice=False)
    detail = text_field("Tell us more (optional for large print, Easy Read, audio and BSL)", None, 500)
    submit = SubmitField("Ask for this format", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.format.data not in FORMATS:
            self.format.errors = ["Select the format you need"]
            return False
        needs = {"language": "Enter the language you need", "other": "Enter the format you need"}
        if self.format.data in needs and not self.detail.data and not self.detail.errors:
            self.detail.errors = [needs[self.format.data]]
            valid = False
        return valid


class SentForm(FlaskForm):
    note = text_field("Note to the person (optional)", None, 1000, area=True)
    submit = SubmitField("Mark as sent", widget=GovSubmitInput())


class DeleteForm(FlaskForm):
    submit = SubmitField("Delete the document", widget=GovSubmitInput())
