"""The catalogue of frameworks: lists, framework and item pages, search, role profiles."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__, template_folder="templates")

from competency_portal.catalogue import views, views_case  # noqa: E402,F401 - registers routes
