"""A panel member's scores on a vacancy: saving drafts, and submitting them once all are in.

A member's scores are drafts, private to them, until they submit: a draft keeps whatever was typed
(a score without its reason, a reason without its score), and submitting needs a score and a reason
on every criterion of every application. Only submitted scores count towards the shortlist, and a
member sees the others' scores only once they have submitted their own. Submitted scores are final
(a member who has seen the others' scores cannot revise theirs). Every change is audited; the
caller commits or rolls back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from competency_portal.models import Application, PanelMember, Score, User, Vacancy
from competency_portal.services import audit, shortlisting
from competency_portal.services.shortlist_board import application_criteria, load, panel_member
from competency_portal.services.shortlisting import Conflict, IncompleteScores, ShortlistingError
from competency_portal.shortlisting.board import complete_count, missing_scores
from competency_portal.shortlisting.scores import REASON_MAX, SCORE_LABELS


def _scorer(session: Session, vacancy: Vacancy, scorer: User, submitted: str) -> PanelMember:
    # Through the module, as every shortlisting operation goes: the vacancy is locked and still open.
    shortlisting._open_for_shortlisting(vacancy)
    member = panel_member(session, vacancy.id, scorer.id)
    if member is None:
        raise ShortlistingError("Only members of the panel score applications.")
    if member.scores_submitted_at is not None:
        raise ShortlistingError(submitted)
    return member


def save_scores(
    session: Session,
    vacancy: Vacancy,
    scorer: User,
    application: Application,
    entries: dict[int, tuple[int | None, str]],
    now: datetime,
) -> int:
    """Save one member's draft scores for one application, as typed; returns how many changed.

    `entries` maps each criterion's item id to (score or None for not scored yet, reason). A
    draft keeps whatever was typed, a score without its reason or a reason without its score
    (so "save and come back" loses nothing); a criterion left wholly blank clears its draft.
    Both are needed on every criterion to submit (`submit_scores`). Every change is audited.
    """
    _scorer(session, vacancy, scorer, "You have submitted your scores; they can no longer change.")
    if application.vacancy_id != vacancy.id:
        raise ShortlistingError("That application is not for this vacancy.")
    valid = {c.item_id: c for c in application_criteria(session, vacancy.spec_version_id)}
    unknown = set(entries) - set(valid)
    if unknown:
        raise ShortlistingError("Only criteria assessed at application are scored.")
    for item_id, (value, reason) in entries.items():
        if value is not None and value not in SCORE_LABELS:
            raise ShortlistingError(f"Scores are 0 to 3 ({valid[item_id].code}).")
        if len(reason) > REASON_MAX:
            raise ShortlistingError(f"Keep the reason for {valid[item_id].code} to {REASON_MAX:,} characters or fewer.")
    existing = {
        s.item_id: s
        for s in session.scalars(
            select(Score).where(Score.application_id == application.id, Score.scorer_id == scorer.id)
        )
    }
    changed = 0
    for item_id, (value, reason) in sorted(entries.items()):
        reason = reason.strip()
        old = existing.get(item_id)
        code = valid[item_id].code
        detail = {"vacancy": vacancy.id, "application": application.reference, "criterion": code}
        if value is None and not reason:
            if old is None:
                continue
            session.delete(old)
            audit.record(
                session,
                actor_id=scorer.id,
                action="score_cleared",
                object_type="score",
                object_id=old.id,
                detail={**detail, "was": old.value},
            )
        else:
            if old is not None and old.value == value and old.reason == reason:
                continue
            if old is None:
                old = Score(
                    application_id=application.id,
                    item_id=item_id,
                    scorer_id=scorer.id,
                    value=value,
                    reason=reason,
                    scored_at=now,
                )
                session.add(old)
            else:
                old.value, old.reason, old.scored_at = value, reason, now
            try:
                session.flush()
            except IntegrityError:
                raise Conflict(
                    "These scores were saved from another window at the same moment. Nothing of yours was saved; "
                    "here is how they stand now."
                ) from None
            audit.record(
                session,
                actor_id=scorer.id,
                action="score_saved",
                object_type="score",
                object_id=old.id,
                detail={**detail, "value": value, "reason": reason},
            )
        changed += 1
    session.flush()
    return changed


def submit_scores(session: Session, vacancy: Vacancy, scorer: User, now: datetime) -> None:
    """Mark a member's scores as submitted, once every criterion of every application has a score and a reason."""
    member = _scorer(session, vacancy, scorer, "You have already submitted your scores.")
    board = load(session, vacancy)
    if not board.applications:
        raise ShortlistingError("There are no applications to score yet.")
    missing = missing_scores(board, scorer.id)
    if missing:
        raise IncompleteScores(
            f"Give every criterion of every application a score and a reason before you submit: "
            f"{len(missing)} still to do.",
            missing,
        )
    scored = complete_count(board, scorer.id)
    done = session.execute(
        update(PanelMember)
        .where(PanelMember.id == member.id, PanelMember.scores_submitted_at.is_(None))
        .values(scores_submitted_at=now)
    )
    if done.rowcount != 1:
        raise Conflict("Your scores were submitted from another window at the same moment.")
    session.expire(member)
    audit.record(
        session,
        actor_id=scorer.id,
        action="scores_submitted",
        object_type="vacancy",
        object_id=vacancy.id,
        detail={"applications": len(board.applications), "criteria": len(board.criteria), "scores": scored},
    )
