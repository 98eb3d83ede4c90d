"""Signing in and out: lock-out, sessions, safe redirects."""

from __future__ import annotations

import re
from datetime import timedelta

from world import PASSWORD, person

from competency_portal.auth.views import safe_next
from competency_portal.services import people


def csrf(client, url="/sign-in"):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(
        1
    )


def sign_in(client, email, password=PASSWORD, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": csrf(client)})


def test_the_sign_in_page_has_labelled_fields(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "<title>Sign in" in page
    assert '<label class="nhsuk-label" for="email">Email address</label>' in page
    assert '<label class="nhsuk-label" for="password">Password</label>' in page
    assert ">Sign in</button>" in page


def test_signing_in_and_out(client, session):
    user = person(session, "Sam Staff")
    response = sign_in(client, "SAM.STAFF@example.nhs.uk ")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert "Sam Staff" in client.get("/").get_data(as_text=True)
    token = csrf(client, "/sign-out")
    client.post("/sign-out", data={"csrf_token": token})
    assert client.get("/portfolio").status_code == 302
    assert user.id


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, session):
    person(session, "Sam Staff")
    for email in ("sam.staff@example.nhs.uk", "nobody@example.nhs.uk"):
        response = sign_in(client, email, "wrong password!")
        assert response.status_code == 400
        assert "The email address or password is not right" in response.get_data(as_text=True)


def test_five_failures_lock_the_account_for_a_while(app, client, session):
    from datetime import datetime, timezone

    user = person(session, "Sam Staff")
    for _ in range(5):
        sign_in(client, user.email, "wrong password!")
    locked = sign_in(client, user.email)  # the right password, while locked
    assert locked.status_code == 400 and "Too many failed attempts" in locked.get_data(as_text=True)
    app.config["PORTAL_NOW"] = datetime.now(timezone.utc) + timedelta(minutes=16)
    try:
        assert sign_in(client, user.email).status_code == 302
    finally:
        app.config["PORTAL_NOW"] = None


def test_inactive_people_cannot_sign_in(client, session):
    user = person(session, "Sam Staff")
    user.active = False
    session.commit()
    assert sign_in(client, user.email).status_code == 400


def test_changing_the_password_ends_existing_sessions(client, session):
    user = person(session, "Sam Staff")
    sign_in(client, user.email)
    assert client.get("/portfolio").status_code == 200
    people.set_password(user, "a brand new password")
    session.commit()
    assert client.get("/portfolio").status_code == 302


def test_signing_in_starts_a_new_session(client, session):
    user = person(session, "Sam Staff")
    client.get("/sign-in")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    sign_in(client, user.email)
    with client.session_transaction() as after:
        assert "planted" not in after and after.permanent


def test_sessions_expire_after_idle_time(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)


def test_next_goes_only_to_this_site(client, session):
    user = person(session, "Sam Staff")
    assert sign_in(client, user.email, next_url="/portfolio").headers["Location"] == "/portfolio"
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]:
        assert safe_next(target) is None, target


def test_protected_pages_send_anonymous_people_to_sign_in(client):
    response = client.get("/portfolio")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")


def test_passwords_are_stored_as_argon2id(session):
    user = person(session, "Sam Staff")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
