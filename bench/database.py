"""The benchmark's own database: find it, refuse anything that is not ours, build or reuse a dataset.

Without DATABASE_URL each scale gets a SQLite file under bench/results/ (git-ignored), never the
development database in instance/. With DATABASE_URL (PostgreSQL) each scale gets a schema of its
own, `bench_s<scale>`, in that database. Either way the schema comes from the Alembic migrations.

The bench only ever wipes what it made: a database (or schema) that holds tables but no
`bench_dataset` table is refused with a message; so is a PostgreSQL database whose other schemas
hold any table, since that is somebody's real database. A dataset whose recorded parameters
equal the ones asked for is reused (after applying any new migrations), so re-running measures
without regenerating.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from bench.generate import Dataset, Params, populate
from competency_portal import create_app
from competency_portal.config import normalise_database_url
from competency_portal.extensions import db

RESULTS = Path(__file__).resolve().parent / "results"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
MARKER = "bench_dataset"


class NotOurs(RuntimeError):
    """The database holds data the bench did not make; the message says what to do."""


@dataclass(frozen=True)
class Target:
    """Where one scale's dataset lives."""

    url: str
    schema: str | None  # PostgreSQL only
    label: str

    @property
    def engine_options(self) -> dict:
        options: dict = {"pool_pre_ping": True}
        if self.schema:
            options["connect_args"] = {"options": f"-csearch_path={self.schema}"}
        return options


def scale_name(scale: float) -> str:
    """A scale as it appears in file and schema names: 1 -> '1', 0.01 -> '0_01'."""
    return f"{scale:g}".replace(".", "_").replace("-", "_")


def target_for(scale: float, database_url: str | None = None) -> Target:
    """The SQLite file, or PostgreSQL schema, for a scale."""
    url = database_url if database_url is not None else os.environ.get("DATABASE_URL")
    if url:
        url = normalise_database_url(url)
        if not url.startswith("postgresql"):
            raise NotOurs(
                "With DATABASE_URL set the bench expects PostgreSQL; unset it to use SQLite files under bench/results/."
            )
        return Target(
            url, f"bench_s{scale_name(scale)}", f"schema bench_s{scale_name(scale)} of {url.rsplit('/', 1)[-1]}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{scale_name(scale)}.sqlite3"
    return Target(f"sqlite:///{path}", None, str(path.relative_to(RESULTS.parent.parent)))


def app_for(target: Target) -> Flask:
    """The portal, configured to serve the benchmark's database."""
    return create_app(
        {
            "TESTING": True,
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "bench-only-not-secret",
            "SQLALCHEMY_DATABASE_URI": target.url,
            "SQLALCHEMY_ENGINE_OPTIONS": target.engine_options,
            "UPLOAD_FOLDER": str(RESULTS / "uploads"),
            # One long-lived app, as in a server process, which freezes what start-up made (tests do not).
            "FREEZE_GC_AT_START": True,
        }
    )


def _check_ours(target: Target) -> bool:
    """Whether the bench's dataset is there (True), the place is empty (False); refuse anything else."""
    engine = db.engine
    with engine.connect() as conn:
        if target.schema:
            others = conn.execute(
                text(
                    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN "
                    "('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'bench\\_s%' LIMIT 1"
                )
            ).first()
            if others is not None:
                raise NotOurs(
                    f"DATABASE_URL's database holds tables the bench did not make (for example "
                    f"{others[0]}.{others[1]}). The bench never touches a real database: create an empty one "
                    "(e.g. `createdb portal_bench`) and point DATABASE_URL at it, or unset DATABASE_URL to use SQLite."
                )
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {target.schema}"))
            conn.commit()
        tables = set(inspect(conn).get_table_names())
    if not tables:
        return False
    if MARKER not in tables:
        raise NotOurs(
            f"{target.label} holds tables ({', '.join(sorted(tables)[:3])}...) but no {MARKER} table, so the "
            "bench did not make it and will not wipe it. Delete it yourself if it is disposable, or point "
            "the bench elsewhere."
        )
    return True


def _recorded(conn) -> dict:
    return {name: json.loads(value) for name, value in conn.execute(text(f"SELECT name, value FROM {MARKER}"))}


def _wipe(target: Target) -> None:
    """Remove everything in a database or schema the bench made (checked by the caller)."""
    with db.engine.begin() as conn:
        if target.schema:
            conn.execute(text(f"DROP SCHEMA {target.schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {target.schema}"))
        else:
            for name in inspect(conn).get_table_names():
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
    db.engine.dispose()


def ensure(app: Flask, target: Target, params: Params, say=print) -> tuple[Dataset, float, bool]:
    """The dataset for `params`, reused when it is already there; (dataset, generation seconds, reused)."""
    with app.app_context():
        if _check_ours(target):
            with db.engine.connect() as conn:
                recorded = _recorded(conn)
            if recorded.get("params") == asdict(params):
                upgrade(directory=str(MIGRATIONS))  # new indexes reach an existing dataset too
                return Dataset(**recorded["dataset"]), recorded["generation_seconds"], True
            say(f"  {target.label}: made by the bench with other parameters; rebuilding it")
            _wipe(target)
        say(f"  {target.label}: generating {params.staff:,} staff (scale {params.scale:g})...")
        started = time.perf_counter()
        upgrade(directory=str(MIGRATIONS))
        now = datetime.now(timezone.utc).replace(microsecond=0)
        with db.engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE {MARKER} (name VARCHAR(40) PRIMARY KEY, value TEXT NOT NULL)"))
        dataset = populate(db.session, params, now)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum would soon do. SQLite is left without statistics, as the portal runs it.
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        seconds = round(time.perf_counter() - started, 1)
        with db.engine.begin() as conn:
            for name, value in (
                ("params", asdict(params)),
                ("dataset", asdict(dataset)),
                ("generation_seconds", seconds),
            ):
                conn.execute(
                    text(f"INSERT INTO {MARKER} (name, value) VALUES (:n, :v)"), {"n": name, "v": json.dumps(value)}
                )
        return dataset, seconds, False
