"""Where the records about a person are: every table that names them, and the records that hang off those.

Each `Source` is one table and how to find the person's rows in it. `DIRECT` must name every
column that refers to a user account (tests/test_subject_access.py compares it with the schema, so
a new table with a user column fails until it is listed here). `CHILDREN` are tables with no user
column whose rows belong to a record that is the person's (an evidence revision, a score).

Some columns are secrets, not information about the person, and are never copied (`WITHHELD`);
the archive's manifest says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import ColumnElement, Table, or_, select

from competency_portal.models import Base

T = Base.metadata.tables

WITHHELD: dict[str, frozenset[str]] = {
    "user_account": frozenset({"password_hash", "session_token"}),
    "totp_factor": frozenset({"secret"}),
    "recovery_code": frozenset({"code_hash"}),
    "api_token": frozenset({"secret_hash"}),
    "api_client": frozenset({"secret_hash"}),
    "background_job": frozenset({"data"}),  # a file uploaded for the job: other people's details
}


@dataclass(frozen=True)
class Source:
    """One table and the condition that picks the person's rows (as subject, or as the one who acted)."""

    table: str
    why: str  # what these rows are, as the archive's README says it
    where: Callable[[int], ColumnElement]
    columns: tuple[str, ...] = ()  # the user columns it covers (DIRECT only)


def _is(table: str, *columns: str) -> Callable[[int], ColumnElement]:
    def where(person_id: int) -> ColumnElement:
        return or_(*(T[table].c[c] == person_id for c in columns))

    return where


def _direct(table: str, why: str, *columns: str) -> Source:
    return Source(table, why, _is(table, *columns), columns)


DIRECT: list[Source] = [
    Source("user_account", "Your profile", lambda p: T["user_account"].c.id == p),
    _direct("user_role", "Your roles", "user_id"),
    _direct("external_identity", "Your accounts at the trust's identity providers", "user_id"),
    _direct("totp_factor", "Your two-factor sign-in (the secret itself is withheld)", "user_id"),
    _direct("recovery_code", "Your recovery codes: when made and used (the codes are withheld)", "user_id"),
    _direct("api_token", "Your API tokens: names, scopes and dates (the secrets are withheld)", "user_id"),
    _direct("api_client", "Reporting tools you registered for the API (the secrets are withheld)", "created_by_id"),
    _direct("supervision", "Supervision you received or gave", "supervisee_id", "supervisor_id"),
    _direct("deputy", "Cover for a supervisor, by you or for you", "supervisor_id", "deputy_id"),
    _direct("self_assessment", "Every rating you gave yourself", "user_id"),
    _direct("evidence", "Your evidence (and evidence sent to you for sign-off)", "owner_id", "submitted_to_id"),
    _direct("sign_off", "Decisions you made or revoked on evidence", "signer_id", "revoked_by_id"),
    _direct("readiness_fact", "Your readiness, as last computed", "user_id"),
    _direct("appraisal", "Your appraisals (PDRs), and those you held as appraiser", "user_id", "appraiser_id"),
    _direct("progress_note", "Progress notes you wrote", "author_id"),
    _direct("training_record", "Your training (and training you recorded for others)", "user_id", "recorded_by_id"),
    _direct("dbs_check", "Your DBS checks", "user_id"),
    _direct("registration", "Your professional registrations", "user_id"),
    _direct("application", "Your applications for posts in the trust", "internal_user_id"),
    _direct("vacancy", "Vacancies you led", "lead_id"),
    _direct("panel_member", "Shortlisting panels you sat on", "user_id"),
    _direct("score", "Scores you gave as a panel member", "scorer_id"),
    _direct("moderation", "Scores you moderated", "moderated_by_id"),
    _direct("shortlist_decision", "Shortlisting decisions you made", "decided_by_id"),
    _direct("issued_credential", "Credentials issued to you", "holder_id"),
    _direct("received_credential", "Credentials you brought in from other trusts", "owner_id"),
    _direct("notification", "Messages the portal sent you", "user_id"),
    _direct("framework_draft", "Framework drafts you made or changed", "created_by_id", "updated_by_id"),
    _direct("site_setting", "Portal settings you changed", "changed_by_id"),
    _direct(
        "background_job",
        "Background work you started, such as staff imports (their files are withheld)",
        "started_by_id",
    ),
    Source(
        "audit_event",
        "The audit trail: everything recorded about you, and what you did (details left out where others are named)",
        _is("audit_event", "subject_id", "actor_id"),
        ("subject_id", "actor_id"),
    ),
]


def _in(table: str, column: str, parent: str, parent_where: Callable[[int], ColumnElement]):
    def where(person_id: int) -> ColumnElement:
        return T[table].c[column].in_(select(T[parent].c.id).where(parent_where(person_id)))

    return where


_OWN_EVIDENCE = _is("evidence", "owner_id")
_OWN_APPLICATION = _is("application", "internal_user_id")
_OWN_APPRAISAL = _is("appraisal", "user_id")


def _revision_of_own(person_id: int) -> ColumnElement:
    revisions = select(T["evidence_revision"].c.id).where(
        _in("evidence_revision", "evidence_id", "evidence", _OWN_EVIDENCE)(person_id)
    )
    return revisions


CHILDREN: list[Source] = [
    Source(
        "evidence_revision",
        "Every revision of your evidence",
        _in("evidence_revision", "evidence_id", "evidence", _OWN_EVIDENCE),
    ),
    Source(
        "evidence_link",
        "The items each revision was linked to",
        lambda p: T["evidence_link"].c.revision_id.in_(_revision_of_own(p)),
    ),
    Source(
        "attachment",
        "Files attached to your evidence (the files are in attachments/)",
        lambda p: T["attachment"].c.revision_id.in_(_revision_of_own(p)),
    ),
    Source(
        "sign_off",
        "Decisions on your evidence, by your supervisors",
        _in("sign_off", "evidence_id", "evidence", _OWN_EVIDENCE),
    ),
    Source(
        "sign_off_item",
        "The level confirmed for each item in those decisions",
        lambda p: T["sign_off_item"].c.sign_off_id.in_(
            select(T["sign_off"].c.id).where(_in("sign_off", "evidence_id", "evidence", _OWN_EVIDENCE)(p))
        ),
    ),
    Source(
        "objective", "The objectives of your appraisals", _in("objective", "appraisal_id", "appraisal", _OWN_APPRAISAL)
    ),
    Source(
        "progress_note",
        "Progress notes on your objectives",
        lambda p: T["progress_note"].c.objective_id.in_(
            select(T["objective"].c.id).where(_in("objective", "appraisal_id", "appraisal", _OWN_APPRAISAL)(p))
        ),
    ),
    Source(
        "criterion_answer",
        "Your answers in your applications",
        _in("criterion_answer", "application_id", "application", _OWN_APPLICATION),
    ),
    Source(
        "score", "Panel scores about your applications", _in("score", "application_id", "application", _OWN_APPLICATION)
    ),
    Source(
        "moderation",
        "Moderated scores about your applications",
        _in("moderation", "application_id", "application", _OWN_APPLICATION),
    ),
    Source(
        "shortlist_decision",
        "Shortlisting decisions about your applications",
        _in("shortlist_decision", "application_id", "application", _OWN_APPLICATION),
    ),
    Source(
        "credential_basis",
        "The sign-offs each of your credentials rests on",
        _in("credential_basis", "credential_id", "issued_credential", _is("issued_credential", "holder_id")),
    ),
]


# The order the summary reads in: the person, their portfolio, development, recruitment, then the rest.
READING_ORDER = (
    "user_account user_role supervision deputy external_identity totp_factor recovery_code api_token api_client "
    "self_assessment "
    "evidence evidence_revision evidence_link attachment sign_off sign_off_item readiness_fact issued_credential "
    "credential_basis received_credential appraisal objective progress_note training_record dbs_check "
    "registration application criterion_answer score moderation shortlist_decision vacancy panel_member "
    "framework_draft site_setting notification audit_event"
).split()


def user_columns(table: Table) -> list[str]:
    """The columns of a table that refer to a user account."""
    return [c.name for c in table.columns if any(fk.column.table.name == "user_account" for fk in c.foreign_keys)]
