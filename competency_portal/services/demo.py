"""Demo people and data for a development database: every role, and a team at mixed stages.

Only ever written into a database with no people in it, and never in production.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competency_portal.models import (
    Decision,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    EvidenceState,
    EvidenceType,
    Role,
    SelfAssessment,
    SignOff,
    SignOffItem,
    Supervision,
    User,
)
from competency_portal.services import audit, people
from competency_portal.services.evidence import digest
from competency_portal.services.self_assessment import role_for

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - development demo data only, printed to the developer
ROLE = "care-coordinator-band-6"


class DemoRefused(RuntimeError):
    """Demo data cannot be written here; the message says why."""


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in, as printed for the developer."""

    email: str
    name: str
    what: str


# name, email, job title, band, roles, share of the role verified, what they show
SUPERVISEES = [
    ("Priya Shah", "priya.shah@example.nhs.uk", "Community Mental Health Nurse", "6", 0.9, "nearly ready: most items signed off"),
    ("Tom Okafor", "tom.okafor@example.nhs.uk", "Mental Health Social Worker", "6", 0.6, "part way: about half the role verified"),
    ("Grace Lee", "grace.lee@example.nhs.uk", "Staff Nurse", "5", 0.25, "working towards the role"),
    ("Dan Hughes", "dan.hughes@example.nhs.uk", "Staff Nurse", "5", 0.0, "just started: a draft and a submission"),
]


def seed(session: Session, today: date, environment: str) -> list[DemoAccount]:
    """Write the demo data, or refuse; the caller commits."""
    if environment == "production":
        raise DemoRefused("Demo data is never written in production.")
    if session.scalar(select(func.count()).select_from(User)):
        raise DemoRefused("The database already has people in it, so no demo data was added.")
    rng = random.Random(2026)
    make = lambda name, email, title, band, roles: people.create_person(  # noqa: E731
        session, name=name, email=email, roles=roles, job_title=title, band=band, team="North Community Mental Health Team",
        target_role=ROLE, password=DEMO_PASSWORD)
    admin = make("Alex Morgan", "admin@example.nhs.uk", "Workforce and Education Lead", "8a", {Role.ADMIN, Role.STAFF})
    lead = make("Sam Patel", "supervisor@example.nhs.uk", "Team Lead", "7", {Role.SUPERVISOR, Role.STAFF})
    deputy = make("Jo Williams", "deputy@example.nhs.uk", "Clinical Supervisor", "7", {Role.SUPERVISOR, Role.STAFF})
    make("Chris Evans", "recruiter@example.nhs.uk", "Recruiting Manager", "7", {Role.RECRUITER, Role.STAFF})
    accounts = [
        DemoAccount(admin.email, admin.name, "administrator"),
        DemoAccount(lead.email, lead.name, "supervisor of the team below"),
        DemoAccount(deputy.email, deputy.name, "supervisor who can deputise"),
        DemoAccount("recruiter@example.nhs.uk", "Chris Evans", "recruiter"),
    ]
    role = role_for(session, admin)
    targets = sorted(role.targets, key=lambda t: (t.item.version.title, t.item.position)) if role else []
    for name, email, title, band, share, what in SUPERVISEES:
        person = make(name, email, title, band, {Role.STAFF})
        session.add(Supervision(supervisor_id=lead.id, supervisee_id=person.id, starts_on=today - timedelta(days=400)))
        accounts.append(DemoAccount(email, name, f"staff, {what}"))
        _portfolio(session, rng, person, lead, targets, share, today)
    _training(session, rng, today)
    session.flush()
    audit.record(session, actor_id=None, action="demo_seeded", object_type="database", object_id="demo", detail={"people": len(accounts)})
    return accounts


def _portfolio(session, rng, person, signer, targets, share, today) -> None:
    chosen = [t for t in targets if rng.random() < share]
    for t in targets:
        if rng.random() < 0.7 or t in chosen:
            session.add(SelfAssessment(user_id=person.id, item_id=t.item_id, level=min(4, t.target_level + rng.choice([-1, 0, 0, 1])), note=None))
    # Group the verified items into pieces of evidence of 1 to 4 items each.
    while chosen:
        batch = chosen[: rng.randint(1, 4)]
        chosen = chosen[len(batch):]
        when = today - timedelta(days=rng.randint(20, 500))
        evidence = _evidence(person, batch, when, rng, EvidenceState.SIGNED_OFF)
        session.add(evidence)
        session.flush()
        revision = evidence.current
        session.add(SignOff(evidence=evidence, revision=revision, signer_id=signer.id, decision=Decision.SIGNED_OFF,
                            comment="Clear, well-reflected evidence.", digest=digest(revision),
                            decided_at=datetime.combine(when + timedelta(days=7), time(10), timezone.utc),
                            items=[SignOffItem(item_id=t.item_id, level=t.target_level) for t in batch]))
    if targets:
        session.add(_evidence(person, rng.sample(targets, 1), today - timedelta(days=3), rng, EvidenceState.DRAFT))
        submitted = _evidence(person, rng.sample(targets, 2), today - timedelta(days=12), rng, EvidenceState.SUBMITTED)
        submitted.current.frozen = True
        submitted.submitted_at = datetime.combine(today - timedelta(days=rng.randint(1, 20)), time(9), timezone.utc)
        submitted.submitted_to_id = signer.id
        session.add(submitted)


def _evidence(person, batch, when, rng, state) -> Evidence:
    kind = rng.choice([EvidenceType.REFLECTIVE_ACCOUNT, EvidenceType.OBSERVED_PRACTICE, EvidenceType.SUPERVISION_RECORD, EvidenceType.CASE_STUDY])
    codes = ", ".join(t.item.code for t in batch)
    revision = EvidenceRevision(
        number=1, title=f"{kind.label}: {codes}", evidence_type=kind, activity_date=when, frozen=state != EvidenceState.DRAFT,
        description=f"{kind.label} covering {codes}. Describes the situation, what was done, and what was learnt, without identifying anyone.",
        links=[EvidenceLink(item_id=t.item_id) for t in batch], attachments=[],
    )
    return Evidence(owner_id=person.id, state=state, revisions=[revision])


def _training(session: Session, rng: random.Random, today: date) -> None:
    """Training records at mixed stages: most in date, some due soon, a few expired or missing."""
    from competency_portal.models import DbsCheck, Registration, TrainingRecord, TrainingSubject

    subjects = session.scalars(select(TrainingSubject).where(TrainingSubject.retired.is_(False))).all()
    for person in session.scalars(select(User)).all():
        for subject in subjects:
            if rng.random() < 0.1:
                continue  # not recorded
            months = subject.renewal_months or 36
            age_days = rng.randint(10, months * 31 + 60)  # some beyond their renewal period: expired
            session.add(TrainingRecord(user_id=person.id, subject_id=subject.id, completed_on=today - timedelta(days=age_days)))
        session.add(Registration(user_id=person.id, body=rng.choice(["NMC", "HCPC", "Social Work England"]),
                                 number=f"{rng.randint(10, 99)}A{rng.randint(1000, 9999)}E", renewal_on=today + timedelta(days=rng.randint(-20, 700))))
        session.add(DbsCheck(user_id=person.id, checked_on=today - timedelta(days=rng.randint(30, 1200)), level="enhanced"))
