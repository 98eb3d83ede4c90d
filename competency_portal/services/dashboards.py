"""What the readiness dashboards show: a person's, a supervisor's team's and the organisation's figures.

One call per page, returning what the page shows; the charts are drawn from these results by the
pure functions in `competency_portal.charts`. Who may see which person or team is decided by the
caller (policy), not here: these take the people already chosen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competency_portal import policy
from competency_portal.models import Appraisal, AppraisalState, Team, User
from competency_portal.readiness import data, rollup
from competency_portal.readiness.model import Readiness
from competency_portal.services import signoff, training_rules
from competency_portal.services import training as training_service

# -- a person ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonReadiness:
    """A person's readiness today (None without a target role) and over the last twelve months."""

    result: Readiness | None
    history: list[tuple[date, float]]


@dataclass(frozen=True)
class PersonDashboard:
    """A person's dashboard: their readiness, their target role's title and their mandatory training."""

    readiness: PersonReadiness
    role_title: str | None
    training_rows: list[training_rules.Row]


def person_readiness(session: Session, person: User, today: date) -> PersonReadiness:
    """A person's readiness and its history, from one reading of the facts (four queries)."""
    return PersonReadiness(*data.readiness_with_history(session, person, today))


def person_dashboard(session: Session, person: User, today: date) -> PersonDashboard:
    """Everything a person's dashboard shows."""
    title = None
    if person.target_role:
        title = data.role_titles(session, {person.target_role}).get(person.target_role, person.target_role)
    return PersonDashboard(
        person_readiness(session, person, today),
        title,
        training_service.statuses_for(session, [person], today)[person.id].all_rows,
    )


# -- a supervisor's team ------------------------------------------------------------------


@dataclass(frozen=True)
class TeamReadiness:
    """A supervisor's supervisees today and the readiness of those with a target role, by domain.

    `shares` has a row per measured person (in `measured` order) and a column per domain: the
    share of that domain's items they have verified, or None where their role asks none of it.
    """

    people: list[User]
    results: dict[int, Readiness]
    domains: list[tuple[str, str]]  # (framework, domain), in the order first met
    shares: list[list[float | None]]

    @property
    def measured(self) -> list[User]:
        """The supervisees with a target role, whose readiness is measured."""
        return [p for p in self.people if p.id in self.results]

    @property
    def no_role(self) -> list[User]:
        """The supervisees with no target role, so not in the readiness figures."""
        return [p for p in self.people if p.id not in self.results]


@dataclass(frozen=True)
class TeamDashboard:
    """The team page: readiness, what waits for the supervisor, training and last appraisals."""

    readiness: TeamReadiness
    waiting: list[signoff.QueueRow]
    waiting_by: Counter  # person id -> pieces of evidence waiting
    titles: dict[str, str]  # target role slug -> title
    training: dict[int, training_rules.Counts]
    reviews: dict[int, date | None]  # person id -> date of their last signed appraisal


def team_readiness(session: Session, supervisor: User, today: date) -> TeamReadiness:
    """The supervisor's active supervisees today, by name, and their readiness by domain."""
    people = list(
        session.scalars(
            select(User)
            .where(User.id.in_(policy.supervisees(session, supervisor.id, today)), User.active.is_(True))
            .order_by(User.name)
        )
    )
    results = data.readiness_for(session, people, today)
    domains: list[tuple[str, str]] = []
    for r in results.values():
        for d in r.domains:
            if (d.framework, d.domain) not in domains:
                domains.append((d.framework, d.domain))
    shares = []
    for p in people:
        if p.id in results:
            by = {(d.framework, d.domain): d.share for d in results[p.id].domains}
            shares.append([by.get(k) for k in domains])
    return TeamReadiness(people, results, domains, shares)


def team_dashboard(session: Session, supervisor: User, today: date) -> TeamDashboard:
    """Everything the team page shows."""
    readiness = team_readiness(session, supervisor, today)
    people = readiness.people
    waiting = signoff.queue(session, supervisor, today)
    statuses = training_service.statuses_for(session, people, today)
    return TeamDashboard(
        readiness=readiness,
        waiting=waiting,
        # Counted once here: filtering the whole queue for each person in the template was quadratic.
        waiting_by=Counter(row.owner.id for row in waiting),
        titles=data.role_titles(session, {p.target_role for p in people if p.target_role}),
        training={pid: training_rules.summary_counts(s.all_rows) for pid, s in statuses.items()},
        reviews=last_reviews(session, [p.id for p in people]),
    )


def last_reviews(session: Session, person_ids: list[int]) -> dict[int, date | None]:
    """Each person's last signed appraisal date (one query); a review is overdue 12 months after it."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(Appraisal.user_id, func.max(Appraisal.signed_by_appraiser_at))
        .where(Appraisal.user_id.in_(person_ids), Appraisal.state == AppraisalState.SIGNED)
        .group_by(Appraisal.user_id)
    ).all()
    return {pid: when.date() if when else None for pid, when in rows}


# -- the organisation ---------------------------------------------------------------------


class TeamFigures(NamedTuple):
    """One team's line in the organisation view."""

    name: str
    people: int
    ready: int  # how many are ready for their target role
    share: float  # average readiness
    training: training_rules.Counts


@dataclass(frozen=True)
class OrganisationDashboard:
    """The organisation view: the most common gaps, and readiness and training by team."""

    gaps: list[tuple[str, str, int]]  # (item code, statement, people not meeting it), most common first
    people: int  # active people with a target role (in the chosen team)
    by_team: list[TeamFigures]
    teams: list[Team]  # every team, to choose from


def organisation_dashboard(session: Session, team_id: int | None, today: date) -> OrganisationDashboard:
    """The organisation's figures (or one team's), from the precomputed readiness facts (a fixed number of queries)."""
    stmt = (
        select(User.id, User.target_role, Team.name.label("team_name"))
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.active.is_(True), User.target_role.is_not(None))
    )  # no order: only per-team figures are shown
    who = select(User.id).where(User.active.is_(True), User.target_role.is_not(None))
    if team_id:
        stmt, who = stmt.where(User.team_id == team_id), who.where(User.team_id == team_id)
    people = session.execute(stmt).all()  # rows with .id and .target_role, all the training rules need
    roles = {slug: data.requirements(session, slug) for slug in sorted({p.target_role for p in people})}
    statements = {r.key: r.statement for required in roles.values() for r in required}
    found = rollup.counts(session, today, who)
    ranked = sorted(found.gaps.items(), key=lambda kv: (-kv[1], kv[0]))
    training = training_service.counts_by_group(session, people, lambda p: p.team_name or "No team", today, who)
    teams: dict[str, list[tuple[bool, float]]] = {}
    for p in people:
        required, met = len(roles[p.target_role]), found.met.get(p.id, 0)
        teams.setdefault(p.team_name or "No team", []).append(
            (required > 0 and met == required, met / required if required else 0.0)
        )
    by_team = [
        TeamFigures(
            name,
            len(rs),
            sum(ready for ready, _ in rs),
            sum(share for _, share in rs) / len(rs),
            training.get(name, training_rules.Counts()),
        )
        for name, rs in sorted(teams.items())
    ]
    return OrganisationDashboard(
        gaps=[(key[1], statements.get(key, key[1]), n) for key, n in ranked],
        people=len(people),
        by_team=by_team,
        teams=list(session.scalars(select(Team).order_by(Team.name))),
    )
