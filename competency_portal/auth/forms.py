"""The sign-in, two-factor and API token forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from competency_portal.models import ApiScope


class SignInForm(FlaskForm):
    """Email address and password."""

    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Enter an email address of 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=200, message="Enter a password of 200 characters or fewer"),
        ],
    )


class SignOutForm(FlaskForm):
    """Confirms signing out (a form, so that it carries a CSRF token)."""


class CodeForm(FlaskForm):
    """A code from an authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        validators=[
            DataRequired("Enter the 6-digit code from your authenticator app, or a recovery code"),
            Length(max=40, message="Enter a code of 40 characters or fewer"),
        ],
    )


class ApiTokenForm(FlaskForm):
    """Make a personal access token for the JSON API."""

    name = StringField(
        "What the token is for",
        validators=[
            DataRequired("Say what the token is for, such as the report that uses it"),
            Length(max=100, message="Use 100 characters or fewer"),
        ],
    )
    scopes = SelectMultipleField(
        "What it may read",
        choices=[(s.value, s.label) for s in ApiScope],
        validators=[DataRequired("Choose what the token may read")],
    )
    days = SelectField(
        "How long it lasts",
        choices=[("30", "30 days"), ("90", "90 days"), ("365", "A year")],
        default="90",
        validators=[AnyOf(["30", "90", "365"], message="Choose how long the token lasts")],
    )
