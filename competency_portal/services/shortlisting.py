"""Shortlisting a vacancy: the lead moderates, decides and agrees the shortlist.

The panel's own scores are saved by `panel_scores`; the arithmetic is in the pure package
`competency_portal.shortlisting`; the board is read by `shortlist_board`. Every moderation and
decision is audited. Operations change the session and raise `ShortlistingError` (in words for the
person) when they refuse; the caller commits or rolls back.

Rules kept here:

- Only the lead moderates, decides and agrees the shortlist, and only once they see the panel's
  scores (their own submitted, if they score). Candidates' names and contact details are for
  nobody on the panel until the shortlist is agreed.
- Scoring, moderating and deciding happen only while the vacancy is shortlisting and the shortlist
  is not yet agreed (`_open_for_shortlisting`, which every operation, scoring included, goes through).
- Two people recording the same moderation at once: the unique constraint on (application,
  criterion) lets exactly one insert win; the other is told. Agreeing the shortlist goes through
  the vacancy's version counter, so two agreements cannot both pass their checks.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from competency_portal import policy
from competency_portal.models import (
    Application,
    InvalidTransition,
    Moderation,
    Outcome,
    ShortlistDecision,
    User,
    Vacancy,
    VacancyStatus,
)
from competency_portal.services import audit
from competency_portal.services.shortlist_board import load, panel_member
from competency_portal.shortlisting.board import Missing
from competency_portal.shortlisting.scores import DECISION_REASON_MAX, MODERATION_SPREAD, SCORE_LABELS
from competency_portal.text import plural


class ShortlistingError(Exception):
    """What the person asked for cannot be done; the message says why."""


class Conflict(ShortlistingError):
    """Someone else did the same thing first; nothing of this request was saved."""


class IncompleteScores(ShortlistingError):
    """Submission refused: some criteria still lack a score or a reason (`missing` says which)."""

    def __init__(self, message: str, missing: list[Missing]):
        super().__init__(message)
        self.missing = missing


def _open_for_shortlisting(vacancy: Vacancy) -> None:
    # Lock the vacancy row (PostgreSQL) and re-read it, so a score, moderation or decision cannot
    # slip in after the shortlist is agreed in a transaction running at the same moment.
    object_session(vacancy).refresh(vacancy, with_for_update=True)
    if vacancy.status != VacancyStatus.SHORTLISTING:
        raise ShortlistingError(
            f"This vacancy is {vacancy.status.value}: shortlisting happens while it is shortlisting."
        )
    if vacancy.names_visible:
        raise ShortlistingError(
            "The shortlist has been agreed: scores, moderations and decisions can no longer change."
        )


def _lead_ready(session: Session, vacancy: Vacancy, lead: User, what: str) -> None:
    if not policy.is_vacancy_lead(lead, vacancy):
        raise ShortlistingError(f"Only the lead for this vacancy {what}.")
    _open_for_shortlisting(vacancy)
    member = panel_member(session, vacancy.id, lead.id)
    if member is not None and member.scores_submitted_at is None:
        raise ShortlistingError("Submit your own scores first: you see the panel's scores once yours are in.")


def _existing_moderation(session: Session, application_id: int, item_id: int) -> Moderation | None:
    return session.scalar(
        select(Moderation).where(Moderation.application_id == application_id, Moderation.item_id == item_id)
    )


def _checked_reason(reason: str | None, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ShortlistingError(missing)
    if len(reason) > DECISION_REASON_MAX:
        raise ShortlistingError(f"Keep the reason to {DECISION_REASON_MAX:,} characters or fewer.")
    return reason


def moderate(
    session: Session,
    vacancy: Vacancy,
    lead: User,
    application: Application,
    item_id: int,
    value: int,
    reason: str,
    now: datetime,
) -> Moderation:
    """Record the agreed score (and why) for a criterion the panel disagreed on by 2 or more."""
    _lead_ready(session, vacancy, lead, "records agreed scores")
    if application.vacancy_id != vacancy.id:
        raise ShortlistingError("That application is not for this vacancy.")
    if value not in SCORE_LABELS:
        raise ShortlistingError("Choose the agreed score, 0 to 3.")
    reason = _checked_reason(reason, "Say why the panel agreed this score.")
    board = load(session, vacancy)
    criterion = next((c for c in board.criteria if c.item_id == item_id), None)
    if criterion is None:
        raise ShortlistingError("That criterion is not scored at application.")
    taken = _existing_moderation(session, application.id, item_id)
    if taken is not None:
        raise Conflict(
            f"The agreed score for {criterion.code} on {application.reference} has already been recorded "
            f"({taken.value}: {SCORE_LABELS[taken.value]}). Nothing of yours was saved."
        )
    if not board.everyone_submitted:
        raise ShortlistingError("Moderate once every panel member has submitted their scores.")
    result = board.result(application.id)
    if result is None or result.cells[item_id].spread < MODERATION_SPREAD:
        raise ShortlistingError(
            f"The panel's scores for {criterion.code} on {application.reference} do not differ by 2 or more: "
            "there is nothing to moderate."
        )
    moderation = Moderation(
        application_id=application.id,
        item_id=item_id,
        value=value,
        reason=reason,
        moderated_by_id=lead.id,
        moderated_at=now,
    )
    which = f"{criterion.code} on {application.reference}"  # read now: a failed flush expires the session
    session.add(moderation)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            f"Someone else recorded the agreed score for {which} at the same moment, and theirs was saved first. "
            "Nothing of yours was saved; here is how it stands now."
        ) from None
    audit.record(
        session,
        actor_id=lead.id,
        action="score_moderated",
        object_type="moderation",
        object_id=moderation.id,
        detail={
            "vacancy": vacancy.id,
            "application": application.reference,
            "criterion": criterion.code,
            "panel_scores": dict(sorted((str(k), v) for k, v in result.cells[item_id].scores.items())),
            "value": value,
            "reason": reason,
        },
    )
    return moderation


def decide(
    session: Session,
    vacancy: Vacancy,
    lead: User,
    application: Application,
    outcome: Outcome,
    reason: str,
    now: datetime,
) -> ShortlistDecision:
    """The lead's decision on one application, with the reason (a changed decision is a new record)."""
    _lead_ready(session, vacancy, lead, "decides on applications")
    if application.vacancy_id != vacancy.id:
        raise ShortlistingError("That application is not for this vacancy.")
    reason = _checked_reason(reason, "Give the reason for the decision.")
    board = load(session, vacancy)
    if not board.everyone_submitted:
        raise ShortlistingError("Decide once every panel member has submitted their scores.")
    result = board.result(application.id)
    if result is None or any(c.needs_moderation for c in result.cells.values()):
        raise ShortlistingError(
            f"Record the agreed score for every flagged criterion of {application.reference} before deciding."
        )
    decision = ShortlistDecision(
        application_id=application.id, outcome=outcome, reason=reason, decided_by_id=lead.id, decided_at=now
    )
    session.add(decision)
    session.flush()
    previous = board.decisions.get(application.id)
    audit.record(
        session,
        actor_id=lead.id,
        action="shortlist_decision",
        object_type="application",
        object_id=application.id,
        detail={
            "vacancy": vacancy.id,
            "application": application.reference,
            "outcome": outcome.value,
            "reason": reason,
            "rank": result.rank,
            "meets_essentials": not result.fails_essentials,
            "replaces": previous.outcome.value if previous else None,
        },
    )
    return decision


def agree(session: Session, vacancy: Vacancy, lead: User, now: datetime) -> None:
    """Fix the shortlist: every application decided and nothing left to moderate. Names are shown from now on."""
    _lead_ready(session, vacancy, lead, "agrees the shortlist")
    board = load(session, vacancy)
    if not board.applications:
        raise ShortlistingError("There are no applications to shortlist.")
    if not board.everyone_submitted:
        waiting = [m.user.name for m in board.panel if m.scores_submitted_at is None]
        raise ShortlistingError(f"Waiting for scores from {', '.join(waiting)}.")
    flagged = len(board.flags())
    if flagged:
        raise ShortlistingError(
            f"{plural(flagged, 'flagged score')} still {'needs' if flagged == 1 else 'need'} an agreed score."
        )
    undecided = board.undecided()
    if undecided:
        raise ShortlistingError(
            f"Decide on every application first: {', '.join(a.reference for a in undecided)} "
            f"still {'needs' if len(undecided) == 1 else 'need'} a decision."
        )
    try:
        vacancy.agree_shortlist(now)
        session.flush()
    except InvalidTransition as exc:
        raise ShortlistingError(str(exc)) from None
    except StaleDataError:
        raise Conflict(
            "The vacancy was changed by someone else at the same moment. Nothing was saved; here is how it stands now."
        ) from None
    counts = Counter(d.outcome.value for d in board.decisions.values())
    audit.record(
        session,
        actor_id=lead.id,
        action="shortlist_agreed",
        object_type="vacancy",
        object_id=vacancy.id,
        detail={"applications": len(board.applications), **dict(sorted(counts.items()))},
    )
