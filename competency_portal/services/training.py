"""Mandatory training, professional registration and DBS checks: reading the records, and where
each person stands.

`statuses_for` works out every subject for many people in a fixed number of queries (four,
however many people), for team and organisation views; `counts_by_group` adds them up per group
for a whole trust. The states themselves are the pure rules of `training_rules`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from competency_portal.models import DbsCheck, Registration, TrainingRecord, TrainingSubject, User
from competency_portal.services.training_rules import (
    Counts,
    PersonTraining,
    dbs_state,
    person_training,
    registration_state,
    renewal_for,
    subject_state,
)


def current_subjects(session: Session) -> list[TrainingSubject]:
    """Subjects in the training file now (retired ones are kept for their records, not listed)."""
    return list(
        session.scalars(
            select(TrainingSubject).where(TrainingSubject.retired.is_(False)).order_by(TrainingSubject.position)
        )
    )


def _latest_per(session: Session, model, partition, order, ids: list[int], where=(), columns=None):
    # Plain rows with the model's column names (all, or `columns`), not ORM objects: for a whole
    # trust (tens of thousands of records) building objects took seconds, and only values are read.
    ranked = (
        select(model.id, func.row_number().over(partition_by=partition, order_by=order).label("n"))
        .where(model.user_id.in_(ids), *where)
        .subquery()
    )
    return session.execute(
        select(*(columns or model.__table__.c)).join(ranked, ranked.c.id == model.id).where(ranked.c.n == 1)
    ).all()


def statuses_for(session: Session, people: Iterable[User], today: date) -> dict[int, PersonTraining]:
    """Every person's training on `today`, in four queries however many people there are."""
    people = list(people)
    ids = [p.id for p in people]
    if not ids:
        return {}
    subjects = current_subjects(session)
    records = _latest_per(
        session,
        TrainingRecord,
        (TrainingRecord.user_id, TrainingRecord.subject_id),
        (TrainingRecord.completed_on.desc(), TrainingRecord.id.desc()),
        ids,
    )
    by_person: dict[int, dict[int, TrainingRecord]] = {}
    for r in records:
        by_person.setdefault(r.user_id, {})[r.subject_id] = r
    registrations = {
        r.user_id: r for r in _latest_per(session, Registration, Registration.user_id, Registration.id.desc(), ids)
    }
    checks = {
        c.user_id: c
        for c in _latest_per(session, DbsCheck, DbsCheck.user_id, (DbsCheck.checked_on.desc(), DbsCheck.id.desc()), ids)
    }
    return {
        p.id: person_training(
            p.id, p.target_role, subjects, by_person.get(p.id, {}), registrations.get(p.id), checks.get(p.id), today
        )
        for p in people
    }


def counts_by_group(
    session: Session, people: Iterable, group_of: Callable, today: date, who: Select | None = None
) -> dict[str, Counts]:
    """`summary_counts` of the people's `all_rows`, added up per group (e.g. team), without building the rows.

    The same state rules as `statuses_for` (subject_state, registration_state, dbs_state), for a whole trust:
    `people` need only `.id` and `.target_role`; `who`, a query of the same people's ids, spares
    the database a list of thousands of ids. Four queries, however many people.
    """
    people = list(people)
    ids = who if who is not None else [p.id for p in people]
    if not people:
        return {}
    subjects = current_subjects(session)
    latest = {
        (r.user_id, r.subject_id): r
        for r in _latest_per(
            session,
            TrainingRecord,
            (TrainingRecord.user_id, TrainingRecord.subject_id),
            (TrainingRecord.completed_on.desc(), TrainingRecord.id.desc()),
            ids,
            columns=(
                TrainingRecord.user_id,
                TrainingRecord.subject_id,
                TrainingRecord.completed_on,
                TrainingRecord.expires_on,
            ),
        )
    }
    registrations = {
        r.user_id: r
        for r in _latest_per(
            session,
            Registration,
            Registration.user_id,
            Registration.id.desc(),
            ids,
            columns=(Registration.user_id, Registration.renewal_on),
        )
    }
    checks = {
        c.user_id: c
        for c in _latest_per(
            session,
            DbsCheck,
            DbsCheck.user_id,
            (DbsCheck.checked_on.desc(), DbsCheck.id.desc()),
            ids,
            columns=(DbsCheck.user_id, DbsCheck.checked_on),
        )
    }
    rules = {
        (s.id, role): renewal_for(s.renewal_months, s.role_rules, role)
        for s in subjects
        for role in {p.target_role for p in people}
    }
    found: dict[str, Counter] = {}
    for p in people:
        counter = found.setdefault(group_of(p), Counter())
        for s in subjects:
            counter[subject_state(*rules[(s.id, p.target_role)], latest.get((p.id, s.id)), today)] += 1
        counter[registration_state(registrations.get(p.id), today)] += 1
        counter[dbs_state(checks.get(p.id), today)] += 1
    return {group: Counts(dict(counter)) for group, counter in found.items()}


@dataclass
class History:
    """A person's whole training record, for their training page."""

    status: PersonTraining
    records: dict[int, list[TrainingRecord]]  # subject id -> records, newest first
    retired: list[tuple[TrainingSubject, list[TrainingRecord]]]  # retired subjects the person has records of
    registrations: list[Registration]  # newest first
    checks: list[DbsCheck]  # newest first
    subjects: list[TrainingSubject]


def history(session: Session, person: User, today: date) -> History:
    """One person's status and every record behind it."""
    subjects = current_subjects(session)
    records = session.scalars(
        select(TrainingRecord)
        .where(TrainingRecord.user_id == person.id)
        .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
    ).all()
    by_subject: dict[int, list[TrainingRecord]] = {}
    for r in records:
        by_subject.setdefault(r.subject_id, []).append(r)
    registrations = session.scalars(
        select(Registration).where(Registration.user_id == person.id).order_by(Registration.id.desc())
    ).all()
    checks = session.scalars(
        select(DbsCheck).where(DbsCheck.user_id == person.id).order_by(DbsCheck.checked_on.desc(), DbsCheck.id.desc())
    ).all()
    status = person_training(
        person.id,
        person.target_role,
        subjects,
        {sid: rs[0] for sid, rs in by_subject.items()},
        registrations[0] if registrations else None,
        checks[0] if checks else None,
        today,
    )
    current_ids = {s.id for s in subjects}
    retired = [(rs[0].subject, rs) for sid, rs in by_subject.items() if sid not in current_ids]
    return History(status, by_subject, retired, list(registrations), list(checks), subjects)
