"""Only the candidate can share their verified portfolio with a panel: asked, agreed, declined, stopped."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from world import person

from competency_portal.extensions import db
from competency_portal.models import Application, AuditEvent, VacancyStatus
from tests.portal_helpers import body, diff, snapshot
from tests.recruitment_helpers import add, browser, page, recruiters, vacancy


@pytest.fixture
def asked(app, seeded):
    """An internal candidate the lead's application says wants to share, and a colleague who is not them."""
    session = db.session
    lead, panel, _outsider = recruiters(session)
    found = vacancy(session, lead, [panel])
    candidate = person(session, "Imogen Internal")
    colleague = person(session, "Colin Colleague")
    application = add(session, found, lead, candidate.name, candidate.email, internal=True, portfolio_consent=True)
    return {
        "lead": lead,
        "panel": panel,
        "vacancy": found,
        "candidate": candidate,
        "colleague": colleague,
        "application": application,
    }


def _application(asked) -> Application:
    db.session.expire_all()
    return db.session.get(Application, asked["application"].id)


def test_a_request_waits_for_the_candidate_and_the_panel_sees_whether_they_agreed(app, asked):
    v, a = asked["vacancy"].id, asked["application"].id
    lead = browser(app, asked["lead"])
    assert "Asked, not yet agreed" in page(lead, f"/recruitment/vacancies/{v}")
    candidate = browser(app, asked["candidate"])
    listing = page(candidate, "/portfolio/sharing")
    assert asked["vacancy"].title in listing and "Waiting for your answer" in listing
    assert candidate.post(f"/portfolio/sharing/{a}", {"choice": "share"}).status_code == 302
    assert "Shared" in page(candidate, "/portfolio/sharing")
    assert _application(asked).portfolio_consent
    assert "Shares portfolio </span>Yes</td>" in page(lead, f"/recruitment/vacancies/{v}")


def test_nobody_else_can_answer_or_see_the_request(app, asked):
    a = asked["application"].id
    for someone in (asked["colleague"], asked["lead"], asked["panel"]):
        b = browser(app, someone)
        assert asked["vacancy"].title not in page(b, "/portfolio/sharing")
        before = snapshot()
        response = b.post(f"/portfolio/sharing/{a}", {"choice": "share"})
        assert response.status_code == 404, f"{someone.name}: {response.status_code}"
        assert not diff(before, snapshot())
    assert not _application(asked).portfolio_consent


def test_declining_unlinks_the_account_and_says_so_in_the_audit_trail(app, asked):
    a = asked["application"].id
    candidate = browser(app, asked["candidate"])
    assert candidate.post(f"/portfolio/sharing/{a}", {"choice": "withhold"}).status_code == 302
    found = _application(asked)
    assert (found.internal_user_id, found.portfolio_consent) == (None, False)
    assert "No shortlisting panel has asked" in page(candidate, "/portfolio/sharing")
    declined = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "portfolio_share_declined"))
    assert declined.actor_id == asked["candidate"].id and declined.object_id == str(a)
    # Once declined, it is gone: answering again is a 404, not a way back in.
    assert candidate.post(f"/portfolio/sharing/{a}", {"choice": "share"}).status_code == 404


def test_stopping_sharing_hides_the_portfolio_from_the_panel_again(app, asked):
    v, a = asked["vacancy"].id, asked["application"].id
    candidate = browser(app, asked["candidate"])
    candidate.post(f"/portfolio/sharing/{a}", {"choice": "share"})
    assert _application(asked).portfolio_consent
    assert candidate.post(f"/portfolio/sharing/{a}", {"choice": "withhold"}).status_code == 302
    assert not _application(asked).portfolio_consent
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "portfolio_sharing_stopped")).actor_id
        == asked["candidate"].id
    )
    html = page(browser(app, asked["panel"]), f"/recruitment/vacancies/{v}/applications/{a}")
    assert "From their verified portfolio" not in html and "has agreed" not in html


def test_a_closed_vacancy_cannot_be_shared_with_and_a_bad_answer_is_explained(app, asked):
    a = asked["application"].id
    candidate = browser(app, asked["candidate"])
    before = snapshot()
    refused = candidate.post(f"/portfolio/sharing/{a}", {"choice": "maybe"})
    assert refused.status_code == 400 and "Choose whether to share your verified portfolio" in body(refused)
    assert not diff(before, snapshot())
    found = _application(asked)
    db.session.get(type(asked["vacancy"]), found.vacancy_id).status = VacancyStatus.CLOSED
    db.session.commit()
    response = candidate.post(f"/portfolio/sharing/{a}", {"choice": "share"}, follow_redirects=True)
    assert "has closed, so your portfolio can no longer be shared" in body(response)
    assert not _application(asked).portfolio_consent
