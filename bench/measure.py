"""Time pages in-process, count their SQL, and time the bare SQL that fetches the same answer.

Each page is requested with the Flask test client, signed in as the right person by
writing Flask-Login's session keys (no password), each request in its own app context and database
session as in production. After a warm-up, `repeats` timed requests give p50 and p95 (slow pages
get fewer, within a time budget). SQL statements are counted with a `before_cursor_execute`
listener. "Bare SQL" is hand-written SQL reading the facts the page shows (no ORM, rules or
templates), timed the same way; ratio = page p50 / bare SQL p50.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import Flask
from flask_login.utils import _create_identifier
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from bench.generate import Dataset
from competency_portal.extensions import db
from competency_portal.models import User

BUDGET_SECONDS = 40.0  # per page: slow pages are requested fewer times than `repeats`
SEARCH = "risk assessment"
HEADERS = {"User-Agent": "competency-portal-bench"}

# -- the bare SQL, one list of statements per page ----------------------------------------

_KEY = (
    "JOIN item i ON i.id = {t}.item_id JOIN framework_version fv ON fv.id = i.version_id "
    "JOIN framework f ON f.id = fv.framework_id"
)
TARGETS = (
    "SELECT rp.slug, f.slug, i.code, i.statement, fv.title, fv.kind, d.title, rt.target_level, i.review_months, "
    "i.requirement "
    "FROM role_profile rp JOIN role_target rt ON rt.role_profile_id = rp.id "
    + _KEY.format(t="rt")
    + " JOIN domain d ON d.id = i.domain_id "
    "WHERE rp.id IN (SELECT MAX(id) FROM role_profile WHERE slug IN ({roles}) GROUP BY slug)"
)
CROSSWALK = (
    "SELECT fa.slug, ia.code, fb.slug, ib.code FROM crosswalk_pair p "
    "JOIN item ia ON ia.id = p.item_a_id JOIN framework_version va ON va.id = ia.version_id "
    "JOIN framework fa ON fa.id = va.framework_id "
    "JOIN item ib ON ib.id = p.item_b_id JOIN framework_version vb ON vb.id = ib.version_id "
    "JOIN framework fb ON fb.id = vb.framework_id "
    "WHERE p.crosswalk_id IN (SELECT MAX(id) FROM crosswalk GROUP BY slug)"
)
SIGNED = (
    "SELECT e.owner_id, f.slug, i.code, soi.level, so.decided_at FROM evidence e "
    "JOIN sign_off so ON so.evidence_id = e.id JOIN sign_off_item soi ON soi.sign_off_id = so.id "
    + _KEY.format(t="soi")
    + " WHERE {who} AND so.decision = 'signed_off' AND so.revoked_at IS NULL AND soi.level IS NOT NULL"
)
SELF = (
    "SELECT sa.user_id, f.slug, i.code, sa.level FROM self_assessment sa "
    + _KEY.format(t="sa")
    + " WHERE sa.id IN (SELECT MAX(id) FROM self_assessment WHERE {who} GROUP BY user_id, item_id)"
)
TRAINING = [
    "SELECT id, slug, title, renewal_months, role_rules FROM training_subject WHERE retired = false ORDER BY position",
    "SELECT user_id, subject_id, MAX(completed_on) FROM training_record WHERE {who} GROUP BY user_id, subject_id",
    "SELECT user_id, MAX(id) FROM registration WHERE {who} GROUP BY user_id",
    "SELECT user_id, MAX(checked_on) FROM dbs_check WHERE {who} GROUP BY user_id",
]
MET = "(met_forever = true OR (met_until IS NOT NULL AND met_until > :today))"
SUPERVISEES = (
    "SELECT supervisee_id FROM supervision WHERE supervisor_id = :sup AND starts_on <= :today "
    "AND (ends_on IS NULL OR ends_on >= :today)"
)
QUEUE = (
    "SELECT e.id, e.submitted_at, u.name, r.title, r.evidence_type, "
    "(SELECT COUNT(*) FROM evidence_link l WHERE l.revision_id = r.id) "
    "FROM evidence e JOIN user_account u ON u.id = e.owner_id "
    "JOIN evidence_revision r ON r.evidence_id = e.id "
    "AND r.number = (SELECT MAX(number) FROM evidence_revision x WHERE x.evidence_id = e.id) "
    "WHERE e.state = 'submitted' AND e.owner_id IN (" + SUPERVISEES + ") ORDER BY e.submitted_at, e.id"
)


def _person_sql(who: str, roles: str) -> list[str]:
    return [
        TARGETS.format(roles=roles),
        CROSSWALK,
        SIGNED.format(who=who.replace("{col}", "e.owner_id")),
        SELF.format(who=who.replace("{col}", "user_id")),
    ] + [t.format(who=who.replace("{col}", "user_id")) for t in TRAINING]


def bare_sql(name: str) -> list[str]:
    """The hand-written statements that fetch what page `name` shows."""
    one, team = "{col} = :uid", "{col} IN (" + SUPERVISEES + ")"
    everyone = "{col} IN (SELECT id FROM user_account WHERE active = true AND target_role IS NOT NULL)"
    return {
        "staff_dashboard": _person_sql(one, ":role"),
        "supervisor_queue": [QUEUE],
        "team_heatmap": [
            "SELECT id, name, target_role FROM user_account WHERE id IN ("
            + SUPERVISEES
            + ") AND active = true ORDER BY name",
            "SELECT DISTINCT target_role FROM user_account WHERE id IN (" + SUPERVISEES + ")",
        ]
        + [
            s.replace(":role", "SELECT target_role FROM user_account WHERE id IN (" + SUPERVISEES + ")")
            for s in _person_sql(team, ":role")
        ]
        + [
            QUEUE,
            "SELECT user_id, MAX(signed_by_appraiser_at) FROM appraisal WHERE state = 'signed' AND user_id IN ("
            + SUPERVISEES
            + ") GROUP BY user_id",
        ],
        # From the precomputed readiness facts, as a hand-written report would read them.
        "organisation": [
            "SELECT u.id, u.name, u.target_role, t.name FROM user_account u LEFT JOIN team t ON t.id = u.team_id "
            "WHERE u.active = true AND u.target_role IS NOT NULL ORDER BY u.name",
            TARGETS.format(roles="SELECT DISTINCT target_role FROM user_account"),
            "SELECT framework_slug, item_code, COUNT(*) FROM readiness_fact WHERE "
            + everyone.replace("{col}", "user_id")
            + " AND NOT "
            + MET
            + " GROUP BY framework_slug, item_code",
            "SELECT user_id, SUM(CASE WHEN "
            + MET
            + " THEN 1 ELSE 0 END) FROM readiness_fact WHERE "
            + everyone.replace("{col}", "user_id")
            + " GROUP BY user_id",
        ]
        + [t.format(who=everyone.replace("{col}", "user_id")) for t in TRAINING]
        + ["SELECT id, name FROM team ORDER BY name"],
        "framework_search": [
            "SELECT i.id, i.code, i.statement, f.slug, fv.title, d.title FROM item i "
            "JOIN framework_version fv ON fv.id = i.version_id "
            "JOIN framework f ON f.id = fv.framework_id AND fv.revision = f.current_revision "
            "JOIN domain d ON d.id = i.domain_id WHERE (LOWER(i.statement) LIKE :w1 OR LOWER(i.code) LIKE :w1) "
            "AND (LOWER(i.statement) LIKE :w2 OR LOWER(i.code) LIKE :w2) ORDER BY fv.title, i.position LIMIT 51"
        ],
        "shortlisting": [
            "SELECT i.id, i.code, i.statement, i.requirement, i.assessed_by, d.title FROM vacancy v "
            "JOIN item i ON i.version_id = v.spec_version_id "
            "JOIN domain d ON d.id = i.domain_id WHERE v.id = :vid ORDER BY d.position, i.position",
            "SELECT id, reference, guaranteed_interview, candidate_name FROM application "
            "WHERE vacancy_id = :vid ORDER BY reference",
            "SELECT p.user_id, p.scores_submitted_at, u.name FROM panel_member p "
            "JOIN user_account u ON u.id = p.user_id WHERE p.vacancy_id = :vid",
            "SELECT s.application_id, s.item_id, s.scorer_id, s.value FROM score s "
            "JOIN application a ON a.id = s.application_id WHERE a.vacancy_id = :vid",
            "SELECT m.application_id, m.item_id, m.value FROM moderation m "
            "JOIN application a ON a.id = m.application_id WHERE a.vacancy_id = :vid",
            "SELECT d.application_id, d.outcome, d.reason, d.decided_by_id, d.decided_at FROM shortlist_decision d "
            "JOIN application a ON a.id = d.application_id WHERE a.vacancy_id = :vid ORDER BY d.decided_at, d.id",
        ],
    }[name]


# -- the pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page to measure: who asks, what URL, and words the answer must contain."""

    name: str
    who: str  # a key of Dataset.people
    url: str
    expect: tuple[str, ...]
    person_view: bool  # a person's or a team's page (150 ms target) rather than an organisation view (2 s)


def pages(dataset: Dataset) -> list[Page]:
    """The six pages the benchmark measures."""
    return [
        Page("staff_dashboard", "staff", "/dashboard", ("% ready for", 'id="figure-domains"'), True),
        Page("supervisor_queue", "supervisor", "/supervision/", ("Sign-off queue", "/supervision/evidence/"), True),
        Page("team_heatmap", "supervisor", "/team", ('id="figure-team"', "Staff Member"), True),
        Page("organisation", "admin", "/organisation", ("The most common gap is", "Bench team 001"), False),
        Page(
            "framework_search",
            "admin",
            "/frameworks/search?q=" + SEARCH.replace(" ", "+"),
            ("found for", "/items/"),
            True,
        ),
        Page(
            "shortlisting",
            "lead",
            f"/recruitment/vacancies/{dataset.vacancy_id}/shortlist",
            ("APP-0001", "Shortlist with reasons"),
            True,
        ),
    ]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def _timed(run: Callable[[], None], repeats: int, warmup: int) -> list[float]:
    started = time.perf_counter()
    for _ in range(warmup):
        run()
    each = (time.perf_counter() - started) / max(1, warmup)
    n = max(3, min(repeats, int(BUDGET_SECONDS / max(each, 1e-6))))
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return times


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def signed_in_client(app: Flask, user_id: int):
    """A test client whose session is signed in as `user_id`, as the sign-in form would leave it."""
    client = app.test_client()
    with app.test_request_context(headers=HEADERS), Session(db.engine) as session:
        identity = session.get(User, user_id).get_id()
        identifier = _create_identifier()  # Flask-Login's "strong" session protection checks it
    with client.session_transaction(headers=HEADERS) as session:
        session["_user_id"], session["_fresh"], session["_id"] = identity, True, identifier
        session.permanent = True
    return client


def measure_page(app: Flask, page: Page, dataset: Dataset, repeats: int = 30, warmup: int = 2) -> dict:
    """p50/p95 of the page, its SQL statement count, the bare SQL's p50 and the ratio, and whether it answered."""
    client = signed_in_client(app, dataset.people[page.who])
    with app.app_context():
        engine = db.engine
    counter = _Counter()
    answer: dict = {}

    def request() -> None:
        with app.app_context():  # its own context and database session, even inside a test's context
            response = client.get(page.url, headers=HEADERS)
            answer["status"], answer["body"] = response.status_code, response.get_data(as_text=True)

    times = _timed(request, repeats, warmup)
    event.listen(engine, "before_cursor_execute", counter)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    missing = [e for e in page.expect if e not in answer["body"]]
    bare = bare_times(app, page.name, dataset, repeats, warmup)
    p50, bare_p50 = statistics.median(times), statistics.median(bare)
    return {
        "p50_ms": round(p50, 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "queries": counter.count,
        "bare_sql_ms": round(bare_p50, 1),
        "ratio": round(p50 / bare_p50, 2) if bare_p50 else None,
        "requests": len(times),
        "status": answer["status"],
        "missing": missing,
    }


def bare_times(app: Flask, name: str, dataset: Dataset, repeats: int, warmup: int) -> list[float]:
    """Timings of the bare SQL for one page, each run on a fresh connection from the pool."""
    today = datetime.fromisoformat(dataset.as_of).date()
    words = SEARCH.split()
    with app.app_context():
        engine = db.engine
    with engine.connect() as conn:
        role = conn.scalar(text("SELECT target_role FROM user_account WHERE id = :id"), {"id": dataset.people["staff"]})
    args = {
        "uid": dataset.people["staff"],
        "sup": dataset.people["supervisor"],
        "today": today,
        "role": role,
        "vid": dataset.vacancy_id,
        "w1": f"%{words[0]}%",
        "w2": f"%{words[1]}%",
    }
    statements = [text(s) for s in bare_sql(name)]

    def run() -> None:
        with engine.connect() as conn:
            for statement in statements:
                used = {k: v for k, v in args.items() if f":{k}" in str(statement)}
                conn.execute(statement, used).fetchall()

    return _timed(run, repeats, warmup)


def measure(app: Flask, dataset: Dataset, repeats: int = 30, say=print, warmup: int = 2) -> dict[str, dict]:
    """Every page's measurements, by page name; the portal's clock is set to when the data was made."""
    previous = app.config.get("PORTAL_NOW")
    app.config["PORTAL_NOW"] = datetime.fromisoformat(dataset.as_of)
    results = {}
    try:
        for page in pages(dataset):
            results[page.name] = measure_page(app, page, dataset, repeats, warmup)
            r = results[page.name]
            say(
                f"    {page.name:<18} p50 {r['p50_ms']:>8.1f} ms  p95 {r['p95_ms']:>8.1f} ms  "
                f"{r['queries']:>3} queries  "
                f"bare {r['bare_sql_ms']:>7.1f} ms  ratio {r['ratio']}"
            )
    finally:
        app.config["PORTAL_NOW"] = previous
    return results
