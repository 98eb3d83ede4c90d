"""The credential signing key: made once, refused when unusable, rotated without breaking what it signed;
and the credential settings read from the environment."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from joserfc.jwk import RSAKey

from competency_portal.config import ConfigError, from_environment
from competency_portal.extensions import db
from competency_portal.models import CredentialKind, Item, User
from competency_portal.services import credential_checking, credential_keys, credentials
from tests.credential_helpers import issuer, segment, trust


def test_the_key_is_made_once_and_then_read_back(tmp_path):
    path = tmp_path / "keys" / "signing.pem"
    first = credential_keys.load(path)
    assert path.stat().st_mode & 0o777 == 0o600
    again = credential_keys.load(path)
    assert first.signing.thumbprint() == again.signing.thumbprint()
    assert all("d" not in key for key in first.jwks("https://portal.example")["keys"])
    assert first.published == [first.signing]


def test_an_unusable_key_file_is_named(tmp_path):
    public = tmp_path / "public.pem"
    public.write_bytes(RSAKey.generate_key(2048).as_pem(private=False))
    with pytest.raises(credential_keys.CredentialKeyError, match="public key"):
        credential_keys.load(public)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    with pytest.raises(credential_keys.CredentialKeyError, match="junk.pem"):
        credential_keys.load(junk)
    with pytest.raises(credential_keys.CredentialKeyError, match="missing.pem"):
        credential_keys.load(tmp_path / "new.pem", [str(tmp_path / "missing.pem")])


def test_after_a_rotation_old_credentials_still_verify_and_new_ones_use_the_new_key(app, world, monkeypatch, tmp_path):
    owner = db.session.get(User, world.id("owner"))
    ref = db.session.get(Item, world.item_ids[2]).case_identifier
    old_file = app.config["CREDENTIAL_KEY_FILE"]
    old = credentials.issue(db.session, owner, CredentialKind.ITEM, ref, issuer(app), datetime.now(timezone.utc))
    db.session.commit()
    monkeypatch.setitem(app.config, "CREDENTIAL_KEY_FILE", str(tmp_path / "new.pem"))
    monkeypatch.setitem(app.config, "CREDENTIAL_PREVIOUS_KEY_FILES", [old_file])
    rotated = issuer(app)
    assert len(rotated.keys.published) == 2
    assert credential_checking.check(old.token, trust(app, db.session), datetime.now(timezone.utc)).valid
    signed_now = credentials.sign(rotated, segment(old.token, 1)["vc"])
    assert segment(signed_now, 0)["kid"].endswith(rotated.keys.signing.thumbprint())
    assert segment(signed_now, 0)["kid"] != segment(old.token, 0)["kid"]


def test_credential_settings_come_from_the_environment_and_bad_ones_are_named():
    found = from_environment(
        {
            "CREDENTIAL_KEY_FILE": "/secrets/portal-key.pem",
            "CREDENTIAL_PREVIOUS_KEY_FILES": "/secrets/2025.pem, /secrets/2024.pem",
            "CREDENTIAL_ISSUER_NAME": " Northfield NHS Foundation Trust ",
            "TRUSTED_CREDENTIAL_ISSUERS": "https://a.nhs.uk/credentials/issuer,https://b.nhs.uk/credentials/issuer",
        }
    )
    assert found["CREDENTIAL_PREVIOUS_KEY_FILES"] == ["/secrets/2025.pem", "/secrets/2024.pem"]
    assert found["CREDENTIAL_ISSUER_NAME"] == "Northfield NHS Foundation Trust"
    assert len(found["TRUSTED_CREDENTIAL_ISSUERS"]) == 2
    with pytest.raises(ConfigError, match="TRUSTED_CREDENTIAL_ISSUERS"):
        from_environment({"TRUSTED_CREDENTIAL_ISSUERS": "a.nhs.uk"})
