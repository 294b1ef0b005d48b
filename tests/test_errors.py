"""Degrade, don't break: error pages when the database or the layout itself fails.

Whatever fails, a person gets a page in plain words with the crisis contacts on it,
never a traceback; when the database is down that page is drawn without asking it
again (the normal layout would, to know who is signed in).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from sharon.extensions import db
from tests.helpers import sign_in, submit, text

UNAVAILABLE = "SHaRON is not available just now"
CONTACTS = ("999", "NHS 111", "Samaritans", "116 123", "SHOUT", "85258")


def assert_plain_503(response) -> None:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:300]
    assert UNAVAILABLE in text(response)
    assert "try again in a few minutes" in text(response)
    for contact in CONTACTS:
        assert contact in text(response)
    assert "Traceback" not in body and "sqlalchemy" not in body.lower()
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"


class DatabaseDown:
    """Every new database connection is refused, as by a server that has gone away;
    counts the attempts."""

    def __init__(self) -> None:
        self.attempts = 0
        self.engine = db.engine

    def refuse(self, dialect, conn_rec, cargs, cparams):  # type: ignore[no-untyped-def]
        self.attempts += 1
        raise dialect.loaded_dbapi.OperationalError("could not connect to server: refused")

    def __enter__(self) -> DatabaseDown:
        db.session.remove()
        self.engine.dispose()  # no pooled connection survives the outage
        sa.event.listen(self.engine, "do_connect", self.refuse)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "do_connect", self.refuse)


@pytest.fixture
def signed_in(client, make_user) -> Iterator[None]:  # type: ignore[no-untyped-def]
    make_user(username="sam", role="member")
    assert sign_in(client, "sam").status_code == 302
    yield


PAGES = ["/", "/forums/", "/library/", "/wall/", "/account/", "/help/urgent",
         "/moderation/", "/no/such/page"]


def test_database_down_gives_a_plain_503_without_asking_it_again(client, signed_in):
    with DatabaseDown() as down:
        for page in PAGES:
            before = down.attempts
            response = client.get(page)
            assert_plain_503(response)
            # The page itself tried once; the error page never asked again.
            assert down.attempts - before <= 1, page
        before = down.attempts
        response = client.post("/sign-out", data={"csrf_token": "whatever"})
        assert response.status_code in (400, 503)
        assert "Traceback" not in response.get_data(as_text=True)
        assert down.attempts - before <= 1
    # Back again: the same session works as before.
    response = client.get("/account/")
    assert response.status_code == 200 and "sam" in text(response)


def test_without_a_session_public_pages_still_work_when_the_database_is_down(client):
    with DatabaseDown() as down:
        for page in ("/", "/help/urgent", "/guidelines", "/healthz", "/sign-in"):
            assert client.get(page).status_code == 200, page
        assert down.attempts == 0
        # Signing in needs the database: a plain 503, not a traceback.
        assert_plain_503(submit(client, "/sign-in", {"username": "sam", "password": "x"}))
        assert down.attempts == 1


@pytest.mark.parametrize("error", [
    sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
    sa.exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")),
    sa.exc.TimeoutError("QueuePool limit of size 10 overflow 5 reached"),
    sa.exc.DBAPIError("SELECT 1", {}, Exception("terminating connection"),
                      connection_invalidated=True),
    redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
], ids=["operational", "interface", "pool-exhausted", "invalidated", "redis"])
def test_database_failures_are_503(app: Flask, client, error):
    @app.get("/test/database-fails")
    def fails():  # type: ignore[no-untyped-def]
        raise error

    assert_plain_503(client.get("/test/database-fails"))


def test_a_database_failure_after_the_view_is_503(app: Flask, client, monkeypatch):
    # As in production: Flask hands an error outside the view to the 500 handler
    # (tests let it propagate by default).
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    @app.get("/test/after")
    def fine():  # type: ignore[no-untyped-def]
        return "fine"

    @app.after_request
    def fails(response):  # type: ignore[no-untyped-def]
        raise sa.exc.OperationalError("UPDATE", {}, Exception("server closed the connection"))

    assert_plain_503(client.get("/test/after"))


def test_other_database_errors_are_500(app: Flask, client):
    @app.get("/test/integrity")
    def fails():  # type: ignore[no-untyped-def]
        raise sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))

    response = client.get("/test/integrity")
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in text(response)
    assert "duplicate key" not in response.get_data(as_text=True)


def test_the_500_page_survives_a_broken_layout(app: Flask, client, monkeypatch):
    @app.get("/test/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internal detail")

    def broken_header():  # type: ignore[no-untyped-def]
        raise RuntimeError("the header broke too")

    monkeypatch.setitem(app.jinja_env.globals, "site_header", broken_header)
    response = client.get("/test/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in text(response)
    for contact in CONTACTS:
        assert contact in text(response)
    assert "secret internal detail" not in body and "header broke" not in body

    # And if even the plain page cannot be drawn, a fixed one still is.
    def no_templates(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("templates are gone")

    monkeypatch.setattr(app.jinja_env, "get_template", no_templates)
    response = client.get("/test/boom")
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in text(response)
    assert "Samaritans" in text(response) and "116 123" in text(response)
    assert "templates are gone" not in response.get_data(as_text=True)


def test_outage_is_logged_once_not_per_request(client, signed_in, caplog):
    from sharon.infra import errors

    errors.outage_log.last = float("-inf")
    with DatabaseDown(), caplog.at_level("WARNING", logger="sharon.infra.errors"):
        for _ in range(5):
            assert client.get("/forums/").status_code == 503
    lines = [r for r in caplog.records if r.name == "sharon.infra.errors"]
    assert len(lines) == 1
    assert "database unavailable" in lines[0].getMessage()
    assert lines[0].exc_info is None
