"""A page's late static responses must not undo the session a later page set.

Reproduces the race people met right after signing in: the dashboard's static files (Plotly is
large) were still arriving when the next page, a form, was opened. Each static response set the
session cookie again from the older session its request carried, which held no CSRF token, so the
form was refused ("The CSRF session token is missing"). Here a dashboard's static responses are
held back in Playwright until the form page has loaded (in another tab of the same browser, which
shares its cookies), then delivered, and only then is the form sent.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from competency_portal.extensions import db
from competency_portal.models import Evidence, EvidenceState
from tests.portal_helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_static_responses_that_arrive_late_do_not_break_the_next_form(
    world, page, sign_in, visit, check_accessibility, live_server
):
    sign_in(world.emails["owner"], "ready for", password=PASSWORD)

    held, released = [], []

    def hold(route):
        # The server answers now, with the session the dashboard's request carried; the browser
        # gets the answer only when it is released below. Files asked for after that go straight through.
        if released:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    dashboard = page.context.new_page()
    dashboard.route("**/static/**", hold)
    dashboard.goto(live_server + "/dashboard", wait_until="commit")
    for _ in range(100):  # until the chart library, the last and largest file, has been asked for
        if any("/static/vendor/" in route.request.url for route, _ in held):
            break
        dashboard.wait_for_timeout(50)
    assert any("/static/vendor/" in route.request.url for route, _ in held), (
        "the dashboard never asked for its chart library"
    )

    visit(f"/portfolio/evidence/{world.draft}")  # a form page: its session now holds the form's token
    released.append(True)
    for route, response in held:
        route.fulfill(response=response)
    dashboard.wait_for_load_state("load")
    dashboard.close()

    page.get_by_role("button", name="Submit").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Crisis plan draft")
    check_accessibility()
    assert db.session.get(Evidence, world.draft).state is EvidenceState.SUBMITTED
