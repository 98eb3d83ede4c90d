"""Permission expectations for Open Badges credentials, merged into tests/test_permissions.py.

Checking a credential, and the issuer's profile, keys and revocation list, are open to everyone
(200). A person's credentials are theirs alone: anyone else asking for one gets 404, as if it did
not exist. url_values(world): a credential issued to the owner for the world's signed-off item.
"""

from __future__ import annotations

from datetime import datetime, timezone

from competency_portal.extensions import db
from competency_portal.models import CredentialKind, Item, User
from competency_portal.services import credentials
from tests.credential_helpers import issuer
from tests.portal_helpers import KINDS

SIGNIN = "sign-in"
EVERYONE = {kind: 200 for kind in KINDS}
SIGNED_IN = {kind: (SIGNIN if kind == "anonymous" else 200) for kind in KINDS}
OWNER_ONLY = {kind: {"anonymous": SIGNIN, "owner": 200}.get(kind, 404) for kind in KINDS}

GET: dict[str, dict] = {
    "credentials.index": SIGNED_IN,
    "credentials.ask": SIGNED_IN,  # the same address as the list: a GET shows the list
    "credentials.show": OWNER_ONLY,
    "credentials.download": OWNER_ONLY,
    "credentials.verify": EVERYONE,
    "credentials.verify_api": {kind: 405 for kind in KINDS},
    "credentials.issuer_profile": EVERYONE,
    "credentials.jwks": EVERYONE,
    "credentials.key": EVERYONE,
    "credentials.status_list": EVERYONE,
    "credentials.receive": SIGNED_IN,
}


def _credential(world):
    found = getattr(world, "credential", None)
    if found:
        return found
    from flask import current_app

    owner = db.session.get(User, world.id("owner"))
    item = db.session.get(Item, world.item_ids[2])
    issued = credentials.issue(
        db.session, owner, CredentialKind.ITEM, item.case_identifier, issuer(current_app), datetime.now(timezone.utc)
    )
    db.session.commit()
    world.credential = (issued.public_id, issued.token, item.case_identifier)
    return world.credential


def url_values(world) -> dict:
    """The owner's credential, and the portal's signing key."""
    from flask import current_app

    public_id, _, _ = _credential(world)
    return {"public_id": public_id, "thumbprint": issuer(current_app).keys.signing.thumbprint()}


def post_cases(world) -> dict:
    """Asking for a credential is for oneself: other_staff's signed-off item is verified for them alone.

    (The control is other_staff, not the owner: earlier controls revoke the owner's sign-off.)

    Checking (page and API) is open to all and changes nothing; bringing a credential in needs a
    genuine one from a trusted issuer, so this unreadable one is refused for everyone (400, the reason
    shown) and nothing is kept.
    """
    ref = db.session.get(Item, world.item_ids[0]).case_identifier
    db.session.rollback()
    not_theirs = {kind: 302 for kind in ("owner", "supervisor", "unrelated_supervisor", "recruiter", "admin")}
    refused_all = {kind: 400 for kind in KINDS if kind != "anonymous"}
    junk = {"credential": "not.a.credential"}
    return {
        "credentials.ask": ("/portfolio/credentials", {"kind": "item", "ref": ref}, not_theirs, ("other_staff", 302)),
        "credentials.verify": ("/credentials/verify", junk, {}, None),
        "credentials.verify_api": ("/api/credentials/verify", junk, {}, None),
        "credentials.receive": ("/portfolio/evidence/from-credential", junk, refused_all, None),
    }
