"""The issuer and the circle of trust, as this deployment's configuration describes them.

Other trusts' keys and revocation lists are fetched over HTTP with a short timeout. Keys are kept
for a minute, so a verification page under load does not call the same issuer again and again;
revocation lists are always fetched afresh, so a revocation counts the moment the issuer makes it.
"""

from __future__ import annotations

import time

import requests
from flask import current_app, request

from competency_portal.badges import vocabulary
from competency_portal.extensions import db
from competency_portal.services import credential_checking, credential_import, credential_keys, credentials
from competency_portal.services.credential_checking import FetchError, Trust

FETCH_TIMEOUT = 3  # seconds: a page that checks a credential waits no longer for a slow issuer
FETCH_LIMIT = 2 * 1024 * 1024
CACHE_SECONDS = 60
_cache: dict[str, tuple[float, bytes]] = {}


def base() -> str:
    """The portal's public address: the configured one, else this request's."""
    return (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")


def issuer() -> credentials.Issuer:
    """This portal as an issuer."""
    config = current_app.config
    keys = credential_keys.load(config["CREDENTIAL_KEY_FILE"], config["CREDENTIAL_PREVIOUS_KEY_FILES"])
    return credentials.Issuer(base(), config["CREDENTIAL_ISSUER_NAME"], keys)


def fetch(url: str, fresh: bool = False) -> bytes:
    """GET a trusted issuer's key or list (no redirects: the answer must come from the issuer's own address)."""
    cached = None if fresh else _cache.get(url)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        answer = requests.get(url, timeout=FETCH_TIMEOUT, allow_redirects=False, stream=True)
        body = answer.raw.read(FETCH_LIMIT + 1, decode_content=True)
    except requests.RequestException as error:
        raise FetchError(f"{url} could not be reached ({type(error).__name__}).") from None
    if answer.status_code != 200 or len(body) > FETCH_LIMIT:
        raise FetchError(f"{url} answered {answer.status_code}.")
    _cache[url] = (time.monotonic() + CACHE_SECONDS, body)
    return body


def trust() -> Trust:
    """Whose credentials this portal checks: its own, and the issuers administrators listed."""
    own = issuer()
    return Trust(
        own_id=vocabulary.issuer_id(own.base),
        own_keys=own.keys,
        own_revoked=lambda: credentials.revoked(db.session)[0],
        trusted=tuple(current_app.config["TRUSTED_CREDENTIAL_ISSUERS"]),
        fetch=fetch,
    )


def received_with_check(evidence_id: int, now) -> tuple:
    """The credential a piece of evidence was brought in as, checked again now (None, None if it was not one).

    Checked on every view, so a supervisor deciding sees whether it has been revoked since it was
    brought in; the issuer's list is fetched at most once a minute.
    """
    received = credential_import.for_evidence(db.session, evidence_id)
    if received is None:
        return None, None
    return received, credential_checking.check(received.token, trust(), now)
