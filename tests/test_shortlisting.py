"""Shortlisting a vacancy on the seed 004 person specification: scores, independence, anonymity,
moderation (and two leads moderating at once), essentials, ties, decisions, exports and the audit trail."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook
from permission_rules_recruitment_shortlisting import application_criteria, build_vacancy, give_scores, recruiter
from pypdf import PdfReader
from sqlalchemy import event, func, select

from competency_portal.extensions import db
from competency_portal.models import (
    Application,
    AuditEvent,
    Moderation,
    Outcome,
    PanelMember,
    Score,
    ShortlistDecision,
    User,
    Vacancy,
)
from competency_portal.services import audit, panel_scores, shortlist_board, shortlisting
from competency_portal.services.shortlisting import Conflict, ShortlistingError
from competency_portal.shortlisting.report import export_rows
from tests.portal_helpers import Browser, assert_no_crash, body, diff, location, snapshot

NOW = datetime(2026, 11, 21, 9, tzinfo=timezone.utc)
NAMES = {
    "A-001": ("Alice Applicant", "alice.applicant@example.com", False),
    "A-002": ("Bob Bidder", "bob.bidder@example.com", True),
    "A-003": ("Cara Contender", "cara.contender@example.com", False),
}


@dataclass
class Panel:
    vacancy: int
    lead: int
    member: int
    outsider: int
    apps: dict[str, int]  # reference -> application id
    criteria: list  # SpecCriterion, assessed at application
    emails: dict[str, str]

    @property
    def essential(self):
        return [c for c in self.criteria if c.essential]

    @property
    def desirable(self):
        return [c for c in self.criteria if not c.essential]


@pytest.fixture
def panel(app, seeded, monkeypatch) -> Panel:
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    lead, member, outsider = (
        recruiter(seeded, "Lena Lead"),
        recruiter(seeded, "Max Member"),
        recruiter(seeded, "Olive Outsider"),
    )
    vacancy = build_vacancy(seeded, lead.id, [member.id], [(ref, *data) for ref, data in NAMES.items()])
    apps = dict(
        seeded.execute(select(Application.reference, Application.id).where(Application.vacancy_id == vacancy.id)).all()
    )
    return Panel(
        vacancy.id,
        lead.id,
        member.id,
        outsider.id,
        apps,
        application_criteria(seeded),
        {"lead": lead.email, "member": member.email, "outsider": outsider.email},
    )


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _vacancy(p: Panel) -> Vacancy:
    return db.session.get(Vacancy, p.vacancy)


def _app(p: Panel, ref: str) -> Application:
    return db.session.get(Application, p.apps[ref])


def _board(p: Panel):
    db.session.expire_all()
    return shortlist_board.load(db.session, _vacancy(p))


def _as(app, p: Panel, who: str) -> Browser:
    browser = Browser(app, who)
    browser.sign_in(p.emails[who])
    return browser


def sheet(
    p: Panel, values: dict[int, int] | None = None, default: int | None = 2, reason: str = "Clear in the statement"
) -> dict:
    """A score-sheet form: every application criterion `default` (or `values`), each with a reason."""
    data = {}
    for c in p.criteria:
        v = (values or {}).get(c.item_id, default)
        data[f"score-{c.item_id}"] = "" if v is None else str(v)
        data[f"reason-{c.item_id}"] = "" if v is None else f"{reason} ({c.code})"
    return data


def _entries(p: Panel, values: dict[int, int] | None = None, default: int = 2, reason: str = "Clear") -> dict:
    return {c.item_id: ((values or {}).get(c.item_id, default), f"{reason} {c.code}") for c in p.criteria}


def _score_all(p: Panel, scorer: int, per_app: dict[str, dict[int, int]] | None = None, submit: bool = True) -> None:
    for ref in NAMES:
        panel_scores.save_scores(
            db.session, _vacancy(p), _user(scorer), _app(p, ref), _entries(p, (per_app or {}).get(ref)), NOW
        )
    if submit:
        panel_scores.submit_scores(db.session, _vacancy(p), _user(scorer), NOW)
    db.session.commit()


def _count(model, *where) -> int:
    value = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.rollback()
    return value


def _actions() -> list[str]:
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    db.session.rollback()
    return actions


# -- the whole shortlisting, through the services -------------------------------------------


def test_a_whole_shortlisting_through_the_services(panel):
    p = panel
    first, essential_2 = p.criteria[0], p.essential[1]
    _score_all(p, p.lead, {"A-001": {first.item_id: 1}, "A-003": {essential_2.item_id: 0}})
    _score_all(p, p.member, {"A-001": {first.item_id: 3}, "A-003": {essential_2.item_id: 0}})
    board = _board(p)
    assert [(r.candidate.reference, c.code) for r, c in board.flags()] == [("A-001", first.code)]
    results = {r.candidate.reference: r for r in board.results}
    assert results["A-003"].fails_essentials and results["A-003"].rank is None
    assert results["A-002"].rank == 1 and results["A-002"].guaranteed_interview_flag
    assert results["A-001"].rank is None and not results["A-001"].complete  # waiting for moderation

    shortlisting.moderate(
        db.session, _vacancy(p), _user(p.lead), _app(p, "A-001"), first.item_id, 3, "Agreed: strong example", NOW
    )
    db.session.commit()
    results = {r.candidate.reference: r for r in _board(p).results}
    assert (
        results["A-001"].cells[first.item_id].agreed == 3.0 and results["A-001"].rank == 1
    )  # 3 on one essential: ahead of A-002
    assert results["A-002"].rank == 2

    with pytest.raises(ShortlistingError, match="Decide on every application"):
        shortlisting.agree(db.session, _vacancy(p), _user(p.lead), NOW)
    db.session.rollback()
    for ref, outcome in (
        ("A-001", Outcome.SHORTLIST),
        ("A-002", Outcome.SHORTLIST),
        ("A-003", Outcome.NOT_SHORTLISTED),
    ):
        shortlisting.decide(db.session, _vacancy(p), _user(p.lead), _app(p, ref), outcome, f"Reason for {ref}", NOW)
    db.session.commit()
    shortlisting.agree(db.session, _vacancy(p), _user(p.lead), NOW)
    db.session.commit()
    board = _board(p)
    assert board.vacancy.names_visible
    headings, rows = export_rows(board, shortlist_board.people(db.session, {p.lead}))
    assert headings[:4] == ["Rank", "Reference", "Candidate", "Email"]
    assert [r[:3] for r in rows] == [
        ["1", "A-001", "Alice Applicant"],
        ["2", "A-002", "Bob Bidder"],
        ["Does not meet the essentials", "A-003", "Cara Contender"],
    ]
    assert [c.code for c in board.interview_criteria][:4] == ["AP.1", "AP.2", "AP.3", "AP.4"]  # AP.4 is interview only
    assert "KS.1" not in [c.code for c in board.interview_criteria]  # application only
    assert [a.reference for a in shortlist_board.shortlisted(board)] == ["A-001", "A-002"]
    # Every score, moderation and decision is in the audit trail, and the chain holds.
    actions = _actions()
    assert actions.count("score_saved") == 2 * 3 * len(p.criteria)
    assert actions.count("scores_submitted") == 2
    assert actions.count("score_moderated") == 1
    assert actions.count("shortlist_decision") == 3
    assert actions.count("shortlist_agreed") == 1
    assert audit.verify(db.session).ok
    # Nothing changes once the shortlist is agreed.
    with pytest.raises(ShortlistingError, match="agreed"):
        shortlisting.decide(
            db.session, _vacancy(p), _user(p.lead), _app(p, "A-003"), Outcome.RESERVE, "Changed my mind", NOW
        )
    db.session.rollback()


def test_the_board_loads_in_a_fixed_number_of_queries(app, panel):
    p = panel
    _score_all(p, p.lead)
    _score_all(p, p.member)

    def queries_for(vacancy_id: int) -> int:
        db.session.expire_all()
        vacancy = db.session.get(Vacancy, vacancy_id)
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            board = shortlist_board.load(db.session, vacancy)
            assert len(board.results) == len(board.applications)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    small = build_vacancy(db.session, p.lead, [p.member], [("S-001", "Solo", "solo@example.com", False)], title="Small")
    give_scores(db.session, small.id, p.lead)
    assert queries_for(small.id) == queries_for(p.vacancy)


# -- through the test client ----------------------------------------------------------------


def test_a_whole_shortlisting_through_the_test_client(app, panel):
    p = panel
    lead, member = _as(app, p, "lead"), _as(app, p, "member")
    first, ess = p.criteria[0], p.essential[2]
    base = f"/recruitment/vacancies/{p.vacancy}"
    for browser, disputed in ((lead, 1), (member, 3)):
        for ref, app_id in p.apps.items():
            values = {first.item_id: disputed} if ref == "A-001" else {ess.item_id: 0} if ref == "A-003" else {}
            response = browser.post(f"{base}/applications/{app_id}/score", sheet(p, values))
            assert response.status_code == 302, body(response)
        assert browser.post(f"{base}/scores/submit").status_code == 302
    page = body(lead.get(f"{base}/shortlist"))
    assert "Moderate " + first.code + " for A-001" in page
    assert "Does not meet the essentials" in page
    assert "Guaranteed interview" in page
    moderate_url = f"{base}/applications/{p.apps['A-001']}/criteria/{first.item_id}/moderate"
    shown = body(lead.get(moderate_url))
    assert (
        f"Clear in the statement ({first.code})" in shown and "Max Member" in shown
    )  # the scores and reasons are shown
    assert lead.post(moderate_url, {"value": "2", "reason": "Agreed at panel"}).status_code == 302
    for ref, outcome in (("A-001", "shortlist"), ("A-002", "reserve"), ("A-003", "not_shortlisted")):
        response = lead.post(
            f"{base}/applications/{p.apps[ref]}/decision", {"outcome": outcome, "reason": f"Because {ref}"}
        )
        assert response.status_code == 302, body(response)
    before_agreement = body(member.get(f"{base}/shortlist"))
    assert "Alice Applicant" not in before_agreement
    assert lead.post(f"{base}/shortlist/agree").status_code == 302
    after = body(member.get(f"{base}/shortlist"))
    assert "Alice Applicant" in after and "Because A-002" in after
    exported = body(member.get(f"{base}/shortlist.csv"))
    assert "Alice Applicant" in exported and "alice.applicant@example.com" in exported
    sheet_page = body(lead.get(f"{base}/interview-sheet"))
    assert "A-001: Alice Applicant" in sheet_page and "Bob Bidder" not in sheet_page and "AP.4" in sheet_page
    sheet_pdf = lead.get(f"{base}/interview-sheet.pdf").data
    sheet_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(sheet_pdf)).pages)
    assert (
        "A-001, Alice Applicant" in sheet_text
        and "Bob Bidder" not in sheet_text
        and "AP.4" in sheet_text
        and "KS.12" not in sheet_text
    )  # KS.12 is assessed at application only
    assert _count(Moderation) == 1 and _count(ShortlistDecision) == 3


# -- independence and anonymity -------------------------------------------------------------


def test_a_member_sees_nobody_elses_scores_until_submitting_their_own(app, panel):
    p = panel
    lead, member = _as(app, p, "lead"), _as(app, p, "member")
    base = f"/recruitment/vacancies/{p.vacancy}"
    for app_id in p.apps.values():
        assert (
            lead.post(f"{base}/applications/{app_id}/score", sheet(p, reason="LEAD-SECRET-REASON")).status_code == 302
        )
    draft = body(member.get(f"{base}/applications/{p.apps['A-001']}/score"))
    assert "LEAD-SECRET-REASON" not in draft  # a draft is private
    assert lead.post(f"{base}/scores/submit").status_code == 302
    for url in (f"{base}/applications/{p.apps['A-001']}/score", f"{base}/shortlist", f"{base}/interview-sheet"):
        page = body(member.get(url))
        assert "LEAD-SECRET-REASON" not in page, url  # submitted, but the member has not submitted theirs
        assert "Lena Lead: 2" not in page
    # Exports and chart data wait for the member's own scores too.
    for url in (
        f"{base}/shortlist.csv",
        f"{base}/shortlist.xlsx",
        f"{base}/shortlist.pdf",
        f"{base}/shortlist/charts/criteria.csv",
    ):
        response = member.get(url)
        assert response.status_code == 302 and location(response) == f"{base}/shortlist", url
    # The member scores, saves, submits: now the lead's scores are there.
    for app_id in p.apps.values():
        assert (
            member.post(f"{base}/applications/{app_id}/score", sheet(p, default=3, reason="MEMBER-REASON")).status_code
            == 302
        )
    assert member.post(f"{base}/scores/submit").status_code == 302
    page = body(member.get(f"{base}/applications/{p.apps['A-001']}/score"))
    assert "LEAD-SECRET-REASON" in page and "MEMBER-REASON" in page
    # Submitted scores are final.
    before = snapshot()
    response = member.post(f"{base}/applications/{p.apps['A-001']}/score", sheet(p, default=0))
    assert response.status_code == 400 and "can no longer change" in body(response)
    assert not diff(before, snapshot())


def test_names_and_emails_are_in_no_panel_page_or_export_before_the_shortlist_is_agreed(app, panel):
    p = panel
    _score_all(p, p.lead, {"A-001": {p.criteria[0].item_id: 0}})
    _score_all(p, p.member, {"A-001": {p.criteria[0].item_id: 3}})
    base = f"/recruitment/vacancies/{p.vacancy}"
    # Each page or export, and the reference it shows the candidate by (None: it shows no candidate).
    urls = {
        f"{base}/shortlist": "A-001",
        f"{base}/interview-sheet": None,  # one blank sheet until the shortlist is agreed
        f"{base}/shortlist.csv": "A-001",
        f"{base}/shortlist/charts/criteria.csv": "A-001",
        f"{base}/shortlist/charts/distribution.csv": None,  # score counts only
        f"{base}/applications/{p.apps['A-001']}/criteria/{p.criteria[0].item_id}/moderate": "A-001",
    }
    urls.update({f"{base}/applications/{app_id}/score": ref for ref, app_id in p.apps.items()})
    secrets = [n for name, email, _ in NAMES.values() for n in (name, email, name.split()[0])]
    for who in ("lead", "member"):
        browser = _as(app, p, who)
        for url, reference in urls.items():
            response = browser.get(url)
            if who == "member" and url.endswith("/moderate"):
                assert response.status_code == 403  # only the lead moderates
                continue
            assert response.status_code == 200, url
            text = body(response)
            if reference is None:
                assert not [ref for ref in p.apps if ref in text], url
            else:
                assert reference in text, url  # candidates are shown by their reference
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{who} sees {leaked} at {url}"
        workbook = load_workbook(io.BytesIO(browser.get(f"{base}/shortlist.xlsx").data))
        cells = " ".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value is not None)
        assert "A-001" in cells and not [s for s in secrets if s in cells]
        pdf = browser.get(f"{base}/shortlist.pdf").data
        extracted = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "A-002" in extracted and not [s for s in secrets if s in extracted]
        sheet_pdf = browser.get(f"{base}/interview-sheet.pdf").data
        assert sheet_pdf.startswith(b"%PDF")
        assert not [
            s for s in secrets if s in " ".join(pg.extract_text() for pg in PdfReader(io.BytesIO(sheet_pdf)).pages)
        ]


# -- moderation, essentials, ties, decisions ----------------------------------------------------


def test_a_spread_of_two_is_flagged_and_a_spread_of_one_is_not(panel):
    p = panel
    a, b = p.criteria[0], p.criteria[1]
    _score_all(p, p.lead, {"A-001": {a.item_id: 1, b.item_id: 1}})
    _score_all(p, p.member, {"A-001": {a.item_id: 3, b.item_id: 2}})
    board = _board(p)
    assert [(r.candidate.reference, c.code) for r, c in board.flags()] == [("A-001", a.code)]
    with pytest.raises(ShortlistingError, match="do not differ by 2"):
        shortlisting.moderate(db.session, _vacancy(p), _user(p.lead), _app(p, "A-001"), b.item_id, 2, "Not needed", NOW)
    db.session.rollback()
    with pytest.raises(ShortlistingError, match="Only the lead"):
        shortlisting.moderate(db.session, _vacancy(p), _user(p.member), _app(p, "A-001"), a.item_id, 2, "Not mine", NOW)
    db.session.rollback()
    with pytest.raises(ShortlistingError, match="flagged criterion"):
        shortlisting.decide(
            db.session, _vacancy(p), _user(p.lead), _app(p, "A-001"), Outcome.SHORTLIST, "Too early", NOW
        )
    db.session.rollback()
    with pytest.raises(ShortlistingError, match="1 flagged score still needs an agreed score"):
        shortlisting.agree(db.session, _vacancy(p), _user(p.lead), NOW)
    db.session.rollback()
    assert _count(Moderation) == 0 and _count(ShortlistDecision) == 0


def test_an_agreed_zero_on_an_essential_fails_but_on_a_desirable_does_not(app, panel):
    p = panel
    ess, des = p.essential[0], p.desirable[0]
    _score_all(p, p.lead, {"A-001": {ess.item_id: 0}, "A-002": {des.item_id: 0}})
    _score_all(p, p.member, {"A-001": {ess.item_id: 0}, "A-002": {des.item_id: 0}})
    results = {r.candidate.reference: r for r in _board(p).results}
    assert results["A-001"].fails_essentials and results["A-001"].rank is None
    assert not results["A-002"].fails_essentials and results["A-002"].rank == 2  # behind A-003 on desirables
    assert results["A-003"].rank == 1
    page = body(_as(app, p, "lead").get(f"/recruitment/vacancies/{p.vacancy}/shortlist"))
    row = page.split(">A-001</a>")[0].rsplit("<tr", 1)[1]
    assert "Does not meet the essentials" in row


def test_ties_are_shown_not_broken(app, panel):
    p = panel
    _score_all(p, p.lead, {"A-003": {p.essential[0].item_id: 1}})
    _score_all(p, p.member, {"A-003": {p.essential[0].item_id: 1}})
    board = _board(p)
    assert board.ties == {p.apps["A-001"], p.apps["A-002"]}
    browser = _as(app, p, "member")
    page = body(browser.get(f"/recruitment/vacancies/{p.vacancy}/shortlist"))
    assert page.count(">Joint 1<") == 2
    rows = list(csv.reader(io.StringIO(body(browser.get(f"/recruitment/vacancies/{p.vacancy}/shortlist.csv")))))
    assert [r[:2] for r in rows[1:]] == [["Joint 1", "A-001"], ["Joint 1", "A-002"], ["3", "A-003"]]


def test_decisions_need_a_reason_and_a_real_outcome(app, panel):
    p = panel
    _score_all(p, p.lead)
    _score_all(p, p.member)
    lead = _as(app, p, "lead")
    url = f"/recruitment/vacancies/{p.vacancy}/applications/{p.apps['A-001']}/decision"
    for data, message in (
        ({"outcome": "shortlist", "reason": "  "}, "Give the reason for the decision"),
        ({"outcome": "hired", "reason": "Because"}, "Not a valid choice"),
        ({"reason": "Because"}, "Choose shortlist, reserve or not shortlisted"),
    ):
        before = snapshot()
        response = lead.post(url, data)
        assert_no_crash(response)
        assert response.status_code == 400 and "There is a problem" in body(response), data
        assert message in body(response), (data, body(response)[:200])
        assert not diff(before, snapshot())
    with pytest.raises(ShortlistingError, match="reason"):
        shortlisting.decide(db.session, _vacancy(p), _user(p.lead), _app(p, "A-001"), Outcome.SHORTLIST, "", NOW)
    db.session.rollback()
    # A changed decision is a new record; the last one stands.
    assert lead.post(url, {"outcome": "reserve", "reason": "First thoughts"}).status_code == 302
    assert lead.post(url, {"outcome": "shortlist", "reason": "On reflection"}).status_code == 302
    assert _board(p).decisions[p.apps["A-001"]].outcome == Outcome.SHORTLIST
    assert _count(ShortlistDecision) == 2


def test_agreeing_is_refused_while_anything_is_undecided(app, panel):
    p = panel
    _score_all(p, p.lead)
    lead, member = _as(app, p, "lead"), _as(app, p, "member")
    url = f"/recruitment/vacancies/{p.vacancy}/shortlist/agree"
    response = lead.post(url)
    assert response.status_code == 400 and "Waiting for scores from Max Member" in body(response)
    _score_all(p, p.member)
    response = lead.post(url)
    assert response.status_code == 400 and "A-001, A-002, A-003 still need a decision" in body(response)
    assert _vacancy(p).shortlist_agreed_at is None
    db.session.rollback()
    assert member.post(url).status_code == 403
    assert _vacancy(p).shortlist_agreed_at is None and "shortlist_agreed" not in _actions()


# -- exports -----------------------------------------------------------------------------


def _decided(p: Panel, reason_a: str = '=HYPERLINK("http://evil")', reason_b: str = "<b>Bold & brave</b>") -> None:
    _score_all(p, p.lead, {"A-003": {p.essential[0].item_id: 0}})
    _score_all(p, p.member, {"A-003": {p.essential[0].item_id: 0}})
    for ref, outcome, reason in (
        ("A-001", Outcome.SHORTLIST, reason_a),
        ("A-002", Outcome.RESERVE, reason_b),
        ("A-003", Outcome.NOT_SHORTLISTED, "-1 on the essentials"),
    ):
        shortlisting.decide(db.session, _vacancy(p), _user(p.lead), _app(p, ref), outcome, reason, NOW)
    db.session.commit()


def test_csv_xlsx_and_pdf_exports(app, panel):
    p = panel
    _decided(p)
    browser = _as(app, p, "member")
    base = f"/recruitment/vacancies/{p.vacancy}"
    response = browser.get(f"{base}/shortlist.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[0] == [
        "Rank",
        "Reference",
        "Essential total",
        "Desirable total",
        "Meets the essentials",
        "Guaranteed interview",
        "Decision",
        "Reason",
        "Decided by",
        "Decided on",
    ]
    assert [r[1] for r in rows[1:]] == ["A-001", "A-002", "A-003"]
    assert (
        rows[1][0] == "Joint 1" and rows[1][6] == "Shortlisted" and rows[1][7] == '\'=HYPERLINK("http://evil")'
    )  # no formula
    assert (
        rows[3][4] == "No" and rows[3][7] == "'-1 on the essentials" and rows[2][5] == "Yes"
    )  # A-002 has a guaranteed interview

    book = load_workbook(io.BytesIO(browser.get(f"{base}/shortlist.xlsx").data))
    ws = book["Shortlist"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][:2] == ["Rank", "Reference"] and [v[1] for v in values[1:]] == ["A-001", "A-002", "A-003"]
    assert values[1][7] == '\'=HYPERLINK("http://evil")' and ws.cell(2, 8).data_type == "s"

    pdf = browser.get(f"{base}/shortlist.pdf")
    assert pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for ref in ("A-001", "A-002", "A-003"):
        assert ref in text
    assert "<b>Bold & brave</b>" in text  # escaped, printed as written

    charts_csv = list(csv.reader(io.StringIO(body(browser.get(f"{base}/shortlist/charts/criteria.csv")))))
    assert (
        charts_csv[0][0] == "Application"
        and charts_csv[0][1] == f"{p.criteria[0].code}: {p.criteria[0].statement}"
        and len(charts_csv) == 4
    )
    assert browser.get(f"{base}/shortlist/charts/nonsense.csv").status_code == 404


def test_the_shortlist_page_draws_both_charts_with_tables(app, panel):
    p = panel
    _decided(p, "Fine", "Fine too")
    page = body(_as(app, p, "lead").get(f"/recruitment/vacancies/{p.vacancy}/shortlist"))
    assert 'data-plotly="figure-criteria"' in page and 'data-plotly="figure-distribution"' in page
    assert "Agreed scores by application and criterion" in page and "How the panel&#39;s scores are spread" in page
    figure = json.loads(html.unescape(page.split('id="figure-criteria">')[1].split("</script>")[0]))
    # Square markers, not a Heatmap trace (its inline styles break the CSP), and no colour bar.
    assert [t["type"] for t in figure["data"]] == ["scatter"] and figure["data"][0]["marker"]["showscale"] is False
    assert "A-001" in figure["data"][0]["y"]


# -- two leads moderating the same criterion at once ----------------------------------------------


def _disputed(p: Panel):
    first = p.criteria[0]
    _score_all(p, p.lead, {"A-001": {first.item_id: 0}})
    _score_all(p, p.member, {"A-001": {first.item_id: 2}})
    return first


def test_two_lead_sessions_moderating_the_same_criterion_one_wins_the_other_is_told(app, panel):
    p = panel
    first = _disputed(p)
    url = f"/recruitment/vacancies/{p.vacancy}/applications/{p.apps['A-001']}/criteria/{first.item_id}/moderate"
    one, two = _as(app, p, "lead"), _as(app, p, "lead")
    assert "Record the agreed score" in body(one.get(url)) and "Record the agreed score" in body(two.get(url))
    assert one.post(url, {"value": "1", "reason": "First session"}).status_code == 302
    response = two.post(url, {"value": "2", "reason": "Second session"})
    assert response.status_code == 302 and location(response) == url
    told = body(two.get(url))
    assert "has already been recorded" in told and "Nothing of yours was saved" in told and "First session" in told
    rows = db.session.execute(select(Moderation.value, Moderation.reason)).all()
    db.session.rollback()
    assert rows == [(1, "First session")]
    assert _actions().count("score_moderated") == 1


def test_a_moderation_racing_past_the_check_is_stopped_by_the_unique_constraint(app, panel, monkeypatch):
    """Both sessions passed the 'already moderated?' check before either saved: the database lets one insert win."""
    p = panel
    first = _disputed(p)
    from sqlalchemy.orm import Session

    with Session(db.engine) as second:
        shortlisting.moderate(db.session, _vacancy(p), _user(p.lead), _app(p, "A-001"), first.item_id, 1, "First", NOW)
        db.session.commit()
        monkeypatch.setattr(
            shortlisting, "_existing_moderation", lambda *args: None
        )  # its check ran before the first committed
        with pytest.raises(Conflict, match="at the same moment"):
            shortlisting.moderate(
                second,
                second.get(Vacancy, p.vacancy),
                second.get(User, p.lead),
                second.get(Application, p.apps["A-001"]),
                first.item_id,
                2,
                "Second",
                NOW,
            )
        second.rollback()
    assert db.session.execute(select(Moderation.value, Moderation.reason)).all() == [(1, "First")]
    assert _actions().count("score_moderated") == 1


# -- access and bad input ---------------------------------------------------------------------


def test_bad_input_is_a_message_or_a_404_never_a_server_error(app, panel, seeded):
    p = panel
    member = _as(app, p, "member")
    base = f"/recruitment/vacancies/{p.vacancy}"
    url = f"{base}/applications/{p.apps['A-001']}/score"
    first = p.criteria[0]
    cases = [
        ({**sheet(p), f"score-{first.item_id}": "7"}, "Choose a score from 0 to 3 for " + first.code),
        ({**sheet(p), f"score-{first.item_id}": "two"}, "Choose a score from 0 to 3 for " + first.code),
        ({**sheet(p), f"score-{first.item_id}": "-1"}, "Choose a score from 0 to 3 for " + first.code),
        ({**sheet(p), f"reason-{first.item_id}": "x" * 1001}, "1,000 characters or fewer"),
    ]
    for data, message in cases:
        before = snapshot()
        response = member.post(url, data)
        assert_no_crash(response)
        assert response.status_code == 400 and message in body(response), message
        assert not diff(before, snapshot())
    # Another vacancy's application, criterion or vacancy: 404, never a 500, nothing written.
    other = build_vacancy(
        db.session, p.outsider, [], [("Z-001", "Zed Other", "zed@example.com", False)], title="Someone else's"
    )
    other_app = db.session.scalar(select(Application.id).where(Application.vacancy_id == other.id))
    not_application = next(
        c
        for c in shortlist_board.spec_criteria(db.session, other.spec_version_id)
        if "application" not in c.assessed_by
    )
    lead, outsider = _as(app, p, "lead"), _as(app, p, "outsider")
    before = snapshot()
    for browser, method, target, data in (
        (member, "post", f"{base}/applications/{other_app}/score", sheet(p)),
        (member, "get", f"/recruitment/vacancies/{other.id}/shortlist", None),
        (member, "get", f"/recruitment/vacancies/{other.id}/shortlist.csv", None),
        (lead, "get", f"{base}/applications/{p.apps['A-001']}/criteria/{not_application.item_id}/moderate", None),
        (
            lead,
            "post",
            f"{base}/applications/{p.apps['A-001']}/criteria/999999/moderate",
            {"value": "2", "reason": "x"},
        ),
        (lead, "post", f"{base}/applications/{other_app}/decision", {"outcome": "shortlist", "reason": "x"}),
        (lead, "get", "/recruitment/vacancies/99999999999999999999/shortlist", None),
        (outsider, "get", f"{base}/shortlist", None),
        (outsider, "post", f"{base}/applications/{p.apps['A-001']}/score", sheet(p)),
    ):
        response = browser.post(target, data) if method == "post" else browser.get(target)
        assert_no_crash(response, target)
        assert response.status_code == 404, (target, response.status_code)
    # A score for a criterion not assessed at application is ignored by the form and refused by the service.
    with pytest.raises(ShortlistingError, match="assessed at application"):
        panel_scores.save_scores(
            db.session, _vacancy(p), _user(p.member), _app(p, "A-001"), {not_application.item_id: (2, "x")}, NOW
        )
    db.session.rollback()
    with pytest.raises(ShortlistingError, match="Scores are 0 to 3"):
        panel_scores.save_scores(
            db.session, _vacancy(p), _user(p.member), _app(p, "A-001"), {first.item_id: (7, "x")}, NOW
        )
    db.session.rollback()
    # A member who is not the lead may not moderate, decide or agree.
    for target, data in (
        (f"{base}/applications/{p.apps['A-001']}/criteria/{first.item_id}/moderate", {"value": "2", "reason": "x"}),
        (f"{base}/applications/{p.apps['A-001']}/decision", {"outcome": "shortlist", "reason": "x"}),
        (f"{base}/shortlist/agree", {}),
    ):
        assert member.post(target, data).status_code == 403
    assert not diff(before, snapshot())


def test_moderation_form_mistakes(app, panel):
    p = panel
    first = _disputed(p)
    lead = _as(app, p, "lead")
    url = f"/recruitment/vacancies/{p.vacancy}/applications/{p.apps['A-001']}/criteria/{first.item_id}/moderate"
    for data, message in (
        ({"value": "7", "reason": "Agreed"}, "Not a valid choice"),
        ({"reason": "Agreed"}, "Choose the agreed score"),
        ({"value": "2", "reason": " "}, "Say why the panel agreed this score"),
    ):
        before = snapshot()
        response = lead.post(url, data)
        assert_no_crash(response)
        assert response.status_code == 400 and message in body(response), (data, message)
        assert not diff(before, snapshot())


def test_submitting_needs_every_criterion_and_scoring_needs_the_shortlisting_status(app, panel):
    p = panel
    member = _as(app, p, "member")
    base = f"/recruitment/vacancies/{p.vacancy}"
    assert (
        member.post(f"{base}/applications/{p.apps['A-001']}/score", sheet(p, {p.criteria[0].item_id: None})).status_code
        == 302
    )
    response = member.post(f"{base}/scores/submit")
    assert response.status_code == 400
    assert f"{3 * len(p.criteria) - (len(p.criteria) - 1)} still to do" in body(response)
    assert db.session.scalar(select(PanelMember.scores_submitted_at).where(PanelMember.user_id == p.member)) is None
    db.session.rollback()
    # A blank score clears a draft (audited).
    assert member.post(f"{base}/applications/{p.apps['A-001']}/score", sheet(p, default=None)).status_code == 302
    assert _count(Score) == 0 and "score_cleared" in _actions()
    # Once the vacancy is interviewing, no more scoring.
    vacancy = _vacancy(p)
    vacancy.shortlist_agreed_at = NOW
    vacancy.status = vacancy.status.__class__.INTERVIEWING
    db.session.commit()
    response = member.post(f"{base}/applications/{p.apps['A-001']}/score", sheet(p))
    assert response.status_code == 400 and "interviewing" in body(response)
    assert _count(Score) == 0
