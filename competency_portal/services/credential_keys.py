"""The trust's credential signing key: loaded from a PEM file, made on first use where none exists yet.

Every application server must sign with the same key, so a deployment with several servers sets
`CREDENTIAL_KEY_FILE` to one shared, secret file. Keys retired after a rotation are listed in
`CREDENTIAL_PREVIOUS_KEY_FILES`: still published, so credentials they signed still verify, but
never used to sign again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from joserfc.jwk import RSAKey

from competency_portal.badges import vocabulary

KEY_BITS = 2048  # RS256, the algorithm every Open Badges 3.0 verifier supports

_loaded: dict[tuple[str, float], RSAKey] = {}


class CredentialKeyError(RuntimeError):
    """A key file that cannot be used; the message names it."""


@dataclass(frozen=True)
class Keys:
    """The key that signs and every key that verifies (the signing key first)."""

    signing: RSAKey
    published: list[RSAKey]

    def kid(self, base: str, key: RSAKey | None = None) -> str:
        """The `kid` of a key (the signing key by default), as a URL that dereferences to its JWK."""
        return vocabulary.key_id(base, (key or self.signing).thumbprint())

    def by_thumbprint(self, thumbprint: str) -> RSAKey | None:
        """A published key by its thumbprint, or None."""
        return next((k for k in self.published if k.thumbprint() == thumbprint), None)

    def jwks(self, base: str) -> dict:
        """The public keys as a JSON Web Key Set (never a private part)."""
        return {"keys": [public_jwk(k, base) for k in self.published]}


def public_jwk(key: RSAKey, base: str) -> dict:
    """One public key as a JWK, marked for RS256 signatures; its `kid` is the one credentials' headers carry."""
    public = key.as_dict(private=False)
    return {**public, "kid": vocabulary.key_id(base, key.thumbprint()), "use": "sig", "alg": vocabulary.ALGORITHM}


def _read(path: Path) -> RSAKey:
    stamp = path.stat().st_mtime
    cached = _loaded.get((str(path), stamp))
    if cached is not None:
        return cached
    try:
        key = RSAKey.import_key(path.read_bytes())
    except (ValueError, TypeError) as error:
        raise CredentialKeyError(f"{path} is not an RSA private key in PEM form.") from error
    if not key.is_private:
        raise CredentialKeyError(f"{path} holds a public key; the signing key file must hold the private key.")
    _loaded[(str(path), stamp)] = key
    return key


def _create(path: Path) -> None:
    """Write a new key, unless another worker got there first (O_EXCL makes exactly one win)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = RSAKey.generate_key(KEY_BITS).as_pem(private=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def load(key_file: str | Path, previous_files: list[str] | tuple[str, ...] = ()) -> Keys:
    """The signing key (made at `key_file` if it does not exist yet) and the retired keys still published."""
    path = Path(key_file)
    if not path.exists():
        _create(path)
    signing = _read(path)
    retired = []
    for name in previous_files:
        retired_path = Path(name)
        if not retired_path.exists():
            raise CredentialKeyError(f"The retired credential key {retired_path} does not exist.")
        retired.append(_read(retired_path))
    return Keys(signing, [signing] + [k for k in retired if k.thumbprint() != signing.thumbprint()])
