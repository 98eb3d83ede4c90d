"""Brute force, lock-out and session fixation: what tests/test_auth.py and test_bad_input.py do not already cover.

Covered there: five failures lock the account, the right password is refused while locked and works
after the lock ends, a key planted in the session before sign-in is gone after it, changing the
password ends sessions, `next` stays on this site. Here: the lock-out holds across browsers (an
attacker does not get five tries per cookie), a cookie from before sign-in never becomes signed
in, a cookie copied before signing out is dead after it, and an idle cookie replayed after the
30-minute limit is refused by the server, not only by the browser's expiry.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import itsdangerous.timed
import pytest
from world import person

from competency_portal.extensions import db
from competency_portal.models import User
from tests.portal_helpers import Browser, body, is_sign_in_redirect

PORTFOLIO = "/portfolio"


def _cookie(browser: Browser) -> str | None:
    found = browser.client.get_cookie("session")
    return found.value if found else None


def _with_cookie(app, value: str) -> Browser:
    """A new browser that replays a copied session cookie."""
    replay = Browser(app, "replay")
    replay.client.set_cookie("session", value)
    return replay


def _signed_in(browser: Browser) -> bool:
    response = browser.get(PORTFOLIO)
    if response.status_code == 200:
        return True
    assert is_sign_in_redirect(response, PORTFOLIO), (
        f"neither the portfolio nor a sign-in redirect: {response.status_code}"
    )
    return False


@pytest.fixture
def sam(app, session):
    return person(session, "Sam Staff", target_role=None)


def _user(user_id: int) -> User:
    found = db.session.get(User, user_id)
    db.session.refresh(found)
    return found


def test_failures_from_five_different_browsers_still_lock_the_account(app, sam, monkeypatch):
    start = datetime.now(timezone.utc).replace(microsecond=0)
    monkeypatch.setitem(app.config, "PORTAL_NOW", start)
    for attempt in range(5):
        response = Browser(app, f"attacker-{attempt}").post(
            "/sign-in", {"email": sam.email, "password": f"guess-{attempt}-wrong"}
        )
        assert response.status_code == 400
    fresh = Browser(app, "someone new")
    response = fresh.post("/sign-in", {"email": sam.email, "password": "correct horse battery"})
    assert response.status_code == 400 and "Too many failed attempts" in body(response), (
        "a new cookie got round the lock-out"
    )
    assert not _signed_in(fresh)
    # Still locked at 14 minutes, whichever browser asks; open again after the 15.
    monkeypatch.setitem(app.config, "PORTAL_NOW", start + timedelta(minutes=14))
    assert Browser(app).post("/sign-in", {"email": sam.email, "password": "correct horse battery"}).status_code == 400
    monkeypatch.setitem(app.config, "PORTAL_NOW", start + timedelta(minutes=16))
    assert Browser(app).post("/sign-in", {"email": sam.email, "password": "correct horse battery"}).status_code == 302


def test_a_success_resets_the_count_so_only_consecutive_failures_lock(app, sam):
    browser = Browser(app)
    for _ in range(4):
        browser.post("/sign-in", {"email": sam.email, "password": "wrong-password"})
    assert browser.post("/sign-in", {"email": sam.email, "password": "correct horse battery"}).status_code == 302
    later = Browser(app, "later")
    for _ in range(4):  # four more failures would have been eight in a row without the reset
        assert later.post("/sign-in", {"email": sam.email, "password": "wrong-password"}).status_code == 400
    assert later.post("/sign-in", {"email": sam.email, "password": "correct horse battery"}).status_code == 302


def test_a_cookie_from_before_sign_in_is_not_signed_in_afterwards(app, sam):
    victim = Browser(app, "victim")
    victim.token()  # the sign-in page gives the browser a session cookie (with a CSRF token in it)
    planted = _cookie(victim)
    assert planted, "the sign-in page sets a session cookie"
    victim.sign_in(sam.email, "correct horse battery")
    after = _cookie(victim)
    assert after and after != planted, "the session cookie did not change on sign-in"
    assert _signed_in(victim)
    assert not _signed_in(_with_cookie(app, planted)), "the cookie from before sign-in is signed in (session fixation)"


def test_a_cookie_copied_before_signing_out_is_refused_after_it(app, sam):
    browser = Browser(app, "sam")
    browser.sign_in(sam.email, "correct horse battery")
    copied = _cookie(browser)
    assert _signed_in(_with_cookie(app, copied)), "control: a copied cookie is signed in while the session lasts"
    response = browser.post("/sign-out", {})
    assert response.status_code == 302 and not _signed_in(browser)
    assert not _signed_in(_with_cookie(app, copied)), "a cookie copied before sign-out still works after it"
    # Signing in again works, and the old cookie stays dead.
    browser.sign_in(sam.email, "correct horse battery")
    assert _signed_in(browser)
    assert not _signed_in(_with_cookie(app, copied))


def test_an_idle_cookie_replayed_after_30_minutes_is_refused_by_the_server(app, sam, monkeypatch):
    browser = Browser(app, "sam")
    browser.sign_in(sam.email, "correct horse battery")
    copied = _cookie(browser)
    issued = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: issued(self) + 29 * 60)
    assert _signed_in(_with_cookie(app, copied)), "control: 29 idle minutes is still signed in"
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: issued(self) + 31 * 60)
    assert not _signed_in(_with_cookie(app, copied)), "a cookie idle for 31 minutes was accepted"


def test_a_forged_or_tampered_session_cookie_is_anonymous(app, sam):
    browser = Browser(app, "sam")
    browser.sign_in(sam.email, "correct horse battery")
    good = _cookie(browser)
    payload, _, signature = good.rpartition(".")
    tampered = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    for value in (tampered, "eyJfdXNlcl9pZCI6IjE6eCJ9.forged.signature", f"{sam.id}:guess", ""):
        assert not _signed_in(_with_cookie(app, value)), f"cookie {value[:30]!r} was signed in"


def test_a_sign_in_as_an_unknown_address_is_the_same_answer_as_a_wrong_password(app, sam):
    unknown = Browser(app).post("/sign-in", {"email": "nobody@example.nhs.uk", "password": "whatever-password"})
    wrong = Browser(app).post("/sign-in", {"email": sam.email, "password": "whatever-password"})
    assert unknown.status_code == wrong.status_code == 400
    message = "The email address or password is not right"
    assert message in body(unknown) and message in body(wrong)
    assert "whatever-password" not in body(wrong), "the typed password is written back into the page"
