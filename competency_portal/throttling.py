"""Where sign-in throttling keeps its counts: Redis when `REDIS_URL` is set, the database otherwise.

Either way the counts are shared by every worker and every server, so a limit holds however many
are running. The counting itself is `limits` (flask-limiter's core) fixed windows; this module gives
it a storage in our own database (an atomic upsert, on SQLite and PostgreSQL alike) and, when Redis
is configured, falls back to that storage if Redis stops answering rather than letting everyone in
(or keeping everyone out).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from flask import Flask, current_app
from limits.storage import RedisStorage, Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from competency_portal import clock
from competency_portal.models import ThrottleCounter
from competency_portal.services.sign_in_limits import Gate, limits_from_config

log = logging.getLogger(__name__)
_table = ThrottleCounter.__table__
PRUNE_CHANCE = 0.01  # one increment in a hundred also deletes windows that have ended


class DatabaseStorage(Storage):
    """`limits` storage in the `throttle_counter` table; each call is its own short transaction."""

    STORAGE_SCHEME = ["portal+database"]

    def __init__(self, engine: Callable[[], Engine], now: Callable[[], float] = time.time):
        super().__init__()
        self._engine = engine  # called each time: Flask-SQLAlchemy's engine belongs to the app context
        self._now = now

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self._now()
        engine = self._engine()
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        ended = _table.c.expires_at <= now
        statement = (
            insert(_table)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[_table.c.key],
                set_={
                    "count": case((ended, amount), else_=_table.c.count + amount),
                    "expires_at": case((ended, now + expiry), else_=_table.c.expires_at),
                },
            )
            .returning(_table.c.count)
        )
        with engine.begin() as connection:
            count = connection.execute(statement).scalar_one()
            if random.random() < PRUNE_CHANCE:  # noqa: S311 - housekeeping, not security
                connection.execute(delete(_table).where(_table.c.expires_at <= now))
        return int(count)

    def get(self, key: str) -> int:
        with self._engine().connect() as connection:
            count = connection.scalar(
                select(_table.c.count).where(_table.c.key == key, _table.c.expires_at > self._now())
            )
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        now = self._now()
        with self._engine().connect() as connection:
            ends = connection.scalar(select(_table.c.expires_at).where(_table.c.key == key))
        return max(float(ends or now), now)

    def check(self) -> bool:
        try:
            with self._engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as connection:
            return connection.execute(delete(_table)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(delete(_table).where(_table.c.key == key))


class FallbackStorage(Storage):
    """Redis first; the database whenever Redis fails (logged), so throttling never stops."""

    STORAGE_SCHEME = ["portal+fallback"]

    def __init__(self, primary: Storage, secondary: Storage):
        super().__init__()
        self.primary, self.secondary = primary, secondary

    @property
    def base_exceptions(self) -> tuple[type[Exception], ...]:
        return ()

    def _call(self, name: str, *args, **kwargs):
        try:
            return getattr(self.primary, name)(*args, **kwargs)
        except self.primary.base_exceptions as error:
            log.warning("Sign-in throttling could not reach Redis (%s); counting in the database instead", error)
            return getattr(self.secondary, name)(*args, **kwargs)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call("incr", key, expiry, amount=amount)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def get_expiry(self, key: str) -> float:
        return self._call("get_expiry", key)

    def check(self) -> bool:
        return self.primary.check() or self.secondary.check()

    def reset(self) -> int | None:
        return self._call("reset")

    def clear(self, key: str) -> None:
        self._call("clear", key)


def make_storage(config, engine: Callable[[], Engine], now: Callable[[], float] = time.time) -> Storage:
    """The storage the configuration asks for: Redis (falling back to the database) or the database."""
    database = DatabaseStorage(engine, now)
    url = config.get("REDIS_URL")
    if not url:
        return database
    redis = RedisStorage(
        url,
        key_prefix=config.get("THROTTLE_KEY_PREFIX") or "portal",
        socket_timeout=1.0,  # a hung Redis must not hang sign-in: fall back after a second
        socket_connect_timeout=1.0,
    )
    return FallbackStorage(redis, database)


def init_app(app: Flask) -> None:
    """Give the app its sign-in gate (see services.sign_in_limits), kept in `app.extensions`."""
    from competency_portal.extensions import db

    def now() -> float:  # the portal's clock, which tests may set; Redis keeps its own time
        return clock.now().timestamp()

    storage = make_storage(app.config, lambda: db.engine, now)
    app.extensions["sign_in_gate"] = Gate(storage, limits_from_config(app.config), now)


def gate() -> Gate:
    """The current app's sign-in gate."""
    return current_app.extensions["sign_in_gate"]
