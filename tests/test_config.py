"""Configuration: the environment wins, and production refuses an unsafe secret key."""

from __future__ import annotations

import pytest

from competency_portal import create_app
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
