"""Configuration: the environment wins, production refuses an unsafe secret key, and storage settings
that cannot work stop the start with what to set."""

from __future__ import annotations

import re

import pytest

from competency_portal import create_app, storage
from competency_portal.config import DEV_SECRET_KEY, ConfigError, from_environment, normalise_database_url


@pytest.mark.parametrize("key", [None, DEV_SECRET_KEY, "short"])
def test_production_refuses_a_missing_default_or_short_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_real_key_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_an_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "prod")
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        create_app()


def test_environment_variables_are_read():
    found = from_environment({"DATABASE_URL": "postgres://u@h/db", "PORT": "8080", "SECRET_KEY": "s"})
    assert found == {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db", "PORT": 8080, "SECRET_KEY": "s"}


def test_development_defaults_to_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "development")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/portal.sqlite3"


def test_psycopg_urls_are_left_alone():
    assert normalise_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_storage_settings_are_read_from_the_environment():
    found = from_environment(
        {
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": "trust-portal-files",
            "S3_ENDPOINT_URL": "https://minio.trust.nhs.uk:9000",
            "S3_REGION": "eu-west-2",
            "S3_PREFIX": "portal",
            "S3_PENDING_LEASE_SECONDS": "600",
        }
    )
    assert found == {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": "trust-portal-files",
        "S3_ENDPOINT_URL": "https://minio.trust.nhs.uk:9000",
        "S3_REGION": "eu-west-2",
        "S3_PREFIX": "portal",
        "S3_PENDING_LEASE_SECONDS": 600,
    }


@pytest.mark.parametrize(
    "settings,message",
    [
        ({"STORAGE_BACKEND": "s4"}, "STORAGE_BACKEND is 's4'; set it to local"),
        ({"STORAGE_BACKEND": "s3"}, "S3_BUCKET is not set"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "Trust_Files"}, "S3_BUCKET 'Trust_Files' is not a bucket name"),
        (
            {"STORAGE_BACKEND": "s3", "S3_BUCKET": "trust-files", "S3_ENDPOINT_URL": "minio:9000"},
            "S3_ENDPOINT_URL 'minio:9000' must be the server's address",
        ),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "trust-files", "S3_PENDING_LEASE_SECONDS": "soon"}, "whole number"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "trust-files", "S3_PENDING_LEASE_SECONDS": "0"}, "longer than any"),
    ],
)
def test_storage_settings_that_cannot_work_stop_the_start_with_what_to_set(monkeypatch, settings, message):
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        create_app()


def test_storage_credentials_in_the_configuration_file_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="AWS_SECRET_ACCESS_KEY must not be in the portal's configuration"):
        create_app({"TESTING": True, "PORTAL_ENV": "testing", "AWS_SECRET_ACCESS_KEY": "in-a-file-by-mistake"})


def test_the_portal_starts_on_s3_settings_from_the_environment(monkeypatch, s3_server):
    bucket = s3_server.new_bucket()
    for name, value in {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_server.url,
        "S3_REGION": "eu-west-2",
        "S3_PREFIX": "/portal/",
    }.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.config["S3_PREFIX"] == "portal/"
    store = storage.from_config(app.config)
    name = store.save(b"stored in the bucket")
    assert s3_server.client().get_object(Bucket=bucket, Key=f"portal/files/{name}")["Body"].read() == (
        b"stored in the bucket"
    )
