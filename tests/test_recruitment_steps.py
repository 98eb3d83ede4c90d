"""The recruiter's journey by links: the recruitment list and the vacancy page say what to do next and link
every step (applications, scoring, moderation, decisions, agreement, exports, interview sheet); the
lead's decision form has a page of its own, linked wherever a decision is waiting; panel members get no
lead's links. The rules that choose the next step are checked directly too."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from permission_rules_recruitment_shortlisting import application_criteria, build_vacancy, give_scores, recruiter
from sqlalchemy import event, select

from competency_portal.extensions import db
from competency_portal.models import Application, VacancyStatus
from competency_portal.policy import VacancyRights
from competency_portal.services import recruitment_progress, recruitment_steps
from competency_portal.services.recruitment_steps import Progress
from tests.portal_helpers import Browser, body

NOW = datetime(2026, 11, 21, 9, tzinfo=timezone.utc)
CANDIDATES = [
    ("A-001", "Alice Applicant", "alice@example.com", False),
    ("A-002", "Bob Bidder", "bob@example.com", False),
]


@pytest.fixture
def team(app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    lead, member = recruiter(seeded, "Lena Lead"), recruiter(seeded, "Max Member")
    vacancy = build_vacancy(seeded, lead.id, [member.id], CANDIDATES)
    apps = dict(
        seeded.execute(select(Application.reference, Application.id).where(Application.vacancy_id == vacancy.id)).all()
    )
    browsers = {}
    for who, user in (("lead", lead), ("member", member)):
        browsers[who] = Browser(app, who)
        browsers[who].sign_in(user.email)
    seeded.rollback()
    return SimpleNamespace(
        vacancy=vacancy.id,
        lead_id=lead.id,
        member_id=member.id,
        apps=apps,
        criteria=application_criteria(seeded),
        **browsers,
    )


def _page(browser, url) -> str:
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(body(response))


def _next_step(page: str) -> tuple[str, str]:
    """The "What to do next" panel's link: (href, text)."""
    panel = re.search(
        r'<div class="nhsuk-card nhsuk-card--feature" id="next-step">.*?</div>\s*</div>', page, re.S
    ).group(0)
    link = re.search(
        r'class="nhsuk-action-link"\s+href="([^"]+)".*?<span class="nhsuk-action-link__text">\s*(.*?)\s*</span>',
        panel,
        re.S,
    )
    return (link.group(1), link.group(2)) if link else (None, re.sub(r"<[^>]+>", " ", panel))


def _tasks(page: str) -> dict[str, tuple[str | None, str]]:
    """The task list: title -> (link or None, status text)."""
    found = {}
    for item in re.findall(r'<li class="nhsuk-task-list__item.*?</li>', page, re.S):
        link = re.search(r'<a[^>]*href="([^"]+)"[^>]*>\s*(.*?)\s*</a>', item, re.S)
        title = (
            link.group(2)
            if link
            else re.search(
                r'<div class="nhsuk-task-list__name-and-hint">\s*<div[^>]*>\s*(.*?)\s*</div>', item, re.S
            ).group(1)
        )
        status = re.sub(
            r"<[^>]+>",
            "",
            re.search(r'<div class="nhsuk-task-list__status[^"]*"[^>]*>(.*?)</div>', item, re.S).group(1),
        ).strip()
        found[title] = (link.group(1) if link else None, status)
    return found


def test_before_scoring_every_panel_member_is_sent_to_score_from_the_list_and_the_vacancy(team):
    t = team
    base = f"/recruitment/vacancies/{t.vacancy}"
    for who in ("lead", "member"):
        listing = _page(getattr(t, who), "/recruitment")
        assert f'href="{base}/shortlist#your-scores">Score 2 applications' in listing
        assert ("Lead" if who == "lead" else "Panel member") in listing
        page = _page(getattr(t, who), base)
        assert _next_step(page) == (f"{base}/applications/{t.apps['A-001']}/score", "Score A-001")
        tasks = _tasks(page)
        assert tasks["Score the applications"] == (f"{base}/applications/{t.apps['A-001']}/score", "Incomplete")
        assert tasks["Panel scores submitted"] == (f"{base}/shortlist", "Waiting")
        assert tasks["Moderate disagreements"] == (None, "Cannot start yet")
        assert tasks["Record decisions"] == (None, "Cannot start yet")
        assert tasks["Interview scoring sheet"] == (f"{base}/interview-sheet", "Available")
        assert f'href="{base}/applications/{t.apps["A-002"]}/score">Score A-002</a>: 0 of {len(t.criteria)}' in page


def test_the_lead_is_led_through_moderation_decisions_agreement_and_interviews_by_links(team):
    t = team
    base = f"/recruitment/vacancies/{t.vacancy}"
    disputed = t.criteria[0]
    give_scores(db.session, t.vacancy, t.member_id)
    give_scores(db.session, t.vacancy, t.lead_id, {(t.apps["A-001"], disputed.item_id): 0})
    # A member who has submitted waits for the lead; the lead is sent to the disagreement.
    assert _next_step(_page(t.member, base))[1] == "See the shortlist"
    page = _page(t.lead, base)
    moderate = f"{base}/applications/{t.apps['A-001']}/criteria/{disputed.item_id}/moderate"
    assert _next_step(page) == (moderate, f"Moderate {disputed.code} for A-001")
    tasks = _tasks(page)
    assert tasks["Moderate disagreements"] == (moderate, "Incomplete")
    assert tasks["Record decisions"] == (f"{base}/applications/{t.apps['A-001']}/decision", "Incomplete")
    assert tasks["Shortlist and exports"] == (f"{base}/shortlist", "Available")
    assert tasks["Agree the shortlist"] == (None, "Cannot start yet")
    assert t.lead.post(moderate, {"value": "2", "reason": "Agreed at panel"}).status_code == 302
    # Then a decision for each, from the next step each time, on the decision page.
    for ref in ("A-001", "A-002"):
        shortlist = _page(t.lead, f"{base}/shortlist")
        decision = f"{base}/applications/{t.apps[ref]}/decision"
        assert _next_step(shortlist) == (decision, f"Record the decision for {ref}")
        assert (
            f'href="{decision}">Record the decision<span class="nhsuk-u-visually-hidden"> for {ref}</span>' in shortlist
        )
        form = _page(t.lead, decision)
        assert f'<label class="nhsuk-label nhsuk-label--m" for="decision-outcome">Decision for {ref}</label>' in form
        assert 'name="reason"' in form and "Save decision" in form
        assert (
            t.lead.post(decision, {"outcome": "shortlist", "reason": f"Meets the essentials ({ref})"}).status_code
            == 302
        )
    shortlist = _page(t.lead, f"{base}/shortlist")
    assert _next_step(shortlist) == (f"{base}/shortlist#agree", "Agree the shortlist")
    assert '<h2 id="agree">Agree the shortlist</h2>' in shortlist
    assert t.lead.post(f"{base}/shortlist/agree").status_code == 302
    page = _page(t.lead, base)
    assert _next_step(page) == (f"{base}#move-on", "Move to interviews")
    assert '<form method="post" action="' + f'{base}/advance" id="move-on">' in page
    assert _tasks(page)["Agree the shortlist"][1] == "Completed"
    assert _next_step(_page(t.member, base)) == (f"{base}/interview-sheet", "Open the interview scoring sheet")


def test_the_shortlist_page_works_out_its_next_step_from_what_it_loaded_as_the_vacancy_page_does(team):
    """The shortlist page hands its loaded board to `progress` (its flags cost as much as the ranking),
    and must come to the same facts as the vacancy page, which reads them afresh."""
    from competency_portal import policy
    from competency_portal.models import User, Vacancy
    from competency_portal.services import shortlist_page

    t = team
    give_scores(db.session, t.vacancy, t.member_id)
    give_scores(
        db.session,
        t.vacancy,
        t.lead_id,
        {(t.apps["A-001"], t.criteria[0].item_id): 0, (t.apps["A-002"], t.criteria[1].item_id): 0},
        submit=False,
        skip={(t.apps["A-002"], t.criteria[2].item_id)},
    )
    for viewer, submit in ((t.lead_id, False), (t.member_id, False), (t.lead_id, True)):
        if submit:
            give_scores(
                db.session,
                t.vacancy,
                t.lead_id,
                default=2,
                submit=True,
                values={(t.apps["A-001"], t.criteria[0].item_id): 0},
                skip=set(
                    (a, c.item_id)
                    for a in t.apps.values()
                    for c in t.criteria
                    if (a, c.item_id) != (t.apps["A-002"], t.criteria[2].item_id)
                ),
            )
        vacancy, user = db.session.get(Vacancy, t.vacancy), db.session.get(User, viewer)
        page = shortlist_page.load_page(db.session, vacancy, viewer)
        rights = policy.vacancy_rights(user, vacancy, page.member(viewer))
        reused = recruitment_progress.progress(db.session, vacancy, viewer, rights, page)
        fresh = recruitment_progress.progress(db.session, vacancy, viewer, rights)
        assert reused == fresh, (viewer, submit)
        if submit:
            assert (
                fresh.flags == 2 and fresh.next_flag[1] == "A-001"
            )  # the two cells the lead scored 0 and the member 2
        db.session.rollback()


def test_the_score_page_links_to_the_decision_page_instead_of_hiding_the_form_below_the_scores(team):
    t = team
    base = f"/recruitment/vacancies/{t.vacancy}"
    give_scores(db.session, t.vacancy, t.member_id)
    give_scores(db.session, t.vacancy, t.lead_id)
    score = _page(t.lead, f"{base}/applications/{t.apps['A-001']}/score")
    decision = f"{base}/applications/{t.apps['A-001']}/decision"
    assert f'<a href="{decision}">Record the decision for A-001</a>' in score
    assert score.index(decision) < score.index("The panel's scores")  # before the 29 rows of scores, not after
    assert 'name="outcome"' not in score
    application = _page(t.lead, f"{base}/applications/{t.apps['A-001']}")
    assert f'href="{decision}">Record or change the decision for A-001' in application


def test_panel_members_get_no_lead_links_or_forms(team):
    t = team
    base = f"/recruitment/vacancies/{t.vacancy}"
    disputed = t.criteria[0]
    give_scores(db.session, t.vacancy, t.lead_id, {(t.apps["A-001"], disputed.item_id): 0})
    give_scores(db.session, t.vacancy, t.member_id)
    for url in (
        base,
        f"{base}/shortlist",
        f"{base}/applications/{t.apps['A-001']}/score",
        f"{base}/applications/{t.apps['A-001']}",
    ):
        page = _page(t.member, url)
        assert "/moderate" not in page, url
        assert "Record the decision" not in page and "Change the decision" not in page, url
        assert "Add an application" not in page and "Agree the shortlist</button>" not in page, url
    decision = _page(t.member, f"{base}/applications/{t.apps['A-001']}/decision")
    assert 'name="outcome"' not in decision and "Lena Lead, the shortlisting lead, records the decision" in decision


def test_the_recruitment_list_reads_a_fixed_number_of_queries(team):
    t = team

    def queries() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert t.lead.get("/recruitment").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    one = queries()
    for n in range(3):
        made = build_vacancy(
            db.session,
            t.lead_id,
            [t.member_id],
            [(f"B-{n}", "Some One", f"s{n}@example.com", False)],
            title=f"Post {n}",
        )
        give_scores(db.session, made.id, t.member_id)
    assert queries() == one


def _progress(
    status=VacancyStatus.SHORTLISTING,
    agreed=False,
    applications=3,
    submitted=(False, True),
    viewer_submitted=False,
    to_score=2,
    decided=0,
    flags=None,
) -> Progress:
    vacancy = SimpleNamespace(
        status=status,
        names_visible=agreed,
        closing_on=date(2026, 11, 1),
        shortlist_agreed_at=datetime(2026, 11, 20, tzinfo=timezone.utc) if agreed else None,
    )
    return Progress(
        vacancy=vacancy,
        applications=applications,
        criteria=29,
        panel=[("Lena Lead", submitted[0]), ("Max Member", submitted[1])],
        viewer_submitted=viewer_submitted,
        to_score=to_score,
        next_to_score=(1, "A-002") if to_score else None,
        decided=decided,
        next_undecided=(1, "A-001") if decided < applications else None,
        flags=flags,
        next_flag=(1, "A-001", 7, "AP.1") if flags else None,
        lead_name="Lena Lead",
        waiting=[n for n, done in [("Lena Lead", submitted[0]), ("Max Member", submitted[1])] if not done],
    )


def _rights(
    lead=True, score=True, sees=False, open_=True, status=VacancyStatus.SHORTLISTING, agreed=False
) -> VacancyRights:
    shortlisting = open_ and status == VacancyStatus.SHORTLISTING and not agreed
    return VacancyRights(
        lead=lead,
        panel=True,
        add_applications=lead,
        advance=lead,
        score=score and shortlisting,
        sees_scores=sees,
        moderate=lead and sees and shortlisting,
        decide=lead and sees and shortlisting,
        agree=lead and sees and shortlisting,
    )


@pytest.mark.parametrize(
    "progress, rights, kind, label",
    [
        (_progress(status=VacancyStatus.OPEN, applications=0), _rights(), "add_applications", "Add an application"),
        (
            _progress(status=VacancyStatus.OPEN),
            _rights(),
            "start_shortlisting",
            "Close applications and start shortlisting",
        ),
        (_progress(status=VacancyStatus.OPEN), _rights(lead=False), "wait_lead", None),
        (_progress(), _rights(), "score", "Score A-002"),
        (_progress(to_score=0), _rights(), "submit", "Submit your scores"),
        (
            _progress(submitted=(True, False), viewer_submitted=True),
            _rights(score=False, sees=True),
            "wait_panel",
            "See the panel's progress",
        ),
        (
            _progress(submitted=(True, True), viewer_submitted=True, flags=2),
            _rights(score=False, sees=True),
            "moderate",
            "Moderate AP.1 for A-001",
        ),
        (
            _progress(submitted=(True, True), viewer_submitted=True, flags=0),
            _rights(score=False, sees=True),
            "decide",
            "Record the decision for A-001",
        ),
        (
            _progress(submitted=(True, True), viewer_submitted=True, flags=None),
            _rights(score=False, sees=True),
            "decide",
            "Open the shortlist",
        ),
        (
            _progress(submitted=(True, True), viewer_submitted=True, flags=0, decided=3),
            _rights(score=False, sees=True),
            "agree",
            "Agree the shortlist",
        ),
        (
            _progress(submitted=(True, True), viewer_submitted=True, flags=0),
            _rights(lead=False, score=False, sees=True),
            "wait_lead",
            "See the shortlist",
        ),
        (
            _progress(submitted=(True, True), agreed=True, decided=3),
            _rights(score=False, sees=True, agreed=True),
            "move_to_interviews",
            "Move to interviews",
        ),
        (
            _progress(submitted=(True, True), agreed=True, decided=3),
            _rights(lead=False, score=False, sees=True, agreed=True),
            "interview",
            "Open the interview scoring sheet",
        ),
        (
            _progress(status=VacancyStatus.CLOSED, agreed=True),
            _rights(score=False, sees=True, status=VacancyStatus.CLOSED),
            "closed",
            "See the shortlist",
        ),
    ],
)
def test_the_next_step_for_each_part_and_stage(progress, rights, kind, label):
    step = recruitment_steps.next_step(progress, rights, date(2026, 11, 21))
    assert step.kind == kind
    assert (step.link.label if step.link else None) == label
    assert step.text
