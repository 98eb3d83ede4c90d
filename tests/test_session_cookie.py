"""The session cookie is set by pages, never by the files a page loads, and a late copy of an older
cookie of the same session cannot make a form fail; a refused form says plainly what happened.

People met "The CSRF session token is missing" on about a third of their first forms after signing
in: every static response set the session cookie again from the session its request carried, and a
late one put back a cookie from before the form page added its token (tests/browser/test_session_race.py
shows it in a browser). Two defences are checked here: static files and other parts of a page never
set the cookie, and the form token is in the session from the first cookie after sign-in.
"""

from __future__ import annotations

import re

import pytest

from tests.portal_helpers import PASSWORD, Browser, body, diff, signed_in, snapshot

NONCE = re.compile(r"'nonce-([^']+)'")
SENTENCE = "This page was open too long or in another tab; we could not save it. Go back, and send it again."


def _static_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_files_and_the_parts_of_a_page_never_set_the_session_cookie(app, world):
    owner = signed_in(app, world, "owner")
    page = owner.get("/dashboard", headers={"Sec-Fetch-Dest": "document"})
    assert "session=" in page.headers.get("Set-Cookie", ""), "a page should restart the 30-minute idle timer"
    links = _static_links(body(page))
    assert len(links) >= 5, links
    for url in links:
        response = owner.get(url, headers={"Sec-Fetch-Dest": "script"})
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, f"{url} set a cookie"
    # A missing file the browser asks for on its own (a favicon, a source map) reaches the portal's
    # 404 page; as a part of a page, it must not set the cookie either.
    missing = owner.get("/favicon.ico", headers={"Sec-Fetch-Dest": "image"})
    assert missing.status_code == 404
    assert "Set-Cookie" not in missing.headers, "a subresource's 404 refreshed the session from its own copy"
    # Still signed in, still able to send a form.
    assert owner.post("/notifications/read", {}).status_code == 302


def test_a_late_copy_of_the_cookie_from_signing_in_still_sends_the_next_form(app, world):
    """The sequence from the issue: sign in (cookie A), open a form (cookie B), A comes back, send the form."""
    browser = Browser(app, "owner")
    browser.sign_in(world.emails["owner"], PASSWORD)
    cookie_a = browser.client.get_cookie("session").value
    form_page = browser.get(f"/portfolio/evidence/{world.draft}")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body(form_page)).group(1)
    browser.client.set_cookie("session", cookie_a)  # a late response puts back the older cookie
    response = browser.post(f"/portfolio/evidence/{world.draft}/submit", {}, csrf=token)
    assert response.status_code == 302, f"the form was refused ({response.status_code}): {body(response)[:300]}"


def test_a_refused_form_says_plainly_what_happened_and_changes_nothing(app, world):
    owner = signed_in(app, world, "owner")
    before = snapshot()
    response = owner.post(f"/portfolio/evidence/{world.draft}/submit", {}, csrf="stale-token")
    assert response.status_code == 400
    text = " ".join(body(response).split())
    assert SENTENCE in text
    assert "CSRF" not in text, "the page speaks of tokens, which nobody using it knows about"
    assert not diff(before, snapshot())


@pytest.mark.parametrize("what", ["refused form", "body too large", "NUL character", "not found", "wrong method"])
def test_every_inline_script_on_an_error_page_carries_the_nonce_its_policy_allows(app, world, monkeypatch, what):
    """Error pages raised before a view runs (a refused form, a body too large) are pages too: the
    NHS.UK layout's inline script must carry the response's nonce, or the browser blocks it and
    reports a Content-Security-Policy error."""
    owner = signed_in(app, world, "owner")
    if what == "refused form":
        response = owner.post("/notifications/read", {}, csrf=False)
    elif what == "body too large":
        monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
        response = owner.post("/notifications/read", {"x": "a" * 4096})
    elif what == "NUL character":
        response = owner.get("/frameworks/search?q=a%00b")
    elif what == "not found":
        response = owner.get("/no-such-page")
    else:
        response = owner.get("/notifications/read")
    assert response.status_code in (400, 404, 405, 413), response.status_code
    allowed = NONCE.search(response.headers["Content-Security-Policy"]).group(1)
    scripts = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", body(response))
        if "src=" not in tag and "application/json" not in tag
    ]
    assert scripts, "the error page should be the NHS.UK layout, with its inline script"
    for tag in scripts:
        assert f'nonce="{allowed}"' in tag, f"{what}: {tag} does not carry the nonce {allowed!r}"
