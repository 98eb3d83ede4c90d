"""Matching a provider's person to a portal account, and reading the providers' settings."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from world import person

from competency_portal import oidc_settings
from competency_portal.config import ConfigError, from_environment
from competency_portal.models import ExternalIdentity
from competency_portal.services import external_sign_in
from competency_portal.services.external_sign_in import Outcome

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def sign_in(session, claims, claim="email", match="email", provider="entra"):
    result = external_sign_in.sign_in(session, provider, claims, claim, match, NOW)
    session.commit()
    return result


def test_the_first_sign_in_matches_by_email_and_links_the_subject(session):
    sam = person(session, "Sam Staff")
    result = sign_in(session, {"sub": "abc", "email": "SAM.STAFF@example.nhs.uk"})
    assert result.outcome is Outcome.SIGNED_IN and result.user.id == sam.id
    link = session.query(ExternalIdentity).one()
    assert (link.provider, link.subject, link.user_id) == ("entra", "abc", sam.id)


def test_later_sign_ins_use_the_subject_even_when_the_email_changed(session):
    sam = person(session, "Sam Staff")
    sign_in(session, {"sub": "abc", "email": "sam.staff@example.nhs.uk"})
    result = sign_in(session, {"sub": "abc", "email": "sam.married-name@example.nhs.uk"})
    assert result.outcome is Outcome.SIGNED_IN and result.user.id == sam.id


def test_an_unknown_person_is_told_and_nothing_is_created(session):
    person(session, "Sam Staff")
    result = sign_in(session, {"sub": "zzz", "email": "nobody@example.nhs.uk"})
    assert result.outcome is Outcome.NOT_SET_UP and result.value == "nobody@example.nhs.uk"
    assert session.query(ExternalIdentity).count() == 0


def test_a_deactivated_person_cannot_sign_in_first_time_or_later(session):
    sam = person(session, "Sam Staff")
    sign_in(session, {"sub": "abc", "email": "sam.staff@example.nhs.uk"})
    sam.active = False
    session.commit()
    assert sign_in(session, {"sub": "abc", "email": "sam.staff@example.nhs.uk"}).outcome is Outcome.DEACTIVATED
    gone = person(session, "Gone Away")
    gone.active = False
    session.commit()
    assert sign_in(session, {"sub": "new", "email": "gone.away@example.nhs.uk"}).outcome is Outcome.DEACTIVATED
    assert session.query(ExternalIdentity).count() == 1


def test_matching_by_employee_number(session):
    sam = person(session, "Sam Staff")
    sam.employee_number = "100001"
    session.commit()
    result = sign_in(session, {"sub": "abc", "employee_number": "100001"}, claim="employee_number",
                     match="employee_number")  # fmt: skip
    assert result.outcome is Outcome.SIGNED_IN and result.user.id == sam.id
    assert sign_in(session, {"sub": "x"}, claim="employee_number", match="employee_number").outcome is (
        Outcome.MISSING_CLAIM
    )


def test_an_unverified_email_identifies_nobody(session):
    person(session, "Sam Staff")
    result = sign_in(session, {"sub": "abc", "email": "sam.staff@example.nhs.uk", "email_verified": False})
    assert result.outcome is Outcome.MISSING_CLAIM


def test_a_second_provider_account_claiming_a_linked_person_is_refused(session):
    person(session, "Sam Staff")
    sign_in(session, {"sub": "abc", "email": "sam.staff@example.nhs.uk"})
    result = sign_in(session, {"sub": "impostor", "email": "sam.staff@example.nhs.uk"})
    assert result.outcome is Outcome.LINKED_ELSEWHERE
    assert [link.subject for link in session.query(ExternalIdentity)] == ["abc"]
    # the same person may also use another configured provider
    assert sign_in(session, {"sub": "cis2-1", "email": "sam.staff@example.nhs.uk"}, provider="cis2").outcome is (
        Outcome.SIGNED_IN
    )


def test_providers_are_read_from_the_environment(tmp_path):
    key = tmp_path / "cis2.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\n...\n", encoding="utf-8")
    found = from_environment(
        {
            "OIDC_PROVIDERS": "entra, cis2",
            "OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
            "OIDC_ENTRA_CLIENT_ID": "portal",
            "OIDC_ENTRA_CLIENT_SECRET": "s3cret",
            "OIDC_ENTRA_CLAIM": "preferred_username",
            "OIDC_ENTRA_LABEL": "Sign in with your trust account",
            "OIDC_CIS2_ISSUER": "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare",
            "OIDC_CIS2_CLIENT_ID": "portal-cis2",
            "OIDC_CIS2_PRIVATE_KEY_FILE": str(key),
            "OIDC_CIS2_PRIVATE_KEY_ID": "key-1",
            "OIDC_CIS2_SCOPES": "openid email profile nationalrbacaccess",
            "OIDC_CIS2_ACR_VALUES": "AAL3_ANY",
            "OIDC_CIS2_TIMEOUT": "5",
        }
    )["OIDC_PROVIDERS"]
    entra, cis2 = found
    assert (entra.name, entra.claim, entra.button) == ("entra", "preferred_username", "Sign in with your trust account")
    assert entra.metadata_url == "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration"
    assert (cis2.private_key.startswith("-----BEGIN"), cis2.private_key_id, cis2.acr_values) == (
        True,
        "key-1",
        "AAL3_ANY",
    )
    assert cis2.timeout == 5.0 and cis2.button == "Sign in with Cis2"


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"OIDC_X_CLIENT_ID": "a", "OIDC_X_CLIENT_SECRET": "b"}, "Set OIDC_X_ISSUER"),
        ({"OIDC_X_ISSUER": "https://idp", "OIDC_X_CLIENT_SECRET": "b"}, "Set OIDC_X_CLIENT_ID"),
        ({"OIDC_X_ISSUER": "https://idp", "OIDC_X_CLIENT_ID": "a"}, "OIDC_X_CLIENT_SECRET or OIDC_X_PRIVATE_KEY_FILE"),
        ({"OIDC_X_ISSUER": "http://idp.example", "OIDC_X_CLIENT_ID": "a", "OIDC_X_CLIENT_SECRET": "b"}, "https://"),
        ({"OIDC_X_ISSUER": "https://idp", "OIDC_X_CLIENT_ID": "a", "OIDC_X_CLIENT_SECRET": "b",
          "OIDC_X_MATCH": "name"}, "OIDC_X_MATCH must be one of: email, employee_number"),
        ({"OIDC_X_ISSUER": "https://idp", "OIDC_X_CLIENT_ID": "a", "OIDC_X_CLIENT_SECRET": "b",
          "OIDC_X_SCOPES": "email"}, "must include openid"),
        ({"OIDC_X_ISSUER": "https://idp", "OIDC_X_CLIENT_ID": "a", "OIDC_X_PRIVATE_KEY_FILE": "/nowhere/key.pem"},
         "OIDC_X_PRIVATE_KEY_FILE cannot be read"),
    ],
)  # fmt: skip
def test_a_provider_setting_that_cannot_work_is_refused_at_start_saying_which(settings, says):
    with pytest.raises(ConfigError, match=says.replace("(", r"\(")):
        from_environment({"OIDC_PROVIDERS": "x", **settings})


def test_two_providers_may_not_share_a_name():
    one = {"name": "entra", "issuer": "https://idp", "client_id": "a", "client_secret": "b"}
    with pytest.raises(oidc_settings.ProviderConfigError, match="same name"):
        oidc_settings.read([one, dict(one)])


def test_no_provider_is_configured_by_default_and_password_sign_in_stands_alone(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with" not in page and "Or sign in with a password" not in page
    assert client.get("/sign-in/with/entra").status_code == 404
