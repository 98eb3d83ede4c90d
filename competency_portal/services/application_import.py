"""Importing applications to a vacancy from a CSV file.

`parse` is pure: the file's bytes, the vacancy's criteria (assessed at application), the emails
already applied and the emails of active portal accounts go in; every row comes out with what is
wrong with it. Nothing is written. `apply` writes a clean preview in the caller's transaction, all
rows or none, giving each the next reference (C-001, C-002 ...).

Columns (matched case-insensitively, ignoring spaces and underscores): candidate name, email,
supporting statement, internal (yes/no), guaranteed interview (yes/no); optional: share portfolio
(yes/no, internal candidates with a portal account only) and one column per criterion named by its
code (for example "AP.1") holding the candidate's text for that criterion.

The preview never shows names or email addresses: the panel, the lead included, shortlists blind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from competency_portal.models import Application, Item, User, Vacancy
from competency_portal.services import audit, csv_upload, people, portfolio_consent, vacancies
from competency_portal.services.staff_import import column_key, valid_email

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2_000
KIND = csv_upload.Kind("application", "applications", "Save it as CSV and upload it again.")
CHANGED = "Nothing was imported: the vacancy changed while the import ran. Upload the file again."

COLUMNS = {
    "candidatename": "candidate_name",
    "email": "email",
    "supportingstatement": "supporting_statement",
    "internal": "internal",
    "guaranteedinterview": "guaranteed_interview",
    "shareportfolio": "portfolio_consent",
}
REQUIRED = ["candidate name", "email", "supporting statement", "internal", "guaranteed interview"]
OPTIONAL = ["share portfolio"]
LABELS = {
    "candidate_name": "Candidate name",
    "email": "Email",
    "supporting_statement": "Supporting statement",
    "internal": "Internal",
    "guaranteed_interview": "Guaranteed interview",
    "portfolio_consent": "Share portfolio",
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class ImportRefused(Exception):
    """The confirmed file can no longer be imported as previewed; nothing of it is kept."""


@dataclass
class ImportRow:
    """One row of the file and what is wrong with it (the preview shows no names or emails)."""

    number: int  # as a spreadsheet numbers it: the header is row 1
    fields: vacancies.ApplicationFields
    errors: list[str] = field(default_factory=list)
    reference: str = ""


@dataclass
class ImportPreview:
    """What a file would import: every row with what is wrong with it, or what is wrong with the whole file."""

    rows: list[ImportRow] = field(default_factory=list)
    problem: str | None = None

    @property
    def error_rows(self) -> list[ImportRow]:
        """The rows with something wrong."""
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        """Whether the file imports as it is: rows, and nothing wrong with any."""
        return self.problem is None and bool(self.rows) and not self.error_rows


def _yes_no(value: str) -> bool | None:
    v = value.strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    return None


def parse(
    data: bytes, criteria: Iterable[Item], applied: Mapping[str, str], accounts: set[str], first_number: int = 1
) -> ImportPreview:
    """Read and check an applications CSV without writing anything.

    `criteria`: the vacancy's criteria assessed at application; `applied`: email -> reference of
    applications already held; `accounts`: emails of active portal accounts; `first_number`: the
    reference number the first row would take.
    """
    try:
        header, lines = csv_upload.read(data, KIND, MAX_BYTES, MAX_ROWS)
    except csv_upload.CsvRefused as exc:
        return ImportPreview(problem=str(exc))
    by_code = {c.code.strip().lower(): c for c in criteria}
    codes = ", ".join(c.code for c in criteria) or "none"
    positions: dict[str, int] = {}
    answer_columns: dict[int, int] = {}  # column index -> criterion item id
    unknown: list[str] = []
    for index, title in enumerate(header):
        name = COLUMNS.get(column_key(title))
        if name is not None:
            if name in positions:
                return ImportPreview(
                    problem=f"The column “{title.strip()}” appears more than once. Keep one and upload the file again."
                )
            positions[name] = index
            continue
        criterion = by_code.get(title.strip().lower())
        if criterion is not None:
            if criterion.id in answer_columns.values():
                return ImportPreview(
                    problem=f"The column “{title.strip()}” appears more than once. Keep one and upload the file again."
                )
            answer_columns[index] = criterion.id
        elif title.strip():
            unknown.append(title.strip())
    if unknown:
        return ImportPreview(
            problem=(
                f"The column{'s' if len(unknown) > 1 else ''} {', '.join(f'“{u}”' for u in unknown)} "
                f"{'are' if len(unknown) > 1 else 'is'} not a criterion assessed at application "
                "in this vacancy’s person specification. "
                f"Criterion columns must be named by code: {codes}."
            )
        )
    missing = [label for label in REQUIRED if COLUMNS[column_key(label)] not in positions]
    if missing:
        return ImportPreview(
            problem=(
                f"The file has no {', '.join(f'“{m}”' for m in missing)} column{'s' if len(missing) > 1 else ''}. "
                f"The header row must name these columns: {', '.join(REQUIRED)}."
            )
        )

    rows = [_row(number, cells, positions, answer_columns) for number, cells in lines]
    if not rows:
        return ImportPreview(problem="The file has a header row but no applications. Add a row for each application.")

    first_row: dict[str, int] = {}
    for offset, row in enumerate(rows):
        row.reference = vacancies.reference(first_number + offset)
        email = row.fields.email
        if email:
            if email in applied:
                row.errors.append(f"An application with this email address is already held ({applied[email]})")
            elif email in first_row:
                row.errors.append(
                    f"The email address is also on row {first_row[email]}: each candidate must appear once"
                )
            else:
                first_row[email] = row.number
        if row.fields.portfolio_consent and not row.errors:
            if not row.fields.internal:
                row.errors.append(
                    "Share portfolio is “yes” but internal is not: only internal candidates can share their portfolio"
                )
            elif email and valid_email(email) and email not in accounts:
                row.errors.append("Share portfolio is “yes” but no active portal account has this email address")
    return ImportPreview(rows=rows)


def _row(number: int, cells: list[str], positions: dict[str, int], answer_columns: dict[int, int]) -> ImportRow:
    def cell(name: str) -> str:
        i = positions.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    errors: list[str] = []
    flags: dict[str, bool] = {}
    for name in ("internal", "guaranteed_interview", "portfolio_consent"):
        value = _yes_no(cell(name))
        if value is None:
            errors.append(f"{LABELS[name]} must be “yes” or “no”")
        flags[name] = bool(value)
    answers = {
        item_id: cells[i].strip() for i, item_id in answer_columns.items() if i < len(cells) and cells[i].strip()
    }
    fields = vacancies.ApplicationFields(
        candidate_name=cell("candidate_name"),
        email=people.normalise_email(cell("email")),
        supporting_statement=cell("supporting_statement"),
        internal=flags["internal"],
        guaranteed_interview=flags["guaranteed_interview"],
        portfolio_consent=flags["portfolio_consent"],
        answers=answers,
    )
    if not fields.candidate_name:
        errors.insert(0, "Enter the candidate’s name")
    if not fields.email:
        errors.append("Enter the candidate’s email address")
    elif not valid_email(fields.email):
        errors.append("The email address is not valid")
    if not fields.supporting_statement:
        errors.append("Enter the supporting statement")
    for name in ("candidate_name", "email", "supporting_statement"):
        limit = vacancies.LIMITS[name]
        if len(getattr(fields, name)) > limit:
            errors.append(f"{LABELS[name]} is longer than {limit:,} characters")
    too_long = sum(1 for t in answers.values() if len(t) > vacancies.LIMITS["answer"])
    if too_long:
        errors.append(
            f"{too_long} criterion answer{'s are' if too_long > 1 else ' is'} longer than "
            f"{vacancies.LIMITS['answer']:,} characters"
        )
    return ImportRow(number=number, fields=fields, errors=errors)


def accounts(session: Session) -> set[str]:
    """Emails of active portal accounts."""
    return set(session.scalars(select(User.email).where(User.active.is_(True))))


def preview_for(session: Session, vacancy: Vacancy, data: bytes) -> ImportPreview:
    """Parse a file against what is held for the vacancy now."""
    return parse(
        data,
        vacancies.criteria(session, vacancy.spec_version_id),
        vacancies.applied_emails(session, vacancy.id),
        accounts(session),
        vacancies.next_reference_number(session, vacancy.id),
    )


def apply(
    session: Session, vacancy: Vacancy, actor: User, preview: ImportPreview, token: str, mail: dict | None = None
) -> list[Application]:
    """Write every row of a clean preview in the caller's transaction (the caller commits or rolls back).

    Refused (`ImportRefused`, nothing to keep) if the vacancy changed since the preview so that a row
    no longer goes in, or someone else added to it at the same moment.
    """
    if not preview.ok:
        raise ValueError("only a preview with no errors can be imported")
    try:
        made = _add_rows(session, vacancy, actor, preview)
        _record(session, vacancy, actor, preview, made, token, mail)
        session.flush()
    except (vacancies.VacancyError, IntegrityError, StaleDataError):
        raise ImportRefused(CHANGED) from None
    return made


def _add_rows(session: Session, vacancy: Vacancy, actor: User, preview: ImportPreview) -> list[Application]:
    vacancies.check_can_add(vacancy, actor)
    ids = {c.id for c in vacancies.criteria(session, vacancy.spec_version_id)}
    start = vacancies.next_reference_number(session, vacancy.id)
    made = []
    for offset, row in enumerate(preview.rows):
        application = vacancies.build_application(
            session, vacancy, row.fields, vacancies.reference(start + offset), ids
        )
        session.add(application)
        made.append(application)
    session.flush()
    return made


def _record(session, vacancy, actor, preview, made, token, mail) -> None:
    """Audit each added application and the import, and ask internal candidates to share their portfolio."""
    for application, row in zip(made, preview.rows, strict=True):
        audit.record(
            session,
            actor_id=actor.id,
            action="application_added",
            object_type="application",
            object_id=application.id,
            detail={**vacancies.application_detail(vacancy, application), "source": "import", "row": row.number},
        )
        if application.internal_user_id:
            portfolio_consent.ask(session, actor, vacancy, application, mail)
    audit.record(
        session,
        actor_id=actor.id,
        action="applications_imported",
        object_type="vacancy",
        object_id=vacancy.id,
        detail={"applications": len(made), "references": [a.reference for a in made], "upload": token},
    )
