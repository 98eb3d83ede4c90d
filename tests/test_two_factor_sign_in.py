"""Two-factor sign-in through the pages: the code after the password, setting it up, resets."""

from __future__ import annotations

import re

import pyotp
import pytest
from test_auth import csrf, sign_in
from world import person

from competency_portal import clock
from competency_portal.models import AuditEvent, Notification, Role
from competency_portal.services import two_factor


def enrol(session, user) -> tuple[str, list[str]]:
    """Set up an authenticator as if with a code from a step ago, so the current code is still unused."""
    secret = two_factor.new_secret()
    then = clock.now().replace(microsecond=0)
    step_ago = pyotp.TOTP(secret).at(then.timestamp() - 30)
    codes = two_factor.confirm(session, user, secret, step_ago, then)
    session.commit()
    return secret, codes


def enter(client, code: str, url="/sign-in/code"):
    return client.post(url, data={"code": code, "csrf_token": csrf(client, url)})


def signed_in(client) -> bool:
    return client.get("/portfolio").status_code == 200


def methods(session) -> list[str]:
    session.expire_all()
    return [e.detail.get("method") for e in session.query(AuditEvent).filter_by(action="signed_in")]


@pytest.fixture
def required(app):
    app.config["TWO_FACTOR_REQUIRED"] = True
    yield
    app.config.pop("TWO_FACTOR_REQUIRED")


def test_a_right_password_then_asks_for_the_code_and_only_the_code_signs_in(client, session):
    sam = person(session, "Sam Staff")
    secret, _ = enrol(session, sam)
    response = sign_in(client, "sam.staff@example.nhs.uk", next_url="/portfolio")
    assert response.headers["Location"] == "/sign-in/code"
    assert not signed_in(client)
    page = client.get("/sign-in/code").get_data(as_text=True)
    assert "Enter your code" in page and 'autocomplete="one-time-code"' in page
    wrong = enter(client, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert wrong.status_code == 400 and "The code is not right" in wrong.get_data(as_text=True)
    right = enter(client, pyotp.TOTP(secret).now())
    assert right.headers["Location"] == "/portfolio" and signed_in(client)
    assert methods(session) == ["password+authenticator"]


def test_the_same_code_cannot_sign_in_twice(app, session):
    sam = person(session, "Sam Staff")
    secret, _ = enrol(session, sam)
    code = pyotp.TOTP(secret).now()
    first, second = app.test_client(), app.test_client()
    sign_in(first, "sam.staff@example.nhs.uk")
    assert enter(first, code).status_code == 302
    sign_in(second, "sam.staff@example.nhs.uk")
    replay = enter(second, code)
    assert replay.status_code == 400 and "already been used" in replay.get_data(as_text=True)
    assert not signed_in(second)


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(client, session):
    sam = person(session, "Sam Staff")
    _, codes = enrol(session, sam)
    sign_in(client, "sam.staff@example.nhs.uk")
    response = enter(client, codes[3])
    assert response.status_code == 302
    assert "You have 9 left" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert methods(session) == ["password+recovery code"]


def test_wrong_codes_lock_the_account(client, session):
    sam = person(session, "Sam Staff")
    enrol(session, sam)
    sign_in(client, "sam.staff@example.nhs.uk")
    for _ in range(4):
        assert enter(client, "12345x").status_code == 400
    locked = enter(client, "12345x")
    assert locked.headers["Location"] == "/sign-in"
    assert "Too many wrong codes" in client.get("/sign-in").get_data(as_text=True)
    again = sign_in(client, "sam.staff@example.nhs.uk")  # the right password does not reopen code entry
    assert again.headers["Location"] == "/sign-in/code"
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert "Too many wrong codes. Try again in 15 minutes" in client.get("/sign-in").get_data(as_text=True)


def test_the_code_page_needs_a_password_first(client):
    response = client.get("/sign-in/code")
    assert response.headers["Location"] == "/sign-in"
    assert "timed out" in client.get("/sign-in").get_data(as_text=True)


def test_an_administrator_without_an_authenticator_must_set_one_up_where_it_is_required(client, session, required):
    person(session, "Ada Admin", roles=(Role.ADMIN,))
    response = sign_in(client, "ada.admin@example.nhs.uk")
    assert response.headers["Location"] == "/sign-in/set-up-code"
    assert not signed_in(client)
    page = client.get("/sign-in/set-up-code").get_data(as_text=True)
    assert "<svg" in page and "QR code for your authenticator app" in page
    secret = re.search(r'<p class="portal-secret"><code>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    done = enter(client, pyotp.TOTP(secret).now(), "/sign-in/set-up-code")
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "Your recovery codes" in text
    assert len(re.findall(r"<li><code>[0-9a-f]{6}-[0-9a-f]{6}</code></li>", text)) == 10
    assert signed_in(client)


def test_staff_need_no_code_unless_they_set_one_up_themselves(client, session, required):
    person(session, "Sam Staff")
    assert sign_in(client, "sam.staff@example.nhs.uk").headers["Location"] == "/dashboard"
    page = client.get("/account/security").get_data(as_text=True)
    assert "Set up two-factor sign-in" in page
    secret = re.search(r'<p class="portal-secret"><code>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert "Your recovery codes" in enter(client, pyotp.TOTP(secret).now(), "/account/security").get_data(as_text=True)
    assert "Two-factor sign-in is on" in client.get("/account/security").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": csrf(client, "/sign-out")})
    assert sign_in(client, "sam.staff@example.nhs.uk").headers["Location"] == "/sign-in/code"


def test_new_recovery_codes_need_a_code_from_the_app(client, session):
    sam = person(session, "Sam Staff")
    secret, old = enrol(session, sam)
    sign_in(client, "sam.staff@example.nhs.uk")
    enter(client, old[0])
    url = "/account/security/recovery-codes"
    refused = client.post(url, data={"code": old[1], "csrf_token": csrf(client, "/account/security")})
    assert refused.status_code == 400 and two_factor.recovery_codes_left(session, sam) == 9  # not used up
    fresh = client.post(url, data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(client, "/account/security")})
    assert "Your recovery codes" in fresh.get_data(as_text=True)
    session.expire_all()
    assert two_factor.recovery_codes_left(session, sam) == 10


def test_an_administrator_resets_someones_second_factor(as_admin, session):
    sam = person(session, "Sam Staff")
    enrol(session, sam)
    page = as_admin.get(f"/admin/people/{sam.id}").get_data(as_text=True)
    assert "Reset two-factor sign-in" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = as_admin.post(f"/admin/people/{sam.id}/two-factor", data={"csrf_token": token})
    assert response.status_code == 302
    assert "two-factor sign-in has been reset" in as_admin.get(response.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert not two_factor.is_enrolled(session, sam)
    assert session.query(AuditEvent).filter_by(action="second_factor_reset", subject_id=sam.id).count() == 1
    told = session.query(Notification).filter_by(user_id=sam.id).one()
    assert told.message.startswith("An administrator reset your two-factor sign-in")
