"""Security headers on every family of response, and cookie flags in the production configuration.

Families: public and signed-in pages, error pages (400, 403, 404, 405, 413 and an unexpected 500),
static files, attachment downloads, CSV, PDF and XLSX exports. Each carries a Content-Security-Policy
whose script-src and style-src allow neither 'unsafe-inline' nor 'unsafe-eval' (nor a wildcard),
frame-ancestors 'none', X-Content-Type-Options nosniff and a Referrer-Policy that never sends a
full URL to another site. Production cookies are checked on the real Set-Cookie header of a real
sign-in over HTTPS, where Strict-Transport-Security is sent too. Pages and downloads are never cached.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import permission_rules_appraisal as appraisal_rules
import permission_rules_recruitment_shortlisting as shortlisting_rules

from competency_portal import create_app, policy
from tests.portal_helpers import PASSWORD, Browser, signed_in, upload

SAFE_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def header_problems(response, what: str) -> list[str]:
    """What is missing or weak in a response's security headers."""
    problems = []
    csp = response.headers.get("Content-Security-Policy")
    if not csp:
        return [f"{what}: no Content-Security-Policy"]
    directives = csp_directives(csp)
    for name in ("script-src", "style-src"):
        sources = directives.get(name, directives.get("default-src"))
        if not sources:
            problems.append(f"{what}: CSP has no {name} (nor default-src)")
            continue
        bad = [s for s in sources if s.lower() in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")]
        if bad:
            problems.append(f"{what}: CSP {name} allows {bad}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"{what}: CSP frame-ancestors is {directives.get('frame-ancestors')}, not 'none'")
    if directives.get("object-src") != ["'none'"]:
        problems.append(f"{what}: CSP object-src is {directives.get('object-src')}, not 'none'")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{what}: X-Content-Type-Options is {response.headers.get('X-Content-Type-Options')!r}")
    if response.headers.get("Referrer-Policy") not in SAFE_REFERRER:
        problems.append(f"{what}: Referrer-Policy is {response.headers.get('Referrer-Policy')!r}")
    return problems


def test_every_family_of_response_carries_the_security_headers(app, world, monkeypatch):
    owner, supervisor, recruiter, admin = (
        signed_in(app, world, k) for k in ("owner", "supervisor", "recruiter", "admin")
    )
    anonymous = Browser(app)
    appraisal = appraisal_rules.url_values(world)["appraisal_id"]
    vacancy = shortlisting_rules.url_values(world)["vacancy_id"]
    download = f"/portfolio/evidence/{world.submitted}/attachments/{world.attachment}"
    pack = owner.post(f"/appraisals/{appraisal}/pdr-pack", {}).headers["Location"] + "/file"  # made by a job
    cases = [
        ("public page", anonymous, "GET", "/", 200, "text/html"),
        ("catalogue page", anonymous, "GET", "/frameworks/", 200, "text/html"),
        ("sign-in page", anonymous, "GET", "/sign-in", 200, "text/html"),
        ("signed-in page", owner, "GET", "/dashboard", 200, "text/html"),
        ("page with charts", supervisor, "GET", "/team", 200, "text/html"),
        ("redirect", anonymous, "GET", "/portfolio", 302, None),
        ("404", owner, "GET", "/no-such-page", 404, "text/html"),
        ("404 for an object", owner, "GET", f"/portfolio/evidence/{world.others}", 404, "text/html"),
        ("403", owner, "GET", "/admin/people", 403, "text/html"),
        ("405", owner, "GET", "/notifications/read", 405, "text/html"),
        ("400 (no CSRF token)", owner, "POST_RAW", "/notifications/read", 400, "text/html"),
        ("static CSS", anonymous, "GET", "/static/css/portal.css", 200, "text/css"),
        ("static JS", anonymous, "GET", "/static/js/charts.js", 200, "text/javascript"),
        ("attachment download", owner, "GET", download, 200, "application/pdf"),
        ("dashboard CSV", owner, "GET", f"/people/{world.id('owner')}/dashboard/gaps.csv", 200, "text/csv"),
        ("organisation CSV", admin, "GET", "/organisation/common-gaps.csv", 200, "text/csv"),
        ("PDR pack PDF", owner, "GET", pack, 200, "application/pdf"),
        ("team matrix XLSX", supervisor, "GET", "/team/matrix.xlsx", 200, "application/vnd.openxmlformats"),
        (
            "interview sheet PDF",
            recruiter,
            "GET",
            f"/recruitment/vacancies/{vacancy}/interview-sheet.pdf",
            200,
            "application/pdf",
        ),
        ("health JSON", anonymous, "GET", "/health", 200, "application/json"),
    ]
    problems = []
    for what, browser, method, url, status, content_type in cases:
        response = browser.open("POST", url, data={}) if method == "POST_RAW" else browser.get(url)
        if response.status_code != status:
            problems.append(f"{what} ({url}): status {response.status_code}, expected {status}")
        if content_type and not response.content_type.startswith(content_type):
            problems.append(f"{what} ({url}): content type {response.content_type}")
        problems += header_problems(response, f"{what} ({url})")
        cache = response.headers.get("Cache-Control", "")
        if url.startswith("/static/") and "no-store" in cache:
            problems.append(f"{what} ({url}): static files should be cacheable, got Cache-Control {cache!r}")
        if not url.startswith("/static/") and cache != "no-store":
            problems.append(f"{what} ({url}): a page or download must not be cached, got Cache-Control {cache!r}")
    # 413: a body over MAX_CONTENT_LENGTH is refused before any view runs.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = owner.post("/portfolio/evidence/new", {"title": "x", "attachments": [upload(b"a" * 4096, "big.txt")]})
    if response.status_code != 413:
        problems.append(f"oversize body: status {response.status_code}, expected 413")
    problems += header_problems(response, "413")
    assert not problems, "\n".join(problems)


def test_each_page_gets_its_own_nonce_and_every_inline_script_carries_it(app, world):
    owner = signed_in(app, world, "owner")
    first, second = owner.get("/dashboard"), owner.get("/dashboard")
    nonces = [re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1], "the CSP nonce is reused between responses"
    assert len(nonces[0]) >= 16
    page = first.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", page):
        if "src=" in tag or 'type="application/json"' in tag:
            continue
        assert f'nonce="{nonces[0]}"' in tag, f"an inline script without this response's nonce: {tag}"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", page, re.I), "an inline event handler (the CSP would block it)"


def test_an_unexpected_server_error_page_has_the_headers_and_no_traceback(tmp_path):
    app = create_app(
        {
            "TESTING": False,
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "t",
            "PROPAGATE_EXCEPTIONS": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        }
    )

    @policy.rule(policy.PUBLIC)
    def explode():
        raise RuntimeError("secret detail of the failure")

    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret detail" not in text and "Traceback" not in text
    assert not header_problems(response, "500"), header_problems(response, "500")


def _production_app(app, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    return create_app(
        {
            "PORTAL_ENV": "production",
            "SECRET_KEY": "p" * 48,
            "WTF_CSRF_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        }
    )


def _set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name (the raw header text)."""
    return {SimpleCookie(h).keys().__iter__().__next__(): h for h in response.headers.getlist("Set-Cookie")}


def test_production_cookies_are_secure_httponly_and_samesite_after_a_real_sign_in(app, world, monkeypatch):
    prod = _production_app(app, monkeypatch)
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    client = prod.test_client()
    base = "https://portal.example.nhs.uk"
    with prod.app_context():
        page = client.get(f"{base}/sign-in")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
        response = client.post(
            f"{base}/sign-in",
            data={"email": world.emails["owner"], "password": PASSWORD, "csrf_token": token},
            headers={"Referer": f"{base}/sign-in"},
        )
        assert response.status_code == 302, f"sign-in in production failed: {response.status_code}"
        cookies = _set_cookies(response)
        assert "session" in cookies, f"no session cookie set on sign-in: {list(cookies)}"
        for name, header in cookies.items():  # the session cookie, and a remember cookie if one is ever added
            flags = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
            assert "secure" in flags, f"{name} cookie is not Secure: {header}"
            assert "httponly" in flags, f"{name} cookie is not HttpOnly: {header}"
            assert flags.get("samesite", "").lower() in ("samesite=lax", "samesite=strict"), (
                f"{name} cookie SameSite: {header}"
            )
        assert client.get(f"{base}/portfolio").status_code == 200, (
            "the secure cookie does not keep the person signed in over HTTPS"
        )
        assert not header_problems(response, "production sign-in redirect")
        assert response.headers.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in Browser(app).get("/").headers, (
        "HSTS only where the portal is served over HTTPS"
    )
