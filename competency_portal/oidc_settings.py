"""Which OpenID Connect providers staff may sign in with, read from the environment.

`OIDC_PROVIDERS` names them (`entra,cis2`); each then has `OIDC_<NAME>_...` settings (see the README):
ISSUER, CLIENT_ID, CLIENT_SECRET or PRIVATE_KEY_FILE (with PRIVATE_KEY_ID, for private-key JWT),
SCOPES, CLAIM (the claim that identifies the person), MATCH (which portal field it is compared
with: email or employee_number), LABEL (the button's words), ACR_VALUES and TIMEOUT (seconds).
The instance folder's config.py may instead set `OIDC_PROVIDERS` to a list of such dicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MATCH_FIELDS = ("email", "employee_number")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ProviderConfigError(RuntimeError):
    """A provider's settings cannot work; the message names the setting to fix."""


@dataclass(frozen=True)
class Provider:
    """One configured identity provider."""

    name: str
    issuer: str
    client_id: str
    client_secret: str | None = None
    private_key: str | None = None  # PEM, for private_key_jwt (NHS CIS2 asks for it)
    private_key_id: str | None = None
    scopes: str = "openid email profile"
    claim: str = "email"
    match: str = "email"
    label: str = ""
    acr_values: str | None = None
    timeout: float = 10.0

    @property
    def button(self) -> str:
        """The sign-in button's words."""
        return self.label or f"Sign in with {self.name.replace('_', ' ').title()}"

    @property
    def metadata_url(self) -> str:
        """The issuer's discovery document."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _check(settings: dict) -> Provider:
    name = str(settings.get("name", ""))
    if not _NAME.match(name):
        raise ProviderConfigError(
            f"OIDC provider name {name!r}: use lower-case letters, digits and underscores, starting with a letter."
        )
    prefix = f"OIDC_{name.upper()}_"
    for key in ("issuer", "client_id"):
        if not settings.get(key):
            raise ProviderConfigError(f"Set {prefix}{key.upper()} for the {name} sign-in provider.")
    if not settings["issuer"].startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ProviderConfigError(f"{prefix}ISSUER must be an https:// address.")
    if not settings.get("client_secret") and not settings.get("private_key"):
        raise ProviderConfigError(f"Set {prefix}CLIENT_SECRET or {prefix}PRIVATE_KEY_FILE for the {name} provider.")
    if settings.get("match", "email") not in MATCH_FIELDS:
        raise ProviderConfigError(f"{prefix}MATCH must be one of: {', '.join(MATCH_FIELDS)}.")
    if "openid" not in str(settings.get("scopes", "openid")).split():
        raise ProviderConfigError(f"{prefix}SCOPES must include openid.")
    try:
        timeout = float(settings.get("timeout", 10.0))
    except (TypeError, ValueError):
        raise ProviderConfigError(f"{prefix}TIMEOUT must be a number of seconds, for example 10.") from None
    known = {k: v for k, v in settings.items() if k in Provider.__dataclass_fields__ and v not in (None, "")}
    return Provider(**{**known, "timeout": timeout})


def from_environment(environ) -> list[Provider] | None:
    """The providers the environment configures, or None when it names none."""
    names = [n.strip().lower() for n in environ.get("OIDC_PROVIDERS", "").split(",") if n.strip()]
    if not names:
        return None
    providers = []
    for name in names:
        prefix = f"OIDC_{name.upper()}_"
        settings = {"name": name}
        for key in Provider.__dataclass_fields__:
            if key not in ("name", "private_key") and environ.get(prefix + key.upper()):
                settings[key] = environ[prefix + key.upper()]
        if environ.get(prefix + "PRIVATE_KEY_FILE"):
            path = Path(environ[prefix + "PRIVATE_KEY_FILE"])
            try:
                settings["private_key"] = path.read_text(encoding="utf-8")
            except OSError as error:
                raise ProviderConfigError(f"{prefix}PRIVATE_KEY_FILE cannot be read: {error.strerror}.") from None
        providers.append(_check(settings))
    return providers


def read(value) -> list[Provider]:
    """The configured providers from the app's `OIDC_PROVIDERS` setting (Providers or dicts)."""
    providers = [p if isinstance(p, Provider) else _check(dict(p)) for p in value or []]
    names = [p.name for p in providers]
    if len(set(names)) != len(names):
        raise ProviderConfigError("Two OIDC providers have the same name; give each its own.")
    return providers
