"""Permission expectations for the appraisal routes, merged into tests/test_permissions.py.

GET: endpoint -> {kind of user: expected outcome of a GET} (see test_permissions for the kinds and outcomes).
url_values(world): extra URL parameters for those routes (create what they point at, and commit).
post_cases(world): endpoint -> (url, form data, {kind: refusal outcome}, (allowed kind, status) or None).

The owner's appraisal is held by the owner's supervisor. The person and the appraiser take part;
administrators may see (403 on the pages that change it); everyone else gets 404.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from competency_portal.extensions import db
from competency_portal.models import Appraisal, AppraisalState, Objective

KINDS = ("anonymous", "owner", "other_staff", "supervisor", "unrelated_supervisor", "recruiter", "admin")
SIGNIN = "sign-in"


def _row(*outcomes) -> dict:
    return dict(zip(KINDS, outcomes, strict=True))


VISIBLE = _row(SIGNIN, 200, 404, 200, 404, 404, 200)
TAKING_PART = _row(SIGNIN, 200, 404, 200, 404, 404, 403)
POST_ONLY = _row(*([405] * 7))

GET: dict[str, dict] = {
    "appraisal.mine": _row(SIGNIN, 200, 200, 200, 200, 200, 200),
    "appraisal.start": _row(SIGNIN, 404, 404, 200, 404, 404, 200),  # the owner's supervisor, or an administrator
    "appraisal.show": VISIBLE,
    "appraisal.pdf": POST_ONLY,  # asks for the pack: a background job makes it (main.job_file downloads it)
    "appraisal.add_objective": TAKING_PART,
    "appraisal.edit_objective": TAKING_PART,
    "appraisal.progress": TAKING_PART,
    "appraisal.summary": _row(SIGNIN, 403, 404, 200, 404, 404, 403),  # the appraiser writes it
    "appraisal.remove_objective": POST_ONLY,
    "appraisal.agree": POST_ONLY,
    "appraisal.sign": POST_ONLY,
    "appraisal.team_xlsx": _row(SIGNIN, 403, 403, 200, 200, 403, 403),
}

WHEN = datetime(2026, 5, 1, 12, tzinfo=timezone.utc)


def _appraisal(world, year: str, state: AppraisalState = AppraisalState.DRAFT, summary: str | None = None) -> Appraisal:
    agreed = state != AppraisalState.DRAFT
    appraisal = Appraisal(
        user_id=world.id("owner"),
        appraiser_id=world.id("supervisor"),
        year=year,
        state=state,
        summary=summary,
        agreed_by_person_at=WHEN if agreed else None,
        agreed_by_appraiser_at=WHEN if agreed else None,
        objectives=[
            Objective(
                title="Develop risk assessment to target",
                description="RA items",
                due_on=date(2027, 1, 1),
                item_ids=world.item_ids[:2],
                position=1,
            )
        ],
    )
    db.session.add(appraisal)
    db.session.flush()
    return appraisal


def url_values(world) -> dict:
    """The owner's agreed appraisal (held by the supervisor) and its first objective; made once per world."""
    made = getattr(world, "_appraisal_urls", None)
    if made is None:
        appraisal = _appraisal(world, "2025/26", AppraisalState.AGREED)
        made = {"appraisal_id": appraisal.id, "objective_id": appraisal.objectives[0].id}
        db.session.commit()
        world._appraisal_urls = made
    return dict(made)


def _objective_form(version: int) -> dict:
    return {
        "title": "Chair a CPA review",
        "description": "With the team",
        "due_on-day": "1",
        "due_on-month": "3",
        "due_on-year": "2027",
        "version": str(version),
    }


def post_cases(world) -> dict:
    """Refusal cases for the appraisal POST routes: each acts on its own appraisal of the owner's.

    The controls are the supervisor's (the appraiser): an earlier control resets the owner's password, which
    signs them out.
    """
    outsiders = {"other_staff": 404, "unrelated_supervisor": 404, "recruiter": 404, "admin": 403}
    made = {
        name: _appraisal(world, year, state, summary)
        for name, year, state, summary in (
            ("add", "2031/32", AppraisalState.DRAFT, None),
            ("edit", "2032/33", AppraisalState.DRAFT, None),
            ("remove", "2033/34", AppraisalState.DRAFT, None),
            ("progress", "2034/35", AppraisalState.AGREED, None),
            ("agree", "2035/36", AppraisalState.DRAFT, None),
            ("summary", "2036/37", AppraisalState.AGREED, None),
            ("sign", "2037/38", AppraisalState.AGREED, "A good year."),
        )
    }
    ids = {name: (a.id, a.objectives[0].id, a.lock_version) for name, a in made.items()}
    db.session.commit()
    base = "/appraisals"
    return {
        "appraisal.start": (
            f"/people/{world.id('owner')}/appraisal/new",
            {"year": "2030/31"},
            {"owner": 404, "other_staff": 404, "unrelated_supervisor": 404, "recruiter": 404},
            ("supervisor", 302),
        ),
        "appraisal.add_objective": (
            f"{base}/{ids['add'][0]}/objectives/new",
            _objective_form(ids["add"][2]),
            outsiders,
            ("supervisor", 302),
        ),
        "appraisal.edit_objective": (
            f"{base}/{ids['edit'][0]}/objectives/{ids['edit'][1]}",
            _objective_form(ids["edit"][2]),
            outsiders,
            ("supervisor", 302),
        ),
        "appraisal.remove_objective": (
            f"{base}/{ids['remove'][0]}/objectives/{ids['remove'][1]}/remove",
            {"version": str(ids["remove"][2])},
            outsiders,
            ("supervisor", 302),
        ),
        "appraisal.progress": (
            f"{base}/{ids['progress'][0]}/objectives/{ids['progress'][1]}/progress",
            {"status": "in_progress", "note": "Shadowed a review", "version": str(ids["progress"][2])},
            outsiders,
            ("supervisor", 302),
        ),
        "appraisal.agree": (
            f"{base}/{ids['agree'][0]}/agree",
            {"version": str(ids["agree"][2])},
            outsiders,
            ("supervisor", 302),
        ),
        "appraisal.summary": (
            f"{base}/{ids['summary'][0]}/summary",
            {"summary": "A steady year.", "version": str(ids["summary"][2])},
            {**outsiders, "owner": 403},
            ("supervisor", 302),
        ),
        "appraisal.pdf": (
            f"{base}/{ids['add'][0]}/pdr-pack",
            {},
            {"other_staff": 404, "unrelated_supervisor": 404, "recruiter": 404},
            ("supervisor", 302),
        ),
        "appraisal.sign": (
            f"{base}/{ids['sign'][0]}/sign",
            {"version": str(ids["sign"][2])},
            outsiders,
            ("supervisor", 302),
        ),
    }
