"""The public credential checker: paste or upload a credential, see valid, expired, revoked or forged in plain
words, and the same answers from the API."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from competency_portal.extensions import db
from competency_portal.models import CredentialKind, Item, SignOff, User
from competency_portal.services import credentials, signoff
from tests.credential_helpers import issuer, reencode, segment
from tests.portal_helpers import Browser


def _token(app, world) -> str:
    owner = db.session.get(User, world.id("owner"))
    item = db.session.get(Item, world.item_ids[2])
    issued = credentials.issue(
        db.session, owner, CredentialKind.ITEM, item.case_identifier, issuer(app), datetime.now(timezone.utc)
    )
    db.session.commit()
    return issued.token


def _check_page(app, data: dict) -> str:
    browser = Browser(app)  # anyone: the checker needs no account
    response = browser.post("/credentials/verify", data, content_type="multipart/form-data")
    assert response.status_code in (200, 400)
    return response.get_data(as_text=True)


def test_anyone_pastes_a_credential_and_sees_it_is_valid_and_what_it_claims(app, world):
    token = _token(app, world)
    page = _check_page(app, {"credential": token, "email": "owner@example.nhs.uk"})
    assert '<h2 class="nhsuk-card__heading nhsuk-card__heading--feature">Valid</h2>' in page
    assert "Genuine, signed by" in page and "Issued to owner@example.nhs.uk." in page
    assert "Supervisor signed off" in page  # who signed it off, and when
    assert db.session.get(Item, world.item_ids[2]).code in page
    wrong = _check_page(app, {"credential": token, "email": "someone.else@example.nhs.uk"})
    assert "Not issued to someone.else@example.nhs.uk." in wrong


def test_an_uploaded_credential_file_is_checked_the_same_way(app, world):
    token = _token(app, world)
    page = _check_page(app, {"upload": (io.BytesIO(token.encode()), "credential.jwt")})
    assert 'heading--feature">Valid</h2>' in page


def test_the_page_says_forged_revoked_expired_or_unreadable_in_plain_words(app, world, monkeypatch):
    token = _token(app, world)
    payload = segment(token, 1)
    payload["vc"]["credentialSubject"]["achievement"]["name"] = "Approved Mental Health Professional"
    forged = _check_page(app, {"credential": reencode(token, payload)})
    assert "Forged or altered" in forged and "altered after signing" in forged
    assert "Approved Mental Health Professional" not in forged  # a forgery's claims are not repeated as if true
    assert "not a signed credential" in _check_page(app, {"credential": "hello"})
    assert "Paste a credential, or choose a credential file" in _check_page(app, {"credential": ""})
    later = datetime.now(timezone.utc) + timedelta(days=3650)
    db.session.get(Item, world.item_ids[2]).review_months = 12
    db.session.commit()
    monkeypatch.setitem(app.config, "PORTAL_NOW", later)
    assert "Valid" in _check_page(app, {"credential": token})  # issued with no review period: does not expire
    monkeypatch.delitem(app.config, "PORTAL_NOW")
    supervisor = db.session.get(User, world.id("supervisor"))
    signoff.revoke(
        db.session, db.session.get(SignOff, world.sign_off), supervisor, "Wrong person", datetime.now(timezone.utc)
    )
    db.session.commit()
    revoked = _check_page(app, {"credential": token})
    assert "Revoked</h2>" in revoked and "has revoked it" in revoked


def test_an_unknown_issuers_credential_is_named_as_such_and_nothing_is_fetched(app, world):
    token = _token(app, world)
    payload = segment(token, 1)
    payload["iss"] = "https://attacker.example/credentials/issuer"
    page = _check_page(app, {"credential": reencode(token, payload)})
    assert "Issuer not known" in page and "https://attacker.example/credentials/issuer" in page


def test_the_api_gives_the_same_answers_as_json(app, world, client):
    token = _token(app, world)
    valid = client.post("/api/credentials/verify", data=token, content_type="application/jwt")
    assert valid.status_code == 200 and valid.headers["Cache-Control"] == "no-store"
    body = valid.get_json()
    assert (body["result"], body["valid"]) == ("valid", True)
    assert body["credential"]["issuer"]["id"] == "http://localhost/credentials/issuer"
    assert body["credential"]["alignment"][0]["url"].startswith("http://localhost/ims/case/v1p1/CFItems/")
    as_json = client.post("/api/credentials/verify", json={"credential": token, "email": "owner@example.nhs.uk"})
    assert as_json.get_json()["issuedToEmail"] is True
    tampered = reencode(token, {**segment(token, 1), "exp": 1})
    forged = client.post("/api/credentials/verify", data=tampered).get_json()
    assert forged["result"] == "forged" and "credential" not in forged
    assert client.post("/api/credentials/verify", data="").status_code == 400
    assert client.post("/api/credentials/verify", json={"nope": 1}).status_code == 400
    assert client.post("/api/credentials/verify", data="x" * 300_000).status_code == 413
