"""Races, truly concurrent: two threads, each with its own session and database connection.

A barrier placed *inside* the service, after its checks and before its first write, holds both
threads until each has passed the checks, so both really try to write the same thing at once:
- two supervisors deciding the same evidence: exactly one decision is saved, the other supervisor
  is told someone else decided first;
- two loads of the same framework files: one revision of each, no duplicate rows, no crash, and
  the second load finds nothing left to change;
- the vacancy lead moderating the same criterion from two sessions (only the lead moderates): one
  agreed score, the other session is told.
- two audited changes at once (two people signing in, say): both are saved, one after the other in
  the audit chain (on SQLite the second used to read the same chain head and fail on its insert);
- a sign-off and new evidence for the same person, or a change to that person's own record, at
  once: both are saved (on PostgreSQL the readiness refresh and the other write used to deadlock).
Each also checks the audit chain, which both writers append to. The sequential versions (one
decision after another, one moderation after another) are in test_evidence_workflow.py and
test_shortlisting.py.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from world import NOW, PASSWORD, draft, person, supervise

from competency_portal.extensions import db
from competency_portal.frameworks import loader
from competency_portal.models import (
    Application,
    AuditEvent,
    Crosswalk,
    Decision,
    Evidence,
    EvidenceState,
    Framework,
    FrameworkVersion,
    Moderation,
    Role,
    RoleProfile,
    Scale,
    SignOff,
    TrainingSubject,
)
from competency_portal.services import audit, shortlisting, signoff
from competency_portal.services import evidence as evidence_service
from tests.portal_helpers import PASSWORD as RECRUITER_PASSWORD
from tests.portal_helpers import Browser, body, location

WAIT = 30  # seconds a thread waits at the barrier before the test fails (it never should)


def _both(work) -> list:
    """Run `work(0)` and `work(1)` in two threads at once; their results (or exceptions), in order."""
    results: list = [None, None]

    def run(n: int) -> None:
        try:
            results[n] = work(n)
        except Exception as exc:  # noqa: BLE001 - handed back to the test, which says what it expected
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT * 2)
    assert not any(t.is_alive() for t in threads), "a racing thread never finished"
    return results


def _hold_after(monkeypatch, module, name: str, barrier: threading.Barrier) -> None:
    """Make `module.name` wait at the barrier once it has run, so both threads get past it before either writes."""
    original = getattr(module, name)

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait(WAIT)
        return result

    monkeypatch.setattr(module, name, held)


def _hold_before(monkeypatch, module, name: str, barrier: threading.Barrier) -> None:
    """Make `module.name` wait at the barrier before it runs (for a step that takes a lock)."""
    original = getattr(module, name)

    def held(*args, **kwargs):
        barrier.wait(WAIT)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, held)


def _audit_head_as_migrated(session) -> None:
    """The chain's head row, which migration 0003 creates (emptying the tables between tests removes it).

    Without it both racing writers would create the head, which is not the race under test.
    """
    from competency_portal.models import AuditHead

    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, seq=0, hash=audit.GENESIS))
        session.commit()


def _chain_ok() -> None:
    verdict = audit.verify(db.session)
    db.session.rollback()
    assert verdict.ok, verdict.message


# -- two audited changes at once -----------------------------------------------------------------


def test_two_audited_changes_at_once_are_both_saved_one_after_the_other_in_the_chain(app, seeded):
    people = [person(seeded, "Ida Early"), person(seeded, "Joe Early")]
    ids = [p.id for p in people]
    _audit_head_as_migrated(seeded)
    engine, barrier = db.engine, threading.Barrier(2)

    def sign_in_audit(n: int) -> int:
        with Session(engine) as session:
            session.execute(select(1))  # the request has read something already, as every request has
            barrier.wait(WAIT)
            event = audit.record(
                session, actor_id=ids[n], action="signed_in", object_type="user", object_id=ids[n], subject_id=ids[n]
            )
            session.commit()
            return event.seq

    results = _both(sign_in_audit)

    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(results) == [1, 2]
    assert sorted(db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "signed_in"))) == sorted(
        ids
    )
    db.session.rollback()
    _chain_ok()


# -- two supervisors deciding the same evidence ------------------------------------------------


def test_two_supervisors_deciding_the_same_evidence_at_once_one_wins_the_other_is_told(
    app, seeded, tmp_path, monkeypatch
):
    staff = person(seeded, "Rae Staff")
    first, second = (
        person(seeded, "Ava Supervisor", roles={Role.SUPERVISOR}),
        person(seeded, "Ben Supervisor", roles={Role.SUPERVISOR}),
    )
    supervise(seeded, first, staff)
    supervise(seeded, second, staff)
    evidence = draft(seeded, staff, tmp_path)
    evidence_service.submit(seeded, evidence, staff, NOW)
    seeded.commit()
    evidence_id, items = evidence.id, [link.item_id for link in evidence.current.links]
    _audit_head_as_migrated(seeded)
    url = f"/supervision/evidence/{evidence_id}"
    browsers = []
    for who in (first, second):
        browser = Browser(app, who.name)
        browser.sign_in(who.email, PASSWORD)
        assert "Save decision" in body(browser.get(url))
        browsers.append(browser)
    version = str(seeded.get(Evidence, evidence_id).lock_version)
    seeded.rollback()
    # digest() is what decide() computes after every check and before its first write.
    _hold_after(monkeypatch, signoff, "digest", threading.Barrier(2))
    forms = [
        {
            "decision": "signed_off",
            "comment": "Clear evidence",
            "version": version,
            **{f"level-{i}": "3" for i in items},
        },
        {
            "decision": "returned",
            "comment": "Add the carer's view",
            "version": version,
            **{f"level-{i}": "none" for i in items},
        },
    ]

    responses = _both(lambda n: browsers[n].post(url, forms[n]))

    assert all(not isinstance(r, Exception) and r.status_code == 302 for r in responses), responses
    won = [n for n, r in enumerate(responses) if location(r) == "/supervision/"]
    assert len(won) == 1, [location(r) for r in responses]
    lost = 1 - won[0]
    assert location(responses[lost]) == f"/portfolio/evidence/{evidence_id}"
    told = body(browsers[lost].get(location(responses[lost])))
    assert "Nothing of yours was saved" in told or "Nothing was saved" in told
    decided = db.session.scalars(select(SignOff).where(SignOff.evidence_id == evidence_id)).all()
    expected = [(Decision.SIGNED_OFF, first.id), (Decision.RETURNED, second.id)][won[0]]
    assert [(s.decision, s.signer_id) for s in decided] == [expected]
    state = db.session.get(Evidence, evidence_id).state
    assert (
        state == {Decision.SIGNED_OFF: EvidenceState.SIGNED_OFF, Decision.RETURNED: EvidenceState.RETURNED}[expected[0]]
    )
    db.session.rollback()
    _chain_ok()


# -- two loads of the same framework files -----------------------------------------------------

_COUNTED = {"framework": FrameworkVersion, "scale": Scale, "role profile": RoleProfile, "crosswalk": Crosswalk}


def _counts() -> dict[str, int]:
    counts = {kind: db.session.scalar(select(func.count()).select_from(model)) for kind, model in _COUNTED.items()}
    counts["framework ids"] = db.session.scalar(select(func.count()).select_from(Framework))
    counts["training subjects"] = db.session.scalar(select(func.count()).select_from(TrainingSubject))
    db.session.rollback()
    return counts


def _load_as_the_command_does(engine, bundle, barrier: threading.Barrier) -> list[loader.Change]:
    """What `flask frameworks load` does: load, audit what changed, commit (here on a session of its own)."""
    with Session(engine) as session:
        barrier.wait(WAIT)
        changes = loader.load(session, bundle)
        for change in changes:
            if change.action != "unchanged":
                audit.record(
                    session,
                    actor_id=None,
                    action="framework_loaded",
                    object_type=change.kind.replace(" ", "_"),
                    object_id=change.id,
                    detail={"action": change.action},
                )
        session.commit()
        return changes


def _revised(bundle):
    """The bundle with its first framework changed (a new title and version label)."""
    slug, parsed = next(iter(bundle.frameworks.items()))
    spec = parsed.spec.model_copy(
        update={"title": parsed.spec.title + " (revised)", "version": parsed.spec.version + "-r"}
    )
    return type(bundle)(
        {**bundle.frameworks, slug: type(parsed)(spec, parsed.document)},
        bundle.scales,
        bundle.roles,
        bundle.crosswalks,
        bundle.training,
    )


@pytest.mark.parametrize("start", ["empty-database", "new-version"])
def test_two_loads_of_the_same_frameworks_at_once_make_one_revision_and_no_duplicates(app, framework_bundle, start):
    bundle = framework_bundle
    if start == "new-version":  # the race is over a new version of one framework and what depends on it
        loader.load(db.session, bundle)
        db.session.commit()
        bundle = _revised(bundle)
    expected = [c for c in loader.plan(db.session, bundle) if c.action != "unchanged"]  # what one load alone would do
    db.session.rollback()
    assert expected
    _audit_head_as_migrated(db.session)
    before = _counts()
    barrier = threading.Barrier(2)

    engine = db.engine
    results = _both(lambda n: _load_as_the_command_does(engine, bundle, barrier))

    assert not any(isinstance(r, Exception) for r in results), results
    done = sorted(([str(c) for c in changes if c.action != "unchanged"] for changes in results), key=len)
    assert done == [[], [str(c) for c in expected]], (
        "one load does what a load alone would; the other finds nothing to do"
    )
    after = _counts()
    grew = Counter(c.kind for c in expected)
    for kind in _COUNTED:
        assert after[kind] - before[kind] == grew[kind], f"{kind}: one new revision each, no duplicates"
    new_frameworks = sum(c.kind == "framework" and c.action == "new" for c in expected)
    assert after["framework ids"] - before["framework ids"] == new_frameworks
    subjects = sum(len(p.spec.subjects) for p in bundle.training.values()) if start == "empty-database" else 0
    assert after["training subjects"] - before["training subjects"] == subjects
    versions = Counter(db.session.execute(select(FrameworkVersion.framework_id, FrameworkVersion.revision)).all())
    db.session.rollback()
    assert set(versions.values()) == {1}
    _chain_ok()


# -- the lead moderating the same criterion from two sessions -----------------------------------


def test_the_lead_moderating_the_same_criterion_in_two_sessions_at_once_one_is_saved_the_other_is_told(
    app, seeded, monkeypatch
):
    from permission_rules_recruitment_shortlisting import application_criteria, build_vacancy, give_scores, recruiter

    monkeypatch.setitem(app.config, "PORTAL_NOW", datetime(2026, 11, 21, 9, tzinfo=timezone.utc))
    lead, member = recruiter(seeded, "Lou Lead"), recruiter(seeded, "Mo Member")
    vacancy = build_vacancy(seeded, lead.id, [member.id], [("A-001", "Ada Applicant", "ada@example.com", False)])
    application_id = seeded.scalar(select(Application.id).where(Application.vacancy_id == vacancy.id))
    disputed = application_criteria(seeded)[0].item_id
    give_scores(seeded, vacancy.id, lead.id, {(application_id, disputed): 0})
    give_scores(seeded, vacancy.id, member.id, {(application_id, disputed): 2})
    _audit_head_as_migrated(seeded)
    url = f"/recruitment/vacancies/{vacancy.id}/applications/{application_id}/criteria/{disputed}/moderate"
    sessions = []
    for _ in range(2):
        browser = Browser(app, "lead")
        browser.sign_in(lead.email, RECRUITER_PASSWORD)
        assert "Record the agreed score" in body(browser.get(url))
        sessions.append(browser)
    # Both sessions have read the board and are at the service's first step, which locks the vacancy
    # row on PostgreSQL (so the second waits, then finds the first's score); on SQLite, where that
    # lock is a no-op, the second either finds the first's score or is stopped by the unique constraint.
    _hold_before(monkeypatch, shortlisting, "_open_for_shortlisting", threading.Barrier(2))
    forms = [
        {"value": "1", "reason": "Agreed in the first window"},
        {"value": "2", "reason": "Agreed in the second window"},
    ]

    responses = _both(lambda n: sessions[n].post(url, forms[n]))

    assert all(not isinstance(r, Exception) and r.status_code == 302 for r in responses), responses
    saved = [n for n, r in enumerate(responses) if location(r) == f"/recruitment/vacancies/{vacancy.id}/shortlist"]
    assert len(saved) == 1, [location(r) for r in responses]
    lost = 1 - saved[0]
    assert location(responses[lost]) == url
    told = body(sessions[lost].get(url))
    assert (
        "Nothing of yours was saved" in told and forms[saved[0]]["reason"] in told
    )  # and the page shows the saved score
    rows = db.session.execute(select(Moderation.value, Moderation.reason)).all()
    actions = list(db.session.scalars(select(AuditEvent.action)))
    db.session.rollback()
    assert rows == [(int(forms[saved[0]]["value"]), forms[saved[0]]["reason"])]
    assert actions.count("score_moderated") == 1
    _chain_ok()


# -- a decision and new evidence for the same person at once ---------------------------------------


def _waiting_for_a_decision(seeded, tmp_path, staff_name: str, boss_name: str):
    """A supervisee's submitted evidence: (staff, boss, evidence id, a level 3 for each linked item)."""
    staff, boss = person(seeded, staff_name), person(seeded, boss_name, roles={Role.SUPERVISOR})
    supervise(seeded, boss, staff)
    waiting = draft(seeded, staff, tmp_path, title="Waiting for a decision")
    evidence_service.submit(seeded, waiting, staff, NOW)
    seeded.commit()
    _audit_head_as_migrated(seeded)
    return staff, boss, waiting.id, {link.item_id: 3 for link in waiting.current.links}


def _boss_holds_the_head_until(monkeypatch, other: str) -> threading.Event:
    """Order the two threads: the boss's audit record takes the chain head, then waits until the
    thread named `other` has done its first write and is about to audit (and so waits for the head).
    Returns the event `other` waits for before it starts."""
    boss_has_head, other_has_written = threading.Event(), threading.Event()
    sqlite = db.engine.dialect.name == "sqlite"
    real_record = audit.record

    def record(session, **kwargs):
        if threading.current_thread().name == other:
            other_has_written.set()
            return real_record(session, **kwargs)
        made = real_record(session, **kwargs)
        boss_has_head.set()
        if not sqlite:  # on SQLite the other write waits for the boss's whole transaction instead
            other_has_written.wait(WAIT)
        return made

    monkeypatch.setattr(audit, "record", record)
    return boss_has_head


def _decide(engine, evidence_id: int, boss_id: int, items: dict) -> int:
    from competency_portal.models import User

    with Session(engine) as session:
        evidence = session.get(Evidence, evidence_id)
        made = signoff.decide(
            session,
            evidence,
            session.get(User, boss_id),
            Decision.SIGNED_OFF,
            items,
            {},
            None,
            evidence.lock_version,
            NOW,
        )
        session.commit()
        return made.id


def _run_named(app, works: dict) -> dict:
    """Run each work in its own thread, named by its key, inside an app context; results or exceptions by name."""
    results: dict[str, object] = {}

    def run(name, work):
        try:
            with app.app_context():  # the services read settings from the app
                results[name] = work()
        except Exception as exc:  # noqa: BLE001 - the test says what it expected
            results[name] = exc

    threads = [threading.Thread(target=run, args=(name, work), name=name) for name, work in works.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT * 2)
    assert not any(t.is_alive() for t in threads), "a racing thread never finished"
    assert not any(isinstance(r, Exception) for r in results.values()), results
    return results


def test_a_decision_and_new_evidence_for_the_same_person_at_once_are_both_saved(app, seeded, tmp_path, monkeypatch):
    """The supervisor's transaction holds the audit head, then (as it commits) refreshes the person's
    readiness facts; the person's own transaction has inserted evidence (a foreign-key lock on the
    same person) and waits for the audit head. Neither may wait for the other forever: on
    PostgreSQL that was a deadlock, and one of the two was refused with a server error."""
    from competency_portal.models import User

    staff, boss, waiting_id, items = _waiting_for_a_decision(seeded, tmp_path, "Cy Staff", "Di Supervisor")
    boss_has_head = _boss_holds_the_head_until(monkeypatch, "staff")
    engine = db.engine

    def new_evidence() -> int:
        with Session(engine) as session:
            boss_has_head.wait(WAIT)
            return draft(session, session.get(User, staff.id), tmp_path, title="Recorded meanwhile").id

    results = _run_named(app, {"staff": new_evidence, "boss": lambda: _decide(engine, waiting_id, boss.id, items)})
    db.session.expire_all()
    assert db.session.get(Evidence, waiting_id).state == EvidenceState.SIGNED_OFF
    assert db.session.get(Evidence, results["staff"]).current.title == "Recorded meanwhile"
    db.session.rollback()
    _chain_ok()


def test_a_decision_and_a_change_to_the_persons_own_record_at_once_are_both_saved(app, seeded, tmp_path, monkeypatch):
    """The supervisor's transaction holds the audit head and, as it commits, refreshes the person's
    readiness facts; an administrator's transaction has already updated the person's row (a row
    lock) and waits for the audit head. On PostgreSQL, a refresh that locked the person's row waited
    for the administrator, who waited for the supervisor: a deadlock, and one change refused."""
    from competency_portal.models import User

    staff, boss, waiting_id, items = _waiting_for_a_decision(seeded, tmp_path, "Ed Staff", "Flo Supervisor")
    admin = person(seeded, "Gil Admin", roles={Role.ADMIN})
    boss_has_head = _boss_holds_the_head_until(monkeypatch, "admin")
    engine = db.engine

    def edit_person() -> str:
        with Session(engine) as session:
            boss_has_head.wait(WAIT)
            found = session.get(User, staff.id)
            found.job_title = "Care Coordinator"
            session.flush()
            audit.record(
                session,
                actor_id=admin.id,
                action="person_updated",
                object_type="user",
                object_id=staff.id,
                detail={"job_title": "Care Coordinator"},
            )
            session.commit()
            return found.job_title

    _run_named(app, {"admin": edit_person, "boss": lambda: _decide(engine, waiting_id, boss.id, items)})
    db.session.expire_all()
    assert db.session.get(Evidence, waiting_id).state == EvidenceState.SIGNED_OFF
    assert db.session.get(User, staff.id).job_title == "Care Coordinator"
    db.session.rollback()
    _chain_ok()
