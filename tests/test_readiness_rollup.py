"""The precomputed readiness facts agree with readiness computed from scratch, after every kind of write."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from test_dashboards import signed_off
from world import NOW, item_ids, person, supervise

from competency_portal.models import Decision, ReadinessFact, SignOff
from competency_portal.readiness import data, rollup
from competency_portal.readiness.model import Confirmation, Required, Status, assess, equivalence, met_until
from competency_portal.services import signoff

TODAY = NOW.date()


def test_met_until_says_met_exactly_when_assess_does_on_any_later_day():
    rng = random.Random(6)
    keys = [("f", f"I{n}") for n in range(8)] + [("g", f"J{n}") for n in range(4)]
    groups = equivalence([(keys[0], keys[8]), (keys[8], keys[3]), (keys[5], keys[9])])
    for _ in range(300):
        required = [
            Required(k, k[1], "s", "F", "D", rng.choice([2, 3, 4]), rng.choice([None, 12, 36]))
            for k in rng.sample(keys, 6)
        ]
        start = date(2024, 1, 1)
        confirmations = [
            Confirmation(rng.choice(keys), rng.choice([1, 2, 3, 4, 5]), start + timedelta(days=rng.randrange(700)))
            for _ in range(rng.randrange(12))
        ]
        facts = met_until(required, confirmations, groups)
        for day in (start + timedelta(days=d) for d in (700, 900, 1200, 1500)):  # every sign-off already decided
            result = assess(required, confirmations, {}, groups, day)
            for item in result.items:
                forever, until = facts[item.required.key]
                assert (item.status in (Status.MET, Status.LAPSING)) == (forever or (until is not None and until > day))


def _expected(session, today):
    from competency_portal.models import User

    people = session.scalars(select(User).where(User.active.is_(True), User.target_role.is_not(None))).all()
    results = data.readiness_for(session, people, today)
    gaps = Counter(
        i.required.key for r in results.values() for i in r.items if i.status in (Status.GAP, Status.CLAIMED)
    )
    return dict(gaps), {pid: r.met for pid, r in results.items()}


def _assert_agrees(session, today=TODAY):
    session.expire_all()
    found = rollup.counts(session, today)
    gaps, met = _expected(session, today)
    assert found.gaps == gaps
    assert {pid: n for pid, n in found.met.items()} == met


@pytest.fixture
def trust(app, seeded):
    app.config["PORTAL_NOW"] = NOW
    staff = person(seeded, "Sam Staff")
    other = person(seeded, "Olu Other", target_role="tameside-mhsw-care-coordinator")
    boss = person(seeded, "Pat Supervisor", roles={"supervisor"})
    supervise(seeded, boss, staff)
    supervise(seeded, boss, other)
    yield seeded, staff, other, boss
    app.config["PORTAL_NOW"] = None


def test_facts_follow_sign_offs_revocations_and_role_changes(trust, tmp_path):
    session, staff, other, boss = trust
    _assert_agrees(session)  # new people: a fact per required item, none met
    assert (
        session.scalar(select(func.count()).select_from(ReadinessFact).where(ReadinessFact.user_id == staff.id)) == 64
    )
    evidence = signed_off(session, staff, boss, tmp_path, item_ids(session, staff, 5))
    signed_off(session, other, boss, tmp_path, item_ids(session, other, 3), when=NOW - timedelta(days=400))
    _assert_agrees(session)
    assert rollup.counts(session, NOW.date()).met[staff.id] >= 5
    sign_off = session.scalar(
        select(SignOff).where(SignOff.evidence_id == evidence.id, SignOff.decision == Decision.SIGNED_OFF)
    )
    signoff.revoke(session, sign_off, boss, "Signed in error.", NOW)
    session.commit()
    _assert_agrees(session)
    staff.target_role = "leeds-recovery-centre-care-coordinator"
    session.commit()
    _assert_agrees(session)
    _assert_agrees(session, NOW.date() + timedelta(days=500))  # time passing needs no write


def test_a_rolled_back_write_leaves_the_facts_as_they_were(trust, tmp_path):
    session, staff, other, boss = trust
    before = rollup.counts(session, NOW.date())
    staff.target_role = "leeds-recovery-centre-care-coordinator"
    session.flush()
    session.rollback()
    assert rollup.counts(session, NOW.date()) == before
    _assert_agrees(session)


def test_a_framework_load_with_a_changed_role_profile_recomputes_everyone(trust, tmp_path, framework_bundle):
    from competency_portal.frameworks import loader
    from competency_portal.models import RoleProfile, RoleTarget

    session, staff, other, boss = trust
    signed_off(session, staff, boss, tmp_path, item_ids(session, staff, 4))
    # Lower one target of the current Care Coordinator profile, as a new profile version would.
    profile = session.scalar(
        select(RoleProfile).where(RoleProfile.slug == "care-coordinator-band-6").order_by(RoleProfile.revision.desc())
    )
    target = session.scalar(select(RoleTarget).where(RoleTarget.role_profile_id == profile.id).order_by(RoleTarget.id))
    target.target_level = 1
    session.commit()
    _assert_agrees(session)
    loader.load(session, framework_bundle)
    session.commit()
    _assert_agrees(session)


def test_training_counts_by_team_equal_the_per_person_statuses_added_up(seeded):
    from competency_portal.models import DbsCheck, Registration, TrainingRecord, TrainingSubject
    from competency_portal.services import training, training_rules

    rng = random.Random(3)
    today = date(2026, 11, 20)
    subjects = seeded.scalars(select(TrainingSubject)).all()
    roles = ["care-coordinator-band-6", "leeds-recovery-centre-care-coordinator", "tameside-mhsw-care-coordinator"]
    people = [person(seeded, f"Person {n}", target_role=roles[n % 3]) for n in range(12)]
    teams = {p.id: f"Team {p.id % 3}" for p in people}
    for p in people:
        for s in rng.sample(subjects, 7):
            for _ in range(rng.randrange(1, 3)):
                done = today - timedelta(days=rng.randrange(1, 1500))
                seeded.add(
                    TrainingRecord(
                        user_id=p.id,
                        subject_id=s.id,
                        completed_on=done,
                        expires_on=done + timedelta(days=400) if rng.random() < 0.2 else None,
                    )
                )
        if rng.random() < 0.8:
            seeded.add(
                Registration(
                    user_id=p.id, body="NMC", number="1", renewal_on=today + timedelta(days=rng.randrange(-60, 200))
                )
            )
        if rng.random() < 0.8:
            seeded.add(
                DbsCheck(user_id=p.id, checked_on=today - timedelta(days=rng.randrange(900, 1200)), level="enhanced")
            )
    seeded.commit()
    statuses = training.statuses_for(seeded, people, today)
    expected: dict[str, list] = {}
    for p in people:
        expected.setdefault(teams[p.id], []).extend(statuses[p.id].all_rows)
    found = training.counts_by_group(seeded, people, lambda p: teams[p.id], today)
    assert {k: v.by_state for k, v in found.items()} == {
        k: training_rules.summary_counts(rows).by_state for k, rows in expected.items()
    }
    assert len({s for c in found.values() for s in c.by_state}) >= 4  # the data reaches several states
