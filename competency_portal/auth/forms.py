"""The sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


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
