"""Administering teams: every team and how many people are in it."""

from __future__ import annotations

from flask import render_template

from competency_portal import policy
from competency_portal.admin import bp
from competency_portal.extensions import db
from competency_portal.services import people_queries


@bp.get("/teams")
@policy.rule(policy.ADMIN)
def teams():
    """Teams and how many people are in each."""
    return render_template("admin/teams.html", teams=people_queries.teams_with_counts(db.session))
