"""Mandatory training, professional registration and DBS checks: whether each is in date, as pure rules.

The state of one subject for one person is a pure function of the subject's renewal rules, the
person's target role, their latest record and the date (`subject_state`, `state_on`), so it is
tested without a database. The records are read in `training` and written in `training_records`.

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
from typing import Iterable

from competency_portal.clock import add_months

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
