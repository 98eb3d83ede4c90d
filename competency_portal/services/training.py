"""Mandatory training, professional registration and DBS checks: records, and whether each is in date.

The state of one subject for one person is a pure function of the subject's renewal rules, the
person's target role, their latest record and the date (`subject_state`, `state_on`), so it is
tested without a database. `statuses_for` works out every subject for many people in a fixed
number of queries (four, however many people), for team and organisation views.

States, with the words shown for each (a status is never shown by colour alone):
red: `missing` (required, nothing recorded) and `expired` (the expiry date has come);
amber: `due_30` / `due_60` / `due_90` (expires within 30, 60 or 90 days);
green: `in_date`; and `not_required` (the role does not need the subject), which is its own state.
A record's expiry date is the first day it no longer counts, as in the readiness model: on that
day it is expired.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from competency_portal.clock import add_months
from competency_portal.models import DbsCheck, Registration, TrainingRecord, TrainingSubject, User
from competency_portal.services import audit

# Trusts set how often a DBS check is renewed (there is no national expiry); three years is common
# for staff working with adults at risk, and is what the portal uses.
DBS_RENEWAL_MONTHS = 36
DBS_LEVELS = {
    "basic": "Basic",
    "standard": "Standard",
    "enhanced": "Enhanced",
    "enhanced_barred": "Enhanced with barred list checks",
}
NOTE_MAX = 2000


class State(str, enum.Enum):
    """Where one requirement stands on a date."""

    NOT_REQUIRED = "not_required"
    MISSING = "missing"
    EXPIRED = "expired"
    DUE_30 = "due_30"
    DUE_60 = "due_60"
    DUE_90 = "due_90"
    IN_DATE = "in_date"

    @property
    def label(self) -> str:
        """The words shown with the status."""
        return _LABELS[self]

    @property
    def rag(self) -> str:
        """red, amber, green, or none (not required)."""
        return _RAG[self]

    @property
    def tag_class(self) -> str:
        """The NHS.UK tag modifier for this state."""
        return _TAGS[self]


_LABELS = {
    State.NOT_REQUIRED: "Not required for this role",
    State.MISSING: "Not recorded",
    State.EXPIRED: "Expired",
    State.DUE_30: "Due within 30 days",
    State.DUE_60: "Due within 60 days",
    State.DUE_90: "Due within 90 days",
    State.IN_DATE: "In date",
}
_RAG = {
    State.NOT_REQUIRED: "none",
    State.MISSING: "red",
    State.EXPIRED: "red",
    State.DUE_30: "amber",
    State.DUE_60: "amber",
    State.DUE_90: "amber",
    State.IN_DATE: "green",
}
_TAGS = {
    State.NOT_REQUIRED: "nhsuk-tag--grey",
    State.MISSING: "nhsuk-tag--red",
    State.EXPIRED: "nhsuk-tag--red",
    State.DUE_30: "nhsuk-tag--orange",
    State.DUE_60: "nhsuk-tag--yellow",
    State.DUE_90: "nhsuk-tag--yellow",
    State.IN_DATE: "nhsuk-tag--green",
}
# Worst first: the order attention is needed in.
SEVERITY = [State.EXPIRED, State.MISSING, State.DUE_30, State.DUE_60, State.DUE_90, State.IN_DATE, State.NOT_REQUIRED]


class TrainingError(ValueError):
    """A training entry that cannot be saved, with a sentence saying what to fix."""


@dataclass(frozen=True)
class Row:
    """One requirement for one person: a training subject, the registration or the DBS check."""

    key: str  # subject slug, "registration" or "dbs"
    title: str
    state: State
    completed_on: date | None = None  # last completion (or DBS check date)
    expires_on: date | None = None  # when it stops counting (None: never)
    months: int | None = None  # the renewal period that applies to this person
    days_left: int | None = None

    @property
    def rag(self) -> str:
        return self.state.rag

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def tag_class(self) -> str:
        return self.state.tag_class


@dataclass
class PersonTraining:
    """Everything about one person's training on a date."""

    person_id: int
    subjects: list[Row]
    registration: Row
    dbs: Row

    @property
    def all_rows(self) -> list[Row]:
        """Subjects, then registration and DBS: what the summary counts."""
        return [*self.subjects, self.registration, self.dbs]


@dataclass(frozen=True)
class Counts:
    """How many requirements are in each state, and in each of red, amber and green."""

    by_state: dict[State, int] = field(default_factory=dict)

    def __getitem__(self, state: State) -> int:
        return self.by_state.get(state, 0)

    @property
    def red(self) -> int:
        return self[State.EXPIRED] + self[State.MISSING]

    @property
    def amber(self) -> int:
        return self[State.DUE_30] + self[State.DUE_60] + self[State.DUE_90]

    @property
    def green(self) -> int:
        return self[State.IN_DATE]

    @property
    def not_required(self) -> int:
        return self[State.NOT_REQUIRED]

    @property
    def required(self) -> int:
        return self.red + self.amber + self.green

    @property
    def sentence(self) -> str:
        """The counts in words (the same as any chart or colour of them)."""
        if not self.required and not self.not_required:
            return "No mandatory training is set up."
        parts = [f"{self.red} expired or not recorded", f"{self.amber} due within 90 days", f"{self.green} in date"]
        if self.not_required:
            parts.append(f"{self.not_required} not required for the role")
        return ", ".join(parts) + "."


# -- pure rules -------------------------------------------------------------------------


def renewal_for(renewal_months: int | None, role_rules: dict | None, role: str | None) -> tuple[bool, int | None]:
    """(required, months) for a role: the role's own rule if the subject names it, else the subject's period."""
    rules = role_rules or {}
    if role is not None and role in rules:
        months = rules[role]
        return (False, None) if months is None else (True, int(months))
    return True, renewal_months


def state_on(expires_on: date | None, today: date) -> State:
    """The state of something held that stops counting on `expires_on` (None: never)."""
    if expires_on is None:
        return State.IN_DATE
    days = (expires_on - today).days
    if days <= 0:
        return State.EXPIRED
    if days <= 30:
        return State.DUE_30
    if days <= 60:
        return State.DUE_60
    if days <= 90:
        return State.DUE_90
    return State.IN_DATE


def latest(records: Iterable) -> object | None:
    """The most recent completion: latest completion date, then the latest entered."""
    return max(records, key=lambda r: (r.completed_on, r.id or 0), default=None)


def subject_expires(record, months: int | None) -> date | None:
    """When a completion stops counting: its own expiry date, else completion plus the renewal period (None: never)."""
    return record.expires_on or (add_months(record.completed_on, months) if months else None)


def subject_state(required: bool, months: int | None, record, today: date) -> State:
    """A subject's state for a person, from `renewal_for`'s answer and their latest record (or None)."""
    if not required:
        return State.NOT_REQUIRED
    if record is None:
        return State.MISSING
    return state_on(subject_expires(record, months), today)


def registration_state(registration, today: date) -> State:
    """Professional registration is in date until its renewal date."""
    return State.MISSING if registration is None else state_on(registration.renewal_on, today)


def dbs_state(check, today: date) -> State:
    """The latest DBS check is due for renewal DBS_RENEWAL_MONTHS after it was made."""
    return State.MISSING if check is None else state_on(add_months(check.checked_on, DBS_RENEWAL_MONTHS), today)


def subject_row(subject, role: str | None, record, today: date) -> Row:
    """One subject's row for a person with target role `role`, given their latest record (or None)."""
    required, months = renewal_for(subject.renewal_months, subject.role_rules, role)
    state = subject_state(required, months, record, today)
    completed = record.completed_on if record is not None else None
    if state in (State.NOT_REQUIRED, State.MISSING):
        return Row(subject.slug, subject.title, state, completed_on=completed, months=months if required else None)
    expires = subject_expires(record, months)
    return Row(
        subject.slug, subject.title, state, completed, expires, months, (expires - today).days if expires else None
    )


def registration_row(registration, today: date) -> Row:
    """Professional registration, with its state from `registration_state`."""
    if registration is None:
        return Row("registration", "Professional registration", State.MISSING)
    title = f"Professional registration ({registration.body} {registration.number})"
    return Row(
        "registration",
        title,
        registration_state(registration, today),
        None,
        registration.renewal_on,
        None,
        (registration.renewal_on - today).days,
    )


def dbs_row(check, today: date) -> Row:
    """The latest DBS check, with its state from `dbs_state`."""
    if check is None:
        return Row("dbs", "DBS check", State.MISSING, months=DBS_RENEWAL_MONTHS)
    expires = add_months(check.checked_on, DBS_RENEWAL_MONTHS)
    title = f"DBS check ({DBS_LEVELS.get(check.level, check.level).lower()})"
    return Row(
        "dbs", title, dbs_state(check, today), check.checked_on, expires, DBS_RENEWAL_MONTHS, (expires - today).days
    )


def person_training(
    person_id: int, role: str | None, subjects, latest_records: dict, registration, check, today: date
) -> PersonTraining:
    """A person's rows from what was read: `latest_records` maps subject id -> latest record."""
    rows = [subject_row(s, role, latest_records.get(s.id), today) for s in subjects]
    return PersonTraining(person_id, rows, registration_row(registration, today), dbs_row(check, today))


def summary_counts(rows: Iterable[Row]) -> Counts:
    """Counts of rows by state: one person's `all_rows`, or every row of a team or organisation."""
    return Counts(dict(Counter(r.state for r in rows)))


def needing_attention(rows: Iterable[Row]) -> list[Row]:
    """Red and amber rows, worst first."""
    return sorted(
        (r for r in rows if r.rag in ("red", "amber")),
        key=lambda r: (SEVERITY.index(r.state), r.expires_on or date.min),
    )


# -- reading ----------------------------------------------------------------------------


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


# -- writing ----------------------------------------------------------------------------


def add_record(
    session: Session,
    person: User,
    subject_slug: str,
    completed_on: date,
    expires_on: date | None,
    note: str | None,
    actor: User,
    today: date,
) -> TrainingRecord:
    """Record a completion as a new row (records are never overwritten) and audit it."""
    subject = session.scalar(
        select(TrainingSubject).where(TrainingSubject.slug == subject_slug, TrainingSubject.retired.is_(False))
    )
    if subject is None:
        raise TrainingError("Choose a training subject from the list")
    if completed_on > today:
        raise TrainingError("The date completed must be today or in the past")
    if expires_on is not None and expires_on <= completed_on:
        raise TrainingError("The certificate expiry date must be after the date completed")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise TrainingError(f"The note must be {NOTE_MAX} characters or fewer")
    record = TrainingRecord(
        user_id=person.id,
        subject_id=subject.id,
        completed_on=completed_on,
        expires_on=expires_on,
        note=note,
        recorded_by_id=actor.id,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training_recorded",
        object_type="training_record",
        object_id=record.id,
        subject_id=person.id,
        detail={"subject": subject.slug, "completed_on": completed_on, "expires_on": expires_on},
    )
    return record


def add_registration(
    session: Session, person: User, body: str, number: str, renewal_on: date, actor: User
) -> Registration:
    """Record the person's current registration; earlier entries are kept and the newest counts."""
    body, number = body.strip(), number.strip()
    if not body or not number:
        raise TrainingError("Enter the registration body and number")
    registration = Registration(user_id=person.id, body=body, number=number, renewal_on=renewal_on)
    session.add(registration)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="registration_recorded",
        object_type="registration",
        object_id=registration.id,
        subject_id=person.id,
        detail={"body": body, "number": number, "renewal_on": renewal_on},
    )
    return registration


def add_dbs_check(
    session: Session,
    person: User,
    checked_on: date,
    level: str,
    certificate_number: str | None,
    actor: User,
    today: date,
) -> DbsCheck:
    """Record a DBS check; earlier checks are kept and the latest counts."""
    if level not in DBS_LEVELS:
        raise TrainingError("Choose the level of the DBS check")
    if checked_on > today:
        raise TrainingError("The date of the DBS check must be today or in the past")
    check = DbsCheck(
        user_id=person.id,
        checked_on=checked_on,
        level=level,
        certificate_number=(certificate_number or "").strip() or None,
    )
    session.add(check)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="dbs_check_recorded",
        object_type="dbs_check",
        object_id=check.id,
        subject_id=person.id,
        detail={"checked_on": checked_on, "level": level},
    )
    return check
