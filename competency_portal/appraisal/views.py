"""Views for the appraisal blueprint."""

from competency_portal.appraisal import bp  # noqa: F401
