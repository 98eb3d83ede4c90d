"""Permission expectations for the portfolio-sharing routes, merged into tests/test_permissions.py.

GET: endpoint -> {kind of user: expected outcome of a GET} (see test_permissions for the kinds and outcomes).
url_values(world): extra URL parameters for those routes (create what they point at, and commit).
post_cases(world): endpoint -> (url, form data, {kind: refusal outcome}, (allowed kind, status) or None).

Everyone signed in has a sharing page (anyone may be an internal candidate). A request is answered
only by the candidate it asks: here other_staff, asked by a vacancy of its own that the world's
recruiter leads (the owner is not used: an earlier control signs the owner out).
"""

from __future__ import annotations

from datetime import date

from competency_portal.extensions import db
from tests.portal_helpers import KINDS

SIGNIN = "sign-in"


def _row(anonymous, owner, other_staff, supervisor, unrelated_supervisor, recruiter, admin) -> dict:
    return dict(
        zip(KINDS, (anonymous, owner, other_staff, supervisor, unrelated_supervisor, recruiter, admin), strict=True)
    )


GET: dict[str, dict] = {
    "evidence.sharing": _row(SIGNIN, 200, 200, 200, 200, 200, 200),
    "evidence.respond_to_share": {kind: 405 for kind in KINDS},
}


def _request(world) -> int:
    """The id of a request asking other_staff to share their portfolio (built once)."""
    found = getattr(world, "share_request", None)
    if found:
        return found
    import permission_rules_recruitment_vacancies as vacancy_rules

    from competency_portal.models import User
    from competency_portal.services import vacancies

    built = vacancy_rules._built(world)
    session = db.session
    lead = session.get(User, world.id("recruiter"))
    candidate = session.get(User, world.id("other_staff"))
    vacancy = vacancies.create_vacancy(
        session,
        lead,
        vacancies.VacancyFields(
            title="Senior Care Coordinator",
            band="Band 7",
            team_id=None,
            closing_on=date(2026, 12, 1),
            spec_version_id=built["spec_version_id"],
            panel_ids=[built["panel_id"]],
        ),
    )
    application = vacancies.add_application(
        session,
        vacancy,
        lead,
        vacancies.ApplicationFields(
            candidate_name=candidate.name,
            email=candidate.email,
            supporting_statement="Internal move",
            internal=True,
            portfolio_consent=True,
        ),
    )
    session.commit()
    world.share_request = application.id
    return application.id


def url_values(world) -> dict:
    """No parameters of its own: `application_id` comes from the vacancy rules (any id answers GET with 405)."""
    return {}


def post_cases(world) -> dict:
    """Only the candidate asked may answer; everyone else gets 404, as if there were no such request."""
    url = f"/portfolio/sharing/{_request(world)}"
    refused = {kind: 404 for kind in ("owner", "supervisor", "unrelated_supervisor", "recruiter", "admin")}
    return {"evidence.respond_to_share": (url, {"choice": "share"}, refused, ("other_staff", 302))}
