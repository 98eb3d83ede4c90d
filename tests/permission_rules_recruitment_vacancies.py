"""Permission expectations for the recruitment_vacancies routes, merged into tests/test_permissions.py.

GET: endpoint -> {kind of user: expected outcome of a GET} (see test_permissions for the kinds and outcomes).
url_values(world): extra URL parameters for those routes (create what they point at, and commit).
post_cases(world): endpoint -> (url, form data, {kind: refusal outcome}, (allowed kind, status) or None).

Every recruitment page needs the recruiter role: staff, supervisors and administrators get 403.
The world's recruiter leads the vacancy built here (with a second recruiter on the panel), so they
get 200; a recruiter not on a vacancy's panel gets 404 (tested in tests/test_vacancies.py).
"""

from __future__ import annotations

from datetime import date

from competency_portal.extensions import db
from tests.portal_helpers import KINDS

SIGNIN = "sign-in"  # as in test_permissions: a redirect to sign in and back


def _row(anonymous, owner, other_staff, supervisor, unrelated_supervisor, recruiter, admin) -> dict:
    return dict(
        zip(KINDS, (anonymous, owner, other_staff, supervisor, unrelated_supervisor, recruiter, admin), strict=True)
    )


POST_ONLY = {kind: 405 for kind in KINDS}
RECRUITER_200 = _row(SIGNIN, 403, 403, 403, 403, 200, 403)
NOT_RECRUITER = {kind: 403 for kind in ("owner", "other_staff", "supervisor", "unrelated_supervisor", "admin")}

GET: dict[str, dict] = {
    "recruitment.vacancies": RECRUITER_200,
    "recruitment.new_vacancy": RECRUITER_200,
    "recruitment.vacancy": RECRUITER_200,
    "recruitment.advance": POST_ONLY,
    "recruitment.new_application": RECRUITER_200,
    "recruitment.import_applications": RECRUITER_200,
    "recruitment.confirm_import": POST_ONLY,
    "recruitment.application": RECRUITER_200,
}


def _built(world) -> dict:
    """An open vacancy led by the world's recruiter, with a second panel member and one application (built once)."""
    found = getattr(world, "recruitment_vacancies", None)
    if found:
        return found
    from competency_portal.models import Role, User
    from competency_portal.services import people, vacancies
    from tests.portal_helpers import PASSWORD

    session = db.session
    lead = session.get(User, world.id("recruiter"))
    panel = people.create_person(
        session,
        name="Panel Recruiter",
        email="panel.recruiter@example.nhs.uk",
        roles={Role.RECRUITER},
        target_role=None,
        password=PASSWORD,
    )
    spec = vacancies.spec_choices(session)[0]
    vacancy = vacancies.create_vacancy(
        session,
        lead,
        vacancies.VacancyFields(
            title="Care Coordinator",
            band="Band 6",
            team_id=None,
            closing_on=date(2026, 12, 1),
            spec_version_id=spec.id,
            panel_ids=[panel.id],
        ),
    )
    application = vacancies.add_application(
        session,
        vacancy,
        lead,
        vacancies.ApplicationFields(
            candidate_name="Candidate Person",
            email="candidate@example.org",
            supporting_statement="Six years in community teams.",
        ),
    )
    session.commit()
    found = {
        "vacancy_id": vacancy.id,
        "application_id": application.id,
        "spec_version_id": spec.id,
        "panel_id": panel.id,
        "lock_version": vacancy.lock_version,
    }
    world.recruitment_vacancies = found  # other recruitment rule modules may reuse this vacancy
    return found


def url_values(world) -> dict:
    """The vacancy and application the recruitment_vacancies routes point at."""
    built = _built(world)
    return {"vacancy_id": built["vacancy_id"], "application_id": built["application_id"]}


def post_cases(world) -> dict:
    """Refusal cases for the recruitment_vacancies POST routes."""
    built = _built(world)
    v = built["vacancy_id"]
    new_vacancy = {
        "title": "Another post",
        "band": "Band 6",
        "team_id": "",
        "closing_on-day": "1",
        "closing_on-month": "2",
        "closing_on-year": "2027",
        "spec_version_id": str(built["spec_version_id"]),
        "panel": str(built["panel_id"]),
    }
    application = {
        "candidate_name": "Another Candidate",
        "email": "another.candidate@example.org",
        "supporting_statement": "Statement",
    }
    return {
        "recruitment.new_vacancy": ("/recruitment/vacancies/new", new_vacancy, NOT_RECRUITER, ("recruiter", 302)),
        "recruitment.new_application": (
            f"/recruitment/vacancies/{v}/applications/new",
            application,
            NOT_RECRUITER,
            ("recruiter", 302),
        ),
        "recruitment.import_applications": (f"/recruitment/vacancies/{v}/applications/import", {}, NOT_RECRUITER, None),
        "recruitment.confirm_import": (
            f"/recruitment/vacancies/{v}/applications/import/confirm",
            {"token": "0" * 32},
            NOT_RECRUITER,
            None,
        ),
        "recruitment.advance": (
            f"/recruitment/vacancies/{v}/advance",
            {"to": "shortlisting", "version": str(built["lock_version"])},
            NOT_RECRUITER,
            ("recruiter", 302),
        ),
    }
