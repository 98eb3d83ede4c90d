"""Browser test harness: the portal on a live server, driven by a real Chromium through Playwright.

Fixtures:

* ``live_server`` serves the session's ``app`` (on the test database) from a background thread on
  127.0.0.1 and a free port, and yields its base URL. Load data (e.g. with ``seeded``) before the
  browser reads it: the ``seeded`` fixture commits, and each request in the server thread gets its
  own app context and database session.
* ``browser`` is one headless Chromium (Debian's /usr/bin/chromium) for the whole session.
  Without it the browser tests are skipped, unless REQUIRE_BROWSER=1, when they fail.
* ``page`` is a fresh browser context and page for each test. While the test runs it collects
  console errors, uncaught page errors, and failed requests (or 4xx/5xx responses) for our own
  server; any of these fails the test (a broken asset path, a Content-Security-Policy violation).
* ``visit(path)`` goes to a page of the live server, waits for it to load, and checks it with
  axe-core; ``check_accessibility()`` checks the page the browser is on now (use it after a click
  or a form submission has loaded a new page). Any axe violation of impact "serious" or "critical"
  fails the test. At the end of each test every document the page loaded must have been checked,
  so no page a browser test visits escapes the accessibility check.

Every test in this folder is marked ``browser``: run just these with ``pytest -m browser`` or
leave them out with ``pytest -m "not browser"``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from live_server import serve
from playwright.sync_api import expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser`."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- The live server -------------------------------------------------------------------------


@pytest.fixture
def live_server(app):
    """The portal served over HTTP from a background thread; yields the base URL (no trailing slash).

    Function scope: the server is started after the test's data fixtures and stopped before the
    tables are emptied, so no request is in flight while `_empty_tables` runs.
    """
    with serve(app) as url:
        yield url


# --- The browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (never downloaded: Debian's package is used)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: install Debian's chromium package to run the browser tests"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


class PageWatch:
    """What one page did during a test: problems seen, documents loaded, documents checked by axe."""

    def __init__(self, page, base_url: str):
        self.base_url = base_url
        self.problems: list[str] = []
        self.loaded: list[str] = []  # each main-frame document load, in order
        self.checked: set[int] = set()  # indices into `loaded` that axe has checked
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught page error: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("framenavigated", lambda frame: self._on_navigated(page, frame))

    def _ours(self, url: str) -> bool:
        return url == self.base_url or url.startswith(self.base_url + "/")

    def _on_console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url") or "?"
            self.problems.append(f"console error ({where}): {message.text}")

    def _on_request_failed(self, request) -> None:
        if self._ours(request.url):
            self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        if self._ours(response.url) and response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def _on_navigated(self, page, frame) -> None:
        if frame != page.main_frame:
            return
        document = urldefrag(frame.url).url
        # A fragment-only change (a skip link, a contents list) stays in the same document.
        if self.loaded and self.loaded[-1] == document:
            return
        self.loaded.append(document)

    def assert_no_problems(self) -> None:
        if self.problems:
            problems, self.problems = self.problems, []
            pytest.fail("The browser reported problems:\n  " + "\n  ".join(problems), pytrace=False)


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} serious or critical accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    target: {target}")
            lines.append(f"      html: {node.get('html', '').strip()[:300]}")
            summary = node.get("failureSummary")
            if summary:
                lines.extend("      " + s for s in summary.splitlines())
    return "\n".join(lines)


@pytest.fixture
def page(browser, live_server):
    """A new browser context and page for the test, watched for errors; closed afterwards."""
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page._portal_watch = PageWatch(page, live_server)
    yield page
    watch: PageWatch = page._portal_watch
    try:
        watch.assert_no_problems()
        unchecked = [url for i, url in enumerate(watch.loaded) if i not in watch.checked and url != "about:blank"]
        if unchecked:
            pytest.fail(
                "These pages were loaded but never checked with axe-core "
                "(use visit() or check_accessibility()):\n  " + "\n  ".join(unchecked),
                pytrace=False,
            )
    finally:
        context.close()


@pytest.fixture
def check_accessibility(page, axe):
    """Check the page the browser is on now with axe-core; fail on serious or critical violations.

    Also fails on any console error or failed request seen so far.
    """
    watch: PageWatch = page._portal_watch

    def check() -> None:
        page.wait_for_load_state("load")
        results = axe.run(page)
        if watch.loaded:
            watch.checked.add(len(watch.loaded) - 1)
        blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        if blocking:
            pytest.fail(_format_violations(page.url, blocking), pytrace=False)
        watch.assert_no_problems()

    return check


@pytest.fixture
def visit(page, live_server, check_accessibility):
    """Go to `path` on the live server, wait for the page to load, check it; returns the response."""

    def go(path: str):
        response = page.goto(urljoin(live_server + "/", path.lstrip("/")), wait_until="load")
        check_accessibility()
        return response

    return go


@pytest.fixture
def expect_error_response(page):
    """`with expect_error_response(400, "POST", "/path"):` around the action that loads it.

    The portal answers a form it refuses (an error summary on the page) with a 4xx status. The
    harness treats every 4xx as a failure, so a test that means to show such a page names the one
    response it expects: the block must load exactly that document with exactly that status, and
    only that response (with the browser's console note about it) is excused. Anything else still
    fails the test.
    """
    from contextlib import contextmanager

    watch: PageWatch = page._portal_watch

    @contextmanager
    def expecting(status: int, method: str, path: str):
        url = urljoin(watch.base_url + "/", path.lstrip("/"))
        with page.expect_response(lambda r: urldefrag(r.url).url == url and r.request.method == method) as info:
            yield
        response = info.value
        assert response.status == status, f"expected HTTP {status} for {method} {url}, got {response.status}"
        http_problem = f"HTTP {status} for {method} {url}"
        console_problem = (
            f"console error ({url}): Failed to load resource: the server responded with a status of {status} "
        )
        for _ in range(40):  # the console note can arrive a little after the response
            if any(p.startswith(console_problem) for p in watch.problems):
                break
            page.wait_for_timeout(50)
        assert http_problem in watch.problems, f"{http_problem} was not seen"
        watch.problems.remove(http_problem)
        for problem in [p for p in watch.problems if p.startswith(console_problem)][:1]:
            watch.problems.remove(problem)

    return expecting


@pytest.fixture
def sign_in(page, visit, check_accessibility):
    """sign_in(email, landing, next_path=None, password=world.PASSWORD): sign in on the sign-in page,
    then check the page it lands on (its h1 contains `landing`) and that it passes axe."""
    from world import PASSWORD

    def go(email: str, landing: str, next_path: str | None = None, password: str = PASSWORD) -> None:
        visit("/sign-in" + (f"?next={next_path}" if next_path else ""))
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(landing)
        check_accessibility()

    return go


@pytest.fixture
def sign_out(page, check_accessibility):
    """Sign out through the header link and the confirmation button."""

    def go() -> None:
        page.get_by_role("link", name="Sign out").click()
        check_accessibility()
        page.get_by_role("main").get_by_role("button", name="Sign out").click()
        check_accessibility()

    return go
