"""A crowd on one thread: readers never need two pooled connections at once, and a request
that cannot get one fails fast with a 503 page."""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ThreadRead
from tests.forums.conftest import add_reply, start_thread
from tests.helpers import PASSWORD, sign_in
from tests.live_server import live_server

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
READERS, TABS = 5, 4  # twenty clients: five people with four tabs each


def _cookie(base: str, username: str) -> str:
    http = requests.Session()
    token = _CSRF.search(http.get(f"{base}/sign-in", timeout=10).text)
    response = http.post(f"{base}/sign-in", timeout=10, data={
        "csrf_token": token.group(1), "username": username, "password": PASSWORD})
    assert response.status_code == 200 and "sharon_session" in http.cookies
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


def test_twenty_clients_open_the_same_unread_thread_at_once(app, database_url, tmp_path,
                                                             make_user, general):
    """Each page used to write its read marker on a second connection while its session
    held the first: with every connection held by a page waiting for another, the worker
    stopped until the pool's timeout. A one-connection pool on SQLite, two on PostgreSQL:
    sqlite3 never yields to another greenlet while a request holds its connection, so
    there only a pool of one shows a request needing two; psycopg2 yields at every query,
    so two connections are shared by twenty pages at once, and the read markers' inserts
    race."""
    author = make_user(username="river")
    readers = [make_user(username=f"reader_{i}") for i in range(READERS)]
    thread = start_thread(author, general, title="Busy thread")
    for i in range(24):  # 25 posts: page 1 shows 1-20
        add_reply(author, thread, f"reply {i}")
    thread_id, reader_ids = thread.id, [r.id for r in readers]
    db.session.remove()
    pool = "2" if database_url.startswith("postgresql") else "1"
    with live_server(database_url, tmp_path, SHARON_DB_POOL_SIZE=pool,
                     SHARON_DB_MAX_OVERFLOW="0", SHARON_DB_POOL_TIMEOUT="5",
                     SHARON_TEST_SERVER_TTL="120") as base:
        cookies = [_cookie(base, f"reader_{i}") for i in range(READERS)] * TABS
        start = threading.Barrier(len(cookies))
        statuses: list[int] = []

        def open_thread(cookie: str) -> None:
            with requests.Session() as http:
                start.wait(timeout=30)
                try:
                    response = http.get(f"{base}/forums/t/{thread_id}", timeout=30,
                                        headers={"Cookie": cookie}, allow_redirects=False)
                    statuses.append(response.status_code)
                except requests.RequestException:
                    statuses.append(0)

        clients = [threading.Thread(target=open_thread, args=(c,)) for c in cookies]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=60)
    assert statuses == [200] * len(cookies)
    markers = db.session.execute(sa.select(ThreadRead.user_id, ThreadRead.last_read_number)
                                 .where(ThreadRead.thread_id == thread_id)).all()
    assert sorted(markers) == [(reader_id, 20) for reader_id in sorted(reader_ids)]


@pytest.fixture
def app_config() -> dict[str, object]:
    # A real pool of one on either database (the tests' PostgreSQL engines have none, and
    # nothing to exhaust). The crowd test's server takes its own pool from the environment.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
            "SHARON_DB_POOL_SIZE": 1, "SHARON_DB_MAX_OVERFLOW": 0, "SHARON_DB_POOL_TIMEOUT": 1}


def test_a_request_that_cannot_get_a_connection_fails_fast_with_a_503(client, make_user):
    make_user(username="river")
    sign_in(client, "river")
    db.session.remove()
    with db.engine.connect() as held:  # the pool's only connection, held elsewhere
        held.exec_driver_sql("SELECT 1")
        started = time.monotonic()
        response = client.get("/forums/")
        waited = time.monotonic() - started
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert waited < 5
    assert "Traceback" not in page and "TimeoutError" not in page and "QueuePool" not in page


def test_a_thread_page_takes_one_connection_and_keeps_its_read_marker(client, make_user,
                                                                     general):
    """With a pool of one, a page that asked for a second connection would wait a second
    and fail; the marker it writes is committed with the page."""
    river = make_user(username="river")
    reader_id = make_user(username="ash").id
    thread = start_thread(river, general, title="Evening routines")
    add_reply(river, thread, "and another thing")
    thread_id = thread.id
    sign_in(client, "ash")
    db.session.remove()
    checkouts: list[object] = []

    def count(*args: object) -> None:
        checkouts.append(args)

    sa.event.listen(db.engine.pool, "checkout", count)
    try:
        response = client.get(f"/forums/t/{thread_id}")
    finally:
        sa.event.remove(db.engine.pool, "checkout", count)
    assert response.status_code == 200
    assert len(checkouts) == 1
    db.session.remove()
    assert db.session.get(ThreadRead, (reader_id, thread_id)).last_read_number == 2
