"""Readiness dashboards and their data as CSV."""

from __future__ import annotations

from collections import Counter

from flask import Response, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from competency_portal import charts, clock, exports, policy
from competency_portal.dashboards import bp
from competency_portal.extensions import db
from competency_portal.forms import id_arg
from competency_portal.models import User
from competency_portal.readiness import data
from competency_portal.services import people as people_service
from competency_portal.services import signoff, training_rules
from competency_portal.services import training as training_service


def _person_charts(person: User):
    result, over_time = data.readiness_with_history(db.session, person, clock.today())
    if result is None:
        return None, []
    return result, [charts.radar(result), charts.gaps_bar(result), charts.history_line(over_time)]


def _visible_person(person_id: int) -> User:
    person = db.session.get(User, person_id) or abort(404)
    policy.require(policy.can_view_person(db.session, current_user, person.id, clock.today()))
    return person


@bp.get("/dashboard")
@policy.rule(policy.SIGNED_IN)
def mine():
    """How ready I am for my target role."""
    result, figures = _person_charts(current_user)
    return render_template(
        "dashboards/person.html",
        person=current_user,
        result=result,
        charts=figures,
        own=True,
        role_title=_role_title(current_user),
        training_rows=_training_rows(current_user),
        **(_who_sets_roles() if result is None else {}),
    )


@bp.get("/people/<int:person_id>/dashboard")
@policy.rule(policy.SIGNED_IN)
def person(person_id: int):
    """A supervisee's (or, for administrators, anyone's) readiness."""
    who = _visible_person(person_id)
    result, figures = _person_charts(who)
    return render_template(
        "dashboards/person.html",
        person=who,
        result=result,
        charts=figures,
        own=who.id == current_user.id,
        role_title=_role_title(who),
        training_rows=_training_rows(who),
        **(_who_sets_roles() if result is None else {}),
    )


def _training_rows(person: User):
    return training_service.statuses_for(db.session, [person], clock.today())[person.id].all_rows


def _role_title(person: User) -> str | None:
    if not person.target_role:
        return None
    return data.role_titles(db.session, {person.target_role}).get(person.target_role, person.target_role)


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
    who = _visible_person(person_id)
    _, figures = _person_charts(who)
    chart = next((c for c in figures if c.name == name), None) or abort(404)
    return _csv(chart, f"{name}-{who.id}.csv")


def _team(today):
    """My supervisees, their readiness, and the heatmap of those with a target role (naming those without)."""
    people = db.session.scalars(
        select(User)
        .where(User.id.in_(policy.supervisees(db.session, current_user.id, today)), User.active.is_(True))
        .order_by(User.name)
    ).all()
    results = data.readiness_for(db.session, people, today)
    measured = [p for p in people if p.id in results]
    domains: list[tuple[str, str]] = []
    for r in results.values():
        for d in r.domains:
            if (d.framework, d.domain) not in domains:
                domains.append((d.framework, d.domain))
    shares = []
    for p in measured:
        by = {(d.framework, d.domain): d.share for d in results[p.id].domains}
        shares.append([by.get(k) for k in domains])
    heatmap = charts.team_heatmap(
        [p.name for p in measured], domains, shares, not_shown=[p.name for p in people if p.id not in results]
    )
    return people, results, heatmap


@bp.get("/team")
@policy.rule(policy.SUPERVISING)
def team():
    """My supervisees: readiness by domain, who is ready, what lapses soon, what waits for me."""
    today = clock.today()
    people, results, heatmap = _team(today)
    waiting = signoff.queue(db.session, current_user, today)
    titles = data.role_titles(db.session, {p.target_role for p in people if p.target_role})
    statuses = training_service.statuses_for(db.session, people, today)
    training = {pid: training_rules.summary_counts(s.all_rows) for pid, s in statuses.items()}
    # Counted once here: filtering the whole queue for each person in the template was quadratic.
    waiting_by = Counter(row.owner.id for row in waiting)
    return render_template(
        "dashboards/team.html",
        people=people,
        results=results,
        heatmap=heatmap,
        waiting=waiting,
        waiting_by=waiting_by,
        today=today,
        titles=titles,
        training=training,
        reviews=_last_reviews([p.id for p in people]),
        no_role=[p for p in people if p.id not in results],
        **_who_sets_roles(),
    )


def _who_sets_roles() -> dict:
    """Whether the signed-in person may set target roles, and if not, whom to ask."""
    if policy.can_set_target_role(current_user):
        return {"can_set_role": True, "administrators": []}
    return {"can_set_role": False, "administrators": people_service.administrators(db.session)}


def _last_reviews(person_ids: list[int]) -> dict:
    """Each person's last signed appraisal date (one query); a review is overdue 12 months after it."""
    from sqlalchemy import func

    from competency_portal.models import Appraisal, AppraisalState

    if not person_ids:
        return {}
    rows = db.session.execute(
        select(Appraisal.user_id, func.max(Appraisal.signed_by_appraiser_at))
        .where(Appraisal.user_id.in_(person_ids), Appraisal.state == AppraisalState.SIGNED)
        .group_by(Appraisal.user_id)
    ).all()
    return {pid: when.date() if when else None for pid, when in rows}


@bp.get("/team/heatmap.csv")
@policy.rule(policy.SUPERVISING)
def team_csv():
    """The team heatmap's data as CSV."""
    return _csv(_team(clock.today())[2], "team-readiness.csv")


def _organisation(team_id: int | None):
    """The organisation view's figures, from the precomputed readiness facts (a fixed number of queries)."""
    from competency_portal.models import Team
    from competency_portal.readiness import rollup

    today = clock.today()
    stmt = (
        select(User.id, User.target_role, Team.name.label("team_name"))
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.active.is_(True), User.target_role.is_not(None))
    )  # no order: only per-team figures are shown
    who = select(User.id).where(User.active.is_(True), User.target_role.is_not(None))
    if team_id:
        stmt, who = stmt.where(User.team_id == team_id), who.where(User.team_id == team_id)
    people = db.session.execute(stmt).all()  # rows with .id and .target_role, all the training rules need
    roles = {slug: data.requirements(db.session, slug) for slug in sorted({p.target_role for p in people})}
    statements = {r.key: r.statement for required in roles.values() for r in required}
    found = rollup.counts(db.session, today, who)
    ranked = sorted(found.gaps.items(), key=lambda kv: (-kv[1], kv[0]))
    chart = charts.common_gaps([(key[1], statements.get(key, key[1]), n) for key, n in ranked], len(people))
    training = training_service.counts_by_group(db.session, people, lambda p: p.team_name or "No team", today, who)
    teams: dict[str, list[tuple[bool, float]]] = {}
    for p in people:
        required, met = len(roles[p.target_role]), found.met.get(p.id, 0)
        teams.setdefault(p.team_name or "No team", []).append(
            (required > 0 and met == required, met / required if required else 0.0)
        )
    by_team = [
        (
            name,
            len(rs),
            sum(ready for ready, _ in rs),
            sum(share for _, share in rs) / len(rs),
            training.get(name, training_rules.Counts()),
        )
        for name, rs in sorted(teams.items())
    ]
    all_teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    return chart, by_team, all_teams, len(people)


@bp.get("/organisation")
@policy.rule(policy.ADMIN)
def organisation():
    """Training needs across the organisation: the most common gaps, and readiness by team."""
    from flask import request

    team_id = id_arg(request.args.get("team"))
    chart, by_team, teams, people = _organisation(team_id)
    return render_template(
        "dashboards/organisation.html", chart=chart, by_team=by_team, teams=teams, team_id=team_id, people=people
    )


@bp.get("/organisation/common-gaps.csv")
@policy.rule(policy.ADMIN)
def organisation_csv():
    """The most common gaps, as CSV."""
    from flask import request

    return _csv(_organisation(id_arg(request.args.get("team")))[0], "common-gaps.csv")
