"""Views for the training blueprint."""

from competency_portal.training import bp  # noqa: F401
