"""Flask extensions, created once and bound to the app in `create_app`.

Also the settings every SQLite connection gets (see `_sqlite_settings`), and
`take_sqlite_write_lock`, SQLite's stand-in for SELECT ... FOR UPDATE.
"""

import sqlite3

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_static_digest import FlaskStaticDigest
from flask_wtf import CSRFProtect
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from competency_portal.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
static_digest = FlaskStaticDigest()


class PortalApi(Api):
    """flask-smorest's Api, without its app-wide JSON error handler: the pages keep their own error
    pages, and the API's blueprint answers its errors as JSON (competency_portal/api/errors.py)."""

    def _register_error_handlers(self) -> None:
        pass


api = PortalApi()

SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection, _record) -> None:
    """Let several processes (gunicorn workers) share one SQLite file without "database is locked".

    WAL lets readers carry on while one writer commits, and the busy timeout makes a writer wait
    for the write lock instead of failing at once. synchronous stays FULL (the default), so a
    commit that was acknowledged survives a crash. PostgreSQL connections are left alone.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def take_sqlite_write_lock(session) -> None:
    """On SQLite, take the database's write lock now and hold it to the end of the transaction.

    SQLite ignores SELECT ... FOR UPDATE, and the driver only starts a transaction at the first
    write, so code that reads a row and then writes what depends on it (the audit head, a framework
    load's plan) could act on a read another process has since overtaken. A write that matches no
    row starts the transaction with the lock (waiting up to the busy timeout); reads after it see
    the latest commit. On PostgreSQL this does nothing: use FOR UPDATE or an advisory lock there.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE audit_head SET seq = seq WHERE 1 = 0"))
