"""Shortlisting a vacancy: panel scores, moderation, the lead's decisions and agreeing the shortlist.

The arithmetic (agreed scores, moderation flags, essential gates, ranking with ties) lives in the
pure module `competency_portal.recruitment.shortlist`; this module loads its inputs in a fixed
number of queries, whatever the number of applications, and saves what the panel does, with an
audit record for every score, moderation and decision.

Rules kept here:

- Only panel members (and the lead) see a vacancy's shortlisting; only the lead moderates, decides
  and agrees the shortlist. Candidates' names and contact details are for nobody on the panel until
  the shortlist is agreed.
- A member's scores are drafts, private to them, until they submit: a draft keeps whatever was
  typed (a score without its reason, a reason without its score), and submitting needs a score
  and a reason on every criterion of every application. Only submitted scores count towards the shortlist, and a member sees the others' scores only once they have submitted their
  own. Submitted scores are final (a member who has seen the others' scores cannot revise theirs).
- Scoring, moderating and deciding happen only while the vacancy is shortlisting and the shortlist
  is not yet agreed.
- Two people recording the same moderation at once: the unique constraint on (application,
  criterion) lets exactly one insert win; the other is told. Agreeing the shortlist goes through
  the vacancy's version counter, so two agreements cannot both pass their checks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload, object_session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from competency_portal.models import (
    Application,
    Domain,
    InvalidTransition,
    Item,
    Moderation,
    Outcome,
    PanelMember,
    Score,
    ShortlistDecision,
    User,
    Vacancy,
    VacancyStatus,
)
from competency_portal.models.recruitment import is_complete
from competency_portal.recruitment.shortlist import (
    MODERATION_SPREAD,
    SCORE_LABELS,
    Candidate,
    Criterion,
    Result,
    shortlist,
    tied,
)
from competency_portal.services import audit
from competency_portal.text import plural

APPLICATION_METHOD = "application"
INTERVIEW_METHODS = ("interview", "test", "exercise")
REASON_MAX = 1000
DECISION_REASON_MAX = 2000


class ShortlistingError(Exception):
    """What the person asked for cannot be done; the message says why."""


class Conflict(ShortlistingError):
    """Someone else did the same thing first; nothing of this request was saved."""


# -- who may see what --------------------------------------------------------------------


def panel_member(session: Session, vacancy_id: int, user_id: int) -> PanelMember | None:
    """This person's place on the vacancy's panel, or None."""
    return session.scalar(
        select(PanelMember).where(PanelMember.vacancy_id == vacancy_id, PanelMember.user_id == user_id)
    )


def can_see(vacancy: Vacancy, member: PanelMember | None, user_id: int) -> bool:
    """Panel members and the lead see a vacancy's shortlisting; nobody else does."""
    return member is not None or vacancy.lead_id == user_id


def is_lead(vacancy: Vacancy, user_id: int) -> bool:
    """Whether this person leads the vacancy (moderates, decides, agrees the shortlist)."""
    return vacancy.lead_id == user_id


# -- loading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecCriterion:
    """A person-specification criterion with how it is assessed."""

    item_id: int
    code: str
    statement: str
    essential: bool
    assessed_by: tuple[str, ...]
    domain: str

    @property
    def requirement(self) -> str:
        return "Essential" if self.essential else "Desirable"

    def as_rule(self) -> Criterion:
        return Criterion(self.item_id, self.code, self.statement, self.essential)


@dataclass
class Board:
    """Everything about a vacancy's shortlisting, loaded at once."""

    vacancy: Vacancy
    criteria: list[SpecCriterion]  # assessed at application: scored by the panel
    interview_criteria: list[SpecCriterion]  # assessed at interview, test or exercise
    applications: list[Application]  # by reference
    panel: list[PanelMember]
    scores: list[Score]  # every saved score, drafts included (filter with `visible_scores`)
    moderations: dict[tuple[int, int], Moderation]
    decisions: dict[int, ShortlistDecision]  # application id -> the latest decision
    results: list[Result] = field(default_factory=list)
    ties: set[int] = field(default_factory=set)

    @property
    def submitted_ids(self) -> set[int]:
        return {m.user_id for m in self.panel if m.scores_submitted_at is not None}

    @property
    def everyone_submitted(self) -> bool:
        return bool(self.panel) and all(m.scores_submitted_at is not None for m in self.panel)

    def member(self, user_id: int) -> PanelMember | None:
        return next((m for m in self.panel if m.user_id == user_id), None)

    # Lookups by id go through dictionaries built once: pages ask for every one of hundreds of
    # applications, and a scan per question made the shortlist quadratic in applications.
    @cached_property
    def _results_by_id(self) -> dict[int, Result]:
        return {r.candidate.application_id: r for r in self.results}

    @cached_property
    def _applications_by_id(self) -> dict[int, Application]:
        return {a.id: a for a in self.applications}

    @cached_property
    def _scores_by_application(self) -> dict[int, list[Score]]:
        found: dict[int, list[Score]] = {}
        for s in self.scores:
            found.setdefault(s.application_id, []).append(s)
        return found

    def result(self, application_id: int) -> Result | None:
        return self._results_by_id.get(application_id)

    def application(self, application_id: int) -> Application | None:
        return self._applications_by_id.get(application_id)

    def own_scores(self, user_id: int, application_id: int | None = None) -> dict[tuple[int, int], Score]:
        """(application id, item id) -> this person's score (draft or submitted)."""
        scores = self.scores if application_id is None else self._scores_by_application.get(application_id, [])
        return {(s.application_id, s.item_id): s for s in scores if s.scorer_id == user_id}

    def submitted_scores(self, application_id: int) -> dict[int, list[Score]]:
        """item id -> the submitted scores (every member who has submitted) for one application."""
        done = self.submitted_ids
        out: dict[int, list[Score]] = {}
        for s in self._scores_by_application.get(application_id, []):
            if s.scorer_id in done:
                out.setdefault(s.item_id, []).append(s)
        return out

    def flags(self) -> list[tuple[Result, SpecCriterion]]:
        """Every (application, criterion) waiting for the lead to moderate."""
        return [(r, c) for r in self.results for c in self.criteria if r.cells[c.item_id].needs_moderation]

    def undecided(self) -> list[Application]:
        return [a for a in self.applications if a.id not in self.decisions]

    def progress(self, user_id: int) -> int:
        """How many of the (application, criterion) pairs this person has scored with a reason."""
        return sum(1 for s in self.own_scores(user_id).values() if is_complete(s.value, s.reason))

    @property
    def to_score(self) -> int:
        return len(self.applications) * len(self.criteria)

    def score_counts(self) -> dict[str, Counter]:
        """Submitted panel scores counted by value, for essential and desirable criteria."""
        essential = {c.item_id: c.essential for c in self.criteria}
        done = self.submitted_ids
        counts = {"Essential": Counter(), "Desirable": Counter()}
        for s in self.scores:
            if s.scorer_id in done and s.item_id in essential:
                counts["Essential" if essential[s.item_id] else "Desirable"][s.value] += 1
        return counts


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


def load(session: Session, vacancy: Vacancy) -> Board:
    """The whole board for one vacancy in a fixed number of queries, with the shortlist worked out."""
    every = spec_criteria(session, vacancy.spec_version_id)
    criteria = [c for c in every if APPLICATION_METHOD in c.assessed_by]
    interview = [c for c in every if any(m in c.assessed_by for m in INTERVIEW_METHODS)]
    # Answers are read for one application at a time (its score page), never for the whole board.
    applications = list(
        session.scalars(
            select(Application)
            .where(Application.vacancy_id == vacancy.id)
            .options(lazyload(Application.answers))
            .order_by(Application.reference)
        )
    )
    panel = list(
        session.scalars(
            select(PanelMember)
            .where(PanelMember.vacancy_id == vacancy.id)
            .options(selectinload(PanelMember.user))
            .order_by(PanelMember.id)
        )
    )
    in_vacancy = select(Application.id).where(Application.vacancy_id == vacancy.id)
    # Scores as plain rows (attributes as on Score), read-only: tens of thousands of ORM objects
    # cost seconds on a large vacancy. Saving goes through `save_scores`, which loads its own.
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
    board = Board(vacancy, criteria, interview, applications, panel, scores, moderations, decisions)
    done = board.submitted_ids
    valid = {c.item_id for c in criteria}
    by_cell: dict[tuple[int, int], dict[int, int]] = {}
    for s in scores:
        if s.scorer_id in done and s.item_id in valid:
            by_cell.setdefault((s.application_id, s.item_id), {})[s.scorer_id] = s.value
    board.results = shortlist(
        [c.as_rule() for c in criteria],
        [Candidate(a.id, a.reference, a.guaranteed_interview) for a in applications],
        by_cell,
        {k: m.value for k, m in moderations.items()},
        len(panel),
    )
    board.ties = tied(board.results)
    return board


def people(session: Session, ids: set[int]) -> dict[int, User]:
    """Users by id (for showing who moderated or decided), in one query."""
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids or {0})))}


# -- saving ------------------------------------------------------------------------------


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


def parse_value(raw: str | None) -> int | None:
    """A score from a form: None for blank, ValueError for anything not 0-3."""
    raw = (raw or "").strip()
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdecimal()) or int(raw) not in SCORE_LABELS:
        raise ValueError(raw)
    return int(raw)


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
    _open_for_shortlisting(vacancy)
    member = panel_member(session, vacancy.id, scorer.id)
    if member is None:
        raise ShortlistingError("Only members of the panel score applications.")
    if member.scores_submitted_at is not None:
        raise ShortlistingError("You have submitted your scores; they can no longer change.")
    if application.vacancy_id != vacancy.id:
        raise ShortlistingError("That application is not for this vacancy.")
    valid = {
        c.item_id: c for c in spec_criteria(session, vacancy.spec_version_id) if APPLICATION_METHOD in c.assessed_by
    }
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
                session.rollback()
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


@dataclass(frozen=True)
class Missing:
    """What one criterion of one application still needs before its scorer can submit."""

    application_id: int
    reference: str
    item_id: int
    code: str
    score: bool  # the score is missing
    reason: bool  # the reason is missing


class IncompleteScores(ShortlistingError):
    """Submission refused: some criteria still lack a score or a reason (`missing` says which)."""

    def __init__(self, message: str, missing: list[Missing]):
        super().__init__(message)
        self.missing = missing


def missing_scores(board: Board, user_id: int, application_id: int | None = None) -> list[Missing]:
    """Every criterion (of one application, or all) without both a score and a reason from this person, in order."""
    mine = board.own_scores(user_id, application_id)
    apps = board.applications if application_id is None else [a for a in board.applications if a.id == application_id]
    found = []
    for a in apps:
        for c in board.criteria:
            s = mine.get((a.id, c.item_id))
            value, reason = (s.value, s.reason) if s is not None else (None, "")
            if not is_complete(value, reason):
                found.append(Missing(a.id, a.reference, c.item_id, c.code, value is None, not (reason or "").strip()))
    return found


def complete_count(board: Board, user_id: int, application_id: int | None = None) -> int:
    """How many (application, criterion) pairs this person has scored with a reason."""
    valid = {c.item_id for c in board.criteria}
    return sum(
        1
        for (_, i), s in board.own_scores(user_id, application_id).items()
        if i in valid and is_complete(s.value, s.reason)
    )


def submit_scores(session: Session, vacancy: Vacancy, scorer: User, now: datetime) -> None:
    """Mark a member's scores as submitted, once every application criterion of every application has a score and a reason."""
    _open_for_shortlisting(vacancy)
    member = panel_member(session, vacancy.id, scorer.id)
    if member is None:
        raise ShortlistingError("Only members of the panel score applications.")
    if member.scores_submitted_at is not None:
        raise ShortlistingError("You have already submitted your scores.")
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


def _lead_ready(session: Session, vacancy: Vacancy, lead: User, what: str) -> None:
    if not is_lead(vacancy, lead.id):
        raise ShortlistingError(f"Only the lead for this vacancy {what}.")
    _open_for_shortlisting(vacancy)
    member = panel_member(session, vacancy.id, lead.id)
    if member is not None and member.scores_submitted_at is None:
        raise ShortlistingError("Submit your own scores first: you see the panel's scores once yours are in.")


def _existing_moderation(session: Session, application_id: int, item_id: int) -> Moderation | None:
    return session.scalar(
        select(Moderation).where(Moderation.application_id == application_id, Moderation.item_id == item_id)
    )


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
    reason = (reason or "").strip()
    if not reason:
        raise ShortlistingError("Say why the panel agreed this score.")
    if len(reason) > DECISION_REASON_MAX:
        raise ShortlistingError(f"Keep the reason to {DECISION_REASON_MAX:,} characters or fewer.")
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
    session.add(moderation)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            f"Someone else recorded the agreed score for {criterion.code} on {application.reference} at the same "
            "moment, and theirs was saved first. Nothing of yours was saved; here is how it stands now."
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
    reason = (reason or "").strip()
    if not reason:
        raise ShortlistingError("Give the reason for the decision.")
    if len(reason) > DECISION_REASON_MAX:
        raise ShortlistingError(f"Keep the reason to {DECISION_REASON_MAX:,} characters or fewer.")
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
    if board.flags():
        flagged = len(board.flags())
        raise ShortlistingError(
            f"{plural(flagged, 'flagged score')} still {'needs' if flagged == 1 else 'need'} an agreed score."
        )
    if board.undecided():
        undecided = board.undecided()
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
        session.rollback()
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


# -- what the shortlist says, as rows (the page and every export use these) ----------------


def rank_label(result: Result, ties: set[int]) -> str:
    """'1', 'Joint 2' for a shared rank, or why there is no rank."""
    if result.rank is not None:
        return f"Joint {result.rank}" if result.candidate.application_id in ties else str(result.rank)
    if result.fails_essentials:
        return "Does not meet the essentials"
    return "Not yet agreed"


def _number(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.1f}"


EXPORT_HEADINGS = [
    "Rank",
    "Reference",
    "Essential total",
    "Desirable total",
    "Meets the essentials",
    "Guaranteed interview",
    "Decision",
    "Reason",
    "Decided by",
    "Decided on",
]


def export_rows(board: Board, names: dict[int, User]) -> tuple[list[str], list[list[str]]]:
    """The shortlist with reasons; candidates' names and emails only once the shortlist is agreed."""
    show_names = board.vacancy.names_visible
    headings = list(EXPORT_HEADINGS)
    if show_names:
        headings[2:2] = ["Candidate", "Email"]
    rows = []
    for r in board.results:
        app = board.application(r.candidate.application_id)
        d = board.decisions.get(app.id)
        meets = (
            "Not yet known" if not r.complete and not r.fails_essentials else ("No" if r.fails_essentials else "Yes")
        )
        row = [
            rank_label(r, board.ties),
            app.reference,
            _number(r.essential_total),
            _number(r.desirable_total),
            meets,
            "Yes"
            if r.guaranteed_interview_flag
            else ("Yes (if the essentials are met)" if app.guaranteed_interview else "No"),
            d.outcome.label if d else "Not decided",
            d.reason if d else "",
            names[d.decided_by_id].name if d and d.decided_by_id in names else "",
            d.decided_at.strftime("%-d %B %Y") if d else "",
        ]
        if show_names:
            row[2:2] = [app.candidate_name, app.email]
        rows.append(row)
    return headings, rows


def shortlisted(board: Board) -> list[Application]:
    """The applications the lead shortlisted, by reference."""
    return [
        a for a in board.applications if a.id in board.decisions and board.decisions[a.id].outcome == Outcome.SHORTLIST
    ]


def count_scores(session: Session, vacancy_id: int) -> int:
    """How many scores the vacancy has (for tests and the audit)."""
    return session.scalar(
        select(func.count()).select_from(Score).join(Application).where(Application.vacancy_id == vacancy_id)
    )
