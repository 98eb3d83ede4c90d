"""The JSON API: personal access tokens, what each endpoint answers, and that a token sees exactly what its
person sees in the pages (the same policy module), with every call audited and limited."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from competency_portal.api import access
from competency_portal.extensions import db
from competency_portal.models import ApiToken, AuditEvent, Item, User
from competency_portal.readiness import data as readiness_data
from competency_portal.services import api_tokens
from tests.portal_helpers import signed_in


def _token(world, kind: str, scopes=("frameworks", "people"), days: int = 30) -> str:
    made = api_tokens.make(
        db.session,
        db.session.get(User, world.id(kind)),
        f"{kind}'s report",
        list(scopes),
        days,
        datetime.now(timezone.utc),
    )
    db.session.commit()
    return made.secret


def _get(client, url: str, secret: str | None, **headers):
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return client.get(url, headers=headers)


def test_without_a_working_token_every_call_is_refused_with_json(app, world, client):
    for given in (None, "cpat_not-a-token", "Basic abc"):
        answer = client.get("/api/v1/frameworks", headers={"Authorization": given} if given else {})
        assert answer.status_code == 401 and answer.is_json
        assert answer.get_json()["message"].startswith("Send a working personal access token")
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    browser = signed_in(app, world, "admin")  # a signed-in session is not a token
    assert browser.get("/api/v1/frameworks").status_code == 401


def test_frameworks_are_listed_paginated_filtered_and_answer_304_when_unchanged(app, world, client):
    secret = _token(world, "owner")
    first = _get(client, "/api/v1/frameworks?page_size=2", secret)
    assert first.status_code == 200 and len(first.get_json()) == 2
    paging = json.loads(first.headers["X-Pagination"])
    assert paging["total"] == 7 and paging["total_pages"] == 4
    kinds = {f["kind"] for f in _get(client, "/api/v1/frameworks?kind=person_specification", secret).get_json()}
    assert kinds == {"person_specification"}
    again = _get(client, "/api/v1/frameworks?page_size=2", secret, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert _get(client, "/api/v1/frameworks?kind=nonsense", secret).status_code == 422
    assert _get(client, "/api/v1/frameworks?page=1552520518471758848", secret).status_code == 422  # not a 500


def test_a_framework_comes_whole_with_each_items_case_uri(app, world, client):
    secret = _token(world, "owner")
    body = _get(client, f"/api/v1/frameworks/{world.framework_slug}", secret).get_json()
    item = body["domains"][0]["items"][0]
    assert item["code"] == world.item_code
    assert client.get(item["case_uri"].removeprefix("http://localhost")).get_json()["humanCodingScheme"] == item["code"]
    assert _get(client, "/api/v1/frameworks/no-such-framework", secret).status_code == 404
    role = _get(client, "/api/v1/role-profiles/care-coordinator-band-6", secret).get_json()
    assert role["items"] == len(role["targets"]) > 10


def test_a_token_reads_only_its_scopes(app, world, client):
    people_only = _token(world, "owner", scopes=("people",))
    refused = _get(client, "/api/v1/frameworks", people_only)
    assert refused.status_code == 403 and "may not read frameworks" in refused.get_json()["message"]
    assert _get(client, f"/api/v1/people/{world.id('owner')}/readiness", people_only).status_code == 200


@pytest.mark.parametrize(
    ("kind", "sees_owner"),
    [
        ("owner", True),
        ("supervisor", True),
        ("admin", True),
        ("other_staff", False),
        ("unrelated_supervisor", False),
        ("recruiter", False),
    ],
)
def test_readiness_is_seen_by_those_the_pages_let_see_it(app, world, client, kind, sees_owner):
    secret = _token(world, kind)
    answer = _get(client, f"/api/v1/people/{world.id('owner')}/readiness", secret)
    assert answer.status_code == (200 if sees_owner else 404)
    listed = {p["id"] for p in _get(client, "/api/v1/people?page_size=100", secret).get_json()}
    assert (world.id("owner") in listed) == sees_owner


@pytest.mark.parametrize(
    ("kind", "status"), [("owner", 200), ("supervisor", 200), ("admin", 200), ("other_staff", 404)]
)
def test_training_is_seen_by_those_the_pages_let_see_it(app, world, client, kind, status):
    from competency_portal.services import training

    answer = _get(client, f"/api/v1/people/{world.id('owner')}/training", _token(world, kind))
    assert answer.status_code == status
    if status == 200:
        owner = db.session.get(User, world.id("owner"))
        expected = training.statuses_for(db.session, [owner], date.today())[owner.id].all_rows
        assert [(r["key"], r["state"]) for r in answer.get_json()["requirements"]] == [
            (r.key, r.state.value) for r in expected
        ]


def test_readiness_is_the_dashboards_readiness(app, world, client):
    secret = _token(world, "supervisor")
    owner = db.session.get(User, world.id("owner"))
    expected = readiness_data.readiness_for(db.session, [owner], date.today())[owner.id]
    body = _get(client, f"/api/v1/people/{owner.id}/readiness", secret).get_json()
    assert (body["required"], body["met"], body["ready"]) == (expected.required, expected.met, expected.ready)
    assert [g["code"] for g in body["gaps"]] == [g.required.code for g in expected.gaps()]
    past = _get(client, f"/api/v1/people/{owner.id}/readiness?as_of=2020-01-01", secret).get_json()
    assert past["as_of"] == "2020-01-01" and past["met"] == 0
    # Ahead, it is readiness as it will stand: a sign-off due for review by then no longer counts.
    db.session.get(Item, world.item_ids[2]).review_months = 12
    db.session.commit()
    now = _get(client, f"/api/v1/people/{owner.id}/readiness", secret).get_json()
    later = _get(client, f"/api/v1/people/{owner.id}/readiness?as_of={date.today().year + 2}-01-01", secret).get_json()
    assert now["met"] >= 1 and later["met"] == now["met"] - 1
    assert (
        _get(client, f"/api/v1/people/{owner.id}/readiness?as_of=9999-12-31", secret).get_json()["met"] == later["met"]
    )


def test_every_call_is_audited_with_whom_it_was_about(app, world, client):
    secret = _token(world, "supervisor")
    _get(client, f"/api/v1/people/{world.id('owner')}/readiness", secret)
    _get(client, "/api/v1/me", secret)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api_read").order_by(AuditEvent.seq)
    ).all()
    assert [(e.actor_id, e.subject_id, e.detail["status"]) for e in events] == [
        (world.id("supervisor"), world.id("owner"), 200),
        (world.id("supervisor"), None, 200),
    ]
    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is not None


def test_expired_revoked_and_deactivated_tokens_stop_working(app, world, client):
    secret = _token(world, "owner")
    assert _get(client, "/api/v1/me", secret).status_code == 200
    token = db.session.scalar(select(ApiToken))
    token.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    assert _get(client, "/api/v1/me", secret).status_code == 401
    second = _token(world, "owner")
    db.session.get(User, world.id("owner")).active = False
    db.session.commit()
    assert _get(client, "/api/v1/me", second).status_code == 401


def test_a_token_over_its_limit_is_told_when_to_come_back(app, world, client, monkeypatch):
    from limits import RateLimitItemPerMinute

    monkeypatch.setattr(access, "_limit", RateLimitItemPerMinute(2))
    secret = _token(world, "owner")
    assert [_get(client, "/api/v1/me", secret).status_code for _ in range(3)] == [200, 200, 429]
    limited = _get(client, "/api/v1/me", secret)
    assert int(limited.headers["Retry-After"]) >= 1 and "calls a minute" in limited.get_json()["message"]


def test_a_person_makes_a_token_sees_it_once_and_revokes_it(app, world):
    owner = signed_in(app, world, "owner")
    made = owner.post("/account/api-tokens", {"name": "Readiness report", "scopes": ["people"], "days": "90"})
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and "Copy it now: it will not be shown again." in page
    token = db.session.scalar(select(ApiToken))
    secret = page.split('id="new-token" type="text" value="')[1].split('"')[0]
    assert secret.startswith("cpat_") and token.secret_hash != secret and secret not in json.dumps(token.scopes)
    assert api_tokens.check(db.session, secret, datetime.now(timezone.utc)).id == token.id
    listing = owner.get("/account/api-tokens").get_data(as_text=True)
    assert token.prefix in listing and secret not in listing
    assert signed_in(app, world, "other_staff").post(f"/account/api-tokens/{token.id}/revoke", {}).status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is None  # not theirs
    owner.post(f"/account/api-tokens/{token.id}/revoke", {})
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert api_tokens.check(db.session, secret, datetime.now(timezone.utc)) is None
    assert "training figures, by team" not in listing  # the figures scope is offered only to administrators
    assert "training figures, by team" in signed_in(app, world, "admin").get("/account/api-tokens").get_data(
        as_text=True
    )
    refused = owner.post("/account/api-tokens", {"name": "", "scopes": [], "days": "7"})
    assert refused.status_code == 400 and "Choose what the token may read" in refused.get_data(as_text=True)


def test_the_openapi_document_and_its_page_describe_every_operation(app, client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    api_rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    documented = {p.replace("{", "<").replace("}", ">") for p in document["paths"]}
    assert {r.replace("string:", "").replace("int:", "") for r in api_rules} == documented
    page = client.get("/api/docs").get_data(as_text=True)
    assert all(f"GET {path}" in page for path in document["paths"])
