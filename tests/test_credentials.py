"""Open Badges 3.0 credentials issued by the portal: what they say, that they verify by a standard VC-JWT
check with the published key, and that tampering, revocation and expiry are each caught."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from joserfc import jwt as joserfc_jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from competency_portal import storage
from competency_portal.badges import bitstring
from competency_portal.extensions import db
from competency_portal.models import CredentialKind, CredentialState, IssuedCredential, Item, SignOff, User
from competency_portal.services import credential_checking, credential_offers, credentials, signoff
from tests.credential_helpers import issuer, reencode, schema_errors, segment, sign_off, standard_check, trust
from tests.portal_helpers import signed_in

Outcome = credential_checking.Outcome


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _item_credential(app, world) -> IssuedCredential:
    owner = db.session.get(User, world.id("owner"))
    item = db.session.get(Item, world.item_ids[2])  # the world's signed-off item
    found = credentials.issue(db.session, owner, CredentialKind.ITEM, item.case_identifier, issuer(app), _now())
    db.session.commit()
    return found


def test_a_staff_member_asks_for_a_credential_for_a_signed_off_item_and_downloads_it(app, world):
    owner = signed_in(app, world, "owner")
    page = owner.get("/portfolio/credentials")
    assert page.status_code == 200
    item = db.session.get(Item, world.item_ids[2])
    assert item.code in page.text and "Get a credential" in page.text
    asked = owner.post("/portfolio/credentials", {"kind": "item", "ref": item.case_identifier})
    assert asked.status_code == 302
    shown = owner.get(asked.headers["Location"])
    assert "Your credential has been issued." in shown.text and "Supervisor" in shown.text
    credential = db.session.scalar(select(IssuedCredential))
    download = owner.get(f"/portfolio/credentials/{credential.public_id}/download")
    assert download.headers["Content-Type"] == "application/jwt"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_data(as_text=True) == credential.token
    # Asking again gives back the credential already held, not a second one.
    again = owner.post("/portfolio/credentials", {"kind": "item", "ref": item.case_identifier})
    assert again.headers["Location"] == asked.headers["Location"]
    assert len(db.session.scalars(select(IssuedCredential)).all()) == 1


def test_a_credential_cannot_be_asked_for_what_is_not_verified(app, world):
    owner = signed_in(app, world, "owner")
    unverified = db.session.get(Item, world.item_ids[3])  # only a draft links to it
    refused = owner.post("/portfolio/credentials", {"kind": "item", "ref": unverified.case_identifier})
    assert refused.status_code == 302
    assert "no credential can be issued for it" in owner.get("/portfolio/credentials").text
    someone_else = db.session.get(Item, world.item_ids[0])  # verified for other_staff, not for the owner
    owner.post("/portfolio/credentials", {"kind": "item", "ref": someone_else.case_identifier})
    assert db.session.scalars(select(IssuedCredential)).all() == []


def test_the_credential_is_an_open_badges_3_credential_that_says_who_signed_it_off_and_nothing_clinical(app, world):
    credential = _item_credential(app, world)
    header, payload = segment(credential.token, 0), segment(credential.token, 1)
    vc = payload["vc"]
    assert schema_errors(vc) == []
    assert header == {"alg": "RS256", "kid": header["kid"], "typ": "JWT"}
    assert (payload["iss"], payload["jti"], payload["sub"]) == (
        vc["issuer"]["id"],
        vc["id"],
        vc["credentialSubject"]["id"],
    )
    item = db.session.get(Item, world.item_ids[2])
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["criteria"]["narrative"] == item.statement
    assert achievement["alignment"][0]["targetUrl"] == f"http://localhost/ims/case/v1p1/CFItems/{item.case_identifier}"
    assert "Signed off by Supervisor" in vc["evidence"][0]["name"]
    assert "Care plan review" not in credential.token and "What I did" not in str(vc)  # the evidence's own words
    assert vc["credentialSubject"]["identifier"][1] == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Owner",
    }
    assert "owner@example.nhs.uk" not in str(vc)  # the email only as a salted hash


def test_the_schema_check_catches_a_credential_that_breaks_the_standard(app, world):
    vc = segment(_item_credential(app, world).token, 1)["vc"]
    broken = {**vc, "type": ["VerifiableCredential"]}
    assert any("type" in e for e in schema_errors(broken))
    del broken["credentialSubject"]["achievement"]["criteria"]
    assert any("criteria" in e for e in schema_errors(broken))


def test_a_standard_vc_jwt_check_with_the_published_key_accepts_it(app, world, client):
    credential = _item_credential(app, world)
    header = segment(credential.token, 0)
    jwks = client.get("/.well-known/jwks.json").get_json()
    assert all("d" not in key and "p" not in key for key in jwks["keys"])  # never a private part
    assert header["kid"].startswith("http://localhost/credentials/keys/")
    dereferenced = client.get(header["kid"].removeprefix("http://localhost")).get_json()
    assert dereferenced in jwks["keys"]
    # Checked from the RFCs with `cryptography`, not by the library that signed it.
    claims = standard_check(credential.token, jwks, _now())
    assert claims["vc"]["credentialSubject"]["achievement"]["name"] == credential.title
    profile = client.get("/credentials/issuer").get_json()
    assert profile["id"] == claims["iss"] and profile["name"] == app.config["CREDENTIAL_ISSUER_NAME"]


def test_the_portals_own_check_says_valid_and_spots_each_kind_of_forgery(app, world):
    credential = _item_credential(app, world)
    circle = trust(app, db.session)
    assert credential_checking.check(credential.token, circle, _now()).outcome == Outcome.VALID
    payload = segment(credential.token, 1)
    raised = {**payload, "vc": {**payload["vc"], "name": "Consultant psychiatrist"}}
    assert credential_checking.check(reencode(credential.token, raised), circle, _now()).outcome == Outcome.FORGED
    # Signed with another key that claims the portal's kid.
    other = RSAKey.generate_key(2048)
    forged = joserfc_jwt.encode(segment(credential.token, 0), payload, other, algorithms=["RS256"])
    assert credential_checking.check(forged, circle, _now()).outcome == Outcome.FORGED
    # An unsigned token ("alg": "none") is never accepted.
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    unsigned = ".".join([none_header, credential.token.split(".")[1], "AA"])
    verdict = credential_checking.check(unsigned, circle, _now())
    assert verdict.outcome == Outcome.FORGED and "RS256" in verdict.reason
    # The JWT's claims contradicting the credential inside it.
    moved = joserfc_jwt.encode(
        segment(credential.token, 0),
        {**payload, "sub": "urn:uuid:someone-else"},
        issuer(app).keys.signing,
        algorithms=["RS256"],
    )
    verdict = credential_checking.check(moved, circle, _now())
    assert verdict.outcome == Outcome.FORGED and "'sub'" in verdict.reason


def test_revoking_the_sign_off_revokes_the_credential_in_the_published_list(app, world, client):
    credential = _item_credential(app, world)
    listed = client.get("/credentials/status/revocation")
    bits = bitstring.decode(segment(listed.get_data(as_text=True), 1)["vc"]["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == 131_072 and not bitstring.is_set(bits, credential.status_index)
    supervisor = db.session.get(User, world.id("supervisor"))
    signoff.revoke(db.session, db.session.get(SignOff, world.sign_off), supervisor, "Signed in error", _now())
    db.session.commit()
    db.session.refresh(credential)
    assert credential.state == CredentialState.REVOKED
    relisted = client.get("/credentials/status/revocation", headers={"If-None-Match": listed.headers["ETag"]})
    assert relisted.status_code == 200  # the list changed, so the old copy is stale
    token = relisted.get_data(as_text=True)
    list_payload = segment(token, 1)
    assert list_payload["vc"]["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    bits = bitstring.decode(list_payload["vc"]["credentialSubject"]["encodedList"])
    assert bitstring.is_set(bits, credential.status_index) and sum(bin(b).count("1") for b in bits) == 1
    standard_check(token, client.get("/.well-known/jwks.json").get_json(), _now())  # the list is signed too
    verdict = credential_checking.check(credential.token, trust(app, db.session), _now())
    assert verdict.outcome == Outcome.REVOKED
    owner = signed_in(app, world, "owner")
    assert "Revoked" in owner.get(f"/portfolio/credentials/{credential.public_id}").text


def test_a_credential_expires_when_the_sign_off_is_due_for_review(app, world, monkeypatch):
    item = db.session.get(Item, world.item_ids[2])
    item.review_months = 12
    db.session.commit()
    credential = _item_credential(app, world)
    decided = db.session.get(SignOff, world.sign_off).decided_at.date()
    assert credential.valid_until.date() == decided.replace(year=decided.year + 1)
    vc = segment(credential.token, 1)["vc"]
    assert vc["validUntil"].startswith(credential.valid_until.strftime("%Y-%m-%d"))
    later = credential.valid_until.replace(tzinfo=timezone.utc) + timedelta(days=1)
    verdict = credential_checking.check(credential.token, trust(app, db.session), later)
    assert verdict.outcome == Outcome.EXPIRED and "expired on" in verdict.reason
    monkeypatch.setitem(app.config, "PORTAL_NOW", later)
    owner = signed_in(app, world, "owner")
    assert "Expired" in owner.get(f"/portfolio/credentials/{credential.public_id}").text


def test_a_domain_and_readiness_for_the_role_can_be_credentials_once_every_item_is_verified(app, world):
    session = db.session
    owner, supervisor = session.get(User, world.id("owner")), session.get(User, world.id("supervisor"))
    now = _now()
    assert [o.kind for o in credential_offers.offers(session, owner, now.date())] == [CredentialKind.ITEM]
    from competency_portal.readiness import data as readiness_data

    required = readiness_data.requirements(session, owner.target_role)
    from competency_portal.services import evidence as evidence_service

    picker = {item.id: item for g in evidence_service.picker_groups(session, owner) for item in g.items}
    wanted = {r.key: r.target for r in required}
    levels = {
        i.id: wanted[(i.version.framework.slug, i.code)]
        for i in picker.values()
        if (i.version.framework.slug, i.code) in wanted
    }
    sign_off(session, owner, supervisor, levels, now - timedelta(minutes=5), storage.from_config(app.config))
    session.commit()
    offers = credential_offers.offers(session, owner, now.date())
    kinds = [o.kind for o in offers]
    assert kinds[0] == CredentialKind.ROLE and CredentialKind.DOMAIN in kinds
    role = credentials.issue(session, owner, CredentialKind.ROLE, offers[0].ref, issuer(app), now)
    session.commit()
    vc = segment(role.token, 1)["vc"]
    assert schema_errors(vc) == []
    assert vc["name"].startswith("Ready for the role")
    assert len(vc["credentialSubject"]["achievement"]["alignment"]) == len(required)
    domain_offer = next(o for o in offers if o.kind == CredentialKind.DOMAIN)
    domain = credentials.issue(session, owner, CredentialKind.DOMAIN, domain_offer.ref, issuer(app), now)
    session.commit()
    assert schema_errors(segment(domain.token, 1)["vc"]) == []
    assert credential_checking.check(role.token, trust(app, session), now).outcome == Outcome.VALID


@pytest.mark.parametrize("who", ["other_staff", "supervisor", "admin"])
def test_nobody_else_opens_or_downloads_a_persons_credential(app, world, who):
    credential = _item_credential(app, world)
    browser = signed_in(app, world, who)
    assert browser.get(f"/portfolio/credentials/{credential.public_id}").status_code == 404
    assert browser.get(f"/portfolio/credentials/{credential.public_id}/download").status_code == 404
