"""Permission expectations for the recruitment_shortlisting routes, merged into tests/test_permissions.py.

GET: endpoint -> {kind of user: expected outcome of a GET} (see test_permissions for the kinds and outcomes).
url_values(world): extra URL parameters for those routes (create what they point at, and commit).
post_cases(world): endpoint -> (url, form data, {kind: refusal outcome}, (allowed kind, status) or None).

Only recruiters reach shortlisting at all (403 for everyone else, administrators included); of them,
only the vacancy's panel and lead (404 for other recruiters, tested in tests/test_shortlisting.py).
The world's recruiter leads the vacancies built here, with a second recruiter on the panel.

Also the builders the shortlisting tests share: a vacancy on the seed 004 person specification
(`leeds-recovery-centre-care-coordinator-person-spec`, current version), made directly with the models.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from competency_portal.extensions import db
from competency_portal.models import (
    Application,
    CriterionAnswer,
    Framework,
    FrameworkVersion,
    PanelMember,
    Role,
    Score,
    Vacancy,
    VacancyStatus,
)
from competency_portal.services import people
from competency_portal.services.shortlist_board import spec_criteria

KINDS = ("anonymous", "owner", "other_staff", "supervisor", "unrelated_supervisor", "recruiter", "admin")
SIGNIN = "sign-in"
SPEC = "leeds-recovery-centre-care-coordinator-person-spec"
WHEN = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


def _row(*outcomes) -> dict:
    return dict(zip(KINDS, outcomes, strict=True))


PANEL_ONLY = _row(
    SIGNIN, 403, 403, 403, 403, 200, 403
)  # the RECRUITER rule first; the world's recruiter leads the vacancy
POST_ONLY = _row(*([405] * 7))

GET: dict[str, dict] = {
    "recruitment.shortlist": PANEL_ONLY,
    "recruitment.score": PANEL_ONLY,
    "recruitment.moderate": PANEL_ONLY,
    "recruitment.shortlist_csv": PANEL_ONLY,
    "recruitment.shortlist_xlsx": PANEL_ONLY,
    "recruitment.shortlist_pdf": PANEL_ONLY,
    "recruitment.shortlist_chart_csv": PANEL_ONLY,
    "recruitment.interview_sheet": PANEL_ONLY,
    "recruitment.interview_sheet_pdf": PANEL_ONLY,
    "recruitment.submit_scores": POST_ONLY,
    "recruitment.decide": PANEL_ONLY,  # GET: the decision page; POST: the lead records it
    "recruitment.agree_shortlist": POST_ONLY,
}


# -- builders (used by tests/test_shortlisting.py and tests/browser/test_shortlisting_journey.py too) ------------


def spec_version_id(session) -> int:
    """The current version of the seed 004 person specification."""
    return session.scalar(
        select(FrameworkVersion.id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(Framework.slug == SPEC, FrameworkVersion.revision == Framework.current_revision)
    )


def application_criteria(session, version_id: int | None = None) -> list:
    """The spec's criteria assessed at application, in order."""
    return [c for c in spec_criteria(session, version_id or spec_version_id(session)) if "application" in c.assessed_by]


def recruiter(session, name: str):
    """A recruiter (committed), with the test password."""
    from tests.portal_helpers import PASSWORD

    user = people.create_person(
        session,
        name=name,
        email=name.lower().replace(" ", ".") + "@example.nhs.uk",
        roles={Role.RECRUITER},
        target_role=None,
        password=PASSWORD,
    )
    session.commit()
    return user


def build_vacancy(
    session,
    lead_id: int,
    member_ids: list[int],
    candidates: list[tuple[str, str, str, bool]],
    title: str = "Care Coordinator, Recovery Centre",
    status: VacancyStatus = VacancyStatus.SHORTLISTING,
) -> Vacancy:
    """A vacancy on the seed 004 person specification, its panel (the lead and `member_ids`) and applications.

    `candidates` are (reference, name, email, guaranteed interview). Committed.
    """
    version = spec_version_id(session)
    vacancy = Vacancy(
        title=title,
        band="Band 6",
        closing_on=date(2026, 11, 1),
        spec_version_id=version,
        lead_id=lead_id,
        status=status,
        created_at=WHEN,
    )
    vacancy.panel = [PanelMember(user_id=uid) for uid in [lead_id, *member_ids]]
    session.add(vacancy)
    session.flush()
    first = application_criteria(session, version)[0]
    for ref, name, email, guaranteed in candidates:
        session.add(
            Application(
                vacancy_id=vacancy.id,
                reference=ref,
                candidate_name=name,
                email=email,
                guaranteed_interview=guaranteed,
                supporting_statement=f"Supporting statement for {ref}: eight years in community mental health.",
                answers=[CriterionAnswer(item_id=first.item_id, text=f"{ref} on {first.code}: my experience.")],
            )
        )
    session.commit()
    return vacancy


def give_scores(
    session,
    vacancy_id: int,
    scorer_id: int,
    values: dict[tuple[int, int], int] | None = None,
    default: int = 2,
    submit: bool = True,
    skip: set[tuple[int, int]] = frozenset(),
) -> None:
    """Scores by one member for every application criterion of every application (`values` overrides), committed."""
    criteria = application_criteria(session)
    apps = session.scalars(
        select(Application.id).where(Application.vacancy_id == vacancy_id).order_by(Application.reference)
    ).all()
    for a in apps:
        for c in criteria:
            if (a, c.item_id) in skip:
                continue
            value = (values or {}).get((a, c.item_id), default)
            session.add(
                Score(
                    application_id=a,
                    item_id=c.item_id,
                    scorer_id=scorer_id,
                    value=value,
                    reason=f"Reason {value}",
                    scored_at=WHEN,
                )
            )
    if submit:
        member = session.scalar(
            select(PanelMember).where(PanelMember.vacancy_id == vacancy_id, PanelMember.user_id == scorer_id)
        )
        member.scores_submitted_at = WHEN
    session.commit()


def _second_recruiter(world) -> int:
    made = getattr(world, "_second_recruiter", None)
    if made is None:
        made = world._second_recruiter = recruiter(db.session, "Second Recruiter").id
    return made


# -- the permission matrix ---------------------------------------------------------------


def url_values(world) -> dict:
    """A shortlisting vacancy led by the world's recruiter (scores submitted), a second recruiter on the panel,
    one application."""
    made = getattr(world, "_shortlisting_urls", None)
    if made is None:
        lead = world.id("recruiter")
        vacancy = build_vacancy(
            db.session, lead, [_second_recruiter(world)], [("CP-0001", "Hidden Candidate", "hidden@example.com", False)]
        )
        give_scores(db.session, vacancy.id, lead)
        application_id = db.session.scalar(select(Application.id).where(Application.vacancy_id == vacancy.id))
        made = {
            "vacancy_id": vacancy.id,
            "application_id": application_id,
            "item_id": application_criteria(db.session)[0].item_id,
            "chart": "criteria",
        }
        world._shortlisting_urls = made
        db.session.commit()
    return dict(made)


def post_cases(world) -> dict:
    """Refusal cases for the shortlisting POST routes, on a vacancy of their own.

    Everyone but recruiters is refused by the route rule (403). The controls, in order, are the lead's
    whole shortlisting: the last score, submitting, moderating the disagreement, deciding, agreeing.
    """
    made = getattr(world, "_shortlisting_posts", None)
    if made is None:
        lead, other = world.id("recruiter"), _second_recruiter(world)
        vacancy = build_vacancy(
            db.session,
            lead,
            [other],
            [("PC-0001", "Post Candidate", "post@example.com", False)],
            title="Post cases vacancy",
        )
        app_id = db.session.scalar(select(Application.id).where(Application.vacancy_id == vacancy.id))
        criteria = application_criteria(db.session)
        disputed, last = criteria[0], criteria[-1]
        give_scores(db.session, vacancy.id, other, default=2)
        give_scores(
            db.session, vacancy.id, lead, {(app_id, disputed.item_id): 0}, submit=False, skip={(app_id, last.item_id)}
        )
        made = world._shortlisting_posts = (vacancy.id, app_id, disputed.item_id, criteria)
    vacancy_id, app_id, disputed_id, criteria = made
    sheet = {}
    for c in criteria:
        sheet[f"score-{c.item_id}"] = "0" if c.item_id == disputed_id else "2"
        sheet[f"reason-{c.item_id}"] = "Clear evidence" if c.item_id != disputed_id else "Nothing on this"
    refused = {kind: 403 for kind in ("owner", "other_staff", "supervisor", "unrelated_supervisor", "admin")}
    base = f"/recruitment/vacancies/{vacancy_id}"
    return {
        "recruitment.score": (f"{base}/applications/{app_id}/score", sheet, refused, ("recruiter", 302)),
        "recruitment.submit_scores": (f"{base}/scores/submit", {}, refused, ("recruiter", 302)),
        "recruitment.moderate": (
            f"{base}/applications/{app_id}/criteria/{disputed_id}/moderate",
            {"value": "2", "reason": "Agreed at panel: the statement shows it"},
            refused,
            ("recruiter", 302),
        ),
        "recruitment.decide": (
            f"{base}/applications/{app_id}/decision",
            {"outcome": "shortlist", "reason": "Meets every essential"},
            refused,
            ("recruiter", 302),
        ),
        "recruitment.agree_shortlist": (f"{base}/shortlist/agree", {}, refused, ("recruiter", 302)),
    }
