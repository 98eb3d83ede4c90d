"""Vacancies and their shortlists through the API: for the lead and the panel, as the shortlist page allows,
by reference (candidates' names stay in the portal)."""

from __future__ import annotations

from datetime import datetime, timezone

from permission_rules_recruitment_shortlisting import build_vacancy, give_scores, recruiter
from sqlalchemy import select

from competency_portal.extensions import db
from competency_portal.models import Application, Outcome, ShortlistDecision
from competency_portal.services import api_tokens

CANDIDATES = [("REF-001", "Alex Able", "alex@example.org", False), ("REF-002", "Bo Best", "bo@example.org", False)]


def _secret(user, scopes=("recruitment",)) -> str:
    made = api_tokens.make(db.session, user, "Shortlist report", list(scopes), 30, datetime.now(timezone.utc))
    db.session.commit()
    return made.secret


def _get(client, url, secret):
    return client.get(url, headers={"Authorization": f"Bearer {secret}"})


def test_the_lead_and_a_panel_member_who_has_scored_read_the_shortlist_by_reference(app, seeded, client):
    lead, member, outsider = (
        recruiter(db.session, "Lee Lead"),
        recruiter(db.session, "Pat Panel"),
        recruiter(db.session, "Oli Other"),
    )
    vacancy = build_vacancy(db.session, lead.id, [member.id], CANDIDATES)
    first = db.session.scalar(
        select(Application).where(Application.vacancy_id == vacancy.id).order_by(Application.reference)
    )
    db.session.add(
        ShortlistDecision(
            application_id=first.id, outcome=Outcome.SHORTLIST, reason="Meets every essential", decided_by_id=lead.id
        )
    )
    db.session.commit()
    listed = _get(client, "/api/v1/vacancies", _secret(lead)).get_json()  # the lead sits on the panel too
    assert [(v["id"], v["role"], v["applications"]) for v in listed] == [(vacancy.id, "lead", 2)]
    lead_secret = _secret(lead)
    assert (
        _get(client, f"/api/v1/vacancies/{vacancy.id}/shortlist", lead_secret).status_code == 403
    )  # the lead scores too
    give_scores(db.session, vacancy.id, lead.id)
    body = _get(client, f"/api/v1/vacancies/{vacancy.id}/shortlist", lead_secret).get_json()
    assert body["decisions"] == [
        {
            "reference": "REF-001",
            "outcome": "shortlist",
            "reason": "Meets every essential",
            "decided_at": body["decisions"][0]["decided_at"],
        }
    ]
    assert body["undecided"] == 1 and "Alex Able" not in str(body)
    member_secret = _secret(member)
    assert _get(client, "/api/v1/vacancies", member_secret).get_json()[0]["role"] == "panel"
    early = _get(client, f"/api/v1/vacancies/{vacancy.id}/shortlist", member_secret)
    assert early.status_code == 403 and "submitted your own scores" in early.get_json()["message"]
    give_scores(db.session, vacancy.id, member.id)
    assert _get(client, f"/api/v1/vacancies/{vacancy.id}/shortlist", member_secret).status_code == 200
    outsider_secret = _secret(outsider)
    assert _get(client, "/api/v1/vacancies", outsider_secret).get_json() == []
    assert _get(client, f"/api/v1/vacancies/{vacancy.id}/shortlist", outsider_secret).status_code == 404


def test_a_token_without_the_recruitment_scope_reads_no_vacancy(app, seeded, client):
    lead = recruiter(db.session, "Lee Lead")
    vacancy = build_vacancy(db.session, lead.id, [], CANDIDATES)
    secret = _secret(lead, scopes=("frameworks",))
    assert _get(client, "/api/v1/vacancies", secret).status_code == 403
    assert _get(client, f"/api/v1/vacancies/{vacancy.id}/shortlist", secret).status_code == 403
