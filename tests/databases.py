"""Test databases: migrate once per run, then give each test its own copy.

SQLite: the migrated file is copied. PostgreSQL (SHARON_TEST_DATABASE_URL):
the migrated database is used as a CREATE DATABASE … TEMPLATE. Either way the
real migrations run, and tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa

PG_URL = os.environ.get("SHARON_TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("SHARON_TEST_REDIS_URL") or None
_counter = itertools.count()


def _admin_engine(url: sa.URL) -> sa.Engine:
    return sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                            poolclass=sa.pool.NullPool)


class TemplateDatabase:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        if PG_URL:
            self.url = sa.make_url(PG_URL)
            if self.url.drivername == "postgresql":
                self.url = self.url.set(drivername="postgresql+psycopg2")
        else:
            self.url = sa.make_url(f"sqlite:///{workdir / 'template.sqlite3'}")
        self._made: list[str] = []

    @property
    def is_postgres(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    def migrate(self) -> None:
        from flask_migrate import upgrade

        from sharon import create_app
        from sharon.extensions import db

        if self.is_postgres:
            # Start from nothing, so the run sees exactly what the migrations make.
            engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            engine.dispose()
        app = create_app(test_config(self.url.render_as_string(hide_password=False)))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        if not self.is_postgres:
            # Fold the WAL back into the main file so a plain copy is complete.
            engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
            engine.dispose()

    def copy(self) -> str:
        """A fresh, migrated database for one test; returns its URL."""
        if self.is_postgres:
            name = f"{self.url.database}_{os.getpid()}_{next(_counter)}"
            admin = _admin_engine(self.url)
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.url.database}"')
            admin.dispose()
            self._made.append(name)
            return self.url.set(database=name).render_as_string(hide_password=False)
        target = self.workdir / f"db-{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(self.workdir / "template.sqlite3", target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        parsed = sa.make_url(url)
        if self.is_postgres:
            admin = _admin_engine(self.url)
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
            admin.dispose()
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)


def test_config(database_url: str, **overrides: object) -> dict[str, object]:
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool, "hide_parameters": True}
        if database_url.startswith("postgresql") else {"hide_parameters": True},
        "SHARON_ASYNC_MODE": "threading",
        "SHARON_ARGON2_PROFILE": "fast",
        "SHARON_REDIS_URL": None,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
    }
    config.update(overrides)
    return config
