"""A database of the load test's own: made (or reset), migrated, frameworks loaded, people created.

Without DATABASE_URL the load test uses a new SQLite file in its temporary folder. With
DATABASE_URL it uses that database, but only if it is empty or one the load test made before
(it carries a `loadtest_marker` table); anything else is refused, so a real database is never
touched. Migrations and the framework load go through the `flask` command, as in production;
people, supervision and vacancies are made through the portal's services. Recruiters must sign in
with a second factor in production, so each has a confirmed authenticator whose secret the load
test holds. A few more people are kept apart for the cross-server checks (`crosscheck`): a member
of staff and the supervisor who alone signs off their evidence, and an account to be locked out.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, inspect, select, text

from competency_portal.config import normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).with_name("flask")
MARKER = "loadtest_marker"
PASSWORD = "load-test-password-2026"
DOMAIN = "loadtest.example.nhs.uk"
SPEC = "leeds-recovery-centre-care-coordinator-person-spec"
TARGET_ROLE = "care-coordinator-band-6"
APPLICATIONS_PER_VACANCY = 6


class Refused(RuntimeError):
    """The database given is not one the load test may use; the message says what to do."""


@dataclass
class Vacancy:
    """A vacancy in shortlisting: its id, lead, the other panel member and its applications."""

    id: int
    lead: str
    member: str
    applications: list[int] = field(default_factory=list)


@dataclass
class Cast:
    """Who the simulated users are (emails), and the vacancies recruiters work on."""

    staff: list[str] = field(default_factory=list)
    supervisors: list[str] = field(default_factory=list)
    vacancies: list[Vacancy] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # email -> name, as notifications give it
    supervisor_of: dict[str, str] = field(default_factory=dict)  # staff email -> their supervisor's
    totp: dict[str, str] = field(default_factory=dict)  # email -> authenticator secret (recruiters)
    checkers: dict[str, str] = field(default_factory=dict)  # "staff", "supervisor", "locked" -> email

    @property
    def recruiters(self) -> list[str]:
        """Every vacancy's lead and panel member."""
        return [email for v in self.vacancies for email in (v.lead, v.member)]


def prepare(database_url: str | None, workdir: Path, env: dict[str, str]) -> str:
    """The URL of a fresh, migrated database with the frameworks loaded (refusing one that is not ours)."""
    url = normalise_database_url(database_url) if database_url else f"sqlite:///{workdir / 'load.sqlite3'}"
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        if tables and MARKER not in tables:
            raise Refused(
                f"{_safe(url)} already has tables ({len(tables)}) that the load test did not make; "
                "point DATABASE_URL at an empty database (e.g. createdb portal_load), or unset it to use SQLite."
            )
        if tables:
            _empty(engine)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE {MARKER} (note VARCHAR(200))"))
            conn.execute(text(f"INSERT INTO {MARKER} (note) VALUES ('made by make load; it may empty this database')"))
    finally:
        engine.dispose()
    env = {**env, "DATABASE_URL": url}
    for args in (["db", "upgrade"], ["frameworks", "load", str(ROOT / "frameworks")]):
        done = subprocess.run(
            [str(FLASK), "--app", "competency_portal", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return url


def _empty(engine) -> None:
    """Drop everything in a database the load test made before."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        return
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)


def _safe(url: str) -> str:
    """The URL without a password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def split(users: int) -> tuple[int, int, int]:
    """How many staff, supervisors and recruiters make up `users` (about 60/20/20; recruiters in pairs)."""
    if users < 4:
        raise ValueError("the load test needs at least 4 users: staff, a supervisor and a pair of recruiters")
    recruiters = max(2, 2 * round(users * 0.2 / 2))
    supervisors = max(1, round(users * 0.2))
    return users - supervisors - recruiters, supervisors, recruiters


def cast(app, users: int) -> Cast:
    """Create the people (one argon2 hash at production cost, shared: same password), supervision and vacancies."""
    from competency_portal.clock import now
    from competency_portal.extensions import db
    from competency_portal.models import Framework, FrameworkVersion, Role, Supervision, TotpFactor, VacancyStatus
    from competency_portal.services import people, two_factor, vacancies

    n_staff, n_supervisors, n_recruiters = split(users)
    out = Cast()
    with app.app_context():
        session = db.session
        shared_hash = people.hash_password(PASSWORD)

        def make(kind: str, n: int, roles: set, target: str | None):
            user = people.create_person(
                session,
                name=f"Load {kind.title()} {n}",
                email=f"{kind.replace(' ', '.')}.{n}@{DOMAIN}",
                roles=roles,
                job_title=f"Load test {kind}",
                target_role=target,
            )
            user.password_hash = shared_hash
            out.names[user.email] = user.name
            return user

        supervisors = [make("supervisor", n, {Role.SUPERVISOR, Role.STAFF}, None) for n in range(n_supervisors)]
        staff = [make("staff", n, {Role.STAFF}, TARGET_ROLE) for n in range(n_staff)]
        recruiters = [make("recruiter", n, {Role.RECRUITER}, None) for n in range(n_recruiters)]
        checkers = {
            "staff": make("check staff", 0, {Role.STAFF}, TARGET_ROLE),
            "supervisor": make("check supervisor", 0, {Role.SUPERVISOR, Role.STAFF}, None),
            "locked": make("check locked", 0, {Role.STAFF}, None),
        }
        session.flush()
        pairs = [(supervisors[n % n_supervisors], person) for n, person in enumerate(staff)]
        for supervisor, person in [*pairs, (checkers["supervisor"], checkers["staff"])]:
            session.add(
                Supervision(
                    supervisor_id=supervisor.id, supervisee_id=person.id, starts_on=date(2024, 1, 1), ends_on=None
                )
            )
            out.supervisor_of[person.email] = supervisor.email
        for person in recruiters:
            out.totp[person.email] = two_factor.new_secret()
            session.add(TotpFactor(user_id=person.id, secret=out.totp[person.email], confirmed_at=now(), last_step=0))
        spec_version = session.scalar(
            select(FrameworkVersion.id)
            .join(Framework, Framework.id == FrameworkVersion.framework_id)
            .where(Framework.slug == SPEC, FrameworkVersion.revision == Framework.current_revision)
        )
        for n in range(0, n_recruiters, 2):
            lead, member = recruiters[n], recruiters[n + 1]
            vacancy = vacancies.create_vacancy(
                session,
                lead,
                vacancies.VacancyFields(
                    title=f"Care Coordinator (load test {n // 2})",
                    band="Band 6",
                    team_id=None,
                    closing_on=date(2026, 12, 31),
                    spec_version_id=spec_version,
                    panel_ids=[member.id],
                ),
            )
            made = [
                vacancies.add_application(
                    session,
                    vacancy,
                    lead,
                    vacancies.ApplicationFields(
                        candidate_name=f"Candidate {n // 2}-{a}",
                        email=f"candidate.{n // 2}.{a}@example.org",
                        supporting_statement="Six years coordinating care in a community mental health team.",
                    ),
                )
                for a in range(APPLICATIONS_PER_VACANCY)
            ]
            session.flush()
            vacancies.advance(session, vacancy, lead, VacancyStatus.SHORTLISTING, vacancy.lock_version)
            session.flush()
            out.vacancies.append(Vacancy(vacancy.id, lead.email, member.email, [a.id for a in made]))
        session.commit()
        out.staff = [p.email for p in staff]
        out.supervisors = [p.email for p in supervisors]
        out.checkers = {role: p.email for role, p in checkers.items()}
        db.session.remove()
    return out
