"""Recruitment views: shortlisting."""

from competency_portal.recruitment import bp  # noqa: F401
