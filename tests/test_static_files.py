"""Static files are served as a production site serves them: content-hashed names cached for a year,
compressed as the browser accepts, and a Plotly bundle of only the trace types the portal draws.

(The bytes a browser fetches for a chart page on a first and a second visit are measured in
Chromium by tests/test_bench_smoke.py, as `make bench` reports them.)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import brotli
import pytest
from plotly.offline import get_plotlyjs_version

from competency_portal import assets
from tests.portal_helpers import Browser, body, signed_in

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
MANIFEST = STATIC / "cache_manifest.json"
BUNDLE = STATIC / "vendor" / "plotly-portal.min.js"
YEAR = 365 * 24 * 3600


@pytest.fixture
def built():
    """The static files as `make install` (run by `make test`) leaves them."""
    assert MANIFEST.exists() and BUNDLE.exists(), "static files not built: run `make install` (make test does)"


def _static_urls(html: str) -> list[str]:
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    for importmap in re.findall(r'<script type="importmap"[^>]*>(.*?)</script>', html, re.S):
        urls += list(json.loads(importmap)["imports"].values())
    return urls


def test_the_built_copies_are_those_of_the_files_as_they_are_now(built):
    manifest = json.loads(MANIFEST.read_text())
    assert "vendor/plotly-portal.min.js" in manifest and "css/portal.css" in manifest
    stale = []
    for name, hashed in manifest.items():
        digest = hashlib.md5((STATIC / name).read_bytes(), usedforsecurity=False).hexdigest()
        if hashed != re.sub(r"(\.[^./]+)$", rf"-{digest}\1", name) or not (STATIC / hashed).exists():
            stale.append(name)
    assert not stale, f"static/cache_manifest.json is out of date for {stale}: run `make install`"


def test_every_page_links_its_static_files_by_content_hashed_names(app, world, built):
    pages = {
        "anonymous": ["/", "/sign-in", "/frameworks/", "/no-such-page"],
        "owner": ["/dashboard", f"/portfolio/evidence/{world.draft}/edit", "/portfolio"],
        "supervisor": ["/team"],
    }
    for kind, urls in pages.items():
        browser = Browser(app) if kind == "anonymous" else signed_in(app, world, kind)
        for url in urls:
            links = _static_urls(body(browser.get(url)))
            assert len(links) >= 4, f"{url}: {links}"
            plain = [link for link in links if not assets.is_hashed(link)]
            assert not plain, (
                f"{url} links static files by their plain names (browsers must ask again each time): {plain}"
            )


def test_no_template_links_a_static_file_by_its_plain_name():
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("competency_portal/**/templates/**/*.html")]
    assert templates
    offenders = [
        str(t.relative_to(ROOT))
        for t in templates
        if re.search(r"""\burl_for\(\s*['"]static['"]""", t.read_text()) and "assetPath" not in t.read_text()
    ]
    assert not offenders, f"use static_url_for('static', filename=...) so the file is cached for a year: {offenders}"


@pytest.mark.parametrize(
    "accept, encoding, decode",
    [
        ("br, gzip, deflate", "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
        ("", None, lambda data: data),
    ],
)
def test_hashed_files_are_compressed_as_the_browser_accepts_and_kept_for_a_year(app, built, accept, encoding, decode):
    page = Browser(app).get("/sign-in")
    urls = [u for u in _static_urls(body(page)) if u.endswith((".css", ".js"))]
    assert len(urls) >= 3
    for url in urls:
        response = Browser(app).get(url, headers={"Accept-Encoding": accept})
        assert response.status_code == 200, url
        assert response.headers.get("Content-Encoding") == encoding, (
            f"{url}: {response.headers.get('Content-Encoding')}"
        )
        cache = response.headers["Cache-Control"]
        assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= YEAR, f"{url}: {cache}"
        assert "Accept-Encoding" in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers
        source = STATIC / re.sub(r"-[0-9a-f]{32}(\.[a-z]+)$", r"\1", url.removeprefix("/static/"))
        assert decode(response.get_data()) == source.read_bytes(), f"{url} is not {source.name}"


def test_a_file_asked_for_by_its_plain_name_is_revalidated_not_kept():
    from competency_portal import create_app

    app = create_app(
        {"TESTING": True, "PORTAL_ENV": "testing", "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    response = app.test_client().get("/static/css/portal.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"] and "max-age=0" in response.headers["Cache-Control"]
    again = app.test_client().get("/static/css/portal.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()


def test_the_plotly_bundle_holds_the_trace_types_the_charts_draw_at_the_version_plotly_writes_for(built):
    charts = "".join(p.read_text() for p in (ROOT / "competency_portal" / "charts").glob("*.py"))
    drawn = set(re.findall(r"""\btype=["'](\w+)["']""", charts))
    assert drawn >= {"bar", "scatterpolar"}, "the charts should draw bars and a radar"
    entry = (ROOT / "scripts" / "plotly-bundle" / "entry.js").read_text()
    bundled = {"scatter"} | set(re.findall(r'require\("plotly\.js/lib/(\w+)"\)', entry)) - {
        "core"
    }  # the core holds scatter
    assert drawn <= bundled, (
        f"competency_portal/charts/ draws {sorted(drawn - bundled)}, which scripts/plotly-bundle/entry.js leaves out"
    )
    unused = bundled - drawn
    assert not unused, f"the bundle carries trace types no chart draws: {sorted(unused)}"
    text = BUNDLE.read_text(encoding="utf-8")
    banner = re.match(r"/\* plotly\.js v(\S+) ", text)
    assert banner and banner.group(1) == get_plotlyjs_version(), (
        "the bundle's plotly.js is not the one the plotly package writes figures for"
    )
    assert len(text.encode()) < 1_500_000, (
        "the bundle should be far smaller than plotly.js with every trace type (4.8 MB)"
    )
