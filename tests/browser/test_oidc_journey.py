"""Signing in and out with the trust's identity provider, in Chromium, against a real OpenID provider."""

from __future__ import annotations

import threading

import pytest
from oidc_provider import oidc_provider  # noqa: F401
from playwright.sync_api import expect
from test_oidc_sign_in import portal_for
from werkzeug.serving import make_server
from world import person


@pytest.fixture
def live_server(app, oidc_provider):  # noqa: F811 - this module's portal has the provider configured
    oidc_provider.reset()
    portal = portal_for(app, oidc_provider)
    server = make_server("127.0.0.1", 0, portal, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def at_provider_sign_in(page, check_accessibility, email: str) -> None:
    page.get_by_role("link", name="Sign in with your trust account").click()
    check_accessibility()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Sign in").click()


def test_staff_sign_in_with_the_trust_account_and_out_at_both_ends(page, visit, check_accessibility, session,
                                                                    oidc_provider):  # noqa: F811  # fmt: skip
    person(session, "Sam Staff")
    visit("/portfolio")  # signed out: sent to sign in, and back here afterwards
    at_provider_sign_in(page, check_accessibility, "sam.staff@example.nhs.uk")
    expect(page.get_by_role("heading", level=1)).to_contain_text("portfolio")
    check_accessibility()
    assert page.url.endswith("/portfolio")

    logouts = oidc_provider.state()["logouts"]
    page.get_by_role("link", name="Sign out").click()
    check_accessibility()
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    check_accessibility()  # the provider's own sign-out page
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    check_accessibility()
    assert oidc_provider.state()["logouts"] == logouts + 1
    # Signed out at the provider too: the next sign-in asks who they are again.
    page.get_by_role("link", name="Sign in with your trust account").click()
    expect(page.get_by_label("Email address")).to_be_visible()
    check_accessibility()


def test_someone_without_an_account_is_told_whom_to_ask(page, visit, check_accessibility):
    visit("/sign-in")
    with page.expect_response(lambda r: "/callback?" in r.url) as answer:
        at_provider_sign_in(page, check_accessibility, "nobody@example.nhs.uk")
    assert answer.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account has not been set up")
    expect(page.get_by_text("nobody@example.nhs.uk").first).to_be_visible()
    watch = page._portal_watch
    watch.problems = [p for p in watch.problems if "/callback?" not in p and "status of 403" not in p]
    check_accessibility()
    page.get_by_role("link", name="Back to sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_accessibility()
