"""What a chart page costs a browser to load: bytes over the network on a first and a second visit.

The app is served on 127.0.0.1 by a threaded WSGI server and visited by Debian's Chromium through
Playwright, signed in (the session cookie of a signed-in test client is handed to the browser).
Bytes are the Resource Timing API's `transferSize` (headers and the body as sent, compressed where
it was) of the page and of every file it loaded; a file taken from the browser's cache counts 0.
The second visit is a new navigation to the same page in the same browser, as a person coming
back to it would make.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

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
FIRST_VISIT_LIMIT_BYTES = 1_500_000  # the target: a chart page's first visit transfers at most 1.5 MB

_ENTRIES = """() => {
  const [nav] = performance.getEntriesByType('navigation');
  const files = performance.getEntriesByType('resource').map(
    r => ({url: r.name, bytes: r.transferSize, body: r.encodedBodySize}));
  return {page: nav ? nav.transferSize : 0, files};
}"""


class NoBrowser(RuntimeError):
    """Chromium is not installed, so the transfer cannot be measured."""


def _visit(page, url: str) -> dict:
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    entries = page.evaluate(_ENTRIES)
    for _ in range(20):  # a module a script imports can be listed a moment after the network is idle
        page.wait_for_timeout(100)
        again = page.evaluate(_ENTRIES)
        if len(again["files"]) == len(entries["files"]):
            break
        entries = again
    static = [f for f in entries["files"] if "/static/" in f["url"]]
    return {
        "total_bytes": entries["page"] + sum(f["bytes"] for f in entries["files"]),
        "page_bytes": entries["page"],
        "static_bytes": sum(f["bytes"] for f in static),
        "static_files": len(static),
        "static_files_fetched": sum(1 for f in static if f["bytes"] > 0),
    }


def measure_transfer(
    app: Flask, session_cookie: str, path: str, user_agent: str = "competency-portal-bench", browser=None
) -> dict:
    """Visit `path` twice as the person whose session cookie is given; bytes of each visit.

    {"path", "first_visit": {...}, "second_visit": {...}, "first_visit_limit_bytes", "met"}, each
    visit with total_bytes, page_bytes, static_bytes, static_files and static_files_fetched. Uses the
    Playwright `browser` given (the browser tests' own), or starts Chromium.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        if browser is not None:
            first, second = _two_visits(browser, base, session_cookie, path, user_agent)
        else:
            if not CHROMIUM.exists():
                raise NoBrowser(f"{CHROMIUM} not found: install Debian's chromium package to measure page transfer")
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
                try:
                    first, second = _two_visits(browser, base, session_cookie, path, user_agent)
                finally:
                    browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return {
        "path": path,
        "first_visit": first,
        "second_visit": second,
        "first_visit_limit_bytes": FIRST_VISIT_LIMIT_BYTES,
        "met": first["total_bytes"] <= FIRST_VISIT_LIMIT_BYTES and second["static_bytes"] == 0,
    }


def _two_visits(browser, base: str, session_cookie: str, path: str, user_agent: str) -> tuple[dict, dict]:
    # Flask-Login's "strong" protection ties the session to the browser's user agent.
    context = browser.new_context(user_agent=user_agent)
    try:
        context.add_cookies([{"name": "session", "value": session_cookie, "url": base}])
        page = context.new_page()
        return _visit(page, base + path), _visit(page, base + path)
    finally:
        context.close()
