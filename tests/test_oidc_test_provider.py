"""The test OpenID Connect provider itself (tests/oidc/provider.mjs through tests/oidc_provider.py): its
discovery document, a code flow with PKCE done by hand, each fault mode, key rotation, the slow-down and
RP-initiated logout. Signatures are checked with joserfc (Authlib's JOSE library) where it is installed.
"""

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from oidc_provider import (  # noqa: F401
    cancel_at_provider,
    logout_at_provider,
    oidc_provider,
    sign_in_at_provider,
)

REDIRECT_URI = "http://127.0.0.1:9/auth/callback"
STAFF = "sam.staff@example.nhs.uk"


@pytest.fixture(autouse=True)
def clean_provider(oidc_provider):  # noqa: F811
    """No fault or delay left over from another test."""
    oidc_provider.reset()
    yield
    oidc_provider.reset()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _part(token: str, index: int) -> dict:
    segment = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _authorize_url(provider, nonce: str, state: str, verifier: str) -> str:
    challenge = _b64url(hashlib.sha256(verifier.encode()).digest())
    query = {
        "client_id": provider.client_id,
        "response_type": "code",
        "scope": "openid email profile employee",
        "redirect_uri": REDIRECT_URI,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{provider.metadata()['authorization_endpoint']}?{urlencode(query)}"


def _redeem(provider, callback: str, verifier: str | None) -> requests.Response:
    """POST the callback's code to the token endpoint (client_secret_post), with the code_verifier if given."""
    data = {"grant_type": "authorization_code", "code": parse_qs(urlsplit(callback).query)["code"][0]}
    data.update(redirect_uri=REDIRECT_URI, client_id=provider.client_id, client_secret=provider.client_secret)
    if verifier:
        data["code_verifier"] = verifier
    return requests.post(provider.metadata()["token_endpoint"], data=data, timeout=30)


def _code_flow(provider, email: str = STAFF, session: requests.Session | None = None) -> tuple[dict, str]:
    """Sign in and redeem the code: the token response, and the nonce that was sent."""
    nonce, state, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(16), secrets.token_urlsafe(48)
    callback = sign_in_at_provider(_authorize_url(provider, nonce, state, verifier), email, session)
    assert callback.startswith(REDIRECT_URI)
    assert parse_qs(urlsplit(callback).query)["state"] == [state]
    response = _redeem(provider, callback, verifier)
    assert response.status_code == 200, response.text
    return response.json(), nonce


def _verifies(provider, id_token: str) -> bool:
    """Whether the id_token's signature verifies against the provider's published JWKS."""
    errors = pytest.importorskip("joserfc.errors")
    jwk = pytest.importorskip("joserfc.jwk")
    jwt = pytest.importorskip("joserfc.jwt")
    keys = jwk.KeySet.import_key_set(requests.get(provider.metadata()["jwks_uri"], timeout=10).json())
    try:
        jwt.decode(id_token, keys, algorithms=["RS256"])
    except errors.BadSignatureError:
        return False
    return True


def test_discovery_document(oidc_provider):  # noqa: F811
    metadata = oidc_provider.metadata()
    assert metadata["issuer"] == oidc_provider.issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert metadata[endpoint].startswith(oidc_provider.issuer + "/")
    assert "S256" in metadata["code_challenge_methods_supported"]
    assert {"openid", "email", "profile", "employee"} <= set(metadata["scopes_supported"])


def test_code_flow_with_pkce_returns_a_signed_id_token(oidc_provider):  # noqa: F811
    tokens, nonce = _code_flow(oidc_provider)
    claims = _part(tokens["id_token"], 1)
    assert claims["iss"] == oidc_provider.issuer
    assert claims["aud"] == oidc_provider.client_id
    assert claims["nonce"] == nonce
    assert claims["sub"] == "u-staff"
    assert claims["email"] == STAFF and claims["email_verified"] is True
    assert claims["name"] == "Sam Staff" and claims["employee_number"] == "100001"
    assert claims["exp"] > time.time() >= claims["iat"] - 5
    assert _verifies(oidc_provider, tokens["id_token"])


def test_pkce_is_required(oidc_provider):  # noqa: F811
    verifier = secrets.token_urlsafe(48)
    callback = sign_in_at_provider(_authorize_url(oidc_provider, "n", "s", verifier), STAFF)
    refused = _redeem(oidc_provider, callback, None)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    url = _authorize_url(oidc_provider, "n", "s", verifier).replace("code_challenge", "x_challenge")
    response = requests.get(url, allow_redirects=False, timeout=30)
    assert "requires PKCE" in parse_qs(urlsplit(response.headers["Location"]).query)["error_description"][0]


def test_client_secret_basic_is_accepted(oidc_provider):  # noqa: F811
    verifier = secrets.token_urlsafe(48)
    callback = sign_in_at_provider(_authorize_url(oidc_provider, "n", "s", verifier), STAFF)
    data = {"grant_type": "authorization_code", "code": parse_qs(urlsplit(callback).query)["code"][0]}
    data.update(redirect_uri=REDIRECT_URI, code_verifier=verifier)
    auth = (oidc_provider.client_id, oidc_provider.client_secret)
    response = requests.post(oidc_provider.metadata()["token_endpoint"], data=data, auth=auth, timeout=30)
    assert response.status_code == 200 and "id_token" in response.json()


def test_unknown_email_is_refused_and_cancel_returns_access_denied(oidc_provider):  # noqa: F811
    url = _authorize_url(oidc_provider, "n", "the-state", secrets.token_urlsafe(48))
    session = requests.Session()
    page = session.get(url, timeout=30)  # followed to the sign-in page
    assert 'for="email"' in page.text and "Sign in" in page.text
    form_action = page.url + "/login"
    refused = session.post(form_action, data={"email": "stranger@example.org"}, allow_redirects=False, timeout=30)
    assert refused.status_code == 200 and "No account has the email address" in refused.text
    callback = cancel_at_provider(url)
    query = parse_qs(urlsplit(callback).query)
    assert callback.startswith(REDIRECT_URI)
    assert query["error"] == ["access_denied"] and query["state"] == ["the-state"]


@pytest.mark.parametrize(
    ("mode", "check"),
    [
        ("wrong_audience", lambda claims, nonce, issuer: claims["aud"] == "someone-else"),
        ("wrong_issuer", lambda claims, nonce, issuer: claims["iss"] != issuer),
        ("expired", lambda claims, nonce, issuer: claims["exp"] < time.time() - 500),
        ("future_iat", lambda claims, nonce, issuer: claims["iat"] > time.time() + 500),
        ("nonce", lambda claims, nonce, issuer: claims["nonce"] == "not-the-one-sent" != nonce),
        ("missing_claim:email", lambda claims, nonce, issuer: "email" not in claims and "sub" in claims),
    ],
)
def test_each_fault_changes_the_next_id_token_only(oidc_provider, mode, check):  # noqa: F811
    oidc_provider.fault(mode)
    tokens, nonce = _code_flow(oidc_provider)
    assert check(_part(tokens["id_token"], 1), nonce, oidc_provider.issuer)
    assert _verifies(oidc_provider, tokens["id_token"])  # tampered, but signed by the provider's key
    clean, nonce = _code_flow(oidc_provider)
    claims = _part(clean["id_token"], 1)
    assert claims["aud"] == oidc_provider.client_id and claims["nonce"] == nonce and "email" in claims


def test_wrong_key_fault_does_not_verify(oidc_provider):  # noqa: F811
    oidc_provider.fault("wrong_key")
    tokens, _ = _code_flow(oidc_provider)
    assert not _verifies(oidc_provider, tokens["id_token"])
    assert _verifies(oidc_provider, _code_flow(oidc_provider)[0]["id_token"])


def test_unknown_fault_mode_is_refused(oidc_provider):  # noqa: F811
    with pytest.raises(requests.HTTPError):
        oidc_provider.fault("sideways")


def _end_session_url(provider, id_token: str, state: str = "bye") -> str:
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": "http://127.0.0.1:9/signed-out", "state": state}
    return f"{provider.metadata()['end_session_endpoint']}?{urlencode(query)}"


def test_rotate_signs_with_a_new_published_key(oidc_provider):  # noqa: F811
    before = _part(_code_flow(oidc_provider)[0]["id_token"], 0)["kid"]
    oidc_provider.rotate()
    new_kid = oidc_provider.rotate()
    session = requests.Session()
    after_token = _code_flow(oidc_provider, session=session)[0]["id_token"]
    after = _part(after_token, 0)["kid"]
    published = requests.get(oidc_provider.metadata()["jwks_uri"], timeout=10).json()["keys"]
    assert after == new_kid != before
    assert after in {key["kid"] for key in published} and len(published) == 2
    assert all("d" not in key for key in published)
    assert _verifies(oidc_provider, after_token)
    # A token signed with a rotated-in key is still a good id_token_hint for signing out.
    back = logout_at_provider(_end_session_url(oidc_provider, after_token), session)
    assert back == "http://127.0.0.1:9/signed-out?state=bye"


def test_an_id_token_hint_with_a_bad_signature_is_refused(oidc_provider):  # noqa: F811
    oidc_provider.fault("wrong_key")
    tokens, _ = _code_flow(oidc_provider)
    response = requests.get(_end_session_url(oidc_provider, tokens["id_token"]), allow_redirects=False, timeout=30)
    assert response.status_code == 400 and "could not validate id_token_hint" in response.text


def test_slow_delays_requests(oidc_provider):  # noqa: F811
    oidc_provider.slow(1.5)
    started = time.monotonic()
    requests.get(oidc_provider.metadata_url, timeout=10)
    assert time.monotonic() - started >= 1.5
    oidc_provider.slow(0)
    started = time.monotonic()
    requests.get(oidc_provider.metadata_url, timeout=10)
    assert time.monotonic() - started < 1.0


def test_logout_returns_to_post_logout_redirect_uri_and_is_counted(oidc_provider):  # noqa: F811
    session = requests.Session()
    tokens, _ = _code_flow(oidc_provider, session=session)
    before = oidc_provider.state()["logouts"]
    end_session = _end_session_url(oidc_provider, tokens["id_token"])
    page = session.get(end_session, timeout=30)
    assert "Sign out" in page.text and 'name="xsrf"' in page.text
    final = logout_at_provider(end_session, session)
    assert final == "http://127.0.0.1:9/signed-out?state=bye"
    assert oidc_provider.state()["logouts"] == before + 1
    # The provider's session is gone: signing in again shows the sign-in page (the walk posts the form).
    assert sign_in_at_provider(_authorize_url(oidc_provider, "n", "s", secrets.token_urlsafe(48)), STAFF, session)
