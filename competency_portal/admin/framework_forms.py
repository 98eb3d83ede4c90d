"""Forms for importing documents and reviewing draft frameworks."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from competency_portal.frameworks.schema import SLUG_PATTERN, STANDARD_ASSESSMENT_METHODS

METHOD_LABELS = {
    "application": "Application",
    "interview": "Interview",
    "test": "Test",
    "exercise": "Exercise or presentation",
    "references": "References",
    "registration_check": "Registration or certificate check",
}


class DocumentForm(FlaskForm):
    """Upload a job description or person specification."""

    file = FileField("Job description or person specification", validators=[FileRequired("Choose a document")])


class FilesForm(FlaskForm):
    """Upload framework files."""

    files = MultipleFileField("Framework files", validators=[DataRequired("Choose one or more files")])


class RevisionForm(FlaskForm):
    """A button that changes a draft: it names the revision it was pressed on."""

    revision = IntegerField(validators=[InputRequired()])


class ItemForm(RevisionForm):
    """One drafted item."""

    statement = TextAreaField("Item", validators=[DataRequired("Enter the item's words"), Length(max=5000)])
    domain = SelectField("Group", validate_choice=True)
    requirement = RadioField("Essential or desirable", choices=[("essential", "Essential"), ("desirable", "Desirable")])
    assessed_by = SelectMultipleField(
        "How it is assessed",
        choices=[(m, METHOD_LABELS[m]) for m in STANDARD_ASSESSMENT_METHODS],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    checked = BooleanField("I have looked at what the importer asked me to check")


class SplitForm(RevisionForm):
    """Split an item: one line per item."""

    parts = TextAreaField("Put each item on a line of its own", validators=[DataRequired("Enter the items")])


class GroupForm(RevisionForm):
    """Rename a group, or add one with its first item."""

    title = StringField("Group title", validators=[DataRequired("Enter a title"), Length(max=300)])
    first_item = TextAreaField("Its first item", validators=[Length(max=5000)])


class IdentityForm(RevisionForm):
    """What the drafted framework will be called, and whether it is a new version of a loaded one."""

    replaces = SelectField("Load it as", validate_choice=True)
    ident = StringField(
        "Framework id",
        validators=[
            DataRequired("Enter an id"),
            Length(max=80),
            Regexp(SLUG_PATTERN, message="Use lower-case letters, digits and hyphens, like cpn-band-6-duties"),
        ],
    )
    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=300)])
    version = StringField("Version label", validators=[DataRequired("Enter a version label"), Length(max=64)])
    organisation = StringField(
        "Organisation", validators=[DataRequired("Enter the organisation whose document it is"), Length(max=300)]
    )


class RoleForm(FlaskForm):
    """A role profile's name and description (the frameworks it needs arrive as include-/target- fields)."""

    revision = IntegerField(validators=[InputRequired()])
    ident = StringField(
        "Role profile id",
        validators=[
            DataRequired("Enter an id"),
            Length(max=80),
            Regexp(SLUG_PATTERN, message="Use lower-case letters, digits and hyphens, like cpn-band-6"),
        ],
    )
    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=300)])
    description = TextAreaField("Description", validators=[Length(max=5000)])


class RoleItemsForm(FlaskForm):
    """Per-item targets (they arrive as item-<code> fields)."""

    revision = IntegerField(validators=[InputRequired()])
