"""Reading a vacancy's shortlisting: its criteria, its panel, and the whole board at once.

`load` reads the board's inputs in a fixed number of queries, whatever the number of applications,
and hands them to the pure rules (`competency_portal.shortlisting`) to work out the shortlist.
The shortlist page reads less (`shortlist_page`); saving is in `panel_scores` and `shortlisting`.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload, selectinload

from competency_portal.models import (
    Application,
    Domain,
    Item,
    Moderation,
    Outcome,
    PanelMember,
    Score,
    ShortlistDecision,
    User,
    Vacancy,
)
from competency_portal.shortlisting.board import Board, assemble
from competency_portal.shortlisting.criteria import SpecCriterion, at_application


def spec_criteria(session: Session, spec_version_id: int) -> list[SpecCriterion]:
    """Every criterion of a person-specification version, in the document's order (one query)."""
    rows = session.execute(
        select(Item, Domain.title)
        .join(Domain, Domain.id == Item.domain_id)
        .where(Item.version_id == spec_version_id)
        .order_by(Domain.position, Item.position)
    ).all()
    return [
        SpecCriterion(
            item.id,
            item.code,
            item.statement,
            (item.requirement or "essential") == "essential",
            tuple(item.assessed_by or ()),
            domain,
        )
        for item, domain in rows
    ]


def application_criteria(session: Session, spec_version_id: int) -> list[SpecCriterion]:
    """The criteria the panel scores (assessed at application), in the document's order (one query)."""
    return at_application(spec_criteria(session, spec_version_id))


def panel(session: Session, vacancy_id: int) -> list[PanelMember]:
    """The vacancy's panel, the lead included, with their accounts (two queries)."""
    return list(
        session.scalars(
            select(PanelMember)
            .where(PanelMember.vacancy_id == vacancy_id)
            .options(selectinload(PanelMember.user))
            .order_by(PanelMember.id)
        )
    )


def panel_member(session: Session, vacancy_id: int, user_id: int) -> PanelMember | None:
    """This person's place on the vacancy's panel, or None."""
    return session.scalar(
        select(PanelMember).where(PanelMember.vacancy_id == vacancy_id, PanelMember.user_id == user_id)
    )


def own_counts(session: Session, vacancy_id: int, viewer_id: int, item_ids: list[int]) -> dict[int, int]:
    """Application id -> how many of the criteria `item_ids` this person has scored with a reason (one query).

    Only a score with its reason counts as scored (drafts may hold either alone).
    """
    in_vacancy = select(Application.id).where(Application.vacancy_id == vacancy_id)
    return dict(
        session.execute(
            select(Score.application_id, func.count())
            .where(
                Score.application_id.in_(in_vacancy),
                Score.scorer_id == viewer_id,
                Score.item_id.in_(item_ids),
                Score.value.is_not(None),
                Score.reason != "",
            )
            .group_by(Score.application_id)
        ).all()
    )


def load(session: Session, vacancy: Vacancy) -> Board:
    """The whole board for one vacancy in a fixed number of queries, with the shortlist worked out."""
    every = spec_criteria(session, vacancy.spec_version_id)
    # Answers are read for one application at a time (its score page), never for the whole board.
    applications = list(
        session.scalars(
            select(Application)
            .where(Application.vacancy_id == vacancy.id)
            .options(lazyload(Application.answers))
            .order_by(Application.reference)
        )
    )
    in_vacancy = select(Application.id).where(Application.vacancy_id == vacancy.id)
    # Scores as plain rows (attributes as on Score), read-only: tens of thousands of ORM objects
    # cost seconds on a large vacancy. Saving goes through `panel_scores.save_scores`, which loads its own.
    scores = list(
        session.execute(select(*Score.__table__.c).where(Score.application_id.in_(in_vacancy)).order_by(Score.id))
    )
    moderations = {
        (m.application_id, m.item_id): m
        for m in session.scalars(select(Moderation).where(Moderation.application_id.in_(in_vacancy)))
    }
    decisions: dict[int, ShortlistDecision] = {}
    for d in session.scalars(
        select(ShortlistDecision)
        .where(ShortlistDecision.application_id.in_(in_vacancy))
        .order_by(ShortlistDecision.decided_at, ShortlistDecision.id)
    ):
        decisions[d.application_id] = d  # a changed decision is a new row: the last one stands
    return assemble(vacancy, every, applications, panel(session, vacancy.id), scores, moderations, decisions)


def people(session: Session, ids: set[int]) -> dict[int, User]:
    """Users by id (for showing who moderated or decided), in one query."""
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids or {0})))}


def shortlisted(board: Board) -> list[Application]:
    """The applications the lead shortlisted, by reference."""
    return [
        a for a in board.applications if a.id in board.decisions and board.decisions[a.id].outcome == Outcome.SHORTLIST
    ]
