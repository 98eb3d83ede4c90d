"""The item search form."""

from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.validators import Length, Optional

from competency_portal.services.catalogue import MAX_QUERY_LENGTH


class SearchForm(FlaskForm):
    """Search across every item of the current frameworks (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = SearchField(
        "Search framework items",
        validators=[Optional(), Length(max=MAX_QUERY_LENGTH, message=f"Enter {MAX_QUERY_LENGTH} characters or fewer")],
    )
