"""The OAuth 2.0 token endpoint for reporting tools: the client credentials grant (RFC 6749, 4.4).

The client authenticates with HTTP Basic (its id and secret), or with `client_id` and
`client_secret` in the form; answers and errors are as RFC 6749 sections 5.1 and 5.2 give them.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from flask import jsonify, request

from competency_portal import clock, policy
from competency_portal.api import pages
from competency_portal.extensions import csrf, db
from competency_portal.services import api_clients


def _credentials() -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        return (unquote(client_id), unquote(secret)) if sep else None
    if request.form.get("client_id") and request.form.get("client_secret"):
        return request.form["client_id"], request.form["client_secret"]
    return None


def _refused(error: api_clients.OAuthError):
    response = jsonify({"error": error.error, "error_description": error.description})
    response.status_code = error.status
    response.headers["Cache-Control"] = "no-store"
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="competency-portal"'
    return response


@pages.post("/api/oauth/token")
@policy.rule(policy.PUBLIC)
@csrf.exempt
def token():
    """Swap a client's id and secret for an access token that lasts an hour."""
    if request.form.get("grant_type") != "client_credentials":
        return _refused(api_clients.OAuthError("unsupported_grant_type", "Only grant_type=client_credentials."))
    given = _credentials()
    if given is None:
        return _refused(api_clients.OAuthError("invalid_client", "Authenticate with the client id and secret.", 401))
    try:
        issued = api_clients.issue(db.session, given[0], given[1], request.form.get("scope"), clock.now())
    except api_clients.OAuthError as error:
        db.session.rollback()
        return _refused(error)
    db.session.commit()
    response = jsonify(
        {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "scope": " ".join(issued.scopes),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response
