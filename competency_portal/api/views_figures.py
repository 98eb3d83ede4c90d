"""The organisation's figures, by team (scope `figures`): for reporting tools and for administrators' tokens."""

from __future__ import annotations

from flask_smorest import abort

from competency_portal import clock, policy
from competency_portal.api import blp
from competency_portal.api.access import require
from competency_portal.api.schemas import FiguresOut, FiguresQuery
from competency_portal.extensions import db
from competency_portal.services import dashboards


@blp.route("/organisation/figures", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.arguments(FiguresQuery, location="query", as_kwargs=True)
@blp.response(200, FiguresOut)
def figures(team: int | None = None):
    """Readiness and training by team today, and the most common gaps, as the organisation view shows them."""
    found = require("figures")
    if found.user is not None and not policy.sees_organisation(found.user):
        abort(403, message="Only those who see the organisation view may read its figures.")
    today = clock.today()
    view = dashboards.organisation_dashboard(db.session, team, today)
    return {
        "as_of": today,
        "team": team,
        "people": view.people,
        "teams": [
            {
                "name": t.name,
                "people": t.people,
                "ready": t.ready,
                "share": round(t.share, 4),
                "training": {"red": t.training.red, "amber": t.training.amber, "green": t.training.green},
            }
            for t in view.by_team
        ],
        "gaps": [{"code": code, "statement": statement, "people": n} for code, statement, n in view.gaps],
    }
