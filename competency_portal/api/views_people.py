"""The token's person, the people they may see, and readiness (scope `people`), by the pages' own policy."""

from __future__ import annotations

from datetime import date

from flask import g
from flask_smorest import abort
from sqlalchemy import func, select

from competency_portal import clock, policy
from competency_portal.api import blp
from competency_portal.api.access import caller
from competency_portal.api.access import person as token_person
from competency_portal.api.schemas import (
    MeOut,
    PeopleQuery,
    PersonOut,
    PersonTrainingOut,
    ReadinessOut,
    ReadinessQuery,
)
from competency_portal.extensions import db
from competency_portal.models import User
from competency_portal.services import api_reads, training


@blp.route("/me", methods=["GET"])
@policy.rule(policy.API)
@blp.response(200, MeOut)
def me():
    """Who the token acts for, what it may read, and when it expires."""
    found = caller()
    if found.user is None:
        abort(403, message="A reporting tool's token acts for no person.")
    user = found.user
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "scopes": found.scopes,
        "token_expires": clock.as_utc(found.token.expires_at),
    }


@blp.route("/people", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.arguments(PeopleQuery, location="query", as_kwargs=True)
@blp.response(200, PersonOut(many=True))
@blp.paginate()
def people(pagination_parameters, team: int | None = None):
    """The people the token's person may see (themself, their supervisees; everyone for an administrator)."""
    user = token_person("people")
    visible = policy.visible_people(db.session, user, clock.today())
    if team is not None:
        visible = visible.where(User.team_id == team)
    pagination_parameters.item_count = db.session.scalar(select(func.count()).select_from(visible.subquery()))
    page = (
        visible.order_by(User.name, User.id)
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    )
    return [api_reads.person(p) for p in db.session.scalars(page)]


@blp.route("/people/<int:person_id>/readiness", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.arguments(ReadinessQuery, location="query", as_kwargs=True)
@blp.response(200, ReadinessOut)
@blp.alt_response(404, description="No such person, or not one the token's person may see")
def readiness(person_id: int, as_of: date | None = None):
    """A person's readiness for their target role: overall, by domain, and the gaps, largest first."""
    user = token_person("people")
    today = clock.today()
    if (
        not policy.can_view_person(db.session, user, person_id, today)
        or (person := db.session.get(User, person_id)) is None
    ):
        abort(404, message="No such person, or not one you may see.")
    g.api_subject = person.id
    return api_reads.readiness(db.session, person, as_of or today)


@blp.route("/people/<int:person_id>/training", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.response(200, PersonTrainingOut)
@blp.alt_response(404, description="No such person, or not one the token's person may see")
def person_training(person_id: int):
    """A person's training today: each subject, their registration and DBS check, with its state and dates."""
    user = token_person("people")
    today = clock.today()
    if (
        not policy.can_view_person(db.session, user, person_id, today)
        or (found := db.session.get(User, person_id)) is None
    ):
        abort(404, message="No such person, or not one you may see.")
    g.api_subject = found.id
    status = training.statuses_for(db.session, [found], today)[found.id]
    return {
        "person": api_reads.person(found),
        "as_of": today,
        "requirements": [
            {
                "key": r.key,
                "title": r.title,
                "state": r.state.value,
                "completed_on": r.completed_on,
                "expires_on": r.expires_on,
            }
            for r in status.all_rows
        ],
    }
