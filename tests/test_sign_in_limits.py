"""Sign-in throttling: per account, per address and overall, in Redis or the database, and no enumeration.

The gate is tested on both storages it can have (the database table and a real Redis); the pages
are tested through the test client: an unknown email address is answered exactly as a known one,
in words and in time, and an administrator's reset lets a locked-out person straight back in.
"""

from __future__ import annotations

import re
import statistics
import time

import pytest
from argon2 import PasswordHasher
from limits.storage import RedisStorage
from redis_server import key_prefix, redis_url  # noqa: F401
from world import PASSWORD, person

from competency_portal.extensions import db
from competency_portal.models import Role
from competency_portal.services import people
from competency_portal.services.sign_in_limits import CODE, Gate, Limits, parse_limit
from competency_portal.services.sign_in_limits import PASSWORD as STEP
from competency_portal.throttling import DatabaseStorage, make_storage
from tests.portal_helpers import Browser, body

LIMITS = Limits(parse_limit("5 per 15 minutes"), parse_limit("8 per 15 minutes"), parse_limit("12 per 15 minutes"))


class Clock:
    """A clock the test moves on by hand."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["database", "redis"])
def storage(request, app):
    """Each storage the gate can count in."""
    if request.param == "database":
        return DatabaseStorage(lambda: db.engine)
    storage = RedisStorage(request.getfixturevalue("redis_url"), key_prefix=key_prefix())
    request.addfinalizer(storage.reset)
    return storage


def test_an_account_is_refused_after_five_failures_until_it_signs_in(storage):
    gate = Gate(storage, LIMITS)
    for attempt in range(4):
        assert gate.wait(STEP, "sam@example.nhs.uk", "10.0.0.1") is None
        assert gate.failed(STEP, "sam@example.nhs.uk", "10.0.0.1") is None, f"refused after {attempt + 1}"
    wait = gate.failed(STEP, "SAM@example.nhs.uk ", "10.0.0.2")  # the same account, however typed, wherever from
    assert wait == 15 * 60
    assert gate.wait(STEP, "sam@example.nhs.uk", "10.0.0.3") is not None
    assert gate.wait(STEP, "kit@example.nhs.uk", "10.0.0.3") is None, "another account was refused"
    assert gate.wait(CODE, "sam@example.nhs.uk", "10.0.0.3") is None, "codes and passwords are counted apart"
    gate.succeeded(STEP, "sam@example.nhs.uk")
    assert gate.wait(STEP, "sam@example.nhs.uk", "10.0.0.3") is None


def test_one_address_trying_many_accounts_is_refused(storage):
    gate = Gate(storage, LIMITS)
    for n in range(8):
        gate.failed(STEP, f"person{n}@example.nhs.uk", "10.0.0.9")
    assert gate.wait(STEP, "fresh@example.nhs.uk", "10.0.0.9") is not None
    assert gate.wait(STEP, "fresh@example.nhs.uk", "10.0.0.10") is None


def test_many_addresses_trying_many_accounts_meet_the_ceiling(storage):
    gate = Gate(storage, LIMITS)
    for n in range(12):
        gate.failed(STEP, f"person{n}@example.nhs.uk", f"10.0.1.{n}")
    assert gate.wait(STEP, "fresh@example.nhs.uk", "10.0.2.1") is not None


def test_the_database_window_ends_on_time(app):
    clock = Clock()
    gate = Gate(DatabaseStorage(lambda: db.engine, clock), LIMITS, clock)
    for _ in range(5):
        gate.failed(STEP, "sam@example.nhs.uk", "10.0.0.1")
    clock.now += 14 * 60
    assert gate.wait(STEP, "sam@example.nhs.uk", "10.0.0.1") == 60
    clock.now += 61
    assert gate.wait(STEP, "sam@example.nhs.uk", "10.0.0.1") is None
    assert gate.failed(STEP, "sam@example.nhs.uk", "10.0.0.1") is None, "the old window's count carried over"


def test_the_redis_window_ends_on_time(redis_url):  # noqa: F811
    gate = Gate(RedisStorage(redis_url, key_prefix=key_prefix()), Limits(*(parse_limit("2 per 1 second"),) * 3))
    gate.failed(STEP, "sam@example.nhs.uk", "10.0.0.1")
    assert gate.failed(STEP, "sam@example.nhs.uk", "10.0.0.1") in (1, 2)  # Redis keeps whole seconds
    time.sleep(1.2)
    assert gate.wait(STEP, "sam@example.nhs.uk", "10.0.0.1") is None


def test_with_redis_down_the_database_keeps_counting(app, caplog):
    from loadtest.server import free_port

    storage = make_storage({"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}, lambda: db.engine)
    gate = Gate(storage, LIMITS)
    for _ in range(5):
        gate.failed(STEP, "sam@example.nhs.uk", "10.0.0.1")
    assert gate.wait(STEP, "sam@example.nhs.uk", "10.0.0.1") is not None
    assert "could not reach Redis" in caplog.text
    assert db.session.execute(db.text("SELECT count(*) FROM throttle_counter")).scalar() == 3


def _attempt(browser: Browser, email: str, password: str = "not the password") -> tuple[int, str]:
    response = browser.post("/sign-in", {"email": email, "password": password})
    page = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"|nonce="[^"]+"', "", body(response))
    return response.status_code, page.replace(email, "EMAIL")


def test_an_unknown_email_address_is_answered_word_for_word_as_a_known_one(app, session):
    person(session, "Sam Staff")
    known = [_attempt(Browser(app), "sam.staff@example.nhs.uk") for _ in range(6)]
    unknown = [_attempt(Browser(app), "nobody.here@example.nhs.uk") for _ in range(6)]
    assert [status for status, _ in known] == [400] * 6
    assert "Too many failed attempts. Try again in 15 minutes" in known[4][1]
    assert known == unknown


def test_an_unknown_email_address_takes_as_long_as_a_known_one(app, session, monkeypatch):
    monkeypatch.setattr(people, "_hasher", PasswordHasher())  # the production cost, which the dummy check matches
    person(session, "Sam Staff")

    def timed(email: str) -> float:
        browser = Browser(app)
        browser.token()
        started = time.perf_counter()
        assert _attempt(browser, email)[0] == 400
        return time.perf_counter() - started

    known = statistics.median(timed("sam.staff@example.nhs.uk") for _ in range(3))
    unknown = statistics.median(timed(f"nobody{n}@example.nhs.uk") for n in range(3))
    assert 0.6 < unknown / known < 1.6, f"known {known * 1000:.0f} ms, unknown {unknown * 1000:.0f} ms"


def test_one_address_is_refused_even_for_the_right_password(app, session, monkeypatch):
    monkeypatch.setitem(app.extensions, "sign_in_gate", Gate(DatabaseStorage(lambda: db.engine), LIMITS))
    sam = person(session, "Sam Staff")
    attacker = Browser(app)
    attacker.client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for n in range(8):
        assert _attempt(attacker, f"guess{n}@example.nhs.uk")[0] == 400
    assert _attempt(attacker, sam.email, PASSWORD)[0] == 400
    elsewhere = Browser(app)
    elsewhere.client.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    assert elsewhere.post("/sign-in", {"email": sam.email, "password": PASSWORD}).status_code == 302


def test_a_new_password_from_an_administrator_lets_a_locked_out_person_in_at_once(app, session):
    admin = person(session, "Ada Admin", roles=(Role.ADMIN, Role.STAFF))
    sam = person(session, "Sam Staff")
    for _ in range(5):
        _attempt(Browser(app), sam.email)
    assert _attempt(Browser(app), sam.email, PASSWORD)[0] == 400
    office = Browser(app)
    office.sign_in(admin.email, PASSWORD)
    new = "a brand new password 2026"
    assert office.post(f"/admin/people/{sam.id}/password", {"new_password": new, "confirm": new}).status_code == 302
    assert Browser(app).post("/sign-in", {"email": sam.email, "password": new}).status_code == 302
