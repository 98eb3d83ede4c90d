"""Readiness facts kept precomputed (`ReadinessFact`), and the organisation-wide counts read from them.

Computing every person's readiness on each request took seconds for a large trust, so the facts
that do not depend on the date - is each required item met by a current sign-off, for good or
until when - are stored, and the organisation view compares them with today in SQL.

They are kept right on every write, by a listener on every session:

- at each flush it notes whose facts may have changed: the owner of any sign-off (or sign-off
  item) added, changed or removed; any person added, or whose target role changed; everyone,
  when frameworks, items, role profiles or crosswalks change - which, for a whole trust, is a
  background job asked for in the same transaction (competency_portal/jobs), not the request's work;
- just before the transaction commits it takes the audit chain's head (which an audited write
  already holds) and rewrites their facts from what the database then holds. Two transactions
  changing one person at the same moment therefore recompute one after the other, the second
  seeing the first's work.

Bulk writes that bypass the ORM (the benchmark's generator) call `refresh` themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import chain

from sqlalchemy import Select, and_, case, delete, event, func, insert, inspect, or_, select
from sqlalchemy.orm import Session

from competency_portal.extensions import take_sqlite_write_lock
from competency_portal.models import (
    AuditHead,
    Crosswalk,
    CrosswalkPair,
    Domain,
    Evidence,
    Framework,
    FrameworkVersion,
    Item,
    Job,
    JobState,
    ReadinessFact,
    RoleProfile,
    RoleTarget,
    SignOff,
    SignOffItem,
    User,
)
from competency_portal.readiness import data
from competency_portal.readiness.model import Key, met_until

_EVERYONE = (Framework, FrameworkVersion, Domain, Item, RoleProfile, RoleTarget, Crosswalk, CrosswalkPair)
_PENDING = "readiness_rollup_pending"
_CHUNK = 2000


def _pending(session: Session) -> dict:
    return session.info.setdefault(_PENDING, {"all": False, "users": set(), "evidence": set(), "sign_offs": set()})


def _note(session: Session, flush_context) -> None:
    pending = _pending(session)
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, _EVERYONE):
            pending["all"] = True
        elif isinstance(obj, SignOff):
            pending["evidence"].add(obj.evidence_id)
        elif isinstance(obj, SignOffItem):
            pending["sign_offs"].add(obj.sign_off_id)
        elif isinstance(obj, User) and (obj in session.new or inspect(obj).attrs.target_role.history.has_changes()):
            pending["users"].add(obj.id)


def _apply(session: Session) -> None:
    session.flush()  # commit flushes after this hook: flush first so every change is noted
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    if pending["all"]:
        _recompute_everyone(session)
        return
    ids = set(pending["users"])
    evidence = {e for e in pending["evidence"] if e is not None}
    if evidence:
        ids |= set(session.scalars(select(Evidence.owner_id).where(Evidence.id.in_(evidence))))
    sign_offs = {s for s in pending["sign_offs"] if s is not None}
    if sign_offs:
        ids |= set(
            session.scalars(
                select(Evidence.owner_id)
                .join(SignOff, SignOff.evidence_id == Evidence.id)
                .where(SignOff.id.in_(sign_offs))
            )
        )
    ids.discard(None)
    if ids:
        refresh(session, ids)
    session.info.pop(_PENDING, None)  # our own writes are not changes to note


def _recompute_everyone(session: Session) -> None:
    # A whole trust takes seconds: it is a background job, asked for in this transaction, unless
    # one is already waiting to start (it will read what this transaction commits).
    from competency_portal import jobs
    from competency_portal.jobs.handlers import READINESS

    waiting = session.scalar(select(Job.id).where(Job.kind == READINESS, Job.state == JobState.QUEUED).limit(1))
    if waiting is None:
        jobs.submit(session, READINESS, "Recompute everyone's readiness after a framework change")
        session.flush()
    session.info.pop(_PENDING, None)


def _forget(session: Session, *args) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "after_flush", _note):
        event.listen(Session, "after_flush", _note)
        event.listen(Session, "before_commit", _apply)
        event.listen(Session, "after_rollback", _forget)


def refresh(
    session: Session, user_ids: set[int] | None, progress: Callable[[int, int | None], None] | None = None
) -> int:
    """Rewrite the facts of these people (None: everyone); returns how many people have a target role.

    `progress(done, total)` is told after each chunk of people.
    """
    # One refresh at a time, serialised on the audit chain's head: every write that changes
    # readiness is audited, so its transaction already holds that lock to its commit, and a second
    # refresh waits here and then reads what the first committed. Locking the people's rows instead
    # deadlocked against transactions that touch the person's row and then audit (new evidence, a
    # sign-in, an administrator's edit), which wait for the head this transaction holds.
    _hold_audit_head(session)
    stmt = select(User.id, User.target_role).where(User.target_role.is_not(None)).order_by(User.id)
    if user_ids is not None:
        if not user_ids:
            return 0
        stmt = stmt.where(User.id.in_(user_ids))
    people = session.execute(stmt).all()
    if user_ids is None:
        session.execute(delete(ReadinessFact))
    else:
        session.execute(delete(ReadinessFact).where(ReadinessFact.user_id.in_(user_ids)))
    if not people:
        return 0
    roles = {slug: data.requirements(session, slug) for slug in sorted({role for _, role in people})}
    groups = data.crosswalk_groups(session)
    for start in range(0, len(people), _CHUNK):
        chunk = people[start : start + _CHUNK]
        confirmed = data.confirmations(session, [pid for pid, _ in chunk])
        rows = []
        for pid, role in chunk:
            for (slug, code), (forever, until) in met_until(roles[role], confirmed.get(pid, []), groups).items():
                rows.append(
                    {
                        "user_id": pid,
                        "framework_slug": slug,
                        "item_code": code,
                        "met_forever": forever,
                        "met_until": until,
                    }
                )
        if rows:
            session.execute(insert(ReadinessFact), rows)
        if progress is not None:
            progress(start + len(chunk), len(people))
    return len(people)


def _hold_audit_head(session: Session) -> None:
    take_sqlite_write_lock(session)
    session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update())


# -- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Organisation-wide readiness on a day: people not meeting each item, and items met per person."""

    gaps: dict[Key, int]
    met: dict[int, int]


def counts(session: Session, today: date, people: Select | None = None) -> Counts:
    """Gaps per item and items met per person, for active people with a target role (or `people`, a query of
    ids); two queries."""
    met_today = or_(
        ReadinessFact.met_forever.is_(True), and_(ReadinessFact.met_until.is_not(None), ReadinessFact.met_until > today)
    )
    who = people if people is not None else select(User.id).where(User.active.is_(True), User.target_role.is_not(None))
    gaps = session.execute(
        select(ReadinessFact.framework_slug, ReadinessFact.item_code, func.count())
        .where(ReadinessFact.user_id.in_(who), ~met_today)
        .group_by(ReadinessFact.framework_slug, ReadinessFact.item_code)
    ).all()
    met = session.execute(
        select(ReadinessFact.user_id, func.sum(case((met_today, 1), else_=0)))
        .where(ReadinessFact.user_id.in_(who))
        .group_by(ReadinessFact.user_id)
    ).all()
    return Counts({(slug, code): n for slug, code, n in gaps}, {pid: int(n or 0) for pid, n in met})
