"""The fixed names and paths of the credential formats (Open Badges 3.0 on the VC data model 2.0).

The paths are where the portal publishes its issuer profile, keys and revocation list; the routes
serve exactly these, so an identifier written into a credential always resolves.
"""

from __future__ import annotations

import uuid

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
ACCEPTED_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
STATUS_ENTRY = "BitstringStatusListEntry"
STATUS_PURPOSE = "revocation"
ALGORITHM = "RS256"  # the one algorithm Open Badges 3.0 requires every verifier to support

ISSUER_PATH = "/credentials/issuer"
KEYS_PATH = "/credentials/keys"
JWKS_PATH = "/.well-known/jwks.json"
STATUS_PATH = "/credentials/status/revocation"

# Bitstring Status List v1.0: at least 16 KB of bits, so one entry cannot be picked out by size.
STATUS_LIST_BITS = 131_072


def issuer_id(base: str) -> str:
    """The issuer's identifier: the URL of its profile."""
    return base + ISSUER_PATH


def key_id(base: str, thumbprint: str) -> str:
    """A `kid` that dereferences to the public JWK (RFC 7638 thumbprint names the key)."""
    return f"{base}{KEYS_PATH}/{thumbprint}"


def status_list_id(base: str) -> str:
    """The URL of the revocation list credential."""
    return base + STATUS_PATH


def achievement_id(base: str, kind: str, ref: str) -> str:
    """A stable identifier for what was achieved: the same for everyone who achieves it at this issuer.

    A name-based UUID (RFC 9562 version 5), not a URL, since there is no page that describes an
    achievement apart from the credentials that award it.
    """
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/credentials/achievements/{kind}/{ref}')}"
