"""Settings: safe defaults, production refusals, and the README's table."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from sharon import create_app
from sharon.config import ROOT, SETTINGS, ConfigError, load
from sharon.extensions import db


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="SHARON_SECRET_KEY is not set"):
        load({"SHARON_ENV": "production"}, instance_path=str(tmp_path))


PRODUCTION = {"SHARON_ENV": "production", "SHARON_SECRET_KEY": "x" * 64,
              "SHARON_PRIVACY_CONTROLLER": "Anytown NHS Foundation Trust",
              "SHARON_PRIVACY_CONTACT": "dpo@anytown.nhs.uk",
              "SHARON_SITE_URL": "https://sharon.anytown.nhs.uk"}


@pytest.mark.parametrize("missing", ["SHARON_PRIVACY_CONTROLLER", "SHARON_PRIVACY_CONTACT"])
def test_production_without_a_data_controller_refuses_to_start(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=f"{missing} is not set"):
        load(env, instance_path=str(tmp_path))


def test_production_needs_the_sites_own_https_address(tmp_path):
    without = {k: v for k, v in PRODUCTION.items() if k != "SHARON_SITE_URL"}
    with pytest.raises(ConfigError, match="SHARON_SITE_URL is not set"):
        load(without, instance_path=str(tmp_path))
    for bad in ("http://sharon.anytown.nhs.uk", "https://sharon.anytown.nhs.uk/forums",
                "sharon.anytown.nhs.uk", "https://"):
        with pytest.raises(ConfigError, match="SHARON_SITE_URL must be"):
            load({**PRODUCTION, "SHARON_SITE_URL": bad}, instance_path=str(tmp_path))
    config = load(PRODUCTION, instance_path=str(tmp_path))
    assert config["SERVER_NAME"] == "sharon.anytown.nhs.uk"
    assert config["TRUSTED_HOSTS"][0] == "sharon.anytown.nhs.uk"


def test_production_sets_secure_cookies(tmp_path):
    config = load(PRODUCTION, instance_path=str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_generates_a_key_and_warns(tmp_path, capsys):
    first = load({}, instance_path=str(tmp_path))["SECRET_KEY"]
    assert "SHARON_SECRET_KEY is not set" in capsys.readouterr().err
    assert len(first) >= 64
    assert load({}, instance_path=str(tmp_path))["SECRET_KEY"] == first  # kept for restarts
    assert (tmp_path / "development-secret-key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("env, message", [
    ({"SHARON_PORT": "eighty"}, "SHARON_PORT must be a whole number"),
    ({"SHARON_PORT": "70000"}, "SHARON_PORT must be at least 1 and at most 65535"),
    ({"SHARON_ENV": "staging"}, "SHARON_ENV must be one of development, production"),
    ({"SHARON_ASYNC_MODE": "asyncio"}, "SHARON_ASYNC_MODE must be one of"),
    ({"SHARON_ARGON2_PROFILE": "turbo"}, "SHARON_ARGON2_PROFILE must be one of default, fast"),
    ({"SHARON_MAX_VIDEO_MB": "0"}, "SHARON_MAX_VIDEO_MB must be at least 1"),
    ({"SHARON_INVITE_DAYS": "0"}, "SHARON_INVITE_DAYS must be at least 1 and at most 90"),
    ({"SHARON_LOCKOUT_ATTEMPTS": "-1"}, "SHARON_LOCKOUT_ATTEMPTS must be at least 1"),
    ({"SHARON_SIGNIN_RATE_LIMIT": "lots"}, "SHARON_SIGNIN_RATE_LIMIT must look like"),
    ({"SHARON_POST_RATE_LIMIT": "fast"}, "SHARON_POST_RATE_LIMIT must look like '10 per minute"),
    ({"SHARON_REPORT_RATE_LIMIT": "9 per fortnight"}, "SHARON_REPORT_RATE_LIMIT must look like"),
    ({"SHARON_SESSION_LIFETIME_HOURS": "0"}, "SHARON_SESSION_LIFETIME_HOURS must be at least 1"),
    ({"SHARON_SESSION_LIFETIME_HOURS": "72"}, "SHARON_SESSION_LIFETIME_HOURS must be at least 1 "
                                              "and at most 24"),
    ({"SHARON_ALLOWED_ORIGINS": "*"}, "'\\*' would let any website open the Wall"),
    ({"SHARON_ALLOWED_ORIGINS": "https://a.nhs.uk,*"}, "SHARON_ALLOWED_ORIGINS must list origins"),
    ({"SHARON_ALLOWED_ORIGINS": "https://*.nhs.uk"}, "SHARON_ALLOWED_ORIGINS must list origins"),
    ({"SHARON_ALLOWED_ORIGINS": "partner.nhs.uk"}, "like https:// or http://host"),
    ({"SHARON_ALLOWED_ORIGINS": "https://a.nhs.uk/wall"}, "not 'https://a.nhs.uk/wall'"),
    ({"SHARON_BANK_HOLIDAYS": "wales"}, "SHARON_BANK_HOLIDAYS must be one of england-and-wales, "
                                        "scotland, northern-ireland"),
    ({"SHARON_SERVICE_NAME": "Anytown\nTalking Therapies"}, "SHARON_SERVICE_NAME must be one "
                                                            "line"),
    ({"SHARON_PRIVACY_CONTROLLER": "x" * 201}, "SHARON_PRIVACY_CONTROLLER must be one line of "
                                               "at most 200"),
    ({"SHARON_PRIVACY_CONTACT": "the DPO"}, "SHARON_PRIVACY_CONTACT must be an email address or"),
    ({"SHARON_PRIVACY_CONTACT": "http://trust.nhs.uk/dpo"}, "SHARON_PRIVACY_CONTACT must be"),
    ({"SHARON_ACCESSIBILITY_CONTACT": "ring us"}, "SHARON_ACCESSIBILITY_CONTACT must be an email"),
    ({"SHARON_ACCESSIBILITY_REVIEWED": "31/03/2026"}, "SHARON_ACCESSIBILITY_REVIEWED must be a "
                                                      "date like 2026-03-31"),
    ({"SHARON_ACCESSIBILITY_REVIEWED": "2999-01-01"}, "must not be in the future"),
    ({"SHARON_RETENTION_AUDIT_YEARS": "0"}, "SHARON_RETENTION_AUDIT_YEARS must be at least 1"),
    ({"SHARON_RETENTION_LOG_DAYS": "a month"}, "SHARON_RETENTION_LOG_DAYS must be a whole number"),
])
def test_bad_values_are_explained(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load({"SHARON_SECRET_KEY": "k", **env}, instance_path=str(tmp_path))


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    config = load({}, instance_path=str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'sharon.sqlite3'}"


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `(SHARON_[A-Z0-9_]+)` \|", readme, flags=re.M))
    assert documented == {s.name for s in SETTINGS}


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only apply to SQLite")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # Deleted health data is overwritten on disk, whatever the build's default.
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_migrations_match_the_models(app):
    """Alembic is the only way the schema changes: the models must not drift from it."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from sharon.search import is_search_object

    def include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        return not is_search_object(name, type_)

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_fresh_install_has_one_network(app):
    from sharon.models import Network

    assert [n.name for n in db.session.scalars(sa.select(Network))] == ["Talking Therapies"]


def test_app_factory_accepts_overrides(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "k",
                      "SHARON_ASYNC_MODE": "threading"})
    assert app.config["SECRET_KEY"] == "k"
