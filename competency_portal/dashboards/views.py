"""Readiness dashboards and their data as CSV."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from competency_portal import charts, clock, exports, policy
from competency_portal.dashboards import bp
from competency_portal.extensions import db
from competency_portal.forms import id_arg
from competency_portal.models import Role, User
from competency_portal.services import background_work, dashboards


def _person_charts(readiness: dashboards.PersonReadiness) -> list[charts.Chart]:
    if readiness.result is None:
        return []
    return [charts.radar(readiness.result), charts.gaps_bar(readiness.result), charts.history_line(readiness.history)]


def _person_page(person: User):
    found = dashboards.person_dashboard(db.session, person, clock.today())
    result = found.readiness.result
    return render_template(
        "dashboards/person.html",
        person=person,
        result=result,
        charts=_person_charts(found.readiness),
        own=policy.is_own(current_user, person.id),
        role_title=found.role_title,
        training_rows=found.training_rows,
        **(_who_sets_roles() if result is None else {}),
    )


@bp.get("/dashboard")
@policy.rule(policy.SIGNED_IN)
def mine():
    """How ready I am for my target role."""
    return _person_page(current_user)


@bp.get("/people/<int:person_id>/dashboard")
@policy.rule(policy.SIGNED_IN)
def person(person_id: int):
    """A supervisee's (or, for administrators, anyone's) readiness."""
    return _person_page(policy.person_for(db.session, current_user, person_id, clock.today()))


def _csv(chart: charts.Chart, filename: str) -> Response:
    return Response(
        exports.csv_text(chart.headings, chart.rows),
        mimetype=exports.CSV_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/people/<int:person_id>/dashboard/<name>.csv")
@policy.rule(policy.SIGNED_IN)
def person_csv(person_id: int, name: str):
    """One of a person's charts, as CSV."""
    who = policy.person_for(db.session, current_user, person_id, clock.today())
    figures = _person_charts(dashboards.person_readiness(db.session, who, clock.today()))
    chart = next((c for c in figures if c.name == name), None) or abort(404)
    return _csv(chart, f"{name}-{who.id}.csv")


def _heatmap(readiness: dashboards.TeamReadiness) -> charts.Chart:
    return charts.team_heatmap(
        [p.name for p in readiness.measured],
        readiness.domains,
        readiness.shares,
        not_shown=[p.name for p in readiness.no_role],
    )


@bp.get("/team")
@policy.rule(policy.SUPERVISING)
def team():
    """My supervisees: readiness by domain, who is ready, what lapses soon, what waits for me."""
    today = clock.today()
    found = dashboards.team_dashboard(db.session, current_user, today)
    return render_template(
        "dashboards/team.html",
        people=found.readiness.people,
        results=found.readiness.results,
        heatmap=_heatmap(found.readiness),
        waiting=found.waiting,
        waiting_by=found.waiting_by,
        today=today,
        titles=found.titles,
        training=found.training,
        reviews=found.reviews,
        no_role=found.readiness.no_role,
        **_who_sets_roles(),
    )


def _who_sets_roles() -> dict:
    """Whether the signed-in person may set target roles, and if not, whom to ask."""
    if policy.can_set_target_role(current_user):
        return {"can_set_role": True, "administrators": []}
    return {"can_set_role": False, "administrators": policy.holders(db.session, Role.ADMIN)}


@bp.get("/team/heatmap.csv")
@policy.rule(policy.SUPERVISING)
def team_csv():
    """The team heatmap's data as CSV."""
    return _csv(_heatmap(dashboards.team_readiness(db.session, current_user, clock.today())), "team-readiness.csv")


def _gaps_chart(found: dashboards.OrganisationDashboard) -> charts.Chart:
    return charts.common_gaps(found.gaps, found.people)


@bp.get("/organisation")
@policy.rule(policy.ADMIN)
def organisation():
    """Training needs across the organisation: the most common gaps, and readiness by team."""
    team_id = id_arg(request.args.get("team"))
    found = dashboards.organisation_dashboard(db.session, team_id, clock.today())
    return render_template(
        "dashboards/organisation.html",
        chart=_gaps_chart(found),
        by_team=found.by_team,
        teams=found.teams,
        team_id=team_id,
        people=found.people,
        recomputing=background_work.readiness_recompute(db.session),
    )


@bp.get("/organisation/common-gaps.csv")
@policy.rule(policy.ADMIN)
def organisation_csv():
    """The most common gaps, as CSV."""
    found = dashboards.organisation_dashboard(db.session, id_arg(request.args.get("team")), clock.today())
    return _csv(_gaps_chart(found), "common-gaps.csv")
