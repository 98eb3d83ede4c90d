"""CSRF beyond tests/test_bad_input.py (which sends every POST form with a missing, forged and empty
token, and one from another session): tokens do not survive a change of who is signed in, a forged
token in the header is refused as in the form, production over HTTPS refuses a POST from another
site even with a good token, and no form that submits by GET puts the token in a URL.
"""

from __future__ import annotations

import re

from competency_portal.extensions import db
from competency_portal.models import Notification
from tests.portal_helpers import PASSWORD, Browser, body, diff, snapshot
from tests.test_security_headers import _production_app


def _unread(user_id: int) -> int:
    found = db.session.scalar(
        db.select(db.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    db.session.rollback()
    return found


def test_a_token_from_before_sign_in_or_before_sign_out_is_refused_afterwards(app, world):
    browser = Browser(app, "owner")
    anonymous_token = browser.token()
    browser.sign_in(world.emails["owner"])
    unread = _unread(world.id("owner"))
    assert unread > 0
    assert browser.post("/notifications/read", {}, csrf=anonymous_token).status_code == 400, (
        "a pre-sign-in token still works"
    )
    signed_in_token = browser.token()
    assert browser.post("/sign-out", {}, csrf=signed_in_token).status_code == 302
    browser.sign_in(world.emails["owner"])
    assert browser.post("/notifications/read", {}, csrf=signed_in_token).status_code == 400, (
        "a token from the last session still works"
    )
    assert _unread(world.id("owner")) == unread, "a refused POST marked notifications read"
    # Control: a fresh token does mark the owner's notifications read.
    assert browser.post("/notifications/read", {}).status_code == 302
    assert _unread(world.id("owner")) == 0


def test_a_forged_token_in_the_header_is_refused_like_one_in_the_form(app, world):
    browser = Browser(app, "owner")
    browser.sign_in(world.emails["owner"])
    browser.token()
    before = snapshot()
    for headers in ({"X-CSRFToken": "forged"}, {"X-CSRF-Token": "forged"}, {}):
        response = browser.open(
            "POST", "/notifications/read", data="{}", content_type="application/json", headers=headers
        )
        assert response.status_code == 400, f"POST with {headers or 'no token'}: {response.status_code}"
    assert not diff(before, snapshot())


def test_production_refuses_a_post_from_another_site_even_with_a_good_token(app, world, monkeypatch):
    prod = _production_app(app, monkeypatch)
    client = prod.test_client()
    base = "https://portal.example.nhs.uk"

    def token():
        return re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', client.get(f"{base}/sign-out").get_data(as_text=True)
        ).group(1)

    with prod.app_context():
        page = client.get(f"{base}/sign-in").get_data(as_text=True)
        first = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        signed = client.post(
            f"{base}/sign-in",
            data={"email": world.emails["owner"], "password": PASSWORD, "csrf_token": first},
            headers={"Referer": f"{base}/sign-in"},
        )
        assert signed.status_code == 302
        before = snapshot()
        for referer in ("https://evil.example/page", "http://portal.example.nhs.uk/notifications", None):
            headers = {"Referer": referer} if referer else {}
            response = client.post(f"{base}/notifications/read", data={"csrf_token": token()}, headers=headers)
            assert response.status_code == 400, f"a POST with Referer {referer!r} was accepted: {response.status_code}"
        assert not diff(before, snapshot())
        ok = client.post(
            f"{base}/notifications/read", data={"csrf_token": token()}, headers={"Referer": f"{base}/notifications"}
        )
        assert ok.status_code == 302, "control: the same POST from the portal's own page is accepted"


def test_forms_that_submit_by_get_never_carry_the_token(app, world):
    admin, owner = Browser(app, "admin"), Browser(app, "owner")
    admin.sign_in(world.emails["admin"])
    owner.sign_in(world.emails["owner"])
    checked = 0
    for browser, url in (
        (owner, "/frameworks/search"),
        (admin, "/admin/people"),
        (admin, "/admin/audit"),
        (admin, "/organisation"),
        (owner, "/frameworks/search?q=risk"),
    ):
        page = body(browser.get(url))
        for form in re.findall(r"<form\b[^>]*>.*?</form>", page, re.S):
            opening = re.match(r"<form\b[^>]*>", form).group(0).lower()
            if 'method="post"' in opening:
                continue
            checked += 1
            assert "csrf_token" not in form, f"a GET form on {url} puts the CSRF token in the URL"
    assert checked >= 3, "fewer GET forms than expected: the pages changed"
