"""Demo people and data for a development database: every role, and a team at mixed stages.

Only ever written into a database with no people in it, and never in production. Everything is
made through the portal's own services (and so its rules, state machines and audit trail), with
fixed random seeds, so every `make run` on an empty database gives the same demo:

- this module: the people, supervision, each person's self-assessment and signed-off history;
- `demo_work`: what is going on today (evidence with attachments in draft and waiting for
  sign-off, a started appraisal, a deputy covering the supervisor's queue);
- `demo_recruitment`: two vacancies, one being shortlisted and one with its shortlist agreed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competency_portal.models import Decision, EvidenceType, Notification, Role, Supervision, User
from competency_portal.services import audit, demo_recruitment, demo_work, people, signoff
from competency_portal.services import evidence as evidence_service
from competency_portal.services.self_assessment import rate, role_for
from competency_portal.storage import Storage

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - development demo data only, printed to the developer
ROLE = "care-coordinator-band-6"
TEAM = "North Community Mental Health Team"


class DemoRefused(RuntimeError):
    """Demo data cannot be written here; the message says why."""


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in, as printed for the developer (and listed in the README)."""

    email: str
    name: str
    role: str
    what: str


# name, email, job title, band, share of the role verified, what they show
SUPERVISEES = [
    (
        "Priya Shah",
        "priya.shah@example.nhs.uk",
        "Community Mental Health Nurse",
        "6",
        0.9,
        "nearly ready: most items signed off",
    ),
    (
        "Tom Okafor",
        "tom.okafor@example.nhs.uk",
        "Mental Health Social Worker",
        "6",
        0.6,
        "part way, and an appraisal (PDR) waiting for him to agree the objectives",
    ),
    (
        "Grace Lee",
        "grace.lee@example.nhs.uk",
        "Staff Nurse",
        "5",
        0.25,
        "working towards the role; has applied for the Band 6 vacancy and shares her portfolio",
    ),
    (
        "Dan Hughes",
        "dan.hughes@example.nhs.uk",
        "Staff Nurse",
        "5",
        0.0,
        "just started: a draft and a submission, with attachments",
    ),
]
_KINDS = [
    EvidenceType.REFLECTIVE_ACCOUNT,
    EvidenceType.OBSERVED_PRACTICE,
    EvidenceType.SUPERVISION_RECORD,
    EvidenceType.CASE_STUDY,
]


def seed(session: Session, today: date, environment: str, store: Storage) -> list[DemoAccount]:
    """Write the demo data, or refuse; attachments go into `store`. The caller commits."""
    if environment == "production":
        raise DemoRefused("Demo data is never written in production.")
    if session.scalar(select(func.count()).select_from(User)):
        raise DemoRefused("The database already has people in it, so no demo data was added.")
    rng = random.Random(2026)

    def make(name, email, title, band, roles):
        return people.create_person(
            session,
            name=name,
            email=email,
            roles=roles,
            job_title=title,
            band=band,
            team=TEAM,
            target_role=ROLE,
            password=DEMO_PASSWORD,
        )

    admin = make("Alex Morgan", "admin@example.nhs.uk", "Workforce and Education Lead", "8a", {Role.ADMIN, Role.STAFF})
    lead = make("Sam Patel", "supervisor@example.nhs.uk", "Team Lead", "7", {Role.SUPERVISOR, Role.STAFF})
    deputy = make("Jo Williams", "deputy@example.nhs.uk", "Clinical Supervisor", "7", {Role.SUPERVISOR, Role.STAFF})
    recruiter = make("Chris Evans", "recruiter@example.nhs.uk", "Recruiting Manager", "7", {Role.RECRUITER, Role.STAFF})
    panel = make(*demo_recruitment.PANEL_MEMBER, {Role.RECRUITER, Role.STAFF})
    team = []
    role = role_for(session, admin)
    targets = sorted(role.targets, key=lambda t: (t.item.version.title, t.item.position)) if role else []
    for name, email, title, band, share, _ in SUPERVISEES:
        person = make(name, email, title, band, {Role.STAFF})
        session.add(Supervision(supervisor_id=lead.id, supervisee_id=person.id, starts_on=today - timedelta(days=600)))
        session.flush()
        _portfolio(session, rng, person, lead, role, targets, share, today, store)
        team.append(person)
    demo_work.seed(session, today, store, supervisor=lead, deputy=deputy, team=team, targets=targets)
    shortlisting = demo_recruitment.seed(session, today, recruiter=recruiter, panel=panel, internal=team[2])
    _training(session, rng, today)
    session.flush()
    accounts = [
        DemoAccount(
            admin.email, admin.name, "Administrator", "people, roles, teams and the audit trail; organisation-wide gaps"
        ),
        DemoAccount(
            lead.email,
            lead.name,
            "Supervisor",
            "the sign-off queue and the team matrix of the four staff below; Tom Okafor's appraisal",
        ),
        DemoAccount(
            deputy.email,
            deputy.name,
            "Supervisor (deputy)",
            f"covering Sam Patel's sign-off queue until {demo_work.cover_ends(today):%-d %B %Y}",
        ),
        DemoAccount(
            recruiter.email,
            recruiter.name,
            "Recruiter",
            f"leads {shortlisting[0]}: scoring left to do, then moderate, decide and agree the shortlist",
        ),
        DemoAccount(
            panel.email,
            panel.name,
            "Recruiter (panel member)",
            f"has submitted scores for {shortlisting[0]}; leads {shortlisting[1]}, whose shortlist is agreed",
        ),
    ] + [DemoAccount(email, name, "Staff", what) for name, email, _, _, _, what in SUPERVISEES]
    audit.record(
        session,
        actor_id=None,
        action="demo_seeded",
        object_type="database",
        object_id="demo",
        detail={"people": len(accounts)},
    )
    return accounts


def _portfolio(session, rng, person, signer, role, targets, share, today, store) -> None:
    """Self-ratings, and a signed-off history: the verified items in pieces of evidence of 1 to 4 items."""
    chosen = [t for t in targets if rng.random() < share]
    ratings = {
        t.item_id: (min(4, t.target_level + rng.choice([-1, 0, 0, 1])), None)
        for t in targets
        if rng.random() < 0.7 or t in chosen
    }
    if ratings:
        rate(session, person, role, ratings)
    history = []
    while chosen:
        batch = chosen[: rng.randint(1, 4)]
        chosen = chosen[len(batch) :]
        history.append((today - timedelta(days=rng.randint(20, 500)), batch, rng.choice(_KINDS)))
    for when, batch, kind in sorted(history, key=lambda h: h[0]):
        codes = ", ".join(t.item.code for t in batch)
        evidence = evidence_service.create(
            session,
            person,
            evidence_service.EvidenceInput(
                title=f"{kind.label}: {codes}",
                evidence_type=kind,
                activity_date=when,
                item_ids=[t.item_id for t in batch],
                description=f"{kind.label} covering {codes}. Describes the situation, what was done, "
                "and what was learnt, without identifying anyone.",
            ),
            store,
        )
        evidence_service.submit(session, evidence, person, _at(when + timedelta(days=1), 9))
        signoff.decide(
            session,
            evidence,
            signer,
            Decision.SIGNED_OFF,
            {t.item_id: t.target_level for t in batch},
            {},
            "Clear, well-reflected evidence.",
            evidence.lock_version,
            _at(when + timedelta(days=7), 10),
        )
    # Long-past notifications of that history were read long ago.
    session.flush()
    for note in session.scalars(
        select(Notification).where(Notification.user_id.in_([person.id, signer.id]), Notification.read_at.is_(None))
    ):
        note.read_at = _at(today, 8)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)


def _training(session: Session, rng: random.Random, today: date) -> None:
    """Training records at mixed stages: most in date, some due soon, a few expired or missing."""
    from competency_portal.models import DbsCheck, Registration, TrainingRecord, TrainingSubject

    subjects = session.scalars(select(TrainingSubject).where(TrainingSubject.retired.is_(False))).all()
    for person in session.scalars(select(User).order_by(User.id)).all():
        for subject in subjects:
            if rng.random() < 0.1:
                continue  # not recorded
            months = subject.renewal_months or 36
            age_days = rng.randint(10, months * 31 + 60)  # some beyond their renewal period: expired
            session.add(
                TrainingRecord(user_id=person.id, subject_id=subject.id, completed_on=today - timedelta(days=age_days))
            )
        session.add(
            Registration(
                user_id=person.id,
                body=rng.choice(["NMC", "HCPC", "Social Work England"]),
                number=f"{rng.randint(10, 99)}A{rng.randint(1000, 9999)}E",
                renewal_on=today + timedelta(days=rng.randint(-20, 700)),
            )
        )
        session.add(
            DbsCheck(user_id=person.id, checked_on=today - timedelta(days=rng.randint(30, 1200)), level="enhanced")
        )
