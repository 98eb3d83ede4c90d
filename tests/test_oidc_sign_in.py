"""Signing in with an identity provider, against a real OpenID Connect provider (tests/oidc/provider.mjs).

The portal runs in Flask's test client; the provider's pages are walked with requests, as a browser
would. tests/browser/test_oidc_journey.py does the same in Chromium.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from oidc_provider import cancel_at_provider, logout_at_provider, oidc_provider, sign_in_at_provider  # noqa: F401
from sqlalchemy import select
from world import person

from competency_portal import create_app
from competency_portal.models import AuditEvent, ExternalIdentity, User
from competency_portal.services import people

PROVIDER = "trust"


def portal_for(app, provider, **settings):
    """An app on the test database with `provider` configured (its own Authlib clients and caches)."""
    config = {**app.config}
    config["OIDC_PROVIDERS"] = [
        {
            "name": PROVIDER,
            "issuer": provider.issuer if provider else "http://127.0.0.1:9",
            "client_id": provider.client_id if provider else "x",
            "client_secret": provider.client_secret if provider else "x",
            "label": "Sign in with your trust account",
            "timeout": 3,
            **settings,
        }
    ]
    return create_app(config)


@pytest.fixture(scope="module")
def portal(app, oidc_provider):  # noqa: F811
    return portal_for(app, oidc_provider)


@pytest.fixture
def provider(oidc_provider):  # noqa: F811
    oidc_provider.reset()
    yield oidc_provider
    oidc_provider.reset()


@pytest.fixture
def browser(portal):
    return portal.test_client()


def local(url: str) -> str:
    parts = urlsplit(url)
    assert parts.hostname == "localhost", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start(browser, next_path: str | None = None) -> str:
    response = browser.get(f"/sign-in/with/{PROVIDER}" + (f"?next={next_path}" if next_path else ""))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sign_in(browser, email: str):
    """The whole round trip; the portal's answer to the provider's redirect back."""
    return browser.get(local(sign_in_at_provider(start(browser), email)))


def refusals(session, reason: str | None = None) -> list[dict]:
    session.expire_all()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_refused")).all()
    return [e.detail for e in events if reason is None or e.detail["reason"] == reason]


def signed_in_as(browser) -> str | None:
    response = browser.get("/portfolio")
    return None if response.status_code == 302 else response.get_data(as_text=True)


def test_the_sign_in_page_offers_the_provider_above_the_password(browser):
    page = browser.get("/sign-in").get_data(as_text=True)
    assert f'href="/sign-in/with/{PROVIDER}"' in page and "Sign in with your trust account" in page
    assert page.index("Sign in with your trust account") < page.index("Or sign in with a password")


def test_the_request_uses_pkce_state_and_nonce(browser, provider):
    query = parse_qs(urlsplit(start(browser)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and query["scope"] == ["openid email profile"]
    assert query["client_id"] == [provider.client_id]


def test_first_sign_in_links_the_account_and_later_ones_use_the_subject(browser, session, provider):
    sam = person(session, "Sam Staff")
    response = sign_in(browser, "sam.staff@example.nhs.uk")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert "Sam Staff" in browser.get("/").get_data(as_text=True)
    link = session.scalars(select(ExternalIdentity)).one()
    assert (link.provider, link.subject, link.user_id) == (PROVIDER, "u-staff", sam.id)
    signed = session.scalars(select(AuditEvent).where(AuditEvent.action == "signed_in")).all()
    assert [e.detail["method"] for e in signed] == [f"provider:{PROVIDER}"]

    # The portal's address for Sam changes; the provider still knows them by their subject.
    sam.email = "sam.new-name@example.nhs.uk"
    session.commit()
    other = browser.application.test_client()
    assert sign_in(other, "sam.staff@example.nhs.uk").headers["Location"] == "/dashboard"
    assert "Sam Staff" in other.get("/").get_data(as_text=True)


def test_signing_in_goes_back_to_the_page_asked_for(browser, session, provider):
    person(session, "Sam Staff")
    assert browser.get("/portfolio").status_code == 302
    response = browser.get(local(sign_in_at_provider(start(browser, "/portfolio"), "sam.staff@example.nhs.uk")))
    assert response.headers["Location"] == "/portfolio"
    nowhere = browser.application.test_client()
    response = nowhere.get(local(sign_in_at_provider(start(nowhere, "//evil.example/"), "sam.staff@example.nhs.uk")))
    assert response.headers["Location"] == "/dashboard"


def test_an_unknown_person_sees_that_their_account_is_not_set_up_and_nothing_is_created(browser, session, provider):
    users = session.query(User).count()
    response = sign_in(browser, "nobody@example.nhs.uk")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Your account has not been set up" in page and "nobody@example.nhs.uk" in page
    assert "portal administrator" in page
    session.expire_all()
    assert session.query(User).count() == users and session.query(ExternalIdentity).count() == 0
    assert signed_in_as(browser) is None
    assert refusals(session, "not_set_up")[0]["value"] == "nobody@example.nhs.uk"


def test_a_deactivated_person_cannot_sign_in(browser, session, provider):
    gone = people.create_person(session, name="Gone Away", email="gone@example.nhs.uk", roles=set(), password=None)
    gone.active = False
    session.commit()
    response = sign_in(browser, "gone@example.nhs.uk")
    assert response.status_code == 403 and "Your account is closed" in response.get_data(as_text=True)
    assert signed_in_as(browser) is None and refusals(session, "deactivated")


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("wrong_key", "signature"),
        ("wrong_audience", "wrong_aud"),
        ("wrong_issuer", "wrong_iss"),
        ("expired", "expired"),
        ("future_iat", "issued_in_future"),
        ("nonce", "wrong_nonce"),
        ("missing_claim:sub", "missing_sub"),
    ],
)
def test_a_token_that_cannot_be_trusted_signs_nobody_in(browser, session, provider, fault, reason):
    person(session, "Sam Staff")
    authorize = start(browser)
    provider.fault(fault)
    response = browser.get(local(sign_in_at_provider(authorize, "sam.staff@example.nhs.uk")))
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "You could not be signed in" in page and "could not trust" in page
    assert signed_in_as(browser) is None
    assert [d["reason"] for d in refusals(session)] == [reason]
    assert session.query(ExternalIdentity).count() == 0


def test_a_claim_missing_from_the_id_token_is_read_from_userinfo(browser, session, provider):
    person(session, "Sam Staff")
    authorize = start(browser)
    provider.fault("missing_claim:email")
    assert browser.get(local(sign_in_at_provider(authorize, "sam.staff@example.nhs.uk"))).status_code == 302
    assert "Sam Staff" in signed_in_as(browser)


def test_a_provider_that_never_sends_the_identifying_claim_is_explained(app, session, provider):
    person(session, "Sam Staff")
    portal = portal_for(app, provider, claim="employee_number", match="employee_number")  # scope lacks "employee"
    browser = portal.test_client()
    response = sign_in(browser, "sam.staff@example.nhs.uk")
    assert response.status_code == 400 and "your employee number" in response.get_data(as_text=True)
    assert refusals(session, "missing_claim")


def test_matching_by_employee_number(app, session, provider):
    sam = person(session, "Sam Staff")
    sam.employee_number = "100001"
    sam.email = "s.staff@other.example"
    session.commit()
    portal = portal_for(app, provider, claim="employee_number", match="employee_number",
                        scopes="openid email profile employee")  # fmt: skip
    browser = portal.test_client()
    assert sign_in(browser, "sam.staff@example.nhs.uk").headers["Location"] == "/dashboard"
    assert "Sam Staff" in signed_in_as(browser)


def test_signing_keys_rotate_without_a_restart(browser, session, provider):
    person(session, "Sam Staff")
    assert sign_in(browser, "sam.staff@example.nhs.uk").status_code == 302  # the old key is now cached
    provider.rotate()
    again = browser.application.test_client()
    assert sign_in(again, "sam.staff@example.nhs.uk").headers["Location"] == "/dashboard"


def test_a_replayed_or_missing_state_is_refused(browser, session, provider):
    person(session, "Sam Staff")
    callback = local(sign_in_at_provider(start(browser), "sam.staff@example.nhs.uk"))
    assert browser.get(callback).status_code == 302
    thief = browser.application.test_client()
    replayed = thief.get(callback)
    assert replayed.status_code == 400 and "already been used" in replayed.get_data(as_text=True)
    assert signed_in_as(thief) is None
    missing = thief.get(f"/sign-in/with/{PROVIDER}/callback?code=abc")
    assert missing.status_code == 400
    assert [d["reason"] for d in refusals(session)] == ["state", "state"]


def test_cancelling_at_the_provider_says_so(browser, session, provider):
    response = browser.get(local(cancel_at_provider(start(browser))))
    assert response.status_code == 400 and "You did not sign in" in response.get_data(as_text=True)
    assert refusals(session, "cancelled")


def test_a_provider_that_is_down_or_slow_gets_a_clear_page(app, session, provider):
    down = portal_for(app, None).test_client()
    response = down.get(f"/sign-in/with/{PROVIDER}")
    assert response.status_code == 503 and "is not answering" in response.get_data(as_text=True)
    provider.slow(5)
    slow = portal_for(app, provider, timeout=1).test_client()
    response = slow.get(f"/sign-in/with/{PROVIDER}")
    assert response.status_code == 503 and "Try again in a few minutes" in response.get_data(as_text=True)
    assert len(refusals(session, "unavailable")) == 2


def test_signing_out_ends_the_session_at_both_ends(browser, session, provider):
    import requests

    person(session, "Sam Staff")
    at_provider = requests.Session()
    browser.get(local(sign_in_at_provider(start(browser), "sam.staff@example.nhs.uk", at_provider)))
    confirm = browser.get("/sign-out")
    assert f"form-action 'self' {provider.issuer}" in confirm.headers["Content-Security-Policy"]  # may go on there
    page = confirm.get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = browser.post("/sign-out", data={"csrf_token": token})
    end_session = response.headers["Location"]
    assert end_session.startswith(provider.issuer) and "id_token_hint=" in end_session
    assert signed_in_as(browser) is None
    logouts = provider.state()["logouts"]
    back = logout_at_provider(end_session, at_provider)
    assert local(back).startswith("/sign-in?signed_out=1")
    assert provider.state()["logouts"] == logouts + 1
    assert "You have signed out" in browser.get(local(back)).get_data(as_text=True)
    # The provider's session is over too: signing in again asks for the person again.
    again = at_provider.get(start(browser.application.test_client()), allow_redirects=True, timeout=30)
    assert "Email address" in again.text


def test_a_password_session_signs_out_locally(client, session):
    person(session, "Sam Staff")
    from test_auth import csrf
    from test_auth import sign_in as password_sign_in

    password_sign_in(client, "sam.staff@example.nhs.uk")
    response = client.post("/sign-out", data={"csrf_token": csrf(client, "/sign-out")})
    assert response.headers["Location"] == "/sign-in?signed_out=1"
