"""Appraisal (PDR): proposals from the gaps, agreeing, reopening, progress, signing over one digest,
read-only once signed, who may act, the PDR pack as PDF, the team matrix as XLSX, and bad input."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from world import NOW, PASSWORD, person, supervise

from competency_portal import policy
from competency_portal.clock import add_months
from competency_portal.extensions import db
from competency_portal.models import (
    Appraisal,
    AppraisalState,
    AuditEvent,
    Notification,
    Objective,
    ObjectiveStatus,
    ProgressNote,
)
from competency_portal.readiness import data
from competency_portal.services import appraisal as service
from competency_portal.services import appraisal_objectives as objectives
from competency_portal.services import appraisal_queries as queries
from competency_portal.services import appraisal_rules as rules
from tests.portal_helpers import Browser, assert_no_crash, diff, snapshot

YEAR = "2026/27"


@pytest.fixture
def people(app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    staff = person(seeded, "Robin Staff")
    boss = person(seeded, "Kim Supervisor", roles={"supervisor", "staff"})
    stranger = person(seeded, "Sam Stranger", roles={"supervisor", "staff"})
    admin = person(seeded, "Ada Admin", roles={"admin"}, target_role=None)
    supervise(seeded, boss, staff)
    return staff, boss, stranger, admin


def _start(people_, year=YEAR) -> Appraisal:
    staff, boss, *_ = people_
    appraisal = service.start(db.session, staff, boss, year, boss, NOW.date())
    db.session.commit()
    return appraisal


def _agreed(people_) -> Appraisal:
    staff, boss, *_ = people_
    a = _start(people_)
    service.agree(db.session, a, staff, a.lock_version, NOW)
    service.agree(db.session, a, boss, a.lock_version, NOW)
    db.session.commit()
    return a


def _actions(appraisal_id) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "appraisal", AuditEvent.object_id == str(appraisal_id))
            .order_by(AuditEvent.seq)
        )
    )


# -- service rules ------------------------------------------------------------------------


def test_starting_proposes_up_to_five_objectives_from_the_largest_gaps_by_domain(people):
    staff = people[0]
    a = _start(people)
    result = data.readiness_for(db.session, [staff], NOW.date())[staff.id]
    gaps = result.gaps()[: rules.GAPS_CONSIDERED]
    domains = list(dict.fromkeys(g.required.domain for g in gaps))
    assert 1 <= len(a.objectives) <= 5
    assert [o.title for o in a.objectives] == [f"Develop {d} to target" for d in domains[:5]]
    ids = queries.role_item_ids(db.session, staff.target_role)
    for objective, domain in zip(a.objectives, domains[:5], strict=True):
        expected = [ids[g.required.key] for g in gaps if g.required.domain == domain]
        assert objective.item_ids == expected and expected
        for g in (g for g in gaps if g.required.domain == domain):
            assert g.required.code in objective.description
        assert objective.due_on == add_months(NOW.date(), 6)
        assert objective.status == ObjectiveStatus.NOT_STARTED
    assert a.state == AppraisalState.DRAFT and a.appraiser_id == people[1].id
    assert _actions(a.id) == ["appraisal_started"]


def test_one_appraisal_per_person_and_year_and_the_year_must_make_sense(people):
    staff, boss, *_ = people
    _start(people)
    with pytest.raises(rules.AppraisalError, match="Robin Staff already has an appraisal for 2026/27"):
        service.start(db.session, staff, boss, YEAR, boss, NOW.date())
    db.session.rollback()
    for bad in ("2026/28", "2026-27", "26/27", "", "2026/27x"):
        with pytest.raises(rules.AppraisalError, match="for example 2026/27"):
            service.start(db.session, staff, boss, bad, boss, NOW.date())
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Appraisal)) == 1


def test_only_the_supervisor_or_an_administrator_starts_one(people):
    staff, boss, stranger, admin = people
    for actor in (staff, stranger):
        with pytest.raises(rules.AppraisalError, match="supervisor or an administrator"):
            service.start(db.session, staff, actor, YEAR, actor, NOW.date())
        db.session.rollback()
    a = service.start(db.session, staff, stranger, YEAR, admin, NOW.date())  # an administrator chooses the appraiser
    assert a.appraiser_id == stranger.id


def test_both_sides_agree_before_the_objectives_are_agreed(people):
    staff, boss, *_ = people
    a = _start(people)
    service.agree(db.session, a, staff, a.lock_version, NOW)
    db.session.commit()
    assert a.state == AppraisalState.DRAFT and a.agreed_by_person_at and not a.agreed_by_appraiser_at
    with pytest.raises(rules.AppraisalError, match="already agreed"):
        service.agree(db.session, a, staff, a.lock_version, NOW)
    db.session.rollback()
    service.agree(db.session, a, boss, a.lock_version, NOW)
    db.session.commit()
    assert a.state == AppraisalState.AGREED
    assert _actions(a.id) == ["appraisal_started", "objectives_agreed", "objectives_agreed"]


def test_editing_agreed_objectives_reopens_them(people):
    staff, boss, *_ = people
    a = _agreed(people)
    objective = a.objectives[0]
    reopened = objectives.edit_objective(
        db.session,
        a,
        objective,
        staff,
        a.lock_version,
        title="A sharper objective",
        description=objective.description,
        due_on=objective.due_on,
        item_ids=objective.item_ids,
    )
    db.session.commit()
    assert reopened and a.state == AppraisalState.DRAFT
    assert a.agreed_by_person_at is None and a.agreed_by_appraiser_at is None
    assert _actions(a.id)[-2:] == ["appraisal_reopened", "objective_changed"]
    # Adding and removing reopen too.
    service.agree(db.session, a, staff, a.lock_version, NOW)
    service.agree(db.session, a, boss, a.lock_version, NOW)
    _, reopened = objectives.add_objective(
        db.session,
        a,
        boss,
        a.lock_version,
        title="Lead a team huddle",
        description=None,
        due_on=NOW.date(),
        item_ids=[],
    )
    assert reopened and a.state == AppraisalState.DRAFT


def test_progress_and_status_once_agreed(people):
    staff, boss, *_ = people
    a = _start(people)
    objective = a.objectives[0]
    with pytest.raises(rules.AppraisalError, match="once both of you have agreed"):
        objectives.record_progress(
            db.session, a, objective, staff, a.lock_version, note="Started", status=ObjectiveStatus.IN_PROGRESS
        )
    db.session.rollback()
    a = _agreed_from(a, people)
    objectives.record_progress(
        db.session,
        a,
        objective,
        staff,
        a.lock_version,
        note="Shadowed two risk reviews",
        status=ObjectiveStatus.IN_PROGRESS,
    )
    db.session.commit()
    assert objective.status == ObjectiveStatus.IN_PROGRESS and [p.note for p in objective.progress] == [
        "Shadowed two risk reviews"
    ]
    assert a.state == AppraisalState.AGREED  # progress does not reopen the objectives
    with pytest.raises(rules.AppraisalError, match="Write a progress note or change the status"):
        objectives.record_progress(
            db.session, a, objective, staff, a.lock_version, note="  ", status=ObjectiveStatus.IN_PROGRESS
        )


def _agreed_from(a, people_):
    staff, boss, *_ = people_
    service.agree(db.session, a, staff, a.lock_version, NOW)
    service.agree(db.session, a, boss, a.lock_version, NOW)
    db.session.commit()
    return a


def test_a_changed_review_refuses_the_second_signature_until_the_first_signs_again(people):
    staff, boss, *_ = people
    a = _agreed(people)
    with pytest.raises(rules.AppraisalError, match="summary"):
        service.sign(db.session, a, staff, a.lock_version, NOW)  # nothing to sign yet
    db.session.rollback()
    service.write_summary(db.session, a, boss, a.lock_version, "A good year.")
    service.sign(db.session, a, staff, a.lock_version, NOW)
    db.session.commit()
    first = a.signed_digest
    assert first == rules.digest(a) and a.signed_by_person_at and a.state == AppraisalState.AGREED
    service.write_summary(db.session, a, boss, a.lock_version, "A good year, with one objective carried over.")
    db.session.commit()
    assert rules.signature_stale(a)
    with pytest.raises(rules.AppraisalError, match="changed since Robin Staff signed it"):
        service.sign(db.session, a, boss, a.lock_version, NOW)
    db.session.rollback()
    assert a.signed_by_appraiser_at is None and a.signed_digest == first
    service.sign(db.session, a, staff, a.lock_version, NOW)  # the person signs the words as they now are
    service.sign(db.session, a, boss, a.lock_version, NOW)
    db.session.commit()
    assert a.state == AppraisalState.SIGNED and a.signed_digest == rules.digest(a) != first
    assert "signature_replaced" in _actions(a.id) and _actions(a.id)[-1] == "appraisal_signed"


def _signed(people_) -> Appraisal:
    staff, boss, *_ = people_
    a = _agreed(people_)
    service.write_summary(db.session, a, boss, a.lock_version, "Done.")
    service.sign(db.session, a, staff, a.lock_version, NOW)
    service.sign(db.session, a, boss, a.lock_version, NOW)
    db.session.commit()
    return a


def test_a_signed_review_is_read_only(people):
    staff, boss, *_ = people
    a = _signed(people)
    o = a.objectives[0]
    attempts = [
        lambda: objectives.edit_objective(
            db.session, a, o, staff, a.lock_version, title="x", description=None, due_on=None, item_ids=[]
        ),
        lambda: objectives.add_objective(
            db.session, a, boss, a.lock_version, title="x", description=None, due_on=None, item_ids=[]
        ),
        lambda: objectives.remove_objective(db.session, a, o, boss, a.lock_version),
        lambda: objectives.record_progress(
            db.session, a, o, staff, a.lock_version, note="late", status=ObjectiveStatus.ACHIEVED
        ),
        lambda: service.write_summary(db.session, a, boss, a.lock_version, "Rewritten"),
        lambda: service.sign(db.session, a, boss, a.lock_version, NOW),
        lambda: service.agree(db.session, a, boss, a.lock_version, NOW),
    ]
    for attempt in attempts:
        with pytest.raises(rules.AppraisalError, match="signed by both of you"):
            attempt()
        db.session.rollback()
    assert a.state == AppraisalState.SIGNED and a.summary == "Done."


def test_nobody_else_takes_part(people):
    staff, boss, stranger, admin = people
    a = _start(people)
    for outsider in (stranger, admin):
        with pytest.raises(rules.AppraisalError, match="Only the person and their appraiser"):
            service.agree(db.session, a, outsider, a.lock_version, NOW)
        db.session.rollback()
    assert policy.can_view_appraisal(admin, a) and not policy.can_view_appraisal(stranger, a)
    with pytest.raises(rules.AppraisalError, match="The appraiser writes"):
        _agreed_from(a, people)
        service.write_summary(db.session, a, staff, a.lock_version, "I did well.")


def test_a_stale_version_is_refused(people):
    staff, boss, *_ = people
    a = _start(people)
    seen = a.lock_version
    objectives.edit_objective(
        db.session, a, a.objectives[0], boss, seen, title="Boss's wording", description=None, due_on=None, item_ids=[]
    )
    db.session.commit()
    assert a.lock_version != seen  # a change to an objective moves the appraisal's version
    with pytest.raises(rules.AppraisalConflict, match="changed by someone else"):
        service.agree(db.session, a, staff, seen, NOW)


# -- pages --------------------------------------------------------------------------------


def _browser(app, user) -> Browser:
    browser = Browser(app, user.name)
    browser.sign_in(user.email, PASSWORD)
    return browser


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_review_page_shows_objectives_items_and_the_gap_analysis(app, people):
    staff, boss, stranger, admin = people
    a = _start(people)
    page = _browser(app, staff).get(f"/appraisals/{a.id}")
    text = _text(page)
    assert page.status_code == 200
    assert a.objectives[0].title in text and "Agree objectives" in text
    assert 'id="figure-domains"' in text and 'id="figure-gaps"' in text and "Top 10 gaps" in text
    first_item = queries.item_keys(db.session, {a.objectives[0].item_ids[0]})[a.objectives[0].item_ids[0]][1]
    assert first_item.code in text and ("Gap" in text or "Claimed, not verified" in text)
    for who, status in ((boss, 200), (admin, 200), (stranger, 404)):
        assert _browser(app, who).get(f"/appraisals/{a.id}").status_code == status, who.name
    assert _browser(app, stranger).post(f"/appraisals/{a.id}/pdr-pack", {}).status_code == 404


def test_start_page_makes_the_appraisal_and_a_second_start_explains(app, people):
    staff, boss, *_ = people
    browser = _browser(app, boss)
    assert browser.get(f"/people/{staff.id}/appraisal/new").status_code == 200
    made = browser.post(f"/people/{staff.id}/appraisal/new", {"year": YEAR})
    assert made.status_code == 302
    again = browser.post(f"/people/{staff.id}/appraisal/new", {"year": YEAR})
    assert again.status_code == 400 and "already has an appraisal for 2026/27" in _text(again)
    bad = browser.post(f"/people/{staff.id}/appraisal/new", {"year": "next year"})
    assert bad.status_code == 400 and "for example 2026/27" in _text(bad)
    assert db.session.scalar(select(func.count()).select_from(Appraisal)) == 1


def _objective_form(version, **overrides):
    form = {
        "title": "Lead a carers' assessment",
        "description": "With support",
        "due_on-day": "1",
        "due_on-month": "6",
        "due_on-year": "2027",
        "version": str(version),
    }
    form.update(overrides)
    return form


def test_bad_input_gets_a_clear_message_and_changes_nothing(app, people):
    staff, boss, stranger, _ = people
    a = _start(people)
    theirs = service.start(db.session, stranger, boss, YEAR, _admin(people), NOW.date())  # someone else's appraisal
    db.session.commit()
    browser = _browser(app, staff)
    v = a.lock_version
    cases = [
        (
            "title over 200",
            f"/appraisals/{a.id}/objectives/new",
            _objective_form(v, title="x" * 201),
            400,
            "200 characters or fewer",
        ),
        ("no title", f"/appraisals/{a.id}/objectives/new", _objective_form(v, title=" "), 400, "Enter a title"),
        (
            "31 February",
            f"/appraisals/{a.id}/objectives/new",
            _objective_form(v, **{"due_on-day": "31", "due_on-month": "2"}),
            400,
            "must be a real date",
        ),
        (
            "letters in the date",
            f"/appraisals/{a.id}/objectives/new",
            _objective_form(v, **{"due_on-day": "first"}),
            400,
            "must be numbers",
        ),
        (
            "an item not offered",
            f"/appraisals/{a.id}/objectives/new",
            _objective_form(v, items=["999999"]),
            400,
            "Choose items from the list",
        ),
        (
            "an item that is not a number",
            f"/appraisals/{a.id}/objectives/new",
            _objective_form(v, items=["abc"]),
            400,
            None,
        ),
        (
            "another person's appraisal",
            f"/appraisals/{theirs.id}/objectives/new",
            _objective_form(theirs.lock_version),
            404,
            None,
        ),
        (
            "another appraisal's objective",
            f"/appraisals/{a.id}/objectives/{theirs.objectives[0].id}",
            _objective_form(v),
            404,
            None,
        ),
        ("agree someone else's", f"/appraisals/{theirs.id}/agree", {"version": str(theirs.lock_version)}, 404, None),
        ("a stale version", f"/appraisals/{a.id}/objectives/{a.objectives[0].id}", _objective_form(v - 1), 302, None),
        ("an unreadable version", f"/appraisals/{a.id}/agree", {"version": "99999999999999999999"}, 302, None),
        ("a huge id", "/appraisals/99999999999/agree", {"version": "1"}, 404, None),
        (
            "an over-long note",
            f"/appraisals/{a.id}/objectives/{a.objectives[0].id}/progress",
            {"status": "in_progress", "note": "n" * 5001, "version": str(v)},
            302,
            None,
        ),  # not agreed yet: sent back with the reason
    ]
    problems = []
    for label, url, form, status, message in cases:
        before = snapshot()
        response = browser.post(url, form)
        assert_no_crash(response, label)
        text = _text(response)
        if response.status_code != status:
            problems.append(f"{label}: {response.status_code}, expected {status}")
        if message and message not in text:
            problems.append(f"{label}: no message {message!r}")
        if status == 400 and "There is a problem" not in text:
            problems.append(f"{label}: no error summary")
        if diff(before, snapshot()):
            problems.append(f"{label}: changed {diff(before, snapshot())}")
    assert not problems, "\n".join(problems)
    token = browser.token()  # fetching a token shows a page, which would show (and use up) the message
    stale = browser.post(f"/appraisals/{a.id}/agree", {"version": str(v - 1)}, csrf=token)
    assert stale.status_code == 302 and stale.headers["Location"].endswith(f"/appraisals/{a.id}")
    assert "changed by someone else" in _text(browser.get(f"/appraisals/{a.id}"))


def _admin(people_):
    return people_[3]


def test_an_over_long_progress_note_is_refused_once_agreed(app, people):
    staff = people[0]
    a = _agreed(people)
    url = f"/appraisals/{a.id}/objectives/{a.objectives[0].id}/progress"
    browser = _browser(app, staff)
    before = snapshot()
    response = browser.post(url, {"status": "in_progress", "note": "n" * 5001, "version": str(a.lock_version)})
    assert response.status_code == 400 and "5,000 characters or fewer" in _text(response)
    assert not diff(before, snapshot())


def test_the_whole_cycle_through_the_pages(app, people):
    staff, boss, *_ = people
    me, them = _browser(app, staff), _browser(app, boss)
    assert them.post(f"/people/{staff.id}/appraisal/new", {"year": YEAR}).status_code == 302
    a = db.session.scalar(select(Appraisal))
    aid = a.id

    def version():
        db.session.expire_all()
        value = db.session.get(Appraisal, aid).lock_version
        db.session.rollback()
        return str(value)

    assert me.post(f"/appraisals/{aid}/agree", {"version": version()}).status_code == 302
    assert them.post(f"/appraisals/{aid}/agree", {"version": version()}).status_code == 302
    objective_id = db.session.scalar(
        select(Objective.id).where(Objective.appraisal_id == aid).order_by(Objective.position)
    )
    assert (
        me.post(
            f"/appraisals/{aid}/objectives/{objective_id}/progress",
            {"status": "achieved", "note": "Completed the risk module", "version": version()},
        ).status_code
        == 302
    )
    assert me.get(f"/appraisals/{aid}/summary").status_code == 403  # the appraiser writes it
    assert them.post(f"/appraisals/{aid}/summary", {"summary": "Strong year.", "version": version()}).status_code == 302
    assert me.post(f"/appraisals/{aid}/sign", {"version": version()}).status_code == 302
    assert them.post(f"/appraisals/{aid}/sign", {"version": version()}).status_code == 302
    db.session.expire_all()
    a = db.session.get(Appraisal, aid)
    assert a.state == AppraisalState.SIGNED and a.objectives[0].status == ObjectiveStatus.ACHIEVED
    assert db.session.scalar(select(func.count()).select_from(ProgressNote)) == 1
    db.session.rollback()
    # Signed: the pages say so and change nothing.
    before = snapshot()
    edit = me.get(f"/appraisals/{aid}/objectives/{objective_id}")
    assert edit.status_code == 302
    assert "can no longer be changed" in _text(me.get(f"/appraisals/{aid}"))
    assert me.post(f"/appraisals/{aid}/objectives/{objective_id}/remove", {"version": version()}).status_code == 302
    assert not diff(before, snapshot())


# -- the PDR pack and the team matrix ------------------------------------------------------


def test_the_pdr_pack_is_a_pdf_with_the_person_charts_and_escaped_objectives(app, people):
    staff, boss, *_ = people
    a = _start(people)
    tricky = "Lead <b>& review</b> a <para> crisis plan"
    objectives.add_objective(
        db.session,
        a,
        boss,
        a.lock_version,
        title=tricky,
        description="Notes with <i>markup</i> & more",
        due_on=NOW.date() + timedelta(days=90),
        item_ids=[],
    )
    db.session.commit()
    browser = _browser(app, staff)
    asked = browser.post(f"/appraisals/{a.id}/pdr-pack", {})
    assert asked.status_code == 302  # a background job makes it; its page offers the download
    page = _text(browser.get(asked.headers["Location"]))
    assert "The PDR pack is ready" in page and "Back to the appraisal" in page
    response = browser.get(asked.headers["Location"] + "/file")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "PDR pack: Robin Staff" in text and "Kim Supervisor" in text
    assert tricky in text and "Notes with <i>markup</i> & more" in text
    for objective in a.objectives[:-1]:
        assert objective.title in text
    assert "Top 10 gaps" in text and "Average verified" in text  # the gap analysis and the domain chart's legend
    assert "not yet signed" in text


def test_the_team_matrix_is_an_xlsx_with_one_row_per_supervisee(app, people):
    staff, boss, *_ = people
    risky = person(db.session, "=HYPERLINK(1) Person")
    supervise(db.session, boss, risky)
    response = _browser(app, boss).get("/team/matrix.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    matrix, items = book["Team by domain"], book["Items"]
    rows = list(matrix.iter_rows(values_only=True))
    assert rows[0][:6] == (
        "Person",
        "Target role",
        "Readiness (% of required items met)",
        "Items met",
        "Items required",
        "Lapsing within 90 days",
    )
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(1) Person", "Robin Staff"]  # by name; the formula is defused
    assert rows[2][1] == "Care Coordinator (Band 6)" and rows[2][3] == 0 and rows[2][4] == 64
    result = data.readiness_for(db.session, [staff], NOW.date())[staff.id]
    assert len(rows[0]) == 6 + len(result.domains)
    item_rows = list(items.iter_rows(values_only=True))[1:]
    assert len(item_rows) == 2 * 64 and {r[0] for r in item_rows} == {"Robin Staff", "'=HYPERLINK(1) Person"}
    assert all(not isinstance(c.value, str) or not c.value.startswith("=") for row in matrix.iter_rows() for c in row)
    assert _browser(app, staff).get("/team/matrix.xlsx").status_code == 403


def test_the_person_is_told_and_the_notification_opens_the_review(app, people):
    staff, boss, *_ = people
    a = _start(people)
    note = db.session.scalar(select(Notification).where(Notification.user_id == staff.id))
    assert (note.target, note.target_id) == ("appraisal", a.id) and "started the" in note.message
    page = _text(_browser(app, staff).get("/notifications"))
    assert f'href="/appraisals/{a.id}"' in page
