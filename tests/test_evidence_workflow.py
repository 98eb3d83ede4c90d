"""Evidence and sign-off rules, tested on the services directly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from world import NOW, draft, item_ids, person, supervise

from competency_portal.models import (
    AuditEvent,
    Decision,
    Evidence,
    EvidenceState,
    InvalidTransition,
    Notification,
    SignOff,
)
from competency_portal.services import evidence as evidence_service
from competency_portal.services import signoff
from competency_portal.storage import LocalStorage


@pytest.fixture
def team(seeded):
    staff = person(seeded, "Sam Staff")
    boss = person(seeded, "Pat Supervisor", roles={"supervisor"})
    supervise(seeded, boss, staff)
    return seeded, staff, boss


def levels_for(evidence, level=3):
    return {link.item_id: level for link in evidence.current.links}


def test_evidence_moves_only_along_the_workflow(team, tmp_path):
    session, staff, boss = team
    evidence = draft(session, staff, tmp_path)
    with pytest.raises(InvalidTransition):
        evidence.sign_off()
    with pytest.raises(InvalidTransition):
        evidence.revoke()
    evidence_service.submit(session, evidence, staff, NOW)
    assert evidence.state == EvidenceState.SUBMITTED and evidence.current.frozen
    with pytest.raises(InvalidTransition):
        evidence.submit(boss.id, NOW)


def test_submitting_needs_a_supervisor_and_goes_to_them(seeded, tmp_path):
    loner = person(seeded, "Lone Worker")
    evidence = draft(seeded, loner, tmp_path)
    with pytest.raises(evidence_service.EvidenceError, match="no supervisor"):
        evidence_service.submit(seeded, evidence, loner, NOW)


def test_return_edit_resubmit_and_sign_off_keep_every_revision(team, tmp_path):
    session, staff, boss = team
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    session.commit()
    told = session.scalar(select(Notification).where(Notification.user_id == boss.id))
    assert (told.target, told.target_id) == ("review", evidence.id)

    signoff.decide(
        session,
        evidence,
        boss,
        Decision.RETURNED,
        levels_for(evidence, None),
        {},
        "Say more about the risk plan.",
        evidence.lock_version,
        NOW,
    )
    session.commit()
    assert evidence.state == EvidenceState.RETURNED

    data = evidence_service.EvidenceInput(
        title="Risk review",
        evidence_type=evidence.current.evidence_type,
        activity_date=evidence.current.activity_date,
        description="Now with the risk plan.",
        item_ids=[link.item_id for link in evidence.current.links],
    )
    revision = evidence_service.update(session, evidence, staff, data, LocalStorage(tmp_path / "uploads"))
    session.commit()
    assert revision.number == 2 and len(revision.attachments) == 1  # the attachment carries over
    assert evidence.revisions[0].description == "What I did and what it shows."  # the submitted words are kept

    evidence_service.submit(session, evidence, staff, NOW)
    sign = signoff.decide(
        session, evidence, boss, Decision.SIGNED_OFF, levels_for(evidence), {}, None, evidence.lock_version, NOW
    )
    session.commit()
    assert evidence.state == EvidenceState.SIGNED_OFF
    assert sign.revision.number == 2 and sign.digest == evidence_service.digest(evidence.revisions[1])
    assert [s.revision.number for s in evidence.sign_offs] == [1, 2]
    assert signoff.verified_levels(session, staff.id) == levels_for(evidence)


def test_changing_signed_off_evidence_makes_a_new_revision_and_keeps_the_sign_off(team, tmp_path):
    session, staff, boss = team
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    signoff.decide(
        session, evidence, boss, Decision.SIGNED_OFF, levels_for(evidence), {}, None, evidence.lock_version, NOW
    )
    session.commit()
    signed_digest = evidence.sign_offs[0].digest
    data = evidence_service.EvidenceInput(
        title="Changed",
        evidence_type=evidence.current.evidence_type,
        activity_date=evidence.current.activity_date,
        description="Changed text",
        item_ids=[link.item_id for link in evidence.current.links],
    )
    evidence_service.update(session, evidence, staff, data, LocalStorage(tmp_path / "uploads"))
    session.commit()
    assert evidence.state == EvidenceState.DRAFT and len(evidence.revisions) == 2
    assert evidence.revisions[0].title == "Risk review"
    assert evidence_service.digest(evidence.revisions[0]) == signed_digest  # what was signed is unchanged


def test_nobody_decides_on_their_own_evidence(team, tmp_path):
    session, staff, boss = team
    supervise(session, boss, boss)  # even a (mis)configured self-supervision does not help
    own = draft(session, boss, tmp_path)
    evidence_service.submit(session, own, boss, NOW)
    with pytest.raises(evidence_service.EvidenceError, match="your own evidence"):
        signoff.decide(session, own, boss, Decision.SIGNED_OFF, levels_for(own), {}, None, own.lock_version, NOW)


def test_a_supervisor_decides_only_for_their_supervisees(team, tmp_path):
    session, staff, boss = team
    stranger = person(session, "Other Supervisor", roles={"supervisor"})
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    with pytest.raises(evidence_service.EvidenceError, match="people you supervise"):
        signoff.decide(
            session, evidence, stranger, Decision.SIGNED_OFF, levels_for(evidence), {}, None, evidence.lock_version, NOW
        )


def test_a_stale_decision_is_refused_and_changes_nothing(team, tmp_path):
    session, staff, boss = team
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    session.commit()
    seen = evidence.lock_version
    signoff.decide(session, evidence, boss, Decision.SIGNED_OFF, levels_for(evidence), {}, None, seen, NOW)
    session.commit()
    with pytest.raises(signoff.DecisionConflict, match="already decided"):
        signoff.decide(session, evidence, boss, Decision.REJECTED, levels_for(evidence), {}, "No", seen, NOW)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SignOff)) == 1


def test_two_sessions_deciding_at_once_exactly_one_wins(app, team, tmp_path):
    from sqlalchemy.orm import Session

    from competency_portal.extensions import db

    session, staff, boss = team
    deputy = person(session, "Dee Deputy", roles={"supervisor"})
    supervise(session, deputy, staff)
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    session.commit()
    first, second = Session(db.engine), Session(db.engine)
    try:
        # Both supervisors open the same submitted evidence...
        e1, e2 = first.get(Evidence, evidence.id), second.get(Evidence, evidence.id)
        seen = e1.lock_version
        assert e2.lock_version == seen and e2.current.links
        # ...the first saves a sign-off...
        signoff.decide(
            first, e1, first.get(type(boss), boss.id), Decision.SIGNED_OFF, levels_for(e1), {}, None, seen, NOW
        )
        first.commit()
        # ...and the second, deciding on what they saw, is told someone else got there first.
        with pytest.raises(signoff.DecisionConflict, match="at the same moment"):
            signoff.decide(
                second, e2, second.get(type(deputy), deputy.id), Decision.REJECTED, levels_for(e2), {}, "no", seen, NOW
            )
    finally:
        first.close()
        second.close()
    session.expire_all()
    decided = session.scalars(select(SignOff).where(SignOff.evidence_id == evidence.id)).all()
    assert [s.decision for s in decided] == [Decision.SIGNED_OFF]
    assert session.get(Evidence, evidence.id).state == EvidenceState.SIGNED_OFF


def test_revoking_keeps_the_record_and_removes_the_credit(team, tmp_path):
    session, staff, boss = team
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    sign = signoff.decide(
        session, evidence, boss, Decision.SIGNED_OFF, levels_for(evidence), {}, None, evidence.lock_version, NOW
    )
    session.commit()
    with pytest.raises(evidence_service.EvidenceError, match="Only the person who signed"):
        signoff.revoke(session, sign, staff, "I changed my mind", NOW)
    with pytest.raises(evidence_service.EvidenceError, match="reason"):
        signoff.revoke(session, sign, boss, "  ", NOW)
    signoff.revoke(session, sign, boss, "Signed the wrong evidence", NOW)
    session.commit()
    assert evidence.state == EvidenceState.REVOKED and sign.revoked_at is not None
    assert session.scalar(select(func.count()).select_from(SignOff)) == 1
    assert signoff.verified_levels(session, staff.id) == {}


def test_a_deputy_acts_for_the_cover_period_only(team, tmp_path):
    session, staff, boss = team
    deputy = person(session, "Dee Deputy", roles={"supervisor"})
    today = NOW.date()
    signoff.name_deputy(session, boss, deputy, today, today + timedelta(days=7), today)
    session.commit()
    assert "You are covering for Pat Supervisor" in session.scalar(
        select(Notification.message).where(Notification.user_id == deputy.id)
    )
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    session.commit()
    assert [r.evidence.id for r in signoff.queue(session, deputy, today)] == [evidence.id]
    assert signoff.queue(session, deputy, today + timedelta(days=8)) == []
    with pytest.raises(evidence_service.EvidenceError):
        signoff.decide(
            session,
            evidence,
            deputy,
            Decision.SIGNED_OFF,
            levels_for(evidence),
            {},
            None,
            evidence.lock_version,
            NOW + timedelta(days=8),
        )


def test_future_cover_is_announced_when_it_starts(team):
    session, staff, boss = team
    deputy = person(session, "Dee Deputy", roles={"supervisor"})
    today = NOW.date()
    signoff.name_deputy(session, boss, deputy, today + timedelta(days=5), today + timedelta(days=9), today)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == deputy.id)) == 0
    assert signoff.start_due_cover(session, today + timedelta(days=5)) == 1
    assert signoff.start_due_cover(session, today + timedelta(days=6)) == 0


def test_queue_is_oldest_first_and_says_how_long(team, tmp_path):
    session, staff, boss = team
    older = draft(session, staff, tmp_path, title="Older")
    newer = draft(session, staff, tmp_path, title="Newer")
    evidence_service.submit(session, newer, staff, NOW)
    evidence_service.submit(session, older, staff, NOW - timedelta(days=10))
    session.commit()
    rows = signoff.queue(session, boss, NOW.date())
    assert [(r.revision.title, r.waiting_days) for r in rows] == [("Older", 10), ("Newer", 0)]


def test_the_queue_shows_the_resubmitted_revision_and_how_many_items_it_shows(team, tmp_path):
    session, staff, boss = team
    evidence = draft(session, staff, tmp_path, title="First go")
    evidence_service.submit(session, evidence, staff, NOW)
    signoff.decide(
        session,
        evidence,
        boss,
        Decision.RETURNED,
        levels_for(evidence, None),
        {},
        "Link one item only.",
        evidence.lock_version,
        NOW,
    )
    first_links = [link.item_id for link in evidence.current.links]
    assert len(first_links) > 1
    data = evidence_service.EvidenceInput(
        title="Second go",
        evidence_type=evidence.current.evidence_type,
        activity_date=evidence.current.activity_date,
        description="Now about one item.",
        item_ids=first_links[:1],
    )
    evidence_service.update(session, evidence, staff, data, LocalStorage(tmp_path / "uploads"))
    evidence_service.submit(session, evidence, staff, NOW)
    session.commit()
    [row] = signoff.queue(session, boss, NOW.date())
    assert (row.revision.number, row.revision.title, row.items, row.owner.id) == (2, "Second go", 1, staff.id)


def test_every_state_change_is_audited(team, tmp_path):
    session, staff, boss = team
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    signoff.decide(
        session, evidence, boss, Decision.SIGNED_OFF, levels_for(evidence), {}, None, evidence.lock_version, NOW
    )
    session.commit()
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "evidence").order_by(AuditEvent.seq)
    ).all()
    assert actions == ["evidence_created", "evidence_submitted", "evidence_signed_off"]


def test_items_offered_are_the_role_profiles(team):
    session, staff, boss = team
    offered = {i for i in item_ids(session, staff, 10_000)}
    assert len(offered) == 64  # seeds 000 and 001: the generic Care Coordinator (Band 6) role
    anyone = person(session, "No Role", target_role=None)
    assert len(item_ids(session, anyone, 10_000)) > len(offered)


def test_the_daily_command_announces_cover_that_starts_today(app, runner, team):
    session, staff, boss = team
    deputy = person(session, "Dee Deputy", roles={"supervisor"})
    today = NOW.date()
    signoff.name_deputy(session, boss, deputy, today + timedelta(days=2), today + timedelta(days=9), today)
    session.commit()
    app.config["PORTAL_NOW"] = NOW + timedelta(days=2)
    try:
        assert "1 deputy notification sent." in runner.invoke(args=["notifications", "send-due"]).output
        assert "0 deputy notifications sent." in runner.invoke(args=["notifications", "send-due"]).output
    finally:
        app.config["PORTAL_NOW"] = None


def test_a_return_or_a_rejection_needs_no_levels_and_records_none(team, tmp_path):
    session, staff, boss = team
    for decision in (Decision.RETURNED, Decision.REJECTED):
        evidence = draft(session, staff, tmp_path)
        evidence_service.submit(session, evidence, staff, NOW)
        first = evidence.current.links[0].item_id
        decided = signoff.decide(
            session,
            evidence,
            boss,
            decision,
            {first: 3},
            {first: "Say more about the carer"},
            "Please add the carer's view",
            evidence.lock_version,
            NOW,
        )
        session.commit()
        assert (
            evidence.state
            == {Decision.RETURNED: EvidenceState.RETURNED, Decision.REJECTED: EvidenceState.REJECTED}[decision]
        )
        assert {si.item_id: si.level for si in decided.items} == {link.item_id: None for link in evidence.current.links}
        assert {si.item_id: si.comment for si in decided.items if si.comment} == {first: "Say more about the carer"}
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    with pytest.raises(evidence_service.EvidenceError, match="To sign off, give a level"):
        signoff.decide(session, evidence, boss, Decision.SIGNED_OFF, {}, {}, None, evidence.lock_version, NOW)


def test_the_decision_history_says_in_words_that_a_sign_off_is_sealed(app, team, tmp_path):
    from test_auth import sign_in

    session, staff, boss = team
    evidence = draft(session, staff, tmp_path)
    evidence_service.submit(session, evidence, staff, NOW)
    signoff.decide(
        session, evidence, boss, Decision.SIGNED_OFF, levels_for(evidence), {}, None, evidence.lock_version, NOW
    )
    session.commit()
    client = app.test_client()
    sign_in(client, staff.email)
    page = client.get(f"/portfolio/evidence/{evidence.id}").get_data(as_text=True)
    assert "Digest" not in page and evidence.sign_offs[0].digest[:16] not in page
    assert "Sealed: revision 1 is exactly as it was signed; any change to it would show here." in page
