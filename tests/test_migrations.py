"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from competency_portal.extensions import db


def test_the_migrated_database_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations differ; run 'flask db migrate': {differences}"


def test_the_audit_head_row_is_created_by_the_migration(app, tmp_path):
    import pytest
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from competency_portal import create_app

    if db.engine.dialect.name != "sqlite":
        pytest.skip("needs a second, empty database: shown on a fresh SQLite file in the SQLite run")
    fresh = create_app(
        {
            "TESTING": True,
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        }
    )
    with fresh.app_context():
        upgrade(directory=str(app.root_path + "/../migrations"))
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, seq FROM audit_head")).all() == [(1, 0)]
    engine.dispose()
