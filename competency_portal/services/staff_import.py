"""Importing staff from an HR system's CSV export.

`parse` is a pure function: the file's bytes and a snapshot of the people already held go in;
every row comes out with what would happen to it (create, update, no change) and what is wrong
with it. Nothing is written. The rules each row must meet are in staff_import_rules;
services/staff_import_store.py takes the snapshot and writes a clean preview.

An optional "target role" column names the role profile each person works towards, by its slug or
its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from competency_portal import exports
from competency_portal.models import Role
from competency_portal.services import csv_upload, people
from competency_portal.services.staff_import_rules import CREATE, NO_CHANGE, UPDATE, check_rows, valid_email

__all__ = [
    "CREATE",
    "MAX_BYTES",
    "MAX_ROWS",
    "NO_CHANGE",
    "OPTIONAL",
    "REQUIRED",
    "UPDATE",
    "ExistingPerson",
    "ImportPreview",
    "ImportRow",
    "column_key",
    "parse",
    "sample_csv",
    "valid_email",
]

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
KIND = csv_upload.Kind("person", "people", "Export a CSV file from your HR system and upload it.")

# column key (lower case, no spaces or underscores) -> our field name
COLUMNS = {
    "name": "name",
    "email": "email",
    "jobtitle": "job_title",
    "band": "band",
    "team": "team",
    "supervisoremail": "supervisor_email",
    "role": "roles",
    "targetrole": "target_role",
    "employeenumber": "employee_number",
}
REQUIRED = ["name", "email", "job title", "band", "team", "supervisor email", "role"]
OPTIONAL = ["target role", "employee number"]
ROLE_NAMES = ", ".join(r.value for r in Role)


def column_key(header: str) -> str:
    """How a header is matched: case-insensitively, ignoring spaces and underscores."""
    return re.sub(r"[\s_]+", "", header or "").lower()


@dataclass(frozen=True)
class ExistingPerson:
    """What the import needs to know about someone already held."""

    id: int
    email: str
    name: str
    job_title: str | None = None
    band: str | None = None
    team: str | None = None
    roles: frozenset[Role] = frozenset({Role.STAFF})
    active: bool = True
    supervisor_emails: frozenset[str] = frozenset()  # of their open supervision assignments
    target_role: str | None = None
    employee_number: str | None = None


@dataclass
class ImportRow:
    """One row of the file, what the import would do with it, and what is wrong with it."""

    number: int  # the row as a spreadsheet numbers it: the header is row 1
    name: str
    email: str
    job_title: str | None
    band: str | None
    team: str | None
    supervisor_email: str | None
    roles: frozenset[Role]
    target_role: str | None = None  # a role profile's slug; None leaves it as it is (or unset, for someone new)
    employee_number: str | None = None  # the trust's number for them; None leaves it as it is
    action: str = CREATE
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    existing_id: int | None = None


@dataclass
class ImportPreview:
    """The result of reading a file: a problem with the whole file, or its rows."""

    rows: list[ImportRow] = field(default_factory=list)
    problem: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    has_target_role: bool = False  # whether the file has a target role column

    @property
    def error_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        """Whether the import may go ahead: the file reads, has rows, and no row has an error."""
        return self.problem is None and bool(self.rows) and not self.error_rows

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _roles(value: str) -> tuple[frozenset[Role], list[str]]:
    """The roles named in a cell (separated by ; or ,), and any names not known."""
    names = [p.strip().lower() for p in re.split(r"[;,]", value or "") if p.strip()]
    if not names:
        return frozenset({Role.STAFF}), []
    known = {r.value: r for r in Role}
    unknown = [n for n in names if n not in known]
    return frozenset(known[n] for n in names if n in known), unknown


def _target_role(value: str, profiles: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The role profile a cell names (by slug or title, in any capitals), and an error if it names none."""
    if not value:
        return None, None
    wanted = value.casefold()
    for slug, title in profiles.items():
        if wanted in (slug.casefold(), title.casefold()):
            return slug, None
    if not profiles:
        return (
            None,
            f"Target role “{value}” is not a role profile: none is loaded yet. "
            "Load the frameworks, or leave the cell blank",
        )
    allowed = "; ".join(f"{slug} ({title})" for slug, title in sorted(profiles.items()))
    return None, f"Target role “{value}” is not a role profile: use one of {allowed}, or leave the cell blank"


def parse(
    data: bytes,
    existing: Mapping[str, ExistingPerson],
    *,
    actor_email: str | None = None,
    role_profiles: Mapping[str, str] | None = None,
) -> ImportPreview:
    """Read and check a staff CSV without writing anything.

    `existing` maps normalised email -> the person held. `actor_email` is the importing
    administrator's, so that the file cannot take away their own admin role. `role_profiles` maps
    each role profile's slug to its title: the values the target role column may take.
    """
    profiles = role_profiles or {}
    try:
        header, lines = csv_upload.read(data, KIND, MAX_BYTES, MAX_ROWS)
    except csv_upload.CsvRefused as exc:
        return ImportPreview(problem=str(exc))
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        key = column_key(title)
        name = COLUMNS.get(key)
        if name is None:
            if title.strip():
                ignored.append(title.strip())
            continue
        if name in positions:
            return ImportPreview(
                problem=f"The column “{title.strip()}” appears more than once. Keep one and upload the file again."
            )
        positions[name] = index
    missing = [label for label in REQUIRED if COLUMNS[column_key(label)] not in positions]
    if missing:
        return ImportPreview(
            problem=(
                f"The file has no {_join(missing)} column{'s' if len(missing) > 1 else ''}. "
                f"The header row must name these columns: {', '.join(REQUIRED)}."
            )
        )

    rows = [_read_row(number, cells, positions, profiles) for number, cells in lines]

    has_target_role = "target_role" in positions
    if not rows:
        return ImportPreview(
            problem="The file has a header row but no people. Add a row for each person.",
            ignored_columns=ignored,
            has_target_role=has_target_role,
        )

    check_rows(rows, existing, actor_email)
    return ImportPreview(rows=rows, ignored_columns=ignored, has_target_role=has_target_role)


def _read_row(number: int, cells: list[str], positions: Mapping[str, int], profiles: Mapping[str, str]) -> ImportRow:
    """One line of the file as a row, with the errors its role and target role cells have."""

    def cell(name: str) -> str:
        i = positions.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    roles, unknown = _roles(cell("roles"))
    target_role, wrong_role = _target_role(cell("target_role"), profiles)
    row = ImportRow(
        number=number,
        name=cell("name"),
        email=people.normalise_email(cell("email")),
        job_title=cell("job_title") or None,
        band=cell("band") or None,
        team=cell("team") or None,
        supervisor_email=people.normalise_email(cell("supervisor_email")) or None,
        roles=roles,
        target_role=target_role,
        employee_number=cell("employee_number") or None,
    )
    if unknown:
        row.errors.append(f"Role “{', '.join(unknown)}” is not known: use {ROLE_NAMES}")
    if wrong_role:
        row.errors.append(wrong_role)
    return row


def _join(words: list[str]) -> str:
    words = [f"“{w}”" for w in words]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def sample_csv(profiles: Mapping[str, str]) -> str:
    """A small staff file with every column the import reads, naming a role profile that is loaded."""
    role = next(iter(sorted(profiles)), "")
    return exports.csv_text(
        ["Name", "Email", "Job title", "Band", "Team", "Supervisor email", "Role", "Target role", "Employee number"],
        [
            [
                "Sam Lead",
                "sam.lead@example.nhs.uk",
                "Team Leader",
                "7",
                "North CMHT",
                "",
                "supervisor;staff",
                "",
                "100101",
            ],
            [
                "Ali Khan",
                "ali.khan@example.nhs.uk",
                "Community Mental Health Nurse",
                "5",
                "North CMHT",
                "sam.lead@example.nhs.uk",
                "staff",
                role,
                "100102",
            ],
        ],
    )
