"""Fixtures: an app with its own migrated database per test, a client, factories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner

# Never let a test write a development key into the real instance folder.
os.environ.setdefault("SHARON_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SHARON_ASYNC_MODE", "threading")

from sharon import create_app  # noqa: E402
from sharon.extensions import db  # noqa: E402
from tests import factories  # noqa: E402
from tests.databases import TemplateDatabase, test_config  # noqa: E402


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> TemplateDatabase:
    template = TemplateDatabase(tmp_path_factory.mktemp("db"))
    template.migrate()
    return template


@pytest.fixture
def database_url(template_db: TemplateDatabase) -> Iterator[str]:
    url = template_db.copy()
    yield url
    template_db.drop(url)


@pytest.fixture
def app_config() -> dict[str, object]:
    """Override in a test module (or parametrize) to change settings for its app."""
    return {}


@pytest.fixture
def app(database_url: str, app_config: dict[str, object]) -> Iterator[Flask]:
    app = create_app(test_config(database_url, **app_config))

    @app.before_request
    def forget_previous_user() -> None:
        # Tests keep one app context open so they can query the database; Flask reuses
        # it for each request, and Flask-Login and Flask-WTF cache the user and the CSRF
        # token in it. Each request must find its own from its own cookie, as in production.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def second_worker(database_url: str) -> Iterator[Flask]:
    """Another app on the same database, as another worker process would be."""
    other = create_app(test_config(database_url))
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    return factories.UserFactory


@pytest.fixture
def make_invitation(app: Flask):  # type: ignore[no-untyped-def]
    return factories.InvitationFactory


class FrozenClock:
    """Moves SHaRON's clock by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    from sharon.infra import clock

    frozen = FrozenClock(clock.now())
    monkeypatch.setattr(clock, "now", frozen)
    return frozen
