"""Demo data: every role, a team at mixed stages, only into an empty non-production database; and what
each demo account meets on signing in (a recruitment to work through, an agreed shortlist, a started
appraisal, attachments that download, a deputy's cover), as the README's table of accounts says."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from competency_portal.extensions import db
from competency_portal.models import Attachment, AuditEvent, Role, Vacancy
from competency_portal.services import demo, people
from competency_portal.services.signoff import verified_levels
from tests.portal_helpers import Browser, body

NOW = datetime(2026, 12, 3, 9, tzinfo=timezone.utc)
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def demo_db(app, runner, seeded, monkeypatch):
    """The demo, added as `make run` adds it (the CLI), on a fixed date; the accounts it printed."""
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result.output


def _as(app, email: str) -> Browser:
    browser = Browser(app, email)
    browser.sign_in(email, demo.DEMO_PASSWORD)
    return browser


def _vacancy_id(title: str) -> int:
    found = db.session.scalar(select(Vacancy.id).where(Vacancy.title == title))
    db.session.rollback()
    return found


def test_demo_data_covers_every_role_and_mixed_stages(demo_db, seeded, runner):
    assert "password for all: portal-demo-2026" in demo_db
    roles = set()
    for line in demo_db.splitlines()[1:]:
        user = people.find_by_email(seeded, line.split()[0])
        roles |= user.roles
    assert roles == set(Role)
    verified = [
        len(verified_levels(seeded, people.find_by_email(seeded, email).id)) for _, email, *_ in demo.SUPERVISEES
    ]
    assert verified[0] > verified[1] > verified[2] > verified[3] == 0
    # Made through the services: their audit records are there, and the chain holds.
    actions = set(seeded.scalars(select(AuditEvent.action)))
    assert {
        "evidence_submitted",
        "evidence_signed_off",
        "self_assessed",
        "deputy_named",
        "appraisal_started",
        "vacancy_created",
        "application_added",
        "portfolio_shared",
        "score_saved",
        "scores_submitted",
        "score_moderated",
        "shortlist_decision",
        "shortlist_agreed",
        "vacancy_status_changed",
    } <= actions
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_demo_data_is_never_added_twice_or_in_production(runner, seeded, tmp_path):
    runner.invoke(args=["demo", "seed"])
    assert "already has people" in runner.invoke(args=["demo", "seed"]).output
    with pytest.raises(demo.DemoRefused, match="never written in production"):
        demo.seed(seeded, date(2026, 11, 20), "production", None)


def test_the_readme_lists_every_demo_account_by_role(demo_db):
    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in quick_start.splitlines()
        if line.startswith("|") and "@example.nhs.uk" in line
    ]
    listed = {re.sub(r"[`*]", "", r[0]): r for r in rows}
    printed = {line.split()[0] for line in demo_db.splitlines()[1:]}
    assert set(listed) == printed
    for email, row in listed.items():
        user = people.find_by_email(db.session, email)
        assert row[1] == user.name, email
        assert len(row) >= 4 and row[2] and row[3], f"{email}: give the role and what to try"
    assert "portal-demo-2026" in quick_start


def test_the_demo_recruiter_has_a_shortlisting_to_finish(app, demo_db):
    chris = _as(app, "recruiter@example.nhs.uk")
    listing = body(chris.get("/recruitment"))
    assert "Care Coordinator (Band 6), Recovery Centre" in listing and "Score 1 application" in listing
    vacancy = _vacancy_id("Care Coordinator (Band 6), Recovery Centre")
    page = body(chris.get(f"/recruitment/vacancies/{vacancy}"))
    assert "What to do next" in page and "Score C-005" in page
    assert "1 of 2 panel members; waiting for you" in page
    shortlist = body(chris.get(f"/recruitment/vacancies/{vacancy}/shortlist"))
    assert "Lee Chambers" in shortlist and "Submitted 1 December 2026" in shortlist
    assert "You have scored 136 of 145" in shortlist  # four applications in full, the fifth 20 of 29
    assert "Amara Okonkwo" not in shortlist  # names are hidden until the shortlist is agreed
    # The fifth is part-scored, drafts kept as typed: a score still without its reason, a reason without its score.
    fifth = re.search(r'href="([^"]+/score)">Score C-005<', shortlist).group(1)
    sheet = body(chris.get(fifth))
    assert "<strong>20 of 29</strong> criteria have a score and a reason" in sheet
    assert "Good example of working with families; check the level." in sheet
    # An internal candidate from the demo team has agreed to share her portfolio.
    applications = body(chris.get(f"/recruitment/vacancies/{vacancy}"))
    assert applications.count("Shares portfolio </span>Yes</td>") == 1 and "Asked, not yet agreed" not in applications
    # And a vacancy needs a panel of two: the demo has a second recruiter to choose.
    new = body(chris.get("/recruitment/vacancies/new"))
    assert "You are the only recruiter" not in new and "Lee Chambers (panel@example.nhs.uk)" in new


def test_the_demo_has_an_agreed_shortlist_with_reasons_and_names(app, demo_db):
    vacancy = _vacancy_id("Mental Health Social Worker / Care Co-ordinator (Grade H)")
    for email in ("recruiter@example.nhs.uk", "panel@example.nhs.uk"):
        page = body(_as(app, email).get(f"/recruitment/vacancies/{vacancy}/shortlist"))
        assert "The shortlist was agreed on" in page
        assert "Hannah Cole" in page and "Kwame Mensah" in page
        assert "Does not yet hold a social work qualification with HCPC registration (EQ.1, essential)." in page
        assert "Reserve" in page and "Not shortlisted" in page
    sheet = body(_as(app, "recruiter@example.nhs.uk").get(f"/recruitment/vacancies/{vacancy}/interview-sheet"))
    assert "Hannah Cole" in sheet and "Kwame Mensah" not in sheet


def test_the_demo_staff_member_sees_a_started_appraisal(app, demo_db):
    tom = _as(app, "tom.okafor@example.nhs.uk")
    mine = body(tom.get("/appraisal"))
    link = re.search(r'href="(/appraisals/\d+)">2026/27', mine)
    assert link, mine
    page = body(tom.get(link.group(1)))
    assert "Objectives agreed by" in page and "Sam Patel" in page
    assert "Develop Risk Assessment and Management to target" in page
    assert "Agree objectives" in page


def test_the_demo_evidence_has_attachments_that_download(app, demo_db):
    dan = _as(app, "dan.hughes@example.nhs.uk")
    portfolio = body(dan.get("/portfolio"))
    evidence = re.search(
        r'href="(/portfolio/evidence/\d+)">An initial assessment alongside a senior colleague<', portfolio
    )
    assert evidence, portfolio
    page = body(dan.get(evidence.group(1)))
    download = re.search(r'href="([^"]+)" download>initial-assessment-observation.pdf<', page).group(1)
    response = dan.get(download)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    stored = db.session.scalar(select(Attachment).where(Attachment.filename == "initial-assessment-observation.pdf"))
    assert hashlib.sha256(response.data).hexdigest() == stored.sha256
    db.session.rollback()


def test_the_demo_deputy_covers_the_supervisors_queue_today(app, demo_db):
    jo = _as(app, "deputy@example.nhs.uk")
    queue = body(jo.get("/supervision/"))
    for name, *_ in demo.SUPERVISEES:
        assert name in queue  # Sam Patel's supervisees, none of them Jo's own
    assert "Chairing a CPA review with the service user and their carer" in queue
    notes = body(jo.get("/notifications"))
    assert "You are covering for Sam Patel until 22 December 2026" in notes
