"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL when DATABASE_URL is set).

The schema is built by running the Alembic migrations, so every test run also proves the
migrations. Each test starts with empty tables.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import text

from competency_portal import create_app
from competency_portal.config import normalise_database_url
from competency_portal.extensions import db
from competency_portal.frameworks import loader
from competency_portal.frameworks.validate import read_bundle

ROOT = Path(__file__).resolve().parent.parent

# Every app the suite builds (and every server a browser test starts, which inherits the
# environment) keeps its instance folder here, so a test run writes nothing into the checkout.
INSTANCE = tempfile.mkdtemp(prefix="portal-test-instance-")
os.environ["PORTAL_INSTANCE_PATH"] = INSTANCE
set_hypothesis_home_dir(os.path.join(INSTANCE, "hypothesis"))  # its caches, not .hypothesis/ in the checkout


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(INSTANCE, ignore_errors=True)


FRAMEWORKS_DIR = ROOT / "frameworks"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The portal, configured for testing, on a freshly migrated database."""
    app = create_app(
        {
            "TESTING": True,
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "testing-only",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "WTF_CSRF_ENABLED": True,
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "CREDENTIAL_KEY_FILE": str(tmp_path_factory.mktemp("keys") / "credential-signing-key.pem"),
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
    return app


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Every test that uses the database starts with empty tables."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def session(app):
    """The SQLAlchemy session, inside an app context."""
    return db.session


@pytest.fixture(scope="session")
def framework_bundle():
    """The real framework files, read and validated once per run."""
    return read_bundle(FRAMEWORKS_DIR)


@pytest.fixture
def seeded(app, framework_bundle):
    """The real framework files in frameworks/, loaded."""
    loader.load(db.session, framework_bundle)
    db.session.commit()
    return db.session


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `flask` commands."""
    return app.test_cli_runner()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """argon2id at a test-only cost: production parameters take most of a second per hash here.

    The algorithm and code path are the production ones; only the work factor is lowered.
    """
    from argon2 import PasswordHasher

    from competency_portal.services import people

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(people, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
        yield


@pytest.fixture
def world(app, seeded, tmp_path, monkeypatch):
    """Seven kinds of user with evidence, attachments, a sign-off and notifications (tests/portal_helpers.py)."""
    from tests.portal_helpers import build_world

    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return build_world(app, db.session)


@pytest.fixture
def as_admin(app, seeded):
    """A test client signed in as an administrator, each request in its own app context (as in
    production), on the real framework files; further clients made meanwhile behave the same."""
    from test_admin import RequestContextClient, person, sign_in

    from competency_portal.models import Role

    app.test_client_class = RequestContextClient
    try:
        client = app.test_client()
        admin = person(db.session, "Ada Admin", "ada@nhs.example", Role.ADMIN, Role.STAFF)
        sign_in(client, admin.email)
        yield client
    finally:
        app.test_client_class = None


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (moto's, in a subprocess) on a free 127.0.0.1 port (tests/s3_server.py)."""
    from tests.s3_server import MotoServer

    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log").start()
    yield server
    server.stop()


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path):
    """Each storage backend in turn: a fresh upload folder, or a fresh bucket on the moto server."""
    from tests.s3_server import Backend

    if request.param == "local":
        return Backend("local", tmp_path / "uploads")
    server = request.getfixturevalue("s3_server")
    return Backend("s3", tmp_path / "uploads", server=server, bucket=server.new_bucket())
