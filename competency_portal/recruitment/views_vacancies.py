"""Recruitment views: vacancies."""

from competency_portal.recruitment import bp  # noqa: F401
