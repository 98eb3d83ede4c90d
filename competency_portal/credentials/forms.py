"""Forms for asking for a credential, checking one, and bringing one in from another trust."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from competency_portal.models import CredentialKind
from competency_portal.services.staff_import import valid_email

MAX_CREDENTIAL_CHARS = 200_000


def _email(form, field) -> None:
    if field.data and not valid_email(field.data.strip().lower()):
        raise ValidationError("Enter an email address in the correct format, like name@example.nhs.uk")


class AskForm(FlaskForm):
    """Ask for a credential for one offer (the button next to it)."""

    kind = HiddenField(validators=[AnyOf([k.value for k in CredentialKind])])
    ref = HiddenField(validators=[DataRequired(), Length(max=80)])


class CredentialTextForm(FlaskForm):
    """A credential pasted as text or uploaded as a file."""

    credential = TextAreaField("Paste the credential", validators=[Length(max=MAX_CREDENTIAL_CHARS)])
    upload = FileField("Or upload the credential file")

    def token(self) -> str | None:
        """The credential's text, from the file if one was uploaded, else as pasted (None: neither given)."""
        if self.upload.data and getattr(self.upload.data, "filename", ""):
            raw = self.upload.data.read(MAX_CREDENTIAL_CHARS + 1)
            if len(raw) > MAX_CREDENTIAL_CHARS:
                self.upload.errors = ["The file is too large to be a credential"]
                return None
            return raw.decode("utf-8", "replace").strip()
        text = (self.credential.data or "").strip()
        if not text:
            self.credential.errors = ["Paste a credential, or choose a credential file"]
            return None
        return text


class VerifyForm(CredentialTextForm):
    """The public verification page's form."""

    email = StringField(
        "Email address of the person it was issued to (optional)",
        validators=[Optional(), _email, Length(max=254)],
    )


class ReceiveForm(CredentialTextForm):
    """Bring in a credential from another trust as evidence."""

    issued_to = StringField(
        "Email address it was issued to, if not the one you sign in with",
        validators=[Optional(), _email, Length(max=254)],
    )
