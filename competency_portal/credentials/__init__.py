"""Open Badges 3.0 credentials: asking for one, the public verification page and API, the issuer's keys and list."""

from flask import Blueprint

bp = Blueprint("credentials", __name__, template_folder="templates")

from competency_portal.credentials import views, views_public, views_receive  # noqa: E402,F401 - registers routes
