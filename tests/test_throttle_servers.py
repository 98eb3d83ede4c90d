"""The sign-in limit holds across servers: two gunicorns on different ports, one database, one Redis.

Each server is the production one (gunicorn, two workers, PORTAL_ENV=production) on a port of its
own. Failed sign-ins for one account alternate between them: neither server sees five, yet the
fifth, wherever it lands, uses the account's allowance up, and then both refuse even the right
password. Run once with Redis holding the counts and once with the database alone.
"""

from __future__ import annotations

import pytest
from limits.storage import RedisStorage
from redis_server import key_prefix, redis_url  # noqa: F401
from sqlalchemy import text
from world import PASSWORD, person

from competency_portal.extensions import db
from loadtest.client import Client
from loadtest.server import Server, production_env

WRONG = "The email address or password is not right"
REFUSED = "Too many failed attempts. Try again in 15 minutes"


@pytest.fixture(params=["redis", "database"])
def servers(request, app, tmp_path):
    env = production_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "uploads")
    env.pop("REDIS_URL", None)
    if request.param == "redis":
        env.update(REDIS_URL=request.getfixturevalue("redis_url"), THROTTLE_KEY_PREFIX=key_prefix())
        request.addfinalizer(RedisStorage(env["REDIS_URL"], key_prefix=env["THROTTLE_KEY_PREFIX"]).reset)
    pair = []
    try:
        for n in range(2):
            pair.append(Server(env, workers=2, log_path=tmp_path / f"gunicorn-{n}.log").start(timeout=90))
        yield request.param, pair
    finally:
        for server in pair:
            server.stop()


def _sign_in(server: Server, email: str, password: str) -> tuple[int, str]:
    client = Client(server.url, who=email)
    page = client.get("/sign-in")
    response = client.post("/sign-in", {"email": email, "password": password}, token_from=page.text, expect=(302, 400))
    return response.status_code, response.text


def test_five_failures_spread_over_two_servers_lock_the_account_on_both(servers, session):
    storage, (first, second) = servers
    sam = person(session, "Sam Staff")
    session.commit()
    answers = [_sign_in((first, second)[n % 2], sam.email, f"wrong guess {n}") for n in range(5)]
    assert [status for status, _ in answers] == [400] * 5
    assert all(WRONG in page for _, page in answers[:4]), "refused before five failures"
    assert REFUSED in answers[4][1], "the fifth failure, on the first server after two on each, did not lock"
    for server in (first, second):
        status, page = _sign_in(server, sam.email, PASSWORD)
        assert status == 400 and REFUSED in page, f"{server.url} let the right password in during the lock-out"
    rows = db.session.execute(text("SELECT count(*) FROM throttle_counter")).scalar()
    db.session.rollback()
    assert (rows == 0) if storage == "redis" else (rows == 3), f"{rows} counters in the database with {storage}"
    kit = person(session, "Kit Staff")
    session.commit()
    assert _sign_in(second, kit.email, PASSWORD)[0] == 302, "another account was locked out too"
