"""A person joining from another trust brings their credentials: verified against that trust's published key and
revocation list, over HTTP, then shown to their supervisor as evidence, never counted by themselves.

"Northfield" is a second, real portal (its own database and signing key) served on 127.0.0.1; the
portal under test trusts it by configuration, as an administrator would set TRUSTED_CREDENTIAL_ISSUERS.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select
from werkzeug.serving import make_server

from competency_portal import create_app, credential_context, storage
from competency_portal.badges import vocabulary
from competency_portal.extensions import db
from competency_portal.frameworks import loader
from competency_portal.models import (
    CredentialKind,
    Evidence,
    EvidenceState,
    Framework,
    FrameworkVersion,
    Item,
    ReceivedCredential,
    Role,
    SignOff,
    Supervision,
    User,
)
from competency_portal.services import credentials, people, signoff
from tests.credential_helpers import issuer, reencode, segment, sign_off
from tests.portal_helpers import signed_in

NORTHFIELD = "Northfield NHS Foundation Trust"


@dataclass
class OtherTrust:
    """Credentials Northfield issued to the person who now joins the portal under test."""

    issuer_id: str
    valid: str
    to_be_revoked: str
    revocable_sign_off: int
    expired: str
    to_another_address: str
    app: object


def _item(session, slug: str, code: str) -> Item:
    return session.scalar(
        select(Item)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(Framework.slug == slug, Item.code == code, FrameworkVersion.revision == Framework.current_revision)
    )


def _northfield_app(folder):
    return create_app(
        {
            "TESTING": True,
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "northfield-testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'northfield.sqlite3'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "CREDENTIAL_KEY_FILE": str(folder / "northfield-key.pem"),
            "CREDENTIAL_ISSUER_NAME": NORTHFIELD,
        }
    )


@pytest.fixture(scope="module")
def northfield(tmp_path_factory, framework_bundle):
    """Northfield's portal, running, with credentials it issued: valid, to be revoked, expired, to someone else."""
    folder = tmp_path_factory.mktemp("northfield")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DATABASE_URL", raising=False)  # Northfield has its own database, whichever the suite uses
        other = _northfield_app(folder)
    server = make_server("127.0.0.1", 0, other, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    other.config["PUBLIC_URL"] = base
    with other.app_context():
        upgrade(directory=str(Path(__file__).parents[1] / "migrations"))
        session = db.session
        loader.load(session, framework_bundle)
        them = people.create_person(
            session, name="Owner", email="owner@example.nhs.uk", roles={Role.STAFF}, target_role=None
        )
        moved = people.create_person(session, name="Sam Carter", email="sam@northfield.nhs.uk", roles={Role.STAFF})
        boss = people.create_person(
            session, name="Nia Northfield", email="nia@northfield.nhs.uk", roles={Role.SUPERVISOR}
        )
        for person in (them, moved):
            session.add(Supervision(supervisor_id=boss.id, supervisee_id=person.id, starts_on=date(2020, 1, 1)))
        session.flush()
        store, now = storage.from_config(other.config), datetime.now(timezone.utc)
        first, second = (
            _item(session, "cpa-care-coordinator-competencies", "NA.1"),
            _item(session, "cpa-care-coordinator-competencies", "NA.2"),
        )
        first.review_months = 12
        signed = sign_off(session, them, boss, {first.id: 3}, now - timedelta(days=500), store)
        revocable = sign_off(session, them, boss, {second.id: 2}, now - timedelta(days=2), store)
        sign_off(session, moved, boss, {second.id: 2}, now - timedelta(days=2), store)
        session.commit()
        signing = issuer(other, base)
        long_ago = now - timedelta(days=400)  # the first sign-off was current then; it expired 135 days ago
        expired = credentials.issue(session, them, CredentialKind.ITEM, first.case_identifier, signing, long_ago)
        first.review_months = None  # reviewed later with no end date: a fresh credential for it is current
        session.commit()
        valid = credentials.issue(session, them, CredentialKind.ITEM, first.case_identifier, signing, now)
        doomed = credentials.issue(session, them, CredentialKind.ITEM, second.case_identifier, signing, now)
        elsewhere = credentials.issue(session, moved, CredentialKind.ITEM, second.case_identifier, signing, now)
        session.commit()
        trust = OtherTrust(
            vocabulary.issuer_id(base), valid.token, doomed.token, revocable.id, expired.token, elsewhere.token, other
        )
        assert signed.id != revocable.id
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield trust
    server.shutdown()


@pytest.fixture(autouse=True)
def _fresh_fetches():
    """Keys and lists are cached for a minute in production; each test here sees the issuer as it is now."""
    credential_context._cache.clear()
    yield
    credential_context._cache.clear()


@pytest.fixture
def trusting(app, monkeypatch, northfield):
    monkeypatch.setitem(app.config, "TRUSTED_CREDENTIAL_ISSUERS", [northfield.issuer_id])
    return northfield


def _bring(browser, token: str, issued_to: str = ""):
    return browser.post("/portfolio/evidence/from-credential", {"credential": token, "issued_to": issued_to})


def test_a_credential_from_a_trusted_trust_becomes_draft_evidence_for_the_supervisor_to_judge(app, world, trusting):
    owner = signed_in(app, world, "owner")
    sign_offs_before = db.session.scalar(select(func.count()).select_from(SignOff))
    answer = _bring(owner, trusting.valid)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    received = db.session.scalar(select(ReceivedCredential))
    evidence = db.session.get(Evidence, received.evidence_id)
    assert evidence.state == EvidenceState.DRAFT and evidence.owner_id == world.id("owner")
    assert received.issuer_name == NORTHFIELD and received.issuer_id == trusting.issuer_id
    page = owner.get(answer.headers["Location"]).get_data(as_text=True)
    assert "your supervisor decides whether it counts" in page
    assert f"A credential from {NORTHFIELD}" in page and "Checked again now: Valid." in page
    local = _item(db.session, "cpa-care-coordinator-competencies", "NA.1")
    assert [link.item_id for link in evidence.current.links] == [local.id]  # the same framework's CC.1, suggested
    assert db.session.scalar(select(func.count()).select_from(SignOff)) == sign_offs_before  # nothing counted
    # The owner submits it like any evidence; the supervisor sees the credential checked again when deciding.
    owner.post(f"/portfolio/evidence/{evidence.id}/submit", {})
    supervisor = signed_in(app, world, "supervisor")
    review = supervisor.get(f"/supervision/evidence/{evidence.id}").get_data(as_text=True)
    assert "Checked again now: Valid." in review and "counts for nothing by itself" in review
    again = _bring(owner, trusting.valid)
    assert again.status_code == 400 and "already brought this credential in" in again.get_data(as_text=True)


def test_a_credential_from_an_issuer_nobody_listed_is_refused(app, world, northfield):
    owner = signed_in(app, world, "owner")
    answer = _bring(owner, northfield.valid)
    assert answer.status_code == 400
    assert "Issuer not known" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ReceivedCredential)) == 0


def test_tampered_expired_and_revoked_credentials_are_refused_with_the_reason(app, world, trusting):
    owner = signed_in(app, world, "owner")
    payload = segment(trusting.valid, 1)
    payload["vc"]["credentialSubject"]["achievement"]["name"] = "Consultant nurse"
    tampered = _bring(owner, reencode(trusting.valid, payload)).get_data(as_text=True)
    assert "Forged or altered" in tampered
    assert "Expired" in _bring(owner, trusting.expired).get_data(as_text=True)
    with trusting.app.app_context():
        northfield_boss = db.session.scalar(select(User).where(User.email == "nia@northfield.nhs.uk"))
        revocable = db.session.get(SignOff, trusting.revocable_sign_off)
        signoff.revoke(db.session, revocable, northfield_boss, "Signed in error", datetime.now(timezone.utc))
        db.session.commit()
    revoked = _bring(owner, trusting.to_be_revoked).get_data(as_text=True)
    assert "Revoked" in revoked and f"{NORTHFIELD} has revoked it" in revoked
    assert db.session.scalar(select(func.count()).select_from(ReceivedCredential)) == 0


def test_a_credential_issued_to_another_address_needs_the_address_it_was_issued_to(app, world, trusting):
    owner = signed_in(app, world, "owner")
    refused = _bring(owner, trusting.to_another_address)
    assert refused.status_code == 400 and "issued to a different email address" in refused.get_data(as_text=True)
    assert _bring(owner, trusting.to_another_address, "someone@northfield.nhs.uk").status_code == 400
    accepted = _bring(owner, trusting.to_another_address, "sam@northfield.nhs.uk")
    assert accepted.status_code == 302


def test_an_issuer_that_cannot_be_reached_is_said_so(app, world, monkeypatch, northfield):
    unreachable = "http://127.0.0.1:9"  # the discard port: nothing answers
    monkeypatch.setitem(app.config, "TRUSTED_CREDENTIAL_ISSUERS", [unreachable + "/credentials/issuer"])
    header = {**segment(northfield.valid, 0), "kid": unreachable + "/credentials/keys/k1"}
    payload = {**segment(northfield.valid, 1), "iss": unreachable + "/credentials/issuer"}
    head = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    token = reencode(northfield.valid, payload)
    owner = signed_in(app, world, "owner")
    page = _bring(owner, ".".join([head, *token.split(".")[1:]])).get_data(as_text=True)
    assert "Could not be checked now" in page and "try again later" in page
