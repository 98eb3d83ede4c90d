"""Generate a large trust's data in bulk, straight through SQLAlchemy Core.

At scale 1: 10,000 staff in 400 teams of 25 (the first of each team supervises the rest, and is
supervised by the next team's supervisor, so every supervisor has about 25 supervisees), 50
evidence records each (500,000) with 1-4 item links from the person's role profile, sign-offs
with a level per item, self-assessments, training records, registration, DBS, notifications and
appraisals; and 20 vacancies, the largest with 500 applications fully scored by a panel of three.
Smaller scales shrink the number of people (and applications), never the amount per person.

Rows get their ids here (no RETURNING round trips) and go in with executemany in chunks, so a
full-scale trust takes a few minutes on two cores. The frameworks come from frameworks/ through
the real loader. Everything is deterministic for a given seed and `as_of` time.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from competency_portal.frameworks import loader
from competency_portal.frameworks.validate import read_bundle
from competency_portal.models import (
    Application,
    Appraisal,
    AppraisalState,
    Base,
    CriterionAnswer,
    DbsCheck,
    Decision,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    EvidenceState,
    EvidenceType,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    Item,
    Moderation,
    Notification,
    Outcome,
    PanelMember,
    Registration,
    Role,
    RoleProfile,
    RoleTarget,
    Score,
    SelfAssessment,
    ShortlistDecision,
    SignOff,
    SignOffItem,
    Supervision,
    Team,
    TrainingRecord,
    TrainingSubject,
    User,
    UserRole,
    Vacancy,
    VacancyStatus,
)

FRAMEWORKS_DIR = Path(__file__).resolve().parent.parent / "frameworks"
GENERATOR_VERSION = 2  # change when the generated data changes shape, so old datasets are rebuilt
CHUNK = 5000
MAIN_ROLE = "care-coordinator-band-6"
# Evidence states, as in a working trust: mostly signed off, some waiting, some in progress.
STATES = [
    (EvidenceState.SIGNED_OFF, 78),
    (EvidenceState.SUBMITTED, 6),
    (EvidenceState.DRAFT, 6),
    (EvidenceState.RETURNED, 5),
    (EvidenceState.REJECTED, 2),
    (EvidenceState.REVOKED, 3),
]
LINKS_PER_EVIDENCE = [(1, 30), (2, 35), (3, 25), (4, 10)]
TITLES = [
    "Risk assessment review",
    "Care plan with carer involvement",
    "Crisis and relapse plan",
    "CPA review meeting",
    "Supervision discussion",
    "Safeguarding referral",
    "Carer's assessment",
    "Medication review with the team",
    "Discharge planning",
    "Observed home visit",
]


@dataclass(frozen=True)
class Params:
    """What a dataset is made of; equal parameters mean an existing dataset can be reused."""

    scale: float
    seed: int = 2026
    evidence_per_person: int = 50
    team_size: int = 25
    vacancies: int = 20
    version: int = GENERATOR_VERSION

    @property
    def staff(self) -> int:
        return max(2 * self.team_size, round(10_000 * self.scale))

    @property
    def teams(self) -> int:
        return max(2, round(self.staff / self.team_size))

    @property
    def max_applications(self) -> int:
        return max(5, round(500 * self.scale))


@dataclass
class Dataset:
    """What was generated, and who the benchmark signs in as."""

    counts: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)  # staff, supervisor, admin, lead -> user id
    vacancy_id: int = 0
    as_of: str = ""


def _weighted(rng: random.Random, choices: list[tuple]) -> object:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


class _Ids:
    """Next free id per table, so rows can be inserted without RETURNING."""

    def __init__(self, session: Session):
        self.session = session
        self.next: dict[str, int] = {}

    def take(self, model, n: int = 1) -> int:
        name = model.__tablename__
        if name not in self.next:
            self.next[name] = (self.session.scalar(select(func.max(model.id))) or 0) + 1
        first = self.next[name]
        self.next[name] += n
        return first


class _Writer:
    """Buffers rows per table and writes them in chunks with executemany."""

    def __init__(self, session: Session):
        self.session = session
        self.rows: dict[type, list[dict]] = {}
        self.counts: dict[str, int] = {}

    def add(self, model, row: dict) -> None:
        buffer = self.rows.setdefault(model, [])
        buffer.append(row)
        if len(buffer) >= CHUNK:
            self.flush()  # every table, parents first, so foreign keys always find their rows

    def flush(self, model=None) -> None:
        order = {table.name: n for n, table in enumerate(Base.metadata.sorted_tables)}
        for m in [model] if model is not None else sorted(self.rows, key=lambda m: order[m.__tablename__]):
            buffer = self.rows.get(m)
            if buffer:
                self.session.execute(insert(m.__table__), buffer)
                self.counts[m.__tablename__] = self.counts.get(m.__tablename__, 0) + len(buffer)
                self.rows[m] = []


def load_frameworks(session: Session) -> None:
    """The real framework files, through the real loader (changes nothing if already loaded)."""
    loader.load(session, read_bundle(FRAMEWORKS_DIR))
    session.flush()


def _role_items(session: Session) -> dict[str, list[tuple[int, int]]]:
    """Each current role profile's (item id, target level) pairs."""
    latest = select(RoleProfile.slug, func.max(RoleProfile.revision).label("rev")).group_by(RoleProfile.slug).subquery()
    rows = session.execute(
        select(RoleProfile.slug, RoleTarget.item_id, RoleTarget.target_level)
        .join(RoleTarget, RoleTarget.role_profile_id == RoleProfile.id)
        .join(latest, (latest.c.slug == RoleProfile.slug) & (latest.c.rev == RoleProfile.revision))
        .order_by(RoleTarget.item_id)
    ).all()
    found: dict[str, list[tuple[int, int]]] = {}
    for slug, item_id, target in rows:
        found.setdefault(slug, []).append((item_id, target))
    return found


def _person_specs(session: Session) -> list[tuple[int, list[tuple[int, list[str], str]]]]:
    """Current person-specification versions with their criteria (id, assessed_by, requirement)."""
    versions = session.scalars(
        select(FrameworkVersion.id)
        .join(
            Framework,
            (Framework.id == FrameworkVersion.framework_id) & (Framework.current_revision == FrameworkVersion.revision),
        )
        .where(FrameworkVersion.kind == FrameworkKind.PERSON_SPECIFICATION)
        .order_by(FrameworkVersion.id)
    ).all()
    out = []
    for vid in versions:
        items = session.execute(
            select(Item.id, Item.assessed_by, Item.requirement).where(Item.version_id == vid).order_by(Item.id)
        ).all()
        out.append((vid, [(i, list(a or []), r or "essential") for i, a, r in items]))
    return out


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)), timezone.utc)


def populate(session: Session, params: Params, now: datetime) -> Dataset:
    """Write a whole trust into an empty, migrated database; the caller commits."""
    rng = random.Random(params.seed)
    load_frameworks(session)
    ids, out = _Ids(session), _Writer(session)
    roles = _role_items(session)
    role_slugs = sorted(roles)
    role_weights = [55 if s == MAIN_ROLE else 45 / max(1, len(role_slugs) - 1) for s in role_slugs]
    subjects = session.execute(
        select(TrainingSubject.id, TrainingSubject.renewal_months).where(TrainingSubject.retired.is_(False))
    ).all()
    today = now.date()
    # One shared, deliberately unusable password hash: nobody signs in to the bench with a password.
    password_hash = "!bench-no-password"

    # -- teams and people ----------------------------------------------------------------
    team0 = ids.take(Team, params.teams)
    for t in range(params.teams):
        out.add(Team, {"id": team0 + t, "name": f"Bench team {t + 1:03d}"})
    out.flush(Team)
    user0 = ids.take(User, params.staff)
    people = []  # (id, team index, target role, is supervisor)
    for n in range(params.staff):
        team = min(n // params.team_size, params.teams - 1)
        is_supervisor = n % params.team_size == 0 and n // params.team_size < params.teams
        role = MAIN_ROLE if is_supervisor else rng.choices(role_slugs, weights=role_weights)[0]
        people.append((user0 + n, team, role, is_supervisor))
        out.add(
            User,
            {
                "id": user0 + n,
                "email": f"staff{n + 1:05d}@bench.example.nhs.uk",
                "name": f"Staff Member {n + 1:05d}",
                "job_title": "Team leader"
                if is_supervisor
                else rng.choice(["Community Mental Health Nurse", "Staff Nurse", "Social Worker"]),
                "band": "7" if is_supervisor else rng.choice(["5", "6"]),
                "team_id": team0 + team,
                "target_role": role,
                "active": True,
                "password_hash": password_hash,
                "session_token": f"bench{n:011d}",
                "created_at": now - timedelta(days=1200),
            },
        )
    extra = {"admin": 1, "recruiter": 12}
    extra_ids = {}
    for kind, k in extra.items():
        first = ids.take(User, k)
        extra_ids[kind] = list(range(first, first + k))
        for j in range(k):
            out.add(
                User,
                {
                    "id": first + j,
                    "email": f"{kind}{j + 1:02d}@bench.example.nhs.uk",
                    "name": f"Bench {kind.title()} {j + 1:02d}",
                    "job_title": kind.title(),
                    "band": None,
                    "team_id": None,
                    "target_role": None,
                    "active": True,
                    "password_hash": password_hash,
                    "session_token": f"bench-{kind}-{j:04d}",
                    "created_at": now - timedelta(days=1200),
                },
            )
    out.flush(User)
    grants = [(uid, Role.STAFF) for uid, *_ in people] + [(uid, Role.SUPERVISOR) for uid, _, _, sup in people if sup]
    grants += [(uid, Role.ADMIN) for uid in extra_ids["admin"]] + [
        (uid, Role.RECRUITER) for uid in extra_ids["recruiter"]
    ]
    grant0 = ids.take(UserRole, len(grants))
    for k, (uid, role) in enumerate(grants):
        out.add(UserRole, {"id": grant0 + k, "user_id": uid, "role": role})
    supervisor_of_team = {team: uid for uid, team, _, sup in people if sup}
    supervisor_for = {}
    for uid, team, _, sup in people:
        supervisor_for[uid] = supervisor_of_team[(team + 1) % params.teams] if sup else supervisor_of_team[team]
    sup0 = ids.take(Supervision, len(people))
    for k, (uid, *_rest) in enumerate(people):
        out.add(
            Supervision,
            {
                "id": sup0 + k,
                "supervisor_id": supervisor_for[uid],
                "supervisee_id": uid,
                "starts_on": today - timedelta(days=900),
                "ends_on": None,
            },
        )
    out.flush()

    # -- each person's portfolio, training and messages -------------------------------------
    for uid, _team, role, _sup in people:
        _portfolio(out, ids, rng, uid, supervisor_for[uid], roles[role], now, params.evidence_per_person)
        _training(out, ids, rng, uid, subjects, today)
        _messages(out, ids, rng, uid, supervisor_for[uid], now)
    out.flush()

    vacancy_id = _recruitment(out, ids, rng, session, params, extra_ids["recruiter"], team0, now)
    out.flush()
    _reset_sequences(session)
    staff_choice = next(uid for uid, team, role, sup in people if not sup and role == MAIN_ROLE)
    return Dataset(
        counts={
            "staff": params.staff,
            "teams": params.teams,
            "evidence": out.counts.get("evidence", 0),
            "links": out.counts.get("evidence_link", 0),
            "sign_offs": out.counts.get("sign_off", 0),
            "sign_off_items": out.counts.get("sign_off_item", 0),
            "self_assessments": out.counts.get("self_assessment", 0),
            "training_records": out.counts.get("training_record", 0),
            "vacancies": params.vacancies,
            "max_applications": params.max_applications,
            "applications": out.counts.get("application", 0),
            "scores": out.counts.get("score", 0),
        },
        people={
            "staff": staff_choice,
            "supervisor": supervisor_for[staff_choice],
            "admin": extra_ids["admin"][0],
            "lead": extra_ids["recruiter"][0],
        },
        vacancy_id=vacancy_id,
        as_of=now.isoformat(),
    )


def _portfolio(
    out: _Writer,
    ids: _Ids,
    rng: random.Random,
    uid: int,
    supervisor: int,
    targets: list[tuple[int, int]],
    now: datetime,
    n: int,
) -> None:
    """`n` pieces of evidence with revisions, links and sign-offs, and self-assessments, for one person."""
    item_ids = [i for i, _ in targets]
    ev0, rev0 = ids.take(Evidence, n), ids.take(EvidenceRevision, n)
    for k in range(n):
        state = EvidenceState.SUBMITTED if k == 0 else _weighted(rng, STATES)  # everyone has something waiting
        created = now - timedelta(days=rng.randrange(5, 1100), minutes=rng.randrange(1440))
        submitted = None
        if state == EvidenceState.SUBMITTED:
            submitted = now - timedelta(days=rng.randrange(1, 90), minutes=rng.randrange(1440))
            created = min(created, submitted - timedelta(days=1))
        elif state != EvidenceState.DRAFT:
            submitted = created + timedelta(days=rng.randrange(0, 5))
        ev, rev = ev0 + k, rev0 + k
        out.add(
            Evidence,
            {
                "id": ev,
                "owner_id": uid,
                "state": state,
                "submitted_at": submitted,
                "submitted_to_id": supervisor if submitted else None,
                "created_at": created,
                "updated_at": submitted or created,
                "lock_version": 1 if state == EvidenceState.DRAFT else 2,
            },
        )
        title = rng.choice(TITLES)
        out.add(
            EvidenceRevision,
            {
                "id": rev,
                "evidence_id": ev,
                "number": 1,
                "title": f"{title} ({k + 1})",
                "evidence_type": rng.choice(list(EvidenceType)),
                "activity_date": created.date(),
                "description": f"What I did for the {title.lower()}, and what it shows about my practice.",
                "frozen": state != EvidenceState.DRAFT,
                "created_at": created,
            },
        )
        linked = rng.sample(item_ids, min(len(item_ids), _weighted(rng, LINKS_PER_EVIDENCE)))
        link0 = ids.take(EvidenceLink, len(linked))
        for j, item in enumerate(linked):
            out.add(EvidenceLink, {"id": link0 + j, "revision_id": rev, "item_id": item})
        if state in (EvidenceState.DRAFT, EvidenceState.SUBMITTED):
            continue
        decision = {EvidenceState.RETURNED: Decision.RETURNED, EvidenceState.REJECTED: Decision.REJECTED}.get(
            state, Decision.SIGNED_OFF
        )
        decided = min(now - timedelta(hours=1), submitted + timedelta(days=rng.randrange(1, 30)))
        so = ids.take(SignOff)
        revoked = state == EvidenceState.REVOKED
        out.add(
            SignOff,
            {
                "id": so,
                "evidence_id": ev,
                "revision_id": rev,
                "signer_id": supervisor,
                "decision": decision,
                "comment": None if decision == Decision.SIGNED_OFF else "Please say more about what you did.",
                "digest": hashlib.sha256(f"{ev}".encode()).hexdigest(),
                "decided_at": decided,
                "revoked_at": decided + timedelta(days=3) if revoked else None,
                "revoked_by_id": supervisor if revoked else None,
                "revoke_reason": "Signed in error." if revoked else None,
            },
        )
        soi0 = ids.take(SignOffItem, len(linked))
        for j, item in enumerate(linked):
            level = rng.choice([2, 3, 3, 3, 4, 4]) if decision == Decision.SIGNED_OFF and rng.random() > 0.05 else None
            out.add(SignOffItem, {"id": soi0 + j, "sign_off_id": so, "item_id": item, "level": level, "comment": None})
    rated = rng.sample(targets, round(len(targets) * 0.7))
    for item, target in rated:
        times = 2 if rng.random() < 0.3 else 1
        sa0 = ids.take(SelfAssessment, times)
        for j in range(times):
            out.add(
                SelfAssessment,
                {
                    "id": sa0 + j,
                    "user_id": uid,
                    "item_id": item,
                    "level": max(1, min(5, target + rng.choice([-1, 0, 0, 1]) - (times - 1 - j))),
                    "note": None,
                    "created_at": now - timedelta(days=rng.randrange(1, 600) + (times - j) * 100),
                },
            )


def _training(out: _Writer, ids: _Ids, rng: random.Random, uid: int, subjects, today: date) -> None:
    """Training records (most subjects, some renewed), a registration and a DBS check."""
    for subject_id, _months in subjects:
        if rng.random() < 0.12:
            continue
        times = 2 if rng.random() < 0.25 else 1
        tr0 = ids.take(TrainingRecord, times)
        for j in range(times):
            done = today - timedelta(days=rng.randrange(1, 1000) + (times - 1 - j) * 400)
            out.add(
                TrainingRecord,
                {
                    "id": tr0 + j,
                    "user_id": uid,
                    "subject_id": subject_id,
                    "completed_on": done,
                    "expires_on": None,
                    "note": None,
                    "recorded_by_id": uid,
                    "created_at": datetime.combine(done, time(12), timezone.utc),
                },
            )
    out.add(
        Registration,
        {
            "id": ids.take(Registration),
            "user_id": uid,
            "body": "NMC",
            "number": f"{uid:08d}",
            "renewal_on": today + timedelta(days=rng.randrange(-30, 700)),
            "created_at": datetime.combine(today - timedelta(days=400), time(12), timezone.utc),
        },
    )
    out.add(
        DbsCheck,
        {
            "id": ids.take(DbsCheck),
            "user_id": uid,
            "checked_on": today - timedelta(days=rng.randrange(1, 1300)),
            "level": "enhanced",
            "certificate_number": None,
            "created_at": datetime.combine(today - timedelta(days=400), time(12), timezone.utc),
        },
    )


def _messages(out: _Writer, ids: _Ids, rng: random.Random, uid: int, supervisor: int, now: datetime) -> None:
    """A few notifications (one unread) and, for most people, last year's signed appraisal."""
    n0 = ids.take(Notification, 3)
    for j in range(3):
        at = now - timedelta(days=rng.randrange(1, 300))
        out.add(
            Notification,
            {
                "id": n0 + j,
                "user_id": uid,
                "message": "Your supervisor signed off your evidence.",
                "target": None,
                "target_id": None,
                "created_at": at,
                "read_at": None if j == 0 else at + timedelta(hours=2),
            },
        )
    if rng.random() < 0.7:
        signed = now - timedelta(days=rng.randrange(30, 500))
        out.add(
            Appraisal,
            {
                "id": ids.take(Appraisal),
                "user_id": uid,
                "appraiser_id": supervisor,
                "year": "2025/26",
                "meeting_on": signed.date(),
                "state": AppraisalState.SIGNED,
                "summary": "A good year.",
                "agreed_by_person_at": signed - timedelta(days=200),
                "agreed_by_appraiser_at": signed - timedelta(days=200),
                "signed_by_person_at": signed,
                "signed_by_appraiser_at": signed,
                "signed_digest": "0" * 64,
                "created_at": signed - timedelta(days=210),
                "lock_version": 4,
            },
        )


def _recruitment(
    out: _Writer,
    ids: _Ids,
    rng: random.Random,
    session: Session,
    params: Params,
    recruiters: list[int],
    team0: int,
    now: datetime,
) -> int:
    """Vacancies; the first (the one measured) has the most applications, every one scored by a panel of three."""
    specs = _person_specs(session)
    first_vacancy = None
    for v in range(params.vacancies):
        spec_id, criteria = specs[v % len(specs)]
        big = v == 0
        status = (
            VacancyStatus.SHORTLISTING
            if big
            else rng.choice([VacancyStatus.OPEN, VacancyStatus.SHORTLISTING, VacancyStatus.CLOSED])
        )
        vid = ids.take(Vacancy)
        first_vacancy = first_vacancy or vid
        lead = recruiters[v % len(recruiters)]
        panel = [lead, recruiters[(v + 1) % len(recruiters)], recruiters[(v + 2) % len(recruiters)]]
        out.add(
            Vacancy,
            {
                "id": vid,
                "title": f"Care Coordinator, Band 6 (bench vacancy {v + 1})",
                "band": "6",
                "team_id": team0 + v % params.teams,
                "closing_on": now.date() - timedelta(days=7 if big else rng.randrange(-30, 60)),
                "spec_version_id": spec_id,
                "lead_id": lead,
                "status": status,
                "shortlist_agreed_at": None,
                "created_at": now - timedelta(days=60),
                "lock_version": 2,
            },
        )
        out.flush(Vacancy)
        submitted = big or status == VacancyStatus.CLOSED
        pm0 = ids.take(PanelMember, 3)
        for j, member in enumerate(panel):
            out.add(
                PanelMember,
                {
                    "id": pm0 + j,
                    "vacancy_id": vid,
                    "user_id": member,
                    "scores_submitted_at": now - timedelta(days=2) if submitted else None,
                },
            )
        count = params.max_applications if big else rng.randrange(5, max(6, params.max_applications // 5))
        scored = [c for c, assessed, _ in criteria if "application" in assessed]
        for a in range(count):
            app_id = ids.take(Application)
            out.add(
                Application,
                {
                    "id": app_id,
                    "vacancy_id": vid,
                    "reference": f"APP-{a + 1:04d}",
                    "candidate_name": f"Candidate {a + 1:04d}",
                    "email": f"candidate{a + 1:04d}@example.com",
                    "supporting_statement": "I have worked in community mental health for five years. " * 6,
                    "internal": rng.random() < 0.1,
                    "guaranteed_interview": rng.random() < 0.05,
                    "internal_user_id": None,
                    "portfolio_consent": False,
                    "created_at": now - timedelta(days=30),
                    "anonymised_at": None,
                },
            )
            ca0 = ids.take(CriterionAnswer, len(scored))
            for j, item in enumerate(scored):
                out.add(
                    CriterionAnswer,
                    {
                        "id": ca0 + j,
                        "application_id": app_id,
                        "item_id": item,
                        "text": "In my current post I do this every week, for example with a carer's assessment.",
                    },
                )
            if not submitted:
                continue
            flagged = False
            for item in scored:
                base = rng.choice([1, 2, 2, 3])
                values = [max(0, min(3, base + rng.choice([-1, 0, 0, 0, 1]))) for _ in panel]
                sc0 = ids.take(Score, len(panel))
                for j, member in enumerate(panel):
                    out.add(
                        Score,
                        {
                            "id": sc0 + j,
                            "application_id": app_id,
                            "item_id": item,
                            "scorer_id": member,
                            "value": values[j],
                            "reason": "As the statement shows.",
                            "scored_at": now - timedelta(days=3),
                        },
                    )
                if max(values) - min(values) >= 2:
                    flagged = True
                    if rng.random() < 0.9:
                        out.add(
                            Moderation,
                            {
                                "id": ids.take(Moderation),
                                "application_id": app_id,
                                "item_id": item,
                                "value": base,
                                "reason": "Agreed at the panel meeting.",
                                "moderated_by_id": lead,
                                "moderated_at": now - timedelta(days=1),
                            },
                        )
            if not flagged and rng.random() < 0.6:
                out.add(
                    ShortlistDecision,
                    {
                        "id": ids.take(ShortlistDecision),
                        "application_id": app_id,
                        "outcome": rng.choice(list(Outcome)),
                        "reason": "On the panel's agreed scores.",
                        "decided_by_id": lead,
                        "decided_at": now - timedelta(hours=5),
                    },
                )
    return first_vacancy


def _reset_sequences(session: Session) -> None:
    """On PostgreSQL, move each id sequence past the ids written here (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" in table.c:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )
