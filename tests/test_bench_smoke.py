"""`make bench` cannot silently rot: its generator and measuring code run here on a tiny trust.

The tiny dataset is built in the test database (tables are emptied after each test), twice at
two sizes, and every page the bench measures must answer 200 with its expected content, in the
same number of queries at both sizes.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select, text

from bench.__main__ import PAGE_KEYS, measure_dataset, report, table
from bench.generate import Params, populate
from competency_portal.extensions import db
from competency_portal.models import Evidence, ReadinessFact, SignOff, User


def _empty_tables() -> None:
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


def _run(app, params: Params) -> tuple:
    now = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    dataset = populate(db.session, params, now)
    db.session.commit()
    return dataset, measure_dataset(app, dataset, params.scale, 0.0, False, repeats=1, say=lambda *a: None, warmup=0)


def test_the_bench_generates_a_trust_and_every_page_answers_in_the_same_queries_at_two_sizes(app):
    small_params = Params(scale=0.0005, evidence_per_person=6, team_size=5, vacancies=3)
    dataset, small = _run(app, small_params)
    people = db.session.scalar(select(func.count()).select_from(User))
    assert dataset.counts["staff"] == 10 and people == 10 + 13  # staff, an administrator and twelve recruiters
    assert dataset.counts["evidence"] == db.session.scalar(select(func.count()).select_from(Evidence)) == 60
    assert db.session.scalar(select(func.count()).select_from(SignOff)) == dataset.counts["sign_offs"] > 0
    assert db.session.scalar(select(func.count()).select_from(ReadinessFact)) > 0  # kept for data written in bulk too
    for name, answer in small["answered"].items():
        assert answer["status"] == 200 and answer["missing"] == [], f"{name}: {answer}"

    _empty_tables()
    _, large = _run(app, Params(scale=0.004, evidence_per_person=6, team_size=5, vacancies=3))
    result = report({0.0005: small, 0.004: large}, repeats=1)
    assert set(result) == {"dataset", "pages", "small", "checks", "notes"}
    assert set(result["pages"]) == {
        "staff_dashboard",
        "supervisor_queue",
        "team_heatmap",
        "organisation",
        "framework_search",
        "shortlisting",
    }
    for name, page in result["pages"].items():
        assert tuple(page) == PAGE_KEYS and page["p50_ms"] > 0 and page["queries"] > 0 and page["bare_sql_ms"] > 0
        check = result["checks"][name]
        assert check["answered"], name
        assert check["queries_equal_at_both_scales"], (
            f"{name}: {check['queries_small']} queries at the smaller size, {page['queries']} at the larger"
        )
    d = result["dataset"]
    assert d["staff"] == 40 and d["teams"] == 8 and d["evidence"] == 240 and d["database"] == db.engine.dialect.name
    assert {"nproc", "memory", "python", "platform"} <= set(d["machine"])
    printed = table(result)
    assert "organisation" in printed and "q@0.0005" in printed


def test_the_bench_refuses_to_wipe_a_database_it_did_not_make(app, tmp_path):  # app: the test database exists, migrated
    import pytest
    from sqlalchemy import create_engine

    from bench import database

    path = tmp_path / "somebodys.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE patient (id INTEGER)"))
        conn.execute(text("INSERT INTO patient VALUES (1)"))
    target = database.Target(f"sqlite:///{path}", None, str(path))
    with pytest.raises(database.NotOurs, match="did not make it and will not wipe it"):
        # (with DATABASE_URL set the app is on the test database instead, which is refused the same way)
        database.ensure(database.app_for(target), target, Params(scale=0.0005), say=lambda *a: None)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM patient")).scalar() == 1
    engine.dispose()


def test_the_archive_benchmark_builds_its_person_and_measures_a_whole_archive(app, seeded):
    from bench import archive

    person_id = archive.build(app, evidence_records=4)
    assert db.session.scalar(select(func.count()).select_from(Evidence).where(Evidence.owner_id == person_id)) == 4
    result = archive.measure(app, person_id, 4, repeats=1)
    assert result["bytes"] > 10_000 and result["evidence_records"] == 4  # the records, files and the PDF
