"""IDOR: every route that takes an object id, pointed at someone else's object.

The list of routes is derived from `app.url_map` (every rule with an `<int:...>` argument); each
must have a probe in PROBES or be named in EXEMPT with the reason, so a new id route fails
`test_every_id_route_has_a_probe` until somebody decides who must not reach it.

Each probe fills the route's ids with an object that belongs to another person ("B": the other
staff member, supervised by the unrelated supervisor, and a vacancy led by a rival recruiter), or
mixes one of "A"'s parents with B's child (A being the objects the world's owner, supervisor and
recruiter legitimately hold). Every kind of user who must not reach it GETs it (and POSTs the
route's real form, where it accepts POST): the answer is the status policy.py gives (404 so as not
to reveal the object, 403 where a route rule refuses the role), the body never shows B's content,
and a POST changes no row of any table.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import openpyxl
import permission_rules_recruitment_shortlisting as shortlisting_rules
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from competency_portal import storage
from competency_portal.extensions import db
from competency_portal.models import (
    Application,
    Appraisal,
    AppraisalState,
    EvidenceType,
    Job,
    Objective,
    ProgressNote,
    Supervision,
    User,
)
from competency_portal.services import attachments
from competency_portal.services import evidence as evidence_service
from tests.portal_helpers import (
    PASSWORD,
    PDF,
    Browser,
    assert_no_crash,
    body,
    browsers,
    diff,
    is_sign_in_redirect,
    snapshot,
)
from tests.test_permissions import RULE_MODULES, _post_cases

SIGNIN = "sign-in"
SECRETS = (
    "Bravo secret reflection",
    "Bravo secret objective",
    "Bravo secret progress",
    "Rival secret vacancy",
    "BRAVO-001",
    "Bravo Candidate",
    "bravo.candidate@example.org",
    "Other Staff",
    "Bravo secret summary",
)

# Routes with an id that are not someone's object.
EXEMPT = {
    "catalogue.framework": "revision of a published framework: public to everyone by design",
    "api.readiness": "token-authenticated (a session reaches nothing): tests/test_api.py asks for the owner's "
    "readiness with a token of every kind of user, and only those the pages let see it get it",
    "api.person_training": "token-authenticated (a session reaches nothing): tests/test_api.py asks for the owner's "
    "training with the tokens of those who may and may not see it",
    "api.shortlist": "token-authenticated (a session reaches nothing): tests/test_api_recruitment.py asks with the "
    "tokens of the lead, a panel member and an outsider",
    "admin.revoke_api_client": "the register of reporting tools is the administrators' shared work; everyone else "
    "is refused by the route rule (tests/permission_rules_api.py)",
    "auth.revoke_api_token": "revoking someone else's token changes nothing: tests/permission_rules_api.py posts it "
    "as every other kind of user, and tests/test_api.py checks the token still works",
    "catalogue.item": "revision of a published framework: public to everyone by design",
    "admin.import_result": "staff imports are the administrators' shared work (any administrator may follow "
    "one); everyone else is refused by the route rule (tests/permission_rules_jobs.py)",
    "admin.try_job_again": "background work is the administrators' to mend; everyone else is refused by the "
    "route rule (tests/permission_rules_jobs.py posts it as every kind of user)",
    **{
        endpoint: "a framework draft is the administrators' shared work: any administrator may review any draft, "
        "and everyone else is refused by the route rule (tests/permission_rules_frameworks.py)"
        for endpoint in (
            "admin.draft",
            "admin.draft_item",
            "admin.draft_item_action",
            "admin.draft_item_split",
            "admin.draft_group",
            "admin.draft_identity",
            "admin.draft_yaml",
            "admin.load_draft",
            "admin.discard_draft",
        )
    },
}


def _refuse(**outcomes) -> dict:
    """Refusal outcomes, anonymous always sent to sign in."""
    return {"anonymous": SIGNIN, **outcomes}


# Who must not reach B's object, and what they get (policy.py: 404 hides an object, 403 is a route rule or a
# "you may see this but not change it"). Kinds not named are entitled: B's owner, B's supervisor, and
# administrators where policy lets them see everyone's records.
NOT_B_SUPERVISION = _refuse(owner=404, supervisor=404, recruiter=404)
NOT_ADMIN = _refuse(owner=403, other_staff=403, supervisor=403, unrelated_supervisor=403, recruiter=403)
NOT_B_PANEL = _refuse(owner=403, other_staff=403, supervisor=403, unrelated_supervisor=403, admin=403, recruiter=404)
NOT_B_APPRAISAL_PARTY = _refuse(owner=404, supervisor=404, recruiter=404, admin=403)
NOT_MINE_TO_EDIT = _refuse(owner=404, supervisor=404, unrelated_supervisor=404, recruiter=404, admin=404)

# endpoint -> list of (which ids, refusals). "b" fills every id with B's objects; "mixed" puts A's parent
# with B's child, so a check on the parent alone is not enough.
PROBES: dict[str, list[tuple[str, dict]]] = {
    "evidence.show": [("b", NOT_B_SUPERVISION)],
    "evidence.edit": [("b_draft", NOT_MINE_TO_EDIT)],
    "evidence.submit": [("b_draft", NOT_MINE_TO_EDIT)],
    "evidence.download": [("b", NOT_B_SUPERVISION), ("mixed", _refuse(owner=404, supervisor=404, admin=404))],
    "supervision.review": [("b", _refuse(owner=403, other_staff=403, supervisor=404, recruiter=403, admin=403))],
    "supervision.revoke": [("b", _refuse(owner=404, other_staff=404, supervisor=404, recruiter=404))],
    "dashboards.person": [("b", NOT_B_SUPERVISION)],
    "dashboards.person_csv": [("b", NOT_B_SUPERVISION)],
    "training.person": [("b", NOT_B_SUPERVISION)],
    "training.add_record_for": [("b", NOT_ADMIN)],
    # B's application asks nobody to share a portfolio: no one may answer it (the candidate asked is
    # probed in permission_rules_sharing, where only they may).
    "evidence.respond_to_share": [
        ("b", _refuse(owner=404, other_staff=404, supervisor=404, unrelated_supervisor=404, recruiter=404, admin=404))
    ],
    "admin.edit_person": [("b", NOT_ADMIN)],
    # Work someone started is followed by them and by administrators, never by their supervisor.
    "main.job": [("b", _refuse(owner=404, supervisor=404, unrelated_supervisor=404, recruiter=404))],
    "main.job_file": [("b", _refuse(owner=404, supervisor=404, unrelated_supervisor=404, recruiter=404, admin=404))],
    "admin.reset_password": [("b", NOT_ADMIN)],
    "admin.person_data": [("b", NOT_ADMIN)],
    "admin.reset_second_factor": [("b", NOT_ADMIN)],
    "admin.unlink_provider": [("b", NOT_ADMIN)],
    "admin.add_supervision": [("b", NOT_ADMIN)],
    "admin.end_supervision": [("b", NOT_ADMIN)],
    "appraisal.start": [("b", _refuse(owner=404, other_staff=404, supervisor=404, recruiter=404))],
    "appraisal.show": [("b", NOT_B_SUPERVISION)],
    "appraisal.pdf": [("b", NOT_B_SUPERVISION)],
    "appraisal.agree": [("b", NOT_B_APPRAISAL_PARTY)],
    "appraisal.sign": [("b", NOT_B_APPRAISAL_PARTY)],
    "appraisal.summary": [("b", NOT_B_APPRAISAL_PARTY)],
    "appraisal.add_objective": [("b", NOT_B_APPRAISAL_PARTY)],
    "appraisal.edit_objective": [("b", NOT_B_APPRAISAL_PARTY), ("mixed", _refuse(owner=404, supervisor=404))],
    "appraisal.progress": [("b", NOT_B_APPRAISAL_PARTY), ("mixed", _refuse(owner=404, supervisor=404))],
    "appraisal.remove_objective": [("b", NOT_B_APPRAISAL_PARTY), ("mixed", _refuse(owner=404, supervisor=404))],
    **{
        endpoint: [("b", NOT_B_PANEL)]
        for endpoint in (
            "recruitment.vacancy",
            "recruitment.advance",
            "recruitment.new_application",
            "recruitment.import_applications",
            "recruitment.confirm_import",
            "recruitment.shortlist",
            "recruitment.shortlist_csv",
            "recruitment.shortlist_xlsx",
            "recruitment.shortlist_pdf",
            "recruitment.shortlist_chart_csv",
            "recruitment.interview_sheet",
            "recruitment.interview_sheet_pdf",
            "recruitment.submit_scores",
            "recruitment.agree_shortlist",
        )
    },
    **{
        endpoint: [("b", NOT_B_PANEL), ("mixed", _refuse(recruiter=404))]
        for endpoint in ("recruitment.application", "recruitment.score", "recruitment.decide", "recruitment.moderate")
    },
}


def id_routes(app) -> dict[str, list]:
    """Endpoint -> its rules, for every rule with an integer argument."""
    found: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        if any(isinstance(conv, IntegerConverter) for conv in rule._converters.values()):
            found.setdefault(rule.endpoint, []).append(rule)
    return found


def test_every_id_route_has_a_probe(app):
    routes = set(id_routes(app))
    assert routes, "no id routes found: the derivation from url_map is broken"
    unprobed = sorted(routes - set(PROBES) - set(EXEMPT))
    assert not unprobed, f"routes taking an object id with no IDOR probe in PROBES (or reason in EXEMPT): {unprobed}"
    stale = sorted((set(PROBES) | set(EXEMPT)) - routes)
    assert not stale, f"PROBES/EXEMPT name routes that no longer take an id: {stale}"


# -- B: another person's objects --------------------------------------------------------------

WHEN = datetime(2026, 5, 1, 12, tzinfo=timezone.utc)


def _b_world(app, world) -> dict:
    """Objects of B (other staff, their supervisor, a rival recruiter's vacancy), committed; ids only."""
    session = db.session
    other = session.get(User, world.id("other_staff"))
    store = storage.from_config(app.config)
    pdf = attachments.check("bravo.pdf", PDF, app.config["MAX_ATTACHMENT_BYTES"])
    submitted = evidence_service.create(
        session,
        other,
        evidence_service.EvidenceInput(
            title="Bravo secret reflection",
            evidence_type=EvidenceType.REFLECTIVE_ACCOUNT,
            activity_date=date(2025, 3, 3),
            description="Bravo secret reflection, in detail.",
            item_ids=world.item_ids[:1],
            files=[pdf],
        ),
        store,
    )
    evidence_service.submit(session, submitted, other, WHEN)
    session.flush()
    appraisal = Appraisal(
        user_id=other.id,
        appraiser_id=world.id("unrelated_supervisor"),
        year="2025/26",
        state=AppraisalState.AGREED,
        summary="Bravo secret summary",
        agreed_by_person_at=WHEN,
        agreed_by_appraiser_at=WHEN,
        objectives=[
            Objective(
                title="Bravo secret objective",
                description="Bravo secret objective, described",
                due_on=date(2027, 1, 1),
                item_ids=world.item_ids[:1],
                position=1,
            )
        ],
    )
    session.add(appraisal)
    session.flush()
    session.add(
        ProgressNote(
            objective_id=appraisal.objectives[0].id, author_id=other.id, note="Bravo secret progress", created_at=WHEN
        )
    )
    assignment = session.scalar(select(Supervision.id).where(Supervision.supervisee_id == other.id))
    rival = shortlisting_rules.recruiter(session, "Rival Recruiter")
    vacancy = shortlisting_rules.build_vacancy(
        session,
        rival.id,
        [],
        [("BRAVO-001", "Bravo Candidate", "bravo.candidate@example.org", False)],
        title="Rival secret vacancy",
    )
    application = session.scalar(select(Application.id).where(Application.vacancy_id == vacancy.id))
    item = shortlisting_rules.application_criteria(session)[0].item_id
    job = Job(kind="email", label="Email about Bravo secret reflection", started_by_id=other.id)
    session.add(job)
    session.flush()
    b = {
        "job_id": job.id,
        "evidence_id": submitted.id,
        "attachment_id": submitted.current.attachments[0].id,
        "sign_off_id": world.others_sign_off,
        "person_id": other.id,
        "assignment_id": assignment,
        "appraisal_id": appraisal.id,
        "objective_id": appraisal.objectives[0].id,
        "vacancy_id": vacancy.id,
        "application_id": application,
        "item_id": item,
        "name": "gaps",
        "chart": "criteria",
    }
    session.commit()
    return b


def _values(world, b: dict, which: str, a: dict) -> dict:
    b = {**b, "name": "entra"}  # a provider's name, for the routes about a person's provider account
    if which == "b":
        return b
    if which == "b_draft":  # only a draft can be edited or submitted: B's own draft
        return {**b, "evidence_id": world.others}
    # mixed: A's parent, B's child
    return {
        **b,
        "evidence_id": world.submitted,
        "appraisal_id": a["appraisal_id"],
        "vacancy_id": a["vacancy_id"],
        "application_id": b["application_id"] if "application_id" in b else a["application_id"],
    }


def _mixed_moderation(world, a: dict) -> dict:
    """A's vacancy and application with a real item that is not a criterion of its specification."""
    return {**a, "item_id": world.item_ids[0]}


def _outcome_problem(outcome, response, url: str) -> str | None:
    if outcome == SIGNIN:
        return (
            None
            if is_sign_in_redirect(response, url)
            else f"expected a redirect to sign in, got {response.status_code}"
        )
    if response.status_code != outcome:
        return f"expected {outcome}, got {response.status_code} {response.headers.get('Location', '')}".strip()
    return None


def test_someone_elses_object_on_every_id_route_is_refused_shows_nothing_and_changes_nothing(app, world):
    rules = id_routes(app)
    a = shortlisting_rules.url_values(world)
    appraisal_a = next(m for m in RULE_MODULES if m.__name__.endswith("appraisal")).url_values(world)
    a.update(appraisal_id=appraisal_a["appraisal_id"], objective_id=appraisal_a["objective_id"])
    b = _b_world(app, world)
    forms = _post_cases(world)
    for module in RULE_MODULES:
        forms.update(module.post_cases(world))
    users = browsers(app, world)
    problems, probed = [], 0
    for endpoint, probes in PROBES.items():
        for rule in rules.get(endpoint, []):
            for which, refusals in probes:
                values = _values(world, b, which, a)
                if which == "mixed" and endpoint == "recruitment.moderate":
                    values = {**values, **_mixed_moderation(world, a)}
                url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
                methods = [m for m in ("GET", "POST") if m in rule.methods]
                data = forms[endpoint][1] if endpoint in forms else {}
                before = snapshot() if "POST" in methods else None  # one snapshot per URL: every refused POST to it
                for kind, outcome in refusals.items():
                    for method in methods:
                        response = users[kind].post(url, data) if method == "POST" else users[kind].get(url)
                        probed += 1
                        what = f"{method} {url} ({endpoint}, {which}) as {kind}"
                        assert_no_crash(response, what)
                        problem = _outcome_problem(outcome, response, url)
                        if problem:
                            problems.append(f"{what}: {problem}")
                        text = response.get_data().decode("utf-8", "replace")
                        shown = [s for s in SECRETS if s in text and not (s == "Other Staff" and kind == "other_staff")]
                        if shown:
                            problems.append(f"{what}: shows B's {shown}")
                if before is not None and diff(before, snapshot()):
                    problems.append(
                        f"POST {url} ({endpoint}, {which}) by {sorted(refusals)} changed {diff(before, snapshot())}"
                    )
    assert not problems, "\n".join(problems)
    assert probed > 150, f"only {probed} requests probed"


def test_the_probes_point_at_real_objects_their_owners_can_reach(app, world):
    """The ids above are live: B's own people reach them, so a 404 above is a refusal, not a missing object."""
    b = _b_world(app, world)
    other, unrel = Browser(app, "other_staff"), Browser(app, "unrelated_supervisor")
    other.sign_in(world.emails["other_staff"])
    unrel.sign_in(world.emails["unrelated_supervisor"])
    rival = Browser(app, "rival")
    rival.sign_in("rival.recruiter@example.nhs.uk", PASSWORD)
    reachable = [
        (other, f"/portfolio/evidence/{b['evidence_id']}", "Bravo secret reflection"),
        (other, f"/portfolio/evidence/{b['evidence_id']}/attachments/{b['attachment_id']}", None),
        (unrel, f"/supervision/evidence/{b['evidence_id']}", "Bravo secret reflection"),
        (unrel, f"/supervision/sign-offs/{b['sign_off_id']}/revoke", None),
        (unrel, f"/people/{b['person_id']}/dashboard", "Other Staff"),
        (other, f"/appraisals/{b['appraisal_id']}", "Bravo secret objective"),
        (unrel, f"/appraisals/{b['appraisal_id']}/objectives/{b['objective_id']}/progress", "Bravo secret objective"),
        (rival, f"/recruitment/vacancies/{b['vacancy_id']}", "Rival secret vacancy"),
        (rival, f"/recruitment/vacancies/{b['vacancy_id']}/applications/{b['application_id']}", "BRAVO-001"),
        (
            rival,
            f"/recruitment/vacancies/{b['vacancy_id']}/applications/{b['application_id']}/criteria/{b['item_id']}/moderate",
            None,
        ),
    ]
    for browser, url, shown in reachable:
        response = browser.get(url)
        assert response.status_code == 200, f"{url} as {browser.kind}: {response.status_code}"
        if shown:
            assert shown in body(response), f"{url} as {browser.kind} does not show {shown!r}"


def test_lists_and_exports_without_an_id_hold_only_what_the_viewer_may_see(app, world):
    """Pages that list objects (queues, team views, exports, vacancy lists) are scoped to the viewer, not just the id
    routes."""
    _b_world(app, world)
    users = browsers(app, world)
    scoped = [
        ("owner", "/portfolio"),
        ("owner", "/dashboard"),
        ("owner", "/appraisal"),
        ("owner", "/training"),
        ("owner", "/notifications"),
        ("supervisor", "/supervision/"),
        ("supervisor", "/team"),
        ("supervisor", "/team/heatmap.csv"),
        ("supervisor", "/team/matrix.xlsx"),
        ("supervisor", "/appraisal"),
        ("recruiter", "/recruitment"),
    ]
    problems = []
    for kind, url in scoped:
        response = users[kind].get(url)
        assert response.status_code == 200, f"{url} as {kind}: {response.status_code}"
        data = response.data
        if url.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(data))
            text = " ".join(
                str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None
            )
        else:
            text = data.decode("utf-8", "replace")
        shown = [s for s in SECRETS if s in text]
        if shown:
            problems.append(f"{url} as {kind} lists B's {shown}")
    assert not problems, "\n".join(problems)
    # Control: B's own people do see B's objects in the same lists.
    unrel = browsers(app, world)["unrelated_supervisor"]
    assert "Bravo secret reflection" in body(unrel.get("/supervision/"))
    assert "Other Staff" in body(unrel.get("/team"))
    rival = Browser(app, "rival")
    rival.sign_in("rival.recruiter@example.nhs.uk", PASSWORD)
    assert "Rival secret vacancy" in body(rival.get("/recruitment"))
