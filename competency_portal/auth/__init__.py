"""Signing in and out."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from competency_portal.auth import views, views_api_tokens, views_data, views_oidc, views_two_factor  # noqa: E402,F401 - registers routes
