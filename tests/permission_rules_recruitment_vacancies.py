"""Permission expectations for the recruitment_vacancies routes, merged into tests/test_permissions.py.

GET: endpoint -> {kind of user: expected outcome of a GET} (see test_permissions for the kinds and outcomes).
url_values(world): extra URL parameters for those routes (create what they point at, and commit).
post_cases(world): endpoint -> (url, form data, {kind: refusal outcome}, (allowed kind, status) or None).
"""

from __future__ import annotations

GET: dict[str, dict] = {}


def url_values(world) -> dict:
    """Extra URL parameters for the recruitment_vacancies routes."""
    return {}


def post_cases(world) -> dict:
    """Refusal cases for the recruitment_vacancies POST routes."""
    return {}
