"""Vacancies and applications: who sees them, blind shortlisting, references, the status machine,
portfolio sharing and the retention command."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from world import person, supervise

from competency_portal.extensions import db
from competency_portal.models import (
    Application,
    AuditEvent,
    Crosswalk,
    CrosswalkPair,
    Decision,
    EvidenceType,
    Framework,
    FrameworkVersion,
    Item,
    Moderation,
    Notification,
    Outcome,
    PanelMember,
    Role,
    Score,
    ShortlistDecision,
    Vacancy,
    VacancyStatus,
)
from competency_portal.services import evidence as evidence_service
from competency_portal.services import signoff, vacancies
from competency_portal.storage import LocalStorage
from tests.portal_helpers import Browser, body, diff, is_sign_in_redirect, snapshot
from tests.recruitment_helpers import CANDIDATES, add, browser, page, recruiters, spec_version, vacancy


@pytest.fixture
def setup(app, seeded):
    session = db.session
    lead, panel, outsider = recruiters(session)
    found = vacancy(session, lead, [panel])
    apps = [add(session, found, lead, n, e) for n, e in CANDIDATES]
    return {"lead": lead, "panel": panel, "outsider": outsider, "vacancy": found.id, "apps": [a.id for a in apps]}


def urls(s) -> list[str]:
    v = s["vacancy"]
    return [
        "/recruitment",
        "/recruitment/vacancies/new",
        f"/recruitment/vacancies/{v}",
        f"/recruitment/vacancies/{v}/applications/new",
        f"/recruitment/vacancies/{v}/applications/import",
    ] + [f"/recruitment/vacancies/{v}/applications/{a}" for a in s["apps"]]


# -- access -----------------------------------------------------------------------------


def test_a_recruiter_not_on_the_panel_gets_404_on_everything_about_the_vacancy(app, setup):
    outsider = browser(app, setup["outsider"])
    assert outsider.get("/recruitment").status_code == 200
    assert "Care Coordinator (Band 6)" not in body(outsider.get("/recruitment"))
    for url in urls(setup)[2:]:
        assert outsider.get(url).status_code == 404, url
    before = snapshot()
    response = outsider.post(
        f"/recruitment/vacancies/{setup['vacancy']}/advance", {"to": "shortlisting", "version": "1"}
    )
    assert response.status_code == 404
    assert not diff(before, snapshot())


def test_staff_supervisors_and_administrators_never_see_recruitment(app, setup):
    session = db.session
    staff = person(session, "Sam Staff")
    sup = person(session, "Sue Supervisor", roles=(Role.SUPERVISOR, Role.STAFF))
    admin = person(session, "Ada Admin", roles=(Role.ADMIN,), target_role=None)
    for user in (staff, sup, admin):
        b = browser(app, user)
        for url in urls(setup):
            assert b.get(url).status_code == 403, f"{user.name} {url}"
        assert "/recruitment" not in body(b.get("/dashboard")), "navigation offers recruitment"
    anonymous = Browser(app)
    for url in urls(setup):
        assert is_sign_in_redirect(anonymous.get(url), url), url


def test_the_lead_and_panel_see_the_vacancy_but_only_the_lead_changes_it(app, setup):
    lead, panel = browser(app, setup["lead"]), browser(app, setup["panel"])
    v = setup["vacancy"]
    assert 'href="/recruitment"' in body(lead.get("/dashboard")), "the navigation offers recruitment to recruiters"
    for b in (lead, panel):
        assert "Care Coordinator (Band 6)" in page(b, "/recruitment")
        page(b, f"/recruitment/vacancies/{v}")
        page(b, f"/recruitment/vacancies/{v}/applications/{setup['apps'][0]}")
    assert panel.get(f"/recruitment/vacancies/{v}/applications/new").status_code == 403
    assert panel.get(f"/recruitment/vacancies/{v}/applications/import").status_code == 403
    before = snapshot()
    assert panel.post(f"/recruitment/vacancies/{v}/advance", {"to": "shortlisting", "version": "1"}).status_code == 403
    assert (
        panel.post(
            f"/recruitment/vacancies/{v}/applications/new",
            {"candidate_name": "X", "email": "x@example.org", "supporting_statement": "S"},
        ).status_code
        == 403
    )
    assert not diff(before, snapshot())
    assert "Close applications and start shortlisting" not in page(panel, f"/recruitment/vacancies/{v}")
    assert "Close applications and start shortlisting" in page(lead, f"/recruitment/vacancies/{v}")


def test_an_application_of_another_vacancy_is_404(app, setup):
    session = db.session
    other = vacancy(session, setup["outsider"], [setup["panel"]], title="Another post")
    lead = browser(app, setup["lead"])
    assert lead.get(f"/recruitment/vacancies/{setup['vacancy']}/applications/999999").status_code == 404
    # The lead of the first vacancy cannot reach the second's applications through their own vacancy's URL.
    theirs = add(session, other, setup["outsider"], "Someone Else", "someone@example.org")
    assert lead.get(f"/recruitment/vacancies/{setup['vacancy']}/applications/{theirs.id}").status_code == 404
    assert lead.get(f"/recruitment/vacancies/{other.id}/applications/{theirs.id}").status_code == 404


# -- opening a vacancy ------------------------------------------------------------------


def _vacancy_form(spec_id, panel_ids, **over) -> dict:
    data = {
        "title": "Senior Care Coordinator",
        "band": "Band 7",
        "team_id": "",
        "closing_on-day": "31",
        "closing_on-month": "1",
        "closing_on-year": "2027",
        "spec_version_id": str(spec_id),
        "panel": [str(i) for i in panel_ids],
    }
    data.update(over)
    return data


def test_opening_a_vacancy_pins_the_specification_and_needs_two_shortlisters(app, seeded):
    session = db.session
    lead, panel, _ = recruiters(session)
    staff = person(session, "Sam Staff")
    spec = spec_version(session)
    b = browser(app, lead)
    form = page(b, "/recruitment/vacancies/new")
    assert spec.title in form and "Paul Panel" in form and "Sam Staff" not in form
    before = snapshot()
    alone = b.post("/recruitment/vacancies/new", _vacancy_form(spec.id, []))
    assert alone.status_code == 400 and "at least one other recruiter" in body(alone)
    not_recruiter = b.post("/recruitment/vacancies/new", _vacancy_form(spec.id, [staff.id]))
    assert not_recruiter.status_code == 400
    not_a_spec = session.scalar(select(FrameworkVersion.id).where(FrameworkVersion.kind != spec.kind).limit(1))
    assert b.post("/recruitment/vacancies/new", _vacancy_form(not_a_spec, [panel.id])).status_code == 400
    assert (
        b.post(
            "/recruitment/vacancies/new", _vacancy_form(spec.id, [panel.id], **{"closing_on-month": "13"})
        ).status_code
        == 400
    )
    assert not diff(before, snapshot())
    done = b.post("/recruitment/vacancies/new", _vacancy_form(spec.id, [panel.id]))
    assert done.status_code == 302
    made = session.scalar(select(Vacancy))
    assert made.spec_version_id == spec.id and made.lead_id == lead.id and made.status == VacancyStatus.OPEN
    assert made.closing_on == date(2027, 1, 31)
    assert {m.user_id for m in made.panel} == {lead.id, panel.id}
    record = session.scalar(select(AuditEvent).where(AuditEvent.action == "vacancy_created"))
    assert record.actor_id == lead.id and record.detail["panel"] == sorted([lead.id, panel.id])


# -- blind shortlisting -------------------------------------------------------------------


def _advance(b, v, to):
    version = db.session.get(Vacancy, v).lock_version
    db.session.rollback()
    return b.post(f"/recruitment/vacancies/{v}/advance", {"to": to, "version": str(version)})


def test_names_and_emails_never_reach_the_panel_before_the_shortlist_is_agreed(app, setup, tmp_path):
    lead, panel = browser(app, setup["lead"]), browser(app, setup["panel"])
    v = setup["vacancy"]
    # An import preview too (the lead's own upload) shows no name or email.
    csv = (
        "candidate name,email,supporting statement,internal,guaranteed interview\n"
        "Barnaby Fitzwilliam,barnaby.f@example.org,Statement,no,yes\n"
    ).encode()
    from io import BytesIO

    preview = lead.post(
        f"/recruitment/vacancies/{v}/applications/import",
        {"file": (BytesIO(csv), "a.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    pages = [body(preview)]
    for b in (lead, panel):
        for url in urls(setup):
            response = b.get(url)
            if response.status_code == 200:
                pages.append(body(response))
    assert len(pages) > 10
    for html in pages:
        for name, email in CANDIDATES + [("Barnaby Fitzwilliam", "barnaby.f@example.org")]:
            assert name not in html and email not in html
            assert name.split()[1] not in html
    assert "C-001" in pages[1] or any("C-001" in p for p in pages)
    # The audit trail, kept after anonymisation, holds no names either.
    for record in db.session.scalars(select(AuditEvent)):
        text = str(record.detail)
        assert not any(n in text or e in text for n, e in CANDIDATES)
    db.session.rollback()
    # Once the shortlist is agreed, the panel sees names.
    assert _advance(lead, v, "shortlisting").status_code == 302
    found = db.session.get(Vacancy, v)
    found.agree_shortlist(datetime.now(timezone.utc))
    db.session.commit()
    html = page(panel, f"/recruitment/vacancies/{v}")
    assert all(name in html for name, _ in CANDIDATES)
    assert CANDIDATES[0][1] in page(panel, f"/recruitment/vacancies/{v}/applications/{setup['apps'][0]}")


# -- references ---------------------------------------------------------------------------


def test_references_run_per_vacancy_and_a_candidate_applies_once(app, setup):
    session = db.session
    refs = session.scalars(
        select(Application.reference).where(Application.vacancy_id == setup["vacancy"]).order_by(Application.id)
    ).all()
    assert refs == ["C-001", "C-002", "C-003"]
    other = vacancy(session, setup["lead"], [setup["panel"]], title="Another post")
    assert add(session, other, setup["lead"], "New Person", "new@example.org").reference == "C-001"
    lead = browser(app, setup["lead"])
    v = setup["vacancy"]
    before = snapshot()
    again = lead.post(
        f"/recruitment/vacancies/{v}/applications/new",
        {"candidate_name": "Copy", "email": CANDIDATES[0][1].upper(), "supporting_statement": "Again"},
    )
    assert again.status_code == 400 and "already been added" in body(again)
    assert CANDIDATES[0][0] not in body(again)
    assert not diff(before, snapshot())
    criteria = vacancies.criteria(session, session.get(Vacancy, v).spec_version_id)
    ok = lead.post(
        f"/recruitment/vacancies/{v}/applications/new",
        {
            "candidate_name": "Dorothea Pemberton",
            "email": "dorothea@example.org",
            "supporting_statement": "Six years",
            "guaranteed_interview": "y",
            f"answer-{criteria[0].id}": "I did this",
            f"answer-{criteria[1].id}": "x" * 5001,
        },
    )
    assert ok.status_code == 400 and f"Enter an answer for {criteria[1].code}" in body(ok)
    ok = lead.post(
        f"/recruitment/vacancies/{v}/applications/new",
        {
            "candidate_name": "Dorothea Pemberton",
            "email": "dorothea@example.org",
            "supporting_statement": "Six years",
            "guaranteed_interview": "y",
            f"answer-{criteria[0].id}": "I did this",
        },
    )
    assert ok.status_code == 302
    made = session.scalar(select(Application).where(Application.email == "dorothea@example.org"))
    assert made.reference == "C-004" and made.guaranteed_interview and [a.text for a in made.answers] == ["I did this"]
    assert session.scalar(
        select(AuditEvent).where(AuditEvent.action == "application_added", AuditEvent.object_id == str(made.id))
    )
    refs = session.scalars(select(Application.reference).where(Application.vacancy_id == v)).all()
    assert len(refs) == len(set(refs)) == 4


# -- the status machine -------------------------------------------------------------------


def test_the_status_moves_one_step_at_a_time_and_only_with_an_agreed_shortlist_to_interviews(app, setup):
    lead = browser(app, setup["lead"])
    v = setup["vacancy"]

    def status():
        found = db.session.get(Vacancy, v).status
        db.session.rollback()
        return found

    for skip in ("interviewing", "closed", "open", "nonsense"):
        before = snapshot()
        response = _advance(lead, v, skip)
        assert response.status_code in (302, 400) and status() == VacancyStatus.OPEN, skip
        assert not diff(before, snapshot()), skip
    stale = lead.post(f"/recruitment/vacancies/{v}/advance", {"to": "shortlisting", "version": "0"})
    assert stale.status_code == 302 and status() == VacancyStatus.OPEN
    assert _advance(lead, v, "shortlisting").status_code == 302 and status() == VacancyStatus.SHORTLISTING
    assert _advance(lead, v, "interviewing").status_code == 302 and status() == VacancyStatus.SHORTLISTING
    assert "Agree the shortlist" in page(lead, f"/recruitment/vacancies/{v}")
    found = db.session.get(Vacancy, v)
    found.agree_shortlist(datetime.now(timezone.utc))
    db.session.commit()
    assert _advance(lead, v, "interviewing").status_code == 302 and status() == VacancyStatus.INTERVIEWING
    # No more applications once interviewing.
    assert lead.get(f"/recruitment/vacancies/{v}/applications/new").status_code == 409
    assert lead.get(f"/recruitment/vacancies/{v}/applications/import").status_code == 409
    assert _advance(lead, v, "closed").status_code == 302 and status() == VacancyStatus.CLOSED
    changes = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "vacancy_status_changed").order_by(AuditEvent.seq)
    ).all()
    assert [c["to"] for c in changes] == ["shortlisting", "interviewing", "closed"]


# -- portfolio sharing --------------------------------------------------------------------


def _criterion(session, code: str) -> Item:
    return session.scalar(select(Item).where(Item.version_id == spec_version(session).id, Item.code == code))


def _verified(session, tmp_path, owner, supervisor, item_ids):
    store = LocalStorage(tmp_path / "uploads")
    data = evidence_service.EvidenceInput(
        title="Carer risk review",
        evidence_type=EvidenceType.REFLECTIVE_ACCOUNT,
        activity_date=date(2025, 3, 3),
        description="What I did.",
        item_ids=item_ids,
        files=[],
    )
    ev = evidence_service.create(session, owner, data, store)
    evidence_service.submit(session, ev, owner, datetime.now(timezone.utc))
    session.flush()
    signoff.decide(
        session,
        ev,
        supervisor,
        Decision.SIGNED_OFF,
        {i: 2 for i in item_ids},
        {},
        "Good",
        ev.lock_version,
        datetime.now(timezone.utc),
    )
    session.commit()


def test_a_consenting_internal_candidates_verified_portfolio_appears_beside_the_criteria_never_as_a_score(
    app, setup, tmp_path
):
    session = db.session
    criterion = _criterion(session, "AP.1")
    crosswalked = _criterion(session, "AP.2")
    # The candidate works here, on the Leeds role, so their evidence can link to the criteria themselves.
    owner = person(session, "Imogen Internal", target_role="leeds-recovery-centre-care-coordinator")
    sup = person(session, "Sue Supervisor", roles=(Role.SUPERVISOR, Role.STAFF))
    supervise(session, sup, owner)
    _verified(session, tmp_path, owner, sup, [criterion.id])
    # A CPA item, linked to AP.2 by a crosswalk, is verified too (on someone else's target role).
    cpa = session.scalar(
        select(Item)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(
            Framework.slug == "cpa-care-coordinator-competencies",
            FrameworkVersion.revision == Framework.current_revision,
        )
        .order_by(Item.id)
        .limit(1)
    )
    walk = Crosswalk(slug="test-spec-to-cpa", revision=1, title="Test", document={}, content_hash="x" * 64)
    walk.pairs = [CrosswalkPair(item_a_id=crosswalked.id, item_b_id=cpa.id, note="Same competence")]
    session.add(walk)
    owner.target_role = "care-coordinator-band-6"
    session.commit()
    _verified(session, tmp_path, owner, sup, [cpa.id])

    lead = browser(app, setup["lead"])
    v = setup["vacancy"]
    # Consent without being internal is refused; internal with consent links the account by email.
    refused = lead.post(
        f"/recruitment/vacancies/{v}/applications/new",
        {
            "candidate_name": owner.name,
            "email": owner.email,
            "supporting_statement": "Internal move",
            "portfolio_consent": "y",
        },
    )
    assert refused.status_code == 400
    response = lead.post(
        f"/recruitment/vacancies/{v}/applications/new",
        {
            "candidate_name": owner.name,
            "email": owner.email.upper(),
            "supporting_statement": "Internal move",
            "internal": "y",
            "portfolio_consent": "y",
        },
    )
    assert response.status_code == 302
    shared = session.scalar(select(Application).where(Application.candidate_name == owner.name))
    # The recruiter's tick only asks: nothing is shared until the candidate agrees, signed in as themself.
    assert shared.internal_user_id == owner.id and not shared.portfolio_consent
    panel = browser(app, setup["panel"])
    assert "From their verified portfolio" not in page(panel, f"/recruitment/vacancies/{v}/applications/{shared.id}")
    asked = session.scalar(
        select(Notification).where(Notification.user_id == owner.id).order_by(Notification.id.desc()).limit(1)
    )
    assert "asks to see your verified portfolio" in asked.message
    assert (asked.target, asked.target_id) == ("sharing", None)
    candidate = browser(app, owner)
    assert "Waiting for your answer" in page(candidate, "/portfolio/sharing")
    agreed = candidate.post(f"/portfolio/sharing/{shared.id}", {"choice": "share"})
    assert agreed.status_code == 302
    session.refresh(shared)
    assert shared.portfolio_consent
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "portfolio_shared")).actor_id == owner.id
    not_shared = add(
        session, session.get(Vacancy, v), setup["lead"], "Ivor Internal", "ivor@example.org", internal=True
    )

    # A score recorded before, to prove reading the portfolio never touches scores.
    session.add(
        Score(application_id=shared.id, item_id=criterion.id, scorer_id=setup["panel"].id, value=1, reason="Partly")
    )
    session.commit()
    scores_before = [tuple(r) for r in session.execute(select(Score.id, Score.value, Score.reason)).all()]
    session.rollback()
    before = snapshot()
    html = page(panel, f"/recruitment/vacancies/{v}/applications/{shared.id}")
    assert "From their verified portfolio" in html
    section = html.split('data-criterion="AP.1"')[1].split("</div>")[0]
    assert "AP.1" in section and "verified" in section
    section2 = html.split('data-criterion="AP.2"')[1].split("</div>")[0]
    assert cpa.code in section2 and "crosswalk" in section2
    assert owner.name not in html and owner.email not in html, "sharing must not reveal who the candidate is"
    assert "score" not in section.lower() and "score" not in section2.lower()
    other = page(panel, f"/recruitment/vacancies/{v}/applications/{not_shared.id}")
    assert "From their verified portfolio" not in other
    assert not diff(before, snapshot())
    assert [tuple(r) for r in session.execute(select(Score.id, Score.value, Score.reason)).all()] == scores_before


def test_consent_needs_a_portal_account(app, setup):
    lead = browser(app, setup["lead"])
    before = snapshot()
    response = lead.post(
        f"/recruitment/vacancies/{setup['vacancy']}/applications/new",
        {
            "candidate_name": "Nora Nobody",
            "email": "nora@example.org",
            "supporting_statement": "S",
            "internal": "y",
            "portfolio_consent": "y",
        },
    )
    assert response.status_code == 400 and "active portal account" in body(response)
    assert not diff(before, snapshot())


# -- retention ----------------------------------------------------------------------------


def _full_record(session, application, item_id, lead, panel):
    session.add_all(
        [
            Score(application_id=application.id, item_id=item_id, scorer_id=lead.id, value=3, reason="Strong example"),
            Score(application_id=application.id, item_id=item_id, scorer_id=panel.id, value=1, reason="Thin"),
            Moderation(
                application_id=application.id,
                item_id=item_id,
                value=2,
                reason="Agreed after discussion",
                moderated_by_id=lead.id,
            ),
            ShortlistDecision(
                application_id=application.id,
                outcome=Outcome.SHORTLIST,
                reason="Meets all essentials",
                decided_by_id=lead.id,
            ),
        ]
    )
    session.commit()


def test_the_retention_command_anonymises_only_old_closed_vacancies_and_keeps_the_record(app, runner, seeded, tmp_path):
    session = db.session
    lead, panel, _ = recruiters(session)
    internal = person(session, "Imogen Internal")
    item = _criterion(session, "AP.1")
    long_ago = date.today() - timedelta(days=800)

    def made(title, status, through_portal):
        v = vacancy(session, lead, [panel], title=title)
        v.closing_on = long_ago
        session.commit()
        consent = {"internal": True, "portfolio_consent": True} if title == "Old" else {}
        a = add(
            session,
            v,
            lead,
            f"{title} Candidate",
            f"{title.lower()}@example.org",
            answers={item.id: "Answer text"},
            **consent,
        )
        if status != VacancyStatus.OPEN:
            if through_portal:
                for step in (VacancyStatus.SHORTLISTING, VacancyStatus.INTERVIEWING, VacancyStatus.CLOSED):
                    if step == VacancyStatus.INTERVIEWING:
                        v.agree_shortlist(datetime.now(timezone.utc))
                    vacancies.advance(session, v, lead, step, v.lock_version)
            else:
                v.status = VacancyStatus.CLOSED  # closed outside the portal: no recorded date
            session.commit()
        _full_record(session, a, item.id, lead, panel)
        return v.id, a.id

    internal.email = "old@example.org"  # the old candidate is internal and shared their portfolio
    session.commit()
    old = made("Old", VacancyStatus.CLOSED, False)
    recent = made("Recent", VacancyStatus.CLOSED, True)
    still_open = made("Open", VacancyStatus.OPEN, False)
    assert session.get(Application, old[1]).internal_user_id == internal.id
    kept = {
        t: [tuple(r) for r in session.execute(select(t)).all()]
        for t in (Score.__table__, Moderation.__table__, ShortlistDecision.__table__)
    }
    session.rollback()

    result = runner.invoke(args=["recruitment", "purge", "--older-than-days", "365"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 1 application in 1 vacancy closed" in result.output
    a = session.get(Application, old[1])
    assert (a.candidate_name, a.email, a.supporting_statement, a.internal_user_id, a.portfolio_consent) == (
        "Anonymised",
        "",
        "",
        None,
        False,
    )
    assert a.anonymised_at is not None and a.answers == [] and a.reference == "C-001"
    for _vid, aid in (recent, still_open):
        other = session.get(Application, aid)
        assert other.anonymised_at is None and other.candidate_name.endswith("Candidate") and other.answers
    assert {t: [tuple(r) for r in session.execute(select(t)).all()] for t in kept} == kept, (
        "scores, moderations and decisions are kept"
    )
    record = session.scalar(select(AuditEvent).where(AuditEvent.action == "applications_anonymised"))
    assert record.object_id == str(old[0]) and record.detail["applications"] == 1
    session.rollback()

    # Idempotent: again changes nothing at all.
    before = snapshot()
    again = runner.invoke(args=["recruitment", "purge", "--older-than-days", "365"])
    assert again.exit_code == 0 and "Anonymised 0 applications" in again.output
    assert not diff(before, snapshot())

    # The recently closed vacancy (closed today, by the audit trail) goes once its time has passed;
    # the default period comes from the configuration.
    app.config["PORTAL_NOW"] = datetime.now(timezone.utc) + timedelta(days=400)
    try:
        assert app.config["RECRUITMENT_RETENTION_DAYS"] == 365
        result = runner.invoke(args=["recruitment", "purge"])
    finally:
        app.config["PORTAL_NOW"] = None
    assert result.exit_code == 0 and "Anonymised 1 application in" in result.output
    assert session.get(Application, recent[1]).anonymised_at is not None
    assert session.get(Application, still_open[1]).anonymised_at is None
    assert {t: [tuple(r) for r in session.execute(select(t)).all()] for t in kept} == kept


def test_an_anonymised_application_shows_no_candidate_data(app, setup):
    session = db.session
    found = session.get(Vacancy, setup["vacancy"])
    found.status = VacancyStatus.CLOSED
    found.shortlist_agreed_at = datetime.now(timezone.utc)
    found.closing_on = date(2000, 1, 1)
    session.commit()
    vacancies.purge(session, datetime.now(timezone.utc), 30)
    session.commit()
    html = page(
        browser(app, setup["panel"]), f"/recruitment/vacancies/{setup['vacancy']}/applications/{setup['apps'][0]}"
    )
    assert "Anonymised" in html and CANDIDATES[0][0] not in html and CANDIDATES[0][1] not in html
    assert session.scalar(select(func.count()).select_from(PanelMember)) == 2
