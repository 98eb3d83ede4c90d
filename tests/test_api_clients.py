"""Reporting tools as OAuth 2.0 clients: registered by an administrator, tokens by the client credentials grant,
and what a client's token may read (frameworks and the organisation's figures, never a named person)."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from competency_portal.extensions import db
from competency_portal.models import ApiClient, AuditEvent, ClientToken, User
from competency_portal.services import api_clients, api_tokens, dashboards
from tests.portal_helpers import signed_in


def _register(world, scopes=("frameworks", "figures")) -> api_clients.Registered:
    admin = db.session.get(User, world.id("admin"))
    made = api_clients.register(db.session, admin, "Workforce dashboard", list(scopes), datetime.now(timezone.utc))
    db.session.commit()
    return made


def _basic(client_id: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def _token(client, made: api_clients.Registered, **form) -> dict:
    answer = client.post(
        "/api/oauth/token",
        data={"grant_type": "client_credentials", **form},
        headers=_basic(made.client.client_id, made.secret),
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_an_administrator_registers_a_tool_and_sees_its_secret_once(app, world):
    admin = signed_in(app, world, "admin")
    page = admin.post("/admin/api-clients", {"name": "Workforce dashboard", "scopes": ["figures"]}).get_data(
        as_text=True
    )
    assert "the secret will not be shown again" in page
    client = db.session.scalar(select(ApiClient))
    secret = page.split('id="client-secret" type="text" value="')[1].split('"')[0]
    assert client.secret_hash != secret and client.client_id in page
    listing = admin.get("/admin/api-clients").get_data(as_text=True)
    assert client.client_id in listing and secret not in listing
    assert signed_in(app, world, "supervisor").get("/admin/api-clients").status_code == 403


def test_the_client_credentials_grant_answers_as_rfc_6749_says(app, world, client):
    made = _register(world)
    issued = _token(client, made)
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600
    assert issued["scope"] == "figures frameworks"
    by_form = client.post(
        "/api/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": made.client.client_id,
            "client_secret": made.secret,
            "scope": "frameworks",
        },
    )
    assert by_form.get_json()["scope"] == "frameworks"
    wrong = client.post(
        "/api/oauth/token", data={"grant_type": "client_credentials"}, headers=_basic(made.client.client_id, "nope")
    )
    assert (
        wrong.status_code == 401
        and wrong.get_json()["error"] == "invalid_client"
        and "Basic" in wrong.headers["WWW-Authenticate"]
    )
    unknown = client.post(
        "/api/oauth/token", data={"grant_type": "client_credentials"}, headers=_basic("cpc_nobody", "x")
    )
    assert unknown.status_code == 401
    grant = client.post(
        "/api/oauth/token", data={"grant_type": "password"}, headers=_basic(made.client.client_id, made.secret)
    )
    assert grant.status_code == 400 and grant.get_json()["error"] == "unsupported_grant_type"
    beyond = client.post(
        "/api/oauth/token",
        data={"grant_type": "client_credentials", "scope": "people"},
        headers=_basic(made.client.client_id, made.secret),
    )
    assert beyond.status_code == 400 and beyond.get_json()["error"] == "invalid_scope"
    assert all(r.headers["Cache-Control"] == "no-store" for r in (by_form, wrong, grant))
    stored = db.session.scalars(select(ClientToken)).all()
    assert len(stored) == 2 and all(t.token_hash != issued["access_token"] for t in stored)


def test_a_clients_token_reads_frameworks_and_figures_but_no_named_person(app, world, client):
    access = _token(client, _register(world))["access_token"]
    bearer = {"Authorization": f"Bearer {access}"}
    assert client.get("/api/v1/frameworks", headers=bearer).status_code == 200
    figures = client.get("/api/v1/organisation/figures", headers=bearer).get_json()
    expected = dashboards.organisation_dashboard(db.session, None, date.today())
    assert figures["people"] == expected.people and len(figures["teams"]) == len(expected.by_team)
    assert [g["code"] for g in figures["gaps"]] == [code for code, _, _ in expected.gaps]
    for refused in (f"/api/v1/people/{world.id('owner')}/readiness", "/api/v1/people", "/api/v1/me"):
        answer = client.get(refused, headers=bearer)
        assert answer.status_code == 403, refused
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_read")).first()
    assert event.actor_id is None and event.detail["client"].startswith("cpc_")


def test_revoking_a_client_or_its_token_expiring_stops_it(app, world, client):
    made = _register(world)
    access = _token(client, made)["access_token"]
    bearer = {"Authorization": f"Bearer {access}"}
    stored = db.session.scalar(select(ClientToken))
    stored.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/frameworks", headers=bearer).status_code == 401
    fresh = {"Authorization": f"Bearer {_token(client, made)['access_token']}"}
    assert client.get("/api/v1/frameworks", headers=fresh).status_code == 200
    admin = signed_in(app, world, "admin")
    admin.post(f"/admin/api-clients/{made.client.id}/revoke", {})
    db.session.expire_all()  # this test's client shares the test's session; a server's request starts afresh
    assert client.get("/api/v1/frameworks", headers=fresh).status_code == 401
    again = client.post(
        "/api/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=_basic(made.client.client_id, made.secret),
    )
    assert again.status_code == 401


@pytest.mark.parametrize(("kind", "allowed"), [("admin", True), ("supervisor", False), ("owner", False)])
def test_only_those_who_see_the_organisation_view_make_a_token_for_its_figures(app, world, client, kind, allowed):
    person = db.session.get(User, world.id(kind))
    if not allowed:
        with pytest.raises(api_tokens.TokenError, match="organisation view"):
            api_tokens.make(db.session, person, "Figures", ["figures"], 30, datetime.now(timezone.utc))
        return
    made = api_tokens.make(db.session, person, "Figures", ["figures"], 30, datetime.now(timezone.utc))
    db.session.commit()
    answer = client.get("/api/v1/organisation/figures", headers={"Authorization": f"Bearer {made.secret}"})
    assert answer.status_code == 200 and "teams" in answer.get_json()
