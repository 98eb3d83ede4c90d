"""The rules each row of a staff file must meet, and what importing it would change.

Pure functions over the rows `staff_import.parse` read and the people already held: a row needs a
name and a valid email, appears once, names a supervisor who has (or is given) the supervisor role,
and may not take away the importing administrator's own admin role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from competency_portal import policy
from competency_portal.services import people

if TYPE_CHECKING:
    from competency_portal.services.staff_import import ExistingPerson, ImportRow

CREATE, UPDATE, NO_CHANGE = "create", "update", "no change"
LIMITS = {
    "name": 120, "email": 254, "job_title": 120, "band": 40, "team": 120, "supervisor_email": 254,
    "employee_number": 40,
}  # fmt: skip
LABELS = {
    "name": "Name",
    "email": "Email",
    "job_title": "Job title",
    "band": "Band",
    "team": "Team",
    "supervisor_email": "Supervisor email",
    "employee_number": "Employee number",
}
EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")


def valid_email(email: str) -> bool:
    """A plausible email address (one @, a dot in the domain, no spaces)."""
    return bool(EMAIL.match(email)) and len(email) <= 254


def check_rows(rows: list[ImportRow], existing: Mapping[str, ExistingPerson], actor_email: str | None) -> None:
    """Add each row's errors, and what importing it would do (create, update, no change).

    `existing` maps normalised email -> the person held; `actor_email` is the importing administrator's.
    """
    first_row: dict[str, ImportRow] = {}
    for row in rows:
        if not row.name:
            row.errors.append("Enter the person’s name")
        if not row.email:
            row.errors.append("Enter the person’s email address")
        elif not valid_email(row.email):
            row.errors.append(f"“{row.email}” is not a valid email address")
        for name, limit in LIMITS.items():
            value = getattr(row, name) or ""
            if len(value) > limit:
                row.errors.append(f"{LABELS[name]} is longer than {limit} characters")
        if row.email:
            if row.email in first_row:
                row.errors.append(
                    f"Email {row.email} is also on row {first_row[row.email].number}: each person must appear once"
                )
            else:
                first_row[row.email] = row
    _check_employee_numbers(rows, existing)

    for row in rows:
        if row.supervisor_email:
            _check_supervisor(row, first_row, existing)
        held = existing.get(row.email)
        if held is not None:
            row.existing_id = held.id
            if actor_email and row.email == people.normalise_email(actor_email) and policy.drops_admin(held, row.roles):
                row.errors.append(
                    "This is your own account: the file would remove your admin role. "
                    "Add “admin” to your role, or leave yourself out of the file."
                )
            row.changes = _changes(row, held)
            row.action = UPDATE if row.changes else NO_CHANGE
        else:
            row.action = CREATE


def _check_employee_numbers(rows: list[ImportRow], existing: Mapping[str, ExistingPerson]) -> None:
    """An employee number identifies one person: once in the file, and not someone else's already."""
    holder = {p.employee_number: p.email for p in existing.values() if p.employee_number}
    first: dict[str, ImportRow] = {}
    for row in rows:
        number = row.employee_number
        if not number:
            continue
        if number in first:
            row.errors.append(f"Employee number {number} is also on row {first[number].number}: each is one person's")
            continue
        first[number] = row
        if holder.get(number, row.email) != row.email:
            row.errors.append(f"Employee number {number} already belongs to {holder[number]}")


def _check_supervisor(row: ImportRow, in_file: Mapping[str, ImportRow], existing: Mapping[str, ExistingPerson]) -> None:
    email = row.supervisor_email or ""
    if email == row.email:
        row.errors.append("The supervisor email is the person’s own: a person cannot supervise themself")
        return
    if not valid_email(email):
        row.errors.append(f"Supervisor email “{email}” is not a valid email address")
        return
    if email in in_file:
        if not policy.can_supervise(in_file[email]):
            row.errors.append(
                f"Supervisor {email} (row {in_file[email].number}) does not have the supervisor role: "
                "add “supervisor” to their role"
            )
        return
    held = existing.get(email)
    if held is None:
        row.errors.append(f"Supervisor {email} is not in the file and is not a person in the portal")
    elif not held.active:
        row.errors.append(f"Supervisor {email} is deactivated: choose an active supervisor")
    elif not policy.can_supervise(held):
        row.errors.append(
            f"Supervisor {email} does not have the supervisor role: "
            "give them that role, or include them in the file with it"
        )


def _changes(row: ImportRow, held: ExistingPerson) -> list[str]:
    """What importing the row would change about someone already held (blank cells change nothing)."""
    changes = []
    if row.name and row.name != held.name:
        changes.append("name")
    if row.job_title and row.job_title != held.job_title:
        changes.append("job title")
    if row.band and row.band != held.band:
        changes.append("band")
    if row.team and row.team.lower() != (held.team or "").lower():
        changes.append("team")
    if row.roles != held.roles:
        changes.append("roles")
    if row.supervisor_email and held.supervisor_emails != {row.supervisor_email}:
        changes.append("supervisor")
    if row.target_role and row.target_role != held.target_role:
        changes.append("target role")
    if row.employee_number and row.employee_number != held.employee_number:
        changes.append("employee number")
    return changes
