"""Importing applications from CSV: a preview with every row's problems, nothing written until
confirmed, then all rows or none."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import pytest
from sqlalchemy import select
from world import person

from competency_portal.extensions import db
from competency_portal.models import Application, AuditEvent, Notification, Role
from competency_portal.services import application_import
from tests.portal_helpers import body, diff, snapshot
from tests.recruitment_helpers import add, browser, recruiters, vacancy

HEADER = "Candidate name,Email,Supporting statement,Internal,Guaranteed interview"


@dataclass
class Crit:
    id: int
    code: str


CRITERIA = [Crit(101, "AP.1"), Crit(102, "AP.2")]


def parse(text: str, applied=None, accounts=None, first=1):
    return application_import.parse(text.encode(), CRITERIA, applied or {}, accounts or set(), first)


def test_a_clean_file_previews_every_row_with_its_reference():
    preview = parse(
        f"{HEADER},AP.1,ap.2\nAnn Able,ANN@example.org,Statement,yes,no,Did it,\n"
        "Bob Brown,bob@example.org,S,No,Yes,,Also\n",
        first=4,
    )
    assert preview.ok and [r.reference for r in preview.rows] == ["C-004", "C-005"]
    ann, bob = preview.rows
    assert ann.fields.email == "ann@example.org" and ann.fields.internal and not ann.fields.guaranteed_interview
    assert (
        ann.fields.answers == {101: "Did it"}
        and bob.fields.answers == {102: "Also"}
        and bob.fields.guaranteed_interview
    )


def test_each_row_reports_its_own_problems():
    rows = [
        ",nameless@example.org,S,no,no",  # 2 missing name
        "Bad Email,not-an-email,S,no,no",  # 3
        "First,dup@example.org,S,no,no",  # 4
        "Second,DUP@example.org,S,no,no",  # 5 duplicate of row 4
        f"Long,long@example.org,{'x' * 20001},no,no",  # 6 over-long statement
        "Maybe,maybe@example.org,S,perhaps,no",  # 7 bad yes/no
        "Held,held@example.org,S,no,no",  # 8 already applied
        "Sharer,share@example.org,S,no,no,yes",  # 9 consent but not internal
        "Fine,fine@example.org,S,no,no",  # 10 no error
    ]
    preview = parse(f"{HEADER},Share portfolio\n" + "\n".join(rows) + "\n", applied={"held@example.org": "C-001"})
    errors = {r.number: " | ".join(r.errors) for r in preview.rows}
    assert not preview.ok
    assert "Enter the candidate’s name" in errors[2]
    assert "email address is not valid" in errors[3]
    assert errors[4] == "" and "also on row 4" in errors[5]
    assert "Supporting statement is longer than 20,000 characters" in errors[6]
    assert "Internal must be “yes” or “no”" in errors[7]
    assert "already held (C-001)" in errors[8]
    assert "only internal candidates" in errors[9]
    assert errors[10] == ""
    long_answer = parse(f"{HEADER},AP.1\nA,a@example.org,S,no,no,{'y' * 5001}\n")
    assert "criterion answer is longer than 5,000" in long_answer.rows[0].errors[0]


def test_file_level_problems_stop_the_preview():
    assert "“XY.9”" in parse(f"{HEADER},XY.9\nA,a@example.org,S,no,no,T\n").problem
    assert "AP.1, AP.2" in parse(f"{HEADER},Notes\nA,a@example.org,S,no,no,T\n").problem
    assert (
        "“guaranteed interview”"
        in parse("Candidate name,Email,Supporting statement,Internal\nA,a@example.org,S,no\n").problem
    )
    assert "no applications" in parse(f"{HEADER}\n").problem
    assert "empty" in parse("").problem
    assert "UTF-8" in application_import.parse(b"\xff\xfe\x00bad", CRITERIA, {}, set()).problem
    assert "more than once" in parse(f"{HEADER},AP.1,ap.1\nA,a@example.org,S,no,no,T,U\n").problem


# -- through the pages --------------------------------------------------------------------


@pytest.fixture
def lead_vacancy(app, seeded):
    session = db.session
    lead, panel, _ = recruiters(session)
    found = vacancy(session, lead, [panel])
    return lead, panel, found.id


def _upload(b, v, text: str):
    return b.post(
        f"/recruitment/vacancies/{v}/applications/import",
        {"file": (BytesIO(text.encode()), "applications.csv")},
        content_type="multipart/form-data",
    )


def _token(html: str) -> str:
    import re

    return re.search(r'name="token"[^>]*value="([0-9a-f]{32})"|value="([0-9a-f]{32})"[^>]*name="token"', html).group(1)


def test_the_preview_writes_nothing_and_shows_errors_by_row_without_names(app, lead_vacancy):
    lead, _, v = lead_vacancy
    b = browser(app, lead)
    before = snapshot()
    response = _upload(
        b,
        v,
        f"{HEADER}\nGwendolyn Ashby,gwen@example.org,S,no,no\n,nobody@example.org,S,no,no\n"
        "Hector Vane,hector@,S,maybe,no\n",
    )
    html = body(response)
    assert response.status_code == 400
    assert "Row 3: Enter the candidate’s name" in html, html[html.find("error-summary__list") :][:800]
    row4 = html.split('id="row-4"')[1].split("</tr>")[0]
    assert "The email address is not valid" in row4 and "Internal must be “yes” or “no”" in row4
    assert "Gwendolyn" not in html and "gwen@example.org" not in html and "Hector" not in html
    assert 'name="token"' not in html
    good = _upload(b, v, f"{HEADER},AP.1\nGwendolyn Ashby,gwen@example.org,S,no,yes,My answer\n")
    assert good.status_code == 200 and "Nothing has been imported yet" in body(good) and "C-001" in body(good)
    assert not diff(before, snapshot()), "a preview wrote to the database"


def test_confirm_writes_every_row_or_none(app, lead_vacancy):
    session = db.session
    lead, panel, v = lead_vacancy
    staffer = person(session, "Iris Internal")
    b = browser(app, lead)
    text = (
        f"{HEADER},Share portfolio,AP.1\nGwendolyn Ashby,gwen@example.org,S,no,yes,no,Answer\n"
        f"Iris Internal,{staffer.email},S,yes,no,yes,\nHector Vane,hector@example.org,S,no,no,,\n"
    )
    token = _token(body(_upload(b, v, text)))
    # Someone else's application with Hector's email arrives between preview and confirm: the file no longer
    # imports cleanly.
    add(session, _vacancy(session, v), lead, "Hector Vane", "hector@example.org")
    before = snapshot()
    refused = b.post(f"/recruitment/vacancies/{v}/applications/import/confirm", {"token": token})
    assert refused.status_code == 409 and "Row 4" in body(refused) and "Nothing has been imported" in body(refused)
    assert not diff(before, snapshot()), "a refused import wrote something"
    # The stored upload is gone: confirming the same token again is refused.
    assert b.post(f"/recruitment/vacancies/{v}/applications/import/confirm", {"token": token}).status_code == 302
    # A clean file imports every row in one go, with the next references.
    token = _token(body(_upload(b, v, text.replace("hector@example.org", "hector.v@example.org"))))
    # A panel member cannot confirm the lead's upload.
    assert (
        browser(app, panel)
        .post(f"/recruitment/vacancies/{v}/applications/import/confirm", {"token": token})
        .status_code
        == 403
    )
    done = b.post(f"/recruitment/vacancies/{v}/applications/import/confirm", {"token": token})
    assert done.status_code == 302
    # The import is background work (run here straight after the commit): its page says what it did.
    followed = body(b.get(done.headers["Location"]))
    assert "3 applications imported: C-002 to C-004." in followed and "Back to the vacancy" in followed
    made = session.scalars(select(Application).where(Application.vacancy_id == v).order_by(Application.id)).all()
    assert [a.reference for a in made] == ["C-001", "C-002", "C-003", "C-004"]
    gwen, iris = made[1], made[2]
    assert gwen.guaranteed_interview and [a.text for a in gwen.answers] == ["Answer"]
    # The file's "share portfolio" only asks the candidate; nothing is shared until they agree in the portal.
    assert iris.internal and not iris.portfolio_consent and iris.internal_user_id == staffer.id
    assert "asks to see your verified portfolio" in session.scalar(
        select(Notification.message).where(Notification.user_id == staffer.id)
    )
    summary = session.scalar(select(AuditEvent).where(AuditEvent.action == "applications_imported"))
    assert summary.detail["references"] == ["C-002", "C-003", "C-004"]
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "application_added")).all()) == 4
    assert (
        session.scalar(select(AuditEvent).where(AuditEvent.action == "portfolio_share_requested")).subject_id
        == staffer.id
    )


def _vacancy(session, v):
    from competency_portal.models import Vacancy

    return session.get(Vacancy, v)


def test_a_token_cannot_be_confirmed_against_another_vacancy(app, lead_vacancy):
    session = db.session
    lead, panel, v = lead_vacancy
    other = vacancy(session, lead, [panel], title="Another post")
    b = browser(app, lead)
    token = _token(body(_upload(b, v, f"{HEADER}\nGwendolyn Ashby,gwen@example.org,S,no,no\n")))
    before = snapshot()
    response = b.post(f"/recruitment/vacancies/{other.id}/applications/import/confirm", {"token": token})
    assert response.status_code == 302 and not diff(before, snapshot())
    for bad in ("", "../../etc/passwd", "A" * 32):
        assert b.post(f"/recruitment/vacancies/{v}/applications/import/confirm", {"token": bad}).status_code == 302
    assert not diff(before, snapshot())


def test_consent_in_the_file_needs_a_portal_account(app, lead_vacancy):
    session = db.session
    lead, _, v = lead_vacancy
    person(session, "Gone Away", roles=(Role.STAFF,)).active = False
    session.commit()
    response = _upload(
        browser(app, lead),
        v,
        f"{HEADER},Share portfolio\nNora,nora@example.org,S,yes,no,yes\nGone,gone.away@example.nhs.uk,S,yes,no,yes\n",
    )
    assert response.status_code == 400 and body(response).count("no active portal account") >= 2


def test_an_import_waiting_for_a_worker_adds_nothing_if_the_vacancy_closes_first(app, lead_vacancy):
    from competency_portal.jobs import dispatch
    from competency_portal.models import Job, JobState, VacancyStatus
    from loadtest.server import free_port

    lead, _, v = lead_vacancy
    b = browser(app, lead)
    token = _token(body(_upload(b, v, f"{HEADER},AP.1\nGwendolyn Ashby,gwen@example.org,S,no,yes,no,Answer\n")))
    # A queue that cannot be reached: the job is committed and waits, as it would behind a busy worker.
    waiting = dispatch.register(db.engine, {**app.config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    try:
        followed = b.post(f"/recruitment/vacancies/{v}/applications/import/confirm", {"token": token})
        assert "Waiting to start" in body(b.get(followed.headers["Location"]))
        db.session.expire_all()
        _vacancy(db.session, v).status = VacancyStatus.CLOSED
        db.session.commit()
        before = snapshot()
        [job] = db.session.scalars(select(Job).where(Job.kind == "application_import")).all()
        assert waiting.run_here(job.id) == JobState.DONE
        page = body(b.get(followed.headers["Location"]))
        assert "Nothing was changed" in page and "no longer takes applications" in page
        assert "Back to the vacancy" in page
        assert sorted(diff(before, snapshot())) == ["background_job", "notification"]  # the job ended, and said so
    finally:
        dispatch.register(db.engine, app.config)
