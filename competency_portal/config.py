"""Configuration: defaults here, then the instance folder's config.py, then the environment.

Environment variables win so that a deployment never needs to edit files:
`DATABASE_URL`, `SECRET_KEY`, `PORT` and `PORTAL_ENV` (development, testing or production).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from competency_portal import oidc_settings
from competency_portal.services import sign_in_limits

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused outside development/testing


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def defaults(instance_path: str) -> dict:
    """Settings used when neither the instance folder nor the environment says otherwise."""
    sqlite_path = Path(instance_path) / "portal.sqlite3"
    return {
        "PORTAL_ENV": "development",
        "SECRET_KEY": DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{sqlite_path}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PORT": 5000,
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "SEARCH_PAGE_SIZE": 50,
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=30),  # signed out after 30 idle minutes
        "SESSION_REFRESH_EACH_REQUEST": True,
        "UPLOAD_FOLDER": str(Path(instance_path) / "uploads"),
        # Attachments: "local" (UPLOAD_FOLDER) or "s3" (the S3_ settings; credentials from boto3's chain).
        "STORAGE_BACKEND": "local",
        "S3_BUCKET": None,
        "S3_ENDPOINT_URL": None,  # for an S3-compatible server (MinIO, Ceph); AWS when unset
        "S3_REGION": None,  # AWS_REGION / AWS_DEFAULT_REGION when unset
        "S3_PREFIX": "",
        "S3_PENDING_LEASE_SECONDS": 15 * 60,  # see storage/s3.py: longer than any request can run
        "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_FROM": "competency-portal@localhost",
        "FLASK_STATIC_DIGEST_COMPRESSION": [],  # `make install` compresses with whitenoise.compress instead
        "RECRUITMENT_RETENTION_DAYS": 365,  # candidates' data is anonymised this long after a vacancy closes
        "OIDC_PROVIDERS": [],  # identity providers staff may sign in with (see oidc_settings)
        "REDIS_URL": None,  # sign-in throttling counts in Redis when set, in the database otherwise
        "THROTTLE_KEY_PREFIX": "portal",
        # Background jobs go to this RQ queue on REDIS_URL (without REDIS_URL they run after commit, in-process);
        # a running job silent for JOBS_LEASE_SECONDS has lost its worker; the relay looks every JOBS_RELAY_SECONDS.
        "JOBS_QUEUE": "portal",
        "JOBS_LEASE_SECONDS": 600,
        "JOBS_RELAY_SECONDS": 15,
        "SIGN_IN_LIMITS": {},  # failed attempts allowed: account, address, overall (services.sign_in_limits)
        "TRUSTED_PROXIES": 0,  # reverse proxies in front of the portal whose X-Forwarded-For is believed
        "PUBLIC_URL": None,  # e.g. https://competency.trust.nhs.uk: the address in published URIs (CASE)
        # Open Badges credentials: the trust's signing key (made here on first use if missing), keys retired
        # after a rotation (still published), the issuer's name, and other trusts whose credentials are checked.
        "CREDENTIAL_KEY_FILE": str(Path(instance_path) / "credential-signing-key.pem"),
        "CREDENTIAL_PREVIOUS_KEY_FILES": [],
        "CREDENTIAL_ISSUER_NAME": "Competency Portal (demonstration trust)",
        "TRUSTED_CREDENTIAL_ISSUERS": [],
    }


def from_environment(environ: os._Environ | dict) -> dict:
    """Settings taken from environment variables, translated to Flask's names."""
    found: dict = {}
    if environ.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    if environ.get("SECRET_KEY"):
        found["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("PORT"):
        found["PORT"] = int(environ["PORT"])
    if environ.get("UPLOAD_FOLDER"):
        found["UPLOAD_FOLDER"] = environ["UPLOAD_FOLDER"]
    found.update(_storage(environ))
    if environ.get("MAIL_SERVER"):
        found["MAIL_SERVER"] = environ["MAIL_SERVER"]
        found["MAIL_PORT"] = int(environ.get("MAIL_PORT", "25"))
        found["MAIL_FROM"] = environ.get("MAIL_FROM", "competency-portal@localhost")
    if environ.get("PUBLIC_URL"):
        if not environ["PUBLIC_URL"].startswith(("https://", "http://")):
            raise ConfigError("PUBLIC_URL must be the portal's address, e.g. https://competency.trust.nhs.uk.")
        found["PUBLIC_URL"] = environ["PUBLIC_URL"].rstrip("/")
    if environ.get("PORTAL_ENV"):
        found["PORTAL_ENV"] = environ["PORTAL_ENV"]
    found.update(_credentials(environ))
    if environ.get("RECRUITMENT_RETENTION_DAYS"):
        try:
            found["RECRUITMENT_RETENTION_DAYS"] = int(environ["RECRUITMENT_RETENTION_DAYS"])
        except ValueError:
            raise ConfigError("RECRUITMENT_RETENTION_DAYS must be a whole number of days, for example 365.") from None
    found.update(_throttling(environ))
    try:
        providers = oidc_settings.from_environment(environ)
    except oidc_settings.ProviderConfigError as error:
        raise ConfigError(str(error)) from None
    if providers is not None:
        found["OIDC_PROVIDERS"] = providers
    return found


def _credentials(environ: os._Environ | dict) -> dict:
    """CREDENTIAL_KEY_FILE, CREDENTIAL_PREVIOUS_KEY_FILES, CREDENTIAL_ISSUER_NAME and TRUSTED_CREDENTIAL_ISSUERS."""
    found: dict = {}
    if environ.get("CREDENTIAL_KEY_FILE"):
        found["CREDENTIAL_KEY_FILE"] = environ["CREDENTIAL_KEY_FILE"]
    if environ.get("CREDENTIAL_PREVIOUS_KEY_FILES"):
        found["CREDENTIAL_PREVIOUS_KEY_FILES"] = _listed(environ["CREDENTIAL_PREVIOUS_KEY_FILES"])
    if environ.get("CREDENTIAL_ISSUER_NAME"):
        found["CREDENTIAL_ISSUER_NAME"] = environ["CREDENTIAL_ISSUER_NAME"].strip()
    if environ.get("TRUSTED_CREDENTIAL_ISSUERS"):
        issuers = _listed(environ["TRUSTED_CREDENTIAL_ISSUERS"])
        for issuer in issuers:
            if not issuer.startswith(("https://", "http://")):
                raise ConfigError(
                    f"TRUSTED_CREDENTIAL_ISSUERS: {issuer!r} is not an issuer's address; list issuer profile URLs, "
                    "e.g. https://competency.othertrust.nhs.uk/credentials/issuer, separated by commas."
                )
        found["TRUSTED_CREDENTIAL_ISSUERS"] = issuers
    return found


def _storage(environ) -> dict:
    """STORAGE_BACKEND and the S3_ settings (checked with the rest of the configuration in `check`)."""
    found: dict = {}
    for name in ("STORAGE_BACKEND", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_PREFIX"):
        if environ.get(name):
            found[name] = environ[name].strip()
    if environ.get("S3_PENDING_LEASE_SECONDS"):
        try:
            found["S3_PENDING_LEASE_SECONDS"] = int(environ["S3_PENDING_LEASE_SECONDS"])
        except ValueError:
            raise ConfigError("S3_PENDING_LEASE_SECONDS must be a whole number of seconds, for example 900.") from None
    return found


# Names under which credentials might be put in a configuration file, where they do not belong.
_CREDENTIAL_SETTINGS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "S3_ACCESS_KEY",
    "S3_SECRET_KEY",
)
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def check_storage(config: dict) -> None:
    """Refuse an unknown storage backend or S3 settings that cannot work; tidy S3_PREFIX."""
    backend = config.get("STORAGE_BACKEND") or "local"
    if backend not in ("local", "s3"):
        raise ConfigError(
            f"STORAGE_BACKEND is {backend!r}; set it to local (files in UPLOAD_FOLDER) or s3 (a bucket, S3_BUCKET)."
        )
    present = [name for name in _CREDENTIAL_SETTINGS if config.get(name)]
    if present:
        raise ConfigError(
            f"{', '.join(present)} must not be in the portal's configuration; set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY in the environment (or use an instance role) instead."
        )
    if backend != "s3":
        return
    bucket = config.get("S3_BUCKET") or ""
    if not bucket:
        raise ConfigError("STORAGE_BACKEND is s3 but S3_BUCKET is not set; set it to the bucket for attachments.")
    if not _BUCKET.match(bucket):
        raise ConfigError(
            f"S3_BUCKET {bucket!r} is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens."
        )
    endpoint = config.get("S3_ENDPOINT_URL")
    if endpoint and not endpoint.startswith(("https://", "http://")):
        raise ConfigError(
            f"S3_ENDPOINT_URL {endpoint!r} must be the server's address, e.g. https://minio.trust.nhs.uk:9000; "
            "leave it unset for AWS S3."
        )
    lease = config.get("S3_PENDING_LEASE_SECONDS")
    if not isinstance(lease, int) or isinstance(lease, bool) or lease < 1:
        raise ConfigError(
            "S3_PENDING_LEASE_SECONDS must be a whole number of seconds, longer than any request can run "
            "(gunicorn's --timeout), for example 900."
        )
    prefix = (config.get("S3_PREFIX") or "").strip("/")
    config["S3_PREFIX"] = f"{prefix}/" if prefix else ""


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _throttling(environ) -> dict:
    """REDIS_URL, THROTTLE_KEY_PREFIX, the JOBS_ settings, SIGN_IN_<ACCOUNT|ADDRESS|OVERALL>_LIMIT and
    TRUSTED_PROXIES, checked."""
    found: dict = {}
    for name in ("REDIS_URL", "THROTTLE_KEY_PREFIX", "JOBS_QUEUE"):
        if environ.get(name):
            found[name] = environ[name]
    for name in ("JOBS_LEASE_SECONDS", "JOBS_RELAY_SECONDS"):
        if environ.get(name):
            try:
                found[name] = float(environ[name])
            except ValueError:
                raise ConfigError(f"{name} must be a number of seconds, e.g. 600.") from None
            if found[name] <= 0:
                raise ConfigError(f"{name} must be a number of seconds above 0.")
    limits = {}
    for name in sign_in_limits.DEFAULT_LIMITS:
        text = environ.get(f"SIGN_IN_{name.upper()}_LIMIT")
        if text:
            try:
                sign_in_limits.parse_limit(text)
            except ValueError as error:
                raise ConfigError(f"SIGN_IN_{name.upper()}_LIMIT: {error}.") from None
            limits[name] = text
    if limits:
        found["SIGN_IN_LIMITS"] = limits
    if environ.get("TRUSTED_PROXIES"):
        if not environ["TRUSTED_PROXIES"].isdigit():
            raise ConfigError("TRUSTED_PROXIES must be the number of reverse proxies in front of the portal, e.g. 1.")
        found["TRUSTED_PROXIES"] = int(environ["TRUSTED_PROXIES"])
    return found


def normalise_database_url(url: str) -> str:
    """Accept the `postgres://` and `postgresql://` forms hosting platforms hand out.

    SQLAlchemy would pick psycopg2 for them, which we do not install; we use psycopg 3.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check(config: dict) -> None:
    """Refuse to run production with a missing or well-known secret key, or with unusable storage settings."""
    check_storage(config)
    env = config.get("PORTAL_ENV")
    if env not in {"development", "testing", "production"}:
        raise ConfigError(f"PORTAL_ENV is {env!r}; set it to development, testing or production.")
    if env == "production":
        key = config.get("SECRET_KEY") or ""
        if key in ("", DEV_SECRET_KEY) or len(key) < 32:
            raise ConfigError(
                "SECRET_KEY is missing, the development default, or shorter than 32 characters; "
                "set SECRET_KEY to a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_hex(32))'."
            )
        config["SESSION_COOKIE_SECURE"] = True
