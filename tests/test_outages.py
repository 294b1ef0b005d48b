"""A real `python wsgi.py` while its database or its Redis goes away: people get plain
pages (never a traceback), sign-in keeps working without Redis, and everything comes
back by itself."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.databases import PG_URL
from tests.faults import RedisServer, TcpProxy, free_port
from tests.helpers import PASSWORD
from tests.live_server import live_server
from tests.wall.live import prepare_database

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
UNAVAILABLE = "SHaRON is not available just now"
SIGNED_IN_PAGES = ["/", "/forums/", "/library/", "/wall/", "/account/", "/help/urgent",
                   "/forums/notifications"]


def sign_in(http: requests.Session, base: str, username: str,
            password: str = PASSWORD) -> requests.Response:
    token = _CSRF.search(http.get(f"{base}/sign-in", timeout=10).text).group(1)  # type: ignore[union-attr]
    return http.post(f"{base}/sign-in", data={"csrf_token": token, "username": username,
                                              "password": password}, timeout=10)


def assert_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, (response.request.url, response.status_code,
                                         response.text[:300])
    assert UNAVAILABLE in response.text
    assert "Samaritans" in response.text and "116 123" in response.text
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert response.headers["Content-Type"].startswith("text/html")


def forged_session(user_id: int = 1) -> str:
    """A session cookie for a signed-in person, signed with the live server's key, made
    without the database (which, in these tests, is not there to sign in with)."""
    from flask import Flask

    app = Flask("forge")
    app.secret_key = "live-test-secret"
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return serializer.dumps({"_user_id": f"{user_id}:1", "_fresh": True,  # type: ignore[union-attr]
                             "_signed_at": int(time.time())})


def test_a_dead_database_gives_plain_503_pages(tmp_path: Path) -> None:
    """Nothing answers where the database should be, from the start."""
    with TcpProxy("127.0.0.1", free_port()) as dead:
        url = dead.url("postgresql+psycopg2://sharon@127.0.0.1/sharon")
        with live_server(url, tmp_path) as base, requests.Session() as http, \
                requests.Session() as anonymous:
            http.cookies.set("sharon_session", forged_session())
            for page in SIGNED_IN_PAGES:
                started = time.perf_counter()
                assert_unavailable(http.get(base + page, timeout=10))
                assert time.perf_counter() - started < 5
            # Pages that need nobody's records still work.
            for page in ("/", "/help/urgent", "/sign-in", "/healthz"):
                assert anonymous.get(base + page, timeout=10).status_code == 200, page
            # Signing in (a POST) needs the database.
            assert_unavailable(sign_in(anonymous, base, "sam"))
        log = next(tmp_path.glob("server-*.log")).read_text()
        assert "database unavailable" in log
        assert log.count("database unavailable") == 1, log[-2000:]


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (SHARON_TEST_DATABASE_URL)")
def test_database_cut_off_and_back(template_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = template_db.copy()
    try:
        prepare_database(url, {"sam": "member"})
        target = sa.make_url(url)
        with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy, \
                live_server(proxy.url(url), tmp_path) as base, requests.Session() as http:
            signed_in = sign_in(http, base, "sam")
            assert signed_in.status_code == 200 and "sam" in signed_in.text
            token = _CSRF.search(http.get(f"{base}/account/", timeout=10).text).group(1)  # type: ignore[union-attr]
            for page in SIGNED_IN_PAGES:
                assert http.get(base + page, timeout=10).status_code == 200, page

            proxy.sever()
            for page in SIGNED_IN_PAGES:
                started = time.perf_counter()
                assert_unavailable(http.get(base + page, timeout=10))
                assert time.perf_counter() - started < 5
            # A POST: what was sent is not saved, and the page says so.
            response = http.post(f"{base}/forums/notifications/read", timeout=10,
                                 data={"csrf_token": token})
            assert_unavailable(response)
            assert "has not been saved" in response.text

            proxy.restore()
            for page in SIGNED_IN_PAGES:
                response = http.get(base + page, timeout=10)
                assert response.status_code == 200, (page, response.text[:300])
                assert "Your account" in response.text  # still signed in
        log = next(tmp_path.glob("server-*.log")).read_text()
        assert "Traceback" not in log, log[-3000:]
    finally:
        template_db.drop(url)


def test_sign_in_works_while_redis_is_down(template_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = template_db.copy()
    try:
        prepare_database(url, {"sam": "member"}, session_minutes=0)
        with RedisServer() as redis_server, live_server(
                url, tmp_path, SHARON_REDIS_URL=redis_server.url,
                SHARON_SIGNIN_RATE_LIMIT="4 per 3 seconds") as base, \
                requests.Session() as http, requests.Session() as stranger:
            assert "Your account" in sign_in(http, base, "sam").text  # counted in Redis

            redis_server.stop()
            started = time.perf_counter()
            response = sign_in(http, base, "sam")
            assert time.perf_counter() - started < 2
            assert response.status_code == 200 and "Your account" in response.text

            # The limit still holds, counted in this worker's memory.
            codes = [sign_in(stranger, base, "nobody", "wrong").status_code for _ in range(5)]
            # 400: a sign-in refused for its password; 429: too many attempts.
            assert codes == [400, 400, 400, 429, 429], codes
            assert "Please slow down" in sign_in(stranger, base, "nobody", "wrong").text

            redis_server.start()
            time.sleep(3.2)  # the window passes
            for _ in range(2):
                started = time.perf_counter()
                response = sign_in(http, base, "sam")
                assert response.status_code == 200 and "Your account" in response.text
                assert time.perf_counter() - started < 2
        log = base.log_path.read_text()
        assert log.count("falling back to in-memory storage") == 1, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
    finally:
        template_db.drop(url)
