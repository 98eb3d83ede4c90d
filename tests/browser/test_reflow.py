"""Reflow (WCAG 2.2, 1.4.10): every page fits a 320 px wide window without scrolling sideways, and
a 1280 px one too.

The pages are every GET route in `app.url_map`, with its ids filled from a world in which every
kind of user has something to see (evidence in each state, a sign-off, an appraisal, a vacancy
being shortlisted), so a new page is covered as soon as it exists. Each kind of user asks for
each route (trying the candidate ids in turn); whatever answers 200 with an HTML page is visited in
Chromium at 320 px and then 1280 px, with every <details> opened so the tables inside count too:
each page once, as the first kind of user who reaches it, and the home page as every kind.

Wide content may scroll only inside its own container: a table wider than the page must sit in a
focusable, labelled region (role="region", aria-label, tabindex="0") that scrolls.
"""

from __future__ import annotations

import itertools

import permission_rules_api as api_rules
import permission_rules_appraisal as appraisal_rules
import permission_rules_case as case_rules
import permission_rules_credentials as credential_rules
import permission_rules_jobs as job_rules
import permission_rules_recruitment_shortlisting as shortlisting_rules
import pytest
from importer_docs import prose_docx

from competency_portal import clock
from competency_portal.extensions import db
from competency_portal.models import AppraisalState, User
from competency_portal.services import framework_drafts, framework_uploads
from tests.portal_helpers import PASSWORD, TARGET_ROLE, Browser, signed_in

pytestmark = pytest.mark.browser

KINDS = (
    "supervisor",
    "owner",
    "admin",
    "recruiter",
    "anonymous",
)  # a page is visited as the first of these who reaches it
WIDTHS = (320, 1280)

# GET routes no kind of user reaches as an HTML page in this world, and why that is right.
UNREACHED = {
    "static": "files, not pages",
    "main.health": "a health check for load balancers, not a page",
    "main.job_file": "a download (a PDR pack, an archive), not a page; tests/test_subject_access.py fetches it",
    "admin.index": "redirects to the list of people",
    # At 375 px in tests/browser/test_oidc_journey.py:
    "auth.provider_start": "only with an identity provider configured",
    "auth.provider_callback": "only with an identity provider configured",
    "auth.second_factor": "only straight after a right password (held in the session)",
    "auth.set_up_second_factor": "only straight after a right password (held in the session)",
    **{
        f"api.{name}": "JSON for programs with a token, not a page (tests/test_api.py)"
        for name in api_rules.API_OPERATIONS
    },
}

# How wide the page is, and what sticks out past the window (outside any container that scrolls).
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') return true;
    }
    return false;
  };
  const label = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`
    + ` (${Math.round(e.getBoundingClientRect().right)} px)`;
  const out = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !scrolls(e))
    .slice(0, 5).map(e => label(e));
  const tables = [...document.querySelectorAll('main table')].filter(t => t.getBoundingClientRect().right > width + 1
      || t.getBoundingClientRect().width > t.parentElement.clientWidth + 8).map(t => {
    const region = t.closest('[role=region]');
    const ok = region && region.getAttribute('aria-label') && region.getAttribute('tabindex') === '0'
      && ['auto', 'scroll'].includes(getComputedStyle(region).overflowX);
    return ok ? null : (t.querySelector('caption') || t).textContent.trim().slice(0, 60);
  }).filter(Boolean);
  return {scrollWidth: document.documentElement.scrollWidth, width, out, tables};
}"""

OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
CHARTS_FITTED = (
    "() => [...document.querySelectorAll('[data-plotly]')].every(e => !window.Plotly || "
    "(e.dataset.plotlyWidth && e.clientWidth === +e.dataset.plotlyWidth))"
)


def _candidates(world) -> dict[str, list]:
    """Values to try for each URL argument, in order."""
    shortlisting = shortlisting_rules.url_values(world)
    agreed = appraisal_rules.url_values(world)
    draft = appraisal_rules._appraisal(world, "2029/30", AppraisalState.DRAFT)
    imported = framework_drafts.start(
        db.session, db.session.get(User, world.id("admin")), "cpn.docx", prose_docx(), clock.now()
    )
    uploaded = framework_uploads.stage(
        db.session, db.session.get(User, world.id("admin")), [("bad.yaml", b"kind: scale\n")], clock.now()
    )
    db.session.commit()
    first_code = imported.content["frameworks"][0]["domains"][0]["items"][0]["code"]
    return {
        "draft_id": [imported.id, uploaded.id],
        "index": [0],
        "framework": [world.framework_slug],
        "person_id": [world.id("owner")],
        "evidence_id": [world.submitted, world.signed, world.draft],
        "attachment_id": [world.attachment],
        "sign_off_id": [world.sign_off],
        "appraisal_id": [agreed["appraisal_id"], draft.id],
        "objective_id": [agreed["objective_id"], draft.objectives[0].id],
        "vacancy_id": [shortlisting["vacancy_id"]],
        "application_id": [shortlisting["application_id"]],
        "item_id": [shortlisting["item_id"]],
        "slug": [world.framework_slug, TARGET_ROLE],
        "code": [world.item_code, first_code],
        "revision": [1],
        "name": ["gaps"],
        "chart": [shortlisting["chart"]],
        **{name: [value] for name, value in case_rules.url_values(world).items()},
        **{name: [value] for name, value in credential_rules.url_values(world).items()},
        **{name: [value] for name, value in api_rules.url_values(world).items()},
        **{name: [value] for name, value in job_rules.url_values(world).items()},
    }


def _pages(app, world, candidates) -> tuple[dict[str, dict[str, str]], set[str]]:
    """For each kind of user, endpoint -> the URL of an HTML page it answers with 200; and the
    endpoints that answer with a download (CSV, XLSX, PDF, an attachment) rather than a page."""
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in UNREACHED]
    found: dict[str, dict[str, str]] = {}
    downloads: set[str] = set()
    for kind in KINDS:
        browser = Browser(app) if kind == "anonymous" else signed_in(app, world, kind)
        found[kind] = {}
        for rule in rules:
            names = sorted(rule.arguments)
            missing = [n for n in names if n not in candidates]
            assert not missing, f"{rule.rule}: no candidate values for {missing}: add them to _candidates"
            for values in itertools.product(*(candidates[n] for n in names)):
                url = rule.build(dict(zip(names, values, strict=True)), append_unknown=False)[1]
                response = browser.get(url)
                if response.status_code == 200 and response.mimetype == "text/html":
                    found[kind].setdefault(rule.endpoint, url)
                    break
                if response.status_code == 200:
                    downloads.add(rule.endpoint)
                    break
    return found, downloads


def _sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("load")
    assert "/sign-in" not in page.url, f"could not sign in as {email}"


def test_every_page_fits_320_and_1280_px_wide_with_wide_tables_scrolling_in_their_own_region(
    app, world, browser, live_server
):
    candidates = _candidates(world)
    pages, downloads = _pages(app, world, candidates)
    reached = {endpoint for kind in pages.values() for endpoint in kind}
    get_routes = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    unreached = sorted(get_routes - reached - downloads - set(UNREACHED))
    assert not unreached, (
        f"GET routes no user reached as a page (give them data, or a reason in UNREACHED): {unreached}"
    )
    assert {"dashboards.team", "dashboards.organisation", "dashboards.mine", "supervision.review"} <= reached

    visits: dict[str, dict[str, str]] = {}
    seen: set[str] = set()
    for kind in KINDS:  # each page once (the home page, with each kind's header, for everyone)
        visits[kind] = {e: url for e, url in pages[kind].items() if e not in seen or e == "main.home"}
        seen |= set(visits[kind])

    problems: list[str] = []
    for kind, urls in visits.items():
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors: list[str] = []
        # Bind this page's `errors` now, keyword-only (Playwright passes as many arguments as a handler takes).
        page.on("pageerror", lambda error, *, errors=errors: errors.append(str(error)))
        try:
            if kind != "anonymous":
                _sign_in(page, live_server, world.emails[kind])
            for _endpoint, url in sorted(urls.items()):
                page.set_viewport_size({"width": WIDTHS[0], "height": 800})
                page.goto(live_server + url, wait_until="load")
                page.evaluate(OPEN_DETAILS)
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 800})
                    page.wait_for_function(CHARTS_FITTED)
                    found = page.evaluate(MEASURE)
                    if found["scrollWidth"] > width or found["tables"]:
                        problems.append(
                            f"{kind} {url} at {width} px: page {found['scrollWidth']} px wide; sticking out: "
                            f"{found['out']}; tables not in a scrolling region: {found['tables']}"
                        )
            if errors:
                problems.append(f"{kind}: page errors {errors}")
        finally:
            context.close()
    assert not problems, "Pages that do not reflow:\n  " + "\n  ".join(problems)
