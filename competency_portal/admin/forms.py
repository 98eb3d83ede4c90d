"""Forms for administering people, supervision, the staff import and the audit trail."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from competency_portal.models import ClientScope, PasswordSignIn, Role
from competency_portal.services import people
from competency_portal.services.staff_import import valid_email

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]


class DatePartsField(Field):
    """A date entered as day, month and year (inputs named <name>-day, -month, -year)."""

    PARTS = ("day", "month", "year")

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data
        self.raw_data = []
        self.parts = self._parts_of(data)
        if formdata is not None and any(f"{self.name}-{p}" in formdata for p in self.PARTS):
            self.parts = {p: (formdata.get(f"{self.name}-{p}") or "").strip()[:8] for p in self.PARTS}
            self.raw_data = [self.parts[p] for p in self.PARTS]
            self.data = None
            if not any(self.raw_data):
                return
            if not all(self.raw_data):
                missing = [p for p in self.PARTS if not self.parts[p]]
                self.process_errors.append(f"The date must include a {' and '.join(missing)}")
                return
            try:
                self.data = date(int(self.parts["year"]), int(self.parts["month"]), int(self.parts["day"]))
            except ValueError:
                self.process_errors.append("Enter a real date, for example 27 3 2026")

    @staticmethod
    def _parts_of(value) -> dict[str, str]:
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return {"day": "", "month": "", "year": ""}

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, date) else ""


class RolesField(SelectMultipleField):
    """Checkboxes of the four roles."""

    def pre_validate(self, form):
        known = {c.value for c in ROLE_CHOICES}
        for value in self.data or []:
            if value not in known:
                raise ValidationError("Choose roles from the list")


def _int_or_none(value):
    """An id from a select, or None for the blank choice."""
    if value is None or value == "":
        return None
    return int(value)


def _email_check(form, field):
    if field.data and not valid_email(people.normalise_email(field.data)):
        raise ValidationError("Enter an email address in the correct format, like name@example.nhs.uk")


def _at_least_one(form, field):
    if not field.data:
        raise ValidationError("Select at least one role")


def _password_check(form, field):
    if field.data:
        problem = people.password_problem(field.data)
        if problem:
            raise ValidationError(problem)


class PersonForm(FlaskForm):
    """A person's details and roles."""

    name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter the person’s full name"),
            Length(max=120, message="Enter a name of 120 characters or fewer"),
        ],
    )
    email = StringField(
        "Email address",
        validators=[
            DataRequired("Enter the person’s email address"),
            Length(max=254, message="Enter an email address of 254 characters or fewer"),
            _email_check,
        ],
    )
    job_title = StringField(
        "Job title (optional)",
        validators=[Optional(), Length(max=120, message="Enter a job title of 120 characters or fewer")],
    )
    band = StringField(
        "Band (optional)", validators=[Optional(), Length(max=40, message="Enter a band of 40 characters or fewer")]
    )
    team = StringField(
        "Team (optional)",
        validators=[Optional(), Length(max=120, message="Enter a team name of 120 characters or fewer")],
    )
    target_role = SelectField(
        "Target role", choices=[SelectChoice("", "No target role")], default="", validate_choice=True
    )
    roles = RolesField("Roles", choices=ROLE_CHOICES, validators=[_at_least_one])


class NewPersonForm(PersonForm):
    """A new person, with an optional first password."""

    password = PasswordField("Password (optional)", validators=[Optional(), _password_check])


class EditPersonForm(PersonForm):
    """A person's details, roles and whether they may sign in."""

    active = BooleanField("Active: this person can sign in")


class PasswordForm(FlaskForm):
    """A new password set by an administrator."""

    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password"), _password_check])


class SupervisionForm(FlaskForm):
    """Assign a supervisor."""

    supervisor_id = SelectField("Supervisor", coerce=_int_or_none, choices=[], validate_choice=False)
    starts_on = DatePartsField("Start date", default=None)

    def validate_supervisor_id(self, field):
        if not field.data or str(field.data) not in {c.value for c in field.choices}:
            raise ValidationError("Choose a supervisor from the list")

    def validate_starts_on(self, field):
        if field.data is None and not field.process_errors:
            raise ValidationError("Enter the start date")


class ActionForm(FlaskForm):
    """A button that changes something (a form only to carry the CSRF token)."""


class PeopleFilterForm(FlaskForm):
    """Filter the people list (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(
        "Name or email contains", validators=[Optional(), Length(max=100, message="Enter 100 characters or fewer")]
    )
    team = SelectField("Team", choices=[SelectChoice("", "All teams")], default="", validate_choice=True)
    role = SelectField("Role", choices=[SelectChoice("", "All roles")] + ROLE_CHOICES, default="", validate_choice=True)


class ImportForm(FlaskForm):
    """Upload a staff CSV."""

    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload")])


class ConfirmImportForm(FlaskForm):
    """Confirm an import previewed earlier."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$", message="That upload is not known")])


class AuditFilterForm(FlaskForm):
    """Filter the audit trail (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    person = StringField(
        "Person’s email address", validators=[Optional(), Length(max=254, message="Enter 254 characters or fewer")]
    )
    object_type = SelectField("Object type", choices=[SelectChoice("", "Any")], default="", validate_choice=True)
    object_id = StringField(
        "Object id", validators=[Optional(), Length(max=80, message="Enter 80 characters or fewer")]
    )


class PasswordSignInForm(FlaskForm):
    """Who may sign in with a portal password while an identity provider is configured."""

    mode = RadioField(
        "Who may sign in with a password",
        choices=[(mode.value, mode.label) for mode in PasswordSignIn],
        validators=[DataRequired("Choose who may sign in with a password")],
    )


class ApiClientForm(FlaskForm):
    """Register a reporting tool for the API."""

    name = StringField(
        "Name of the reporting tool",
        validators=[DataRequired("Name the reporting tool"), Length(max=100, message="Use 100 characters or fewer")],
    )
    scopes = SelectMultipleField(
        "What it may read",
        choices=[(s.value, s.label) for s in ClientScope],
        validators=[DataRequired("Choose what the tool may read")],
    )


class TryAgainForm(FlaskForm):
    """Try a failed background job again (the button carries only the CSRF token)."""
