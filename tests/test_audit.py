"""The audit trail is a hash chain that `flask audit verify` checks, naming the first broken link."""

from __future__ import annotations

from sqlalchemy import text

from competency_portal.services import audit


def add_three(session):
    for n in range(3):
        audit.record(
            session, actor_id=None, action=f"thing_{n}", object_type="test", object_id=n, detail={"n": n, "note": "é ✓"}
        )
    session.commit()


def test_an_intact_chain_verifies(runner, session):
    add_three(session)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "audit chain intact: 3 records verified" in result.output


def test_each_record_holds_the_hash_of_the_one_before(session):
    add_three(session)
    from sqlalchemy import select

    from competency_portal.models import AuditEvent

    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert rows[0].prev_hash == audit.GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]


def test_an_altered_record_is_named(runner, session):
    add_three(session)
    session.execute(text("UPDATE audit_event SET detail = :d WHERE seq = 2"), {"d": '{"n": 99}'})
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "record 2 (id" in result.output and "has been altered" in result.output
    assert "Traceback" not in result.output


def test_a_deleted_record_is_named(runner, session):
    add_three(session)
    session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "record 2 is missing" in result.output


def test_removing_the_newest_records_is_noticed(runner, session):
    add_three(session)
    session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "should end at record 3" in result.output


def test_framework_loads_are_audited(runner, session, tmp_path):
    from test_framework_load import demo_folder

    runner.invoke(args=["frameworks", "load", str(demo_folder(tmp_path))])
    from sqlalchemy import select

    from competency_portal.models import AuditEvent

    loaded = session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "framework_loaded")).all()
    assert {"demo-framework", "other-framework", "demo-role"} <= set(loaded)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
