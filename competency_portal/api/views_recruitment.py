"""Vacancies and their shortlists, for the people who lead them or sit on their panels (scope `recruitment`)."""

from __future__ import annotations

from flask_smorest import abort
from sqlalchemy import func, select

from competency_portal import clock, policy
from competency_portal.api import blp
from competency_portal.api.access import person as token_person
from competency_portal.api.schemas import ShortlistOut, VacancyOut
from competency_portal.extensions import db
from competency_portal.models import Application, User, Vacancy
from competency_portal.services import shortlist_board


def _vacancy(vacancy: Vacancy, viewer: User, applications: int) -> dict:
    return {
        "id": vacancy.id,
        "title": vacancy.title,
        "band": vacancy.band,
        "status": vacancy.status.value,
        "closing_on": vacancy.closing_on,
        "applications": applications,
        "role": "lead" if policy.is_vacancy_lead(viewer, vacancy) else "panel",
    }


@blp.route("/vacancies", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.response(200, VacancyOut(many=True))
@blp.paginate()
def vacancies(pagination_parameters):
    """The vacancies the token's person leads or sits on the panel of, newest closing date first."""
    viewer = token_person("recruitment")
    visible = select(Vacancy).where(Vacancy.id.in_(policy.visible_vacancies(viewer)))
    pagination_parameters.item_count = db.session.scalar(select(func.count()).select_from(visible.subquery()))
    page = visible.order_by(Vacancy.closing_on.desc(), Vacancy.id.desc())
    found = list(
        db.session.scalars(page.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size))
    )
    counts = dict(
        db.session.execute(
            select(Application.vacancy_id, func.count())
            .where(Application.vacancy_id.in_([v.id for v in found] or [0]))
            .group_by(Application.vacancy_id)
        ).all()
    )
    return [_vacancy(v, viewer, counts.get(v.id, 0)) for v in found]


@blp.route("/vacancies/<int:vacancy_id>/shortlist", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.response(200, ShortlistOut)
@blp.alt_response(403, description="Not yet: a panel member sees the shortlist once they have submitted their scores")
@blp.alt_response(404, description="No such vacancy, or not one the token's person leads or sits on the panel of")
def shortlist(vacancy_id: int):
    """The lead's decisions on each application, by reference, as the shortlist page shows them."""
    viewer = token_person("recruitment")
    vacancy = db.session.get(Vacancy, vacancy_id)
    if vacancy is None or not policy.can_see_vacancy(viewer, vacancy):
        abort(404, message="No such vacancy, or not one you lead or sit on the panel of.")
    if not policy.rights_on(viewer, vacancy).sees_scores:
        abort(403, message="You see the shortlist once you have submitted your own scores.")
    board = shortlist_board.load(db.session, vacancy)
    decided = [
        {
            "reference": a.reference,
            "outcome": board.decisions[a.id].outcome.value,
            "reason": board.decisions[a.id].reason,
            "decided_at": clock.as_utc(board.decisions[a.id].decided_at),
        }
        for a in board.applications
        if a.id in board.decisions
    ]
    return {
        "vacancy": _vacancy(vacancy, viewer, len(board.applications)),
        "agreed_at": clock.as_utc(vacancy.shortlist_agreed_at) if vacancy.shortlist_agreed_at else None,
        "decisions": decided,
        "undecided": len(board.applications) - len(decided),
    }
