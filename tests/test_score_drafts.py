"""Score sheets: "save and come back" keeps everything typed, and submission names every criterion still
without a score or a reason (an NHS.UK error summary whose links lead to the fields)."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import pytest
from permission_rules_recruitment_shortlisting import application_criteria, build_vacancy, recruiter
from sqlalchemy import select

from competency_portal.extensions import db
from competency_portal.models import Application, PanelMember, Score
from tests.portal_helpers import Browser, body, location

NOW = datetime(2026, 11, 21, 9, tzinfo=timezone.utc)


@pytest.fixture
def sheet(app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    lead, member = recruiter(seeded, "Lena Lead"), recruiter(seeded, "Max Member")
    vacancy = build_vacancy(
        seeded,
        lead.id,
        [member.id],
        [("A-001", "Alice Applicant", "alice@example.com", False), ("A-002", "Bob Bidder", "bob@example.com", False)],
    )
    apps = dict(
        seeded.execute(select(Application.reference, Application.id).where(Application.vacancy_id == vacancy.id)).all()
    )
    browser = Browser(app, "member")
    browser.sign_in(member.email)
    seeded.rollback()
    return {
        "vacancy": vacancy.id,
        "apps": apps,
        "criteria": application_criteria(seeded),
        "member": member.id,
        "browser": browser,
    }


def _form(criteria, values: dict[int, tuple[str, str]]) -> dict:
    data = {}
    for c in criteria:
        score, reason = values.get(c.item_id, ("", ""))
        data[f"score-{c.item_id}"], data[f"reason-{c.item_id}"] = score, reason
    return data


def _selected(page: str, item_id: int) -> str:
    select_html = re.search(rf'<select[^>]*id="score-{item_id}".*?</select>', page, re.S).group(0)
    chosen = re.search(r'<option value="([^"]*)" selected', select_html)
    return chosen.group(1) if chosen else ""


def _reason(page: str, item_id: int) -> str:
    return html.unescape(re.search(rf'id="reason-{item_id}"[^>]*value="([^"]*)"', page).group(1))


def test_a_partial_save_keeps_every_score_and_reason_typed(sheet):
    s, b = sheet, sheet["browser"]
    first, second, third = s["criteria"][:3]
    url = f"/recruitment/vacancies/{s['vacancy']}/applications/{s['apps']['A-001']}/score"
    page = body(b.get(url))
    assert "You can save and come back" in page
    # A score without its reason yet, a reason before the score is chosen, one complete, the rest blank.
    typed = {
        first.item_id: ("3", ""),
        second.item_id: ("", "Clear example of joint care planning"),
        third.item_id: ("2", "Meets it: two examples"),
    }
    response = b.post(url, _form(s["criteria"], typed))
    assert response.status_code == 302, body(response)[:500]
    shown = body(b.get(location(response)))
    assert f"1 of {len(s['criteria'])} criteria have a score and a reason" in shown
    again = body(b.get(url))
    assert _selected(again, first.item_id) == "3" and _reason(again, first.item_id) == ""
    assert (
        _selected(again, second.item_id) == ""
        and _reason(again, second.item_id) == "Clear example of joint care planning"
    )
    assert _selected(again, third.item_id) == "2" and _reason(again, third.item_id) == "Meets it: two examples"
    assert f"<strong>1 of {len(s['criteria'])}</strong> criteria have a score and a reason" in again
    rows = {
        r.item_id: (r.value, r.reason) for r in db.session.scalars(select(Score).where(Score.scorer_id == s["member"]))
    }
    assert rows == {
        first.item_id: (3, ""),
        second.item_id: (None, "Clear example of joint care planning"),
        third.item_id: (2, "Meets it: two examples"),
    }
    db.session.rollback()
    # The shortlist counts only what is complete: one criterion of A-001.
    progress = body(b.get(f"/recruitment/vacancies/{s['vacancy']}/shortlist"))
    assert f"1 of {len(s['criteria'])}" in progress


def test_submission_needs_a_score_and_a_reason_everywhere_and_names_each_missing_one(sheet):
    s, b = sheet, sheet["browser"]
    crit = s["criteria"]
    first, second = crit[0], crit[1]
    everything = {c.item_id: ("2", f"Shown in the statement ({c.code})") for c in crit}
    # all scored, but one score lacks its reason and one reason lacks its score.
    # the last criterion untouched.
    partial = {**everything, first.item_id: ("3", ""), second.item_id: ("", "Good example")}
    base = f"/recruitment/vacancies/{s['vacancy']}"
    assert b.post(f"{base}/applications/{s['apps']['A-001']}/score", _form(crit, partial)).status_code == 302
    last = crit[-1]
    assert (
        b.post(
            f"{base}/applications/{s['apps']['A-002']}/score",
            _form(crit, {k: v for k, v in everything.items() if k != last.item_id}),
        ).status_code
        == 302
    )
    response = b.post(f"{base}/scores/submit")
    assert response.status_code == 400
    page = html.unescape(body(response))
    summary = re.search(r'<div class="nhsuk-error-summary".*?</div>\s*</div>', page, re.S).group(0)
    assert "There is a problem" in summary
    assert "3 still to do" in summary
    line = re.search(r'<a href="([^"]+)">A-001 still needs ([^<]+)</a>', summary)
    assert line, summary
    assert line.group(2) == f"a score for {second.code} and a reason for {first.code}"
    assert f"A-002 still needs a score and a reason for {last.code}</a>" in summary
    assert db.session.scalar(select(PanelMember.scores_submitted_at).where(PanelMember.user_id == s["member"])) is None
    db.session.rollback()
    # The link opens A-001's score sheet with an error summary linking to each field, and each field marked.
    sheet_page = html.unescape(body(b.get(line.group(1))))
    links = re.findall(r'<li><a href="#((?:score|reason)-\d+)">([^<]+)</a></li>', sheet_page)
    assert links == [
        (f"reason-{first.item_id}", f"Give a short reason for your score on {first.code}"),
        (f"score-{second.item_id}", f"Choose a score for {second.code}"),
    ]
    assert f'id="reason-{first.item_id}-error"' in sheet_page and f'id="score-{second.item_id}-error"' in sheet_page
    assert _selected(sheet_page, first.item_id) == "3" and _reason(sheet_page, second.item_id) == "Good example"
    # Completing them lets the submission through.
    done = {**everything, first.item_id: ("3", "Exceeds: led a complex review"), second.item_id: ("2", "Good example")}
    assert b.post(f"{base}/applications/{s['apps']['A-001']}/score", _form(crit, done)).status_code == 302
    assert b.post(f"{base}/applications/{s['apps']['A-002']}/score", _form(crit, everything)).status_code == 302
    assert b.post(f"{base}/scores/submit").status_code == 302
    assert (
        db.session.scalar(select(PanelMember.scores_submitted_at).where(PanelMember.user_id == s["member"])) is not None
    )
