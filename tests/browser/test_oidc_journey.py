"""Signing in and out with the trust's identity provider, in Chromium, against a real OpenID provider."""

from __future__ import annotations

import pytest
from live_server import serve
from oidc_provider import oidc_provider  # noqa: F401
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from test_oidc_sign_in import portal_for
from world import PASSWORD, person


@pytest.fixture
def live_server(app, oidc_provider):  # noqa: F811 - this module's portal has the provider configured
    oidc_provider.reset()
    with serve(portal_for(app, oidc_provider)) as url:
        yield url


def at_provider_sign_in(page, check_accessibility, email: str) -> None:
    page.get_by_role("link", name="Sign in with your trust account", exact=True).click()
    check_accessibility()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Sign in").click()


def fits_a_phone(page) -> None:
    """Nothing on the page is wider than a 375 px phone screen."""
    page.set_viewport_size({"width": 375, "height": 800})
    try:  # the NHS.UK header's script re-lays its navigation after a resize: give it a moment
        page.wait_for_function("document.documentElement.scrollWidth <= 375", timeout=3000)
    except PlaywrightTimeout:  # report what is too wide
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
        )
        raise AssertionError(f"{page.url} is wider than 375 px: {wide}") from None
    page.set_viewport_size({"width": 1280, "height": 800})


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
    page.get_by_role("link", name="Sign in with your trust account", exact=True).click()
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
    fits_a_phone(page)
    page.get_by_role("link", name="Back to sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_accessibility()


@pytest.fixture
def two_factor_required(app):
    app.config["TWO_FACTOR_REQUIRED"] = True  # before live_server copies the settings
    yield
    app.config.pop("TWO_FACTOR_REQUIRED")


def test_a_second_factor_set_up_and_used_at_phone_width(two_factor_required, page, visit, check_accessibility,
                                                         session):  # fmt: skip
    import pyotp

    from competency_portal.models import Role

    person(session, "Ada Admin", roles=(Role.ADMIN,))
    visit("/sign-in")
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_label("Email address").fill("ada.admin@example.nhs.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    check_accessibility()
    fits_a_phone(page)
    secret = page.locator(".portal-secret code").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    check_accessibility()
    fits_a_phone(page)
    code = page.locator(".portal-recovery-codes code").first.inner_text()
    page.get_by_role("link", name="I have kept my recovery codes").click()
    check_accessibility()
    page.get_by_role("link", name="Sign out").click()
    check_accessibility()
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    check_accessibility()
    page.get_by_label("Email address").fill("ada.admin@example.nhs.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    check_accessibility()
    fits_a_phone(page)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You used a recovery code. You have 9 left")).to_be_visible()
    check_accessibility()


def test_an_administrator_turns_password_sign_in_off_for_staff_who_then_use_the_trust_account(
    page, visit, check_accessibility, session
):
    from competency_portal.models import Role

    person(session, "Ada Admin", roles=(Role.ADMIN, Role.STAFF))
    person(session, "Sam Staff")
    visit("/sign-in")
    page.get_by_label("Email address").fill("ada.admin@example.nhs.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    check_accessibility()
    page.get_by_role("banner").get_by_role("link", name="Admin", exact=True).click()
    check_accessibility()
    page.get_by_role("navigation", name="Administration pages").get_by_role("link", name="Sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in")
    check_accessibility()
    fits_a_phone(page)
    page.get_by_label("Staff sign in with the trust's identity", exact=False).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: Staff sign in with the trust's identity")).to_be_visible()
    check_accessibility()
    page.get_by_role("link", name="Sign out").click()
    check_accessibility()
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("Staff sign in with the button above.")).to_be_visible()
    check_accessibility()
    page.get_by_label("Email address").fill("sam.staff@example.nhs.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Password sign-in is switched off for your account")
    watch = page._portal_watch  # the refusal is a 400, as a form with an error is
    watch.problems = [p for p in watch.problems if "/sign-in" not in p]
    check_accessibility()
    fits_a_phone(page)
    at_provider_sign_in(page, check_accessibility, "sam.staff@example.nhs.uk")
    expect(page.get_by_role("heading", level=1)).to_contain_text("ready for")  # their dashboard
    assert page.url.endswith("/dashboard")
    check_accessibility()


def test_with_password_sign_in_off_an_administrator_finds_the_emergency_route_at_phone_width(
    page, visit, check_accessibility, session
):
    from competency_portal.models import PasswordSignIn, Role
    from competency_portal.services import sign_in_admin

    person(session, "Ada Admin", roles=(Role.ADMIN, Role.STAFF))
    sign_in_admin.set_password_mode(session, None, PasswordSignIn.ADMINISTRATORS, providers_configured=True)
    session.commit()
    visit("/sign-in")
    page.set_viewport_size({"width": 375, "height": 800})
    expect(page.get_by_label("Password")).to_be_hidden()  # folded away: staff see only the trust's button
    page.get_by_text("Administrators: emergency sign-in with a password").click()
    fits_a_phone(page)
    page.get_by_label("Email address").fill("ada.admin@example.nhs.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    check_accessibility()
