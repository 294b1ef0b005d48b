"""The Wall's delivery promise, through real faults: two `python wsgi.py` workers sharing
PostgreSQL and a Redis of the test's own, with clients on both.

A message acknowledged to its author reaches every connected client, or the client
learns it may have missed something and catches up: after each fault, every client
holds every acknowledged message, in commit order, exactly once. Faults: a worker killed
(its moderator goes off duty, and members are told), Redis restarted for 5 and for 60
seconds, PostgreSQL cut off for 10 seconds (a proxy the test controls).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
import sqlalchemy as sa

from tests.databases import PG_URL
from tests.faults import RedisServer, TcpProxy
from tests.live_server import Served, live_server
from tests.wall.live import LiveClient, SeqClient, prepare_database, session_cookie

pytestmark = pytest.mark.multiworker

SENDERS = {"robin": "member", "ash": "carer", "kim": "member", "lee": "member"}
PEOPLE = {**SENDERS, "sam_peer": "peer_supporter", "jo": "member"}


@pytest.fixture
def services_ready() -> None:
    reason = "needs SHARON_TEST_DATABASE_URL (PostgreSQL): two workers share one database"
    if PG_URL:
        return
    if os.environ.get("SHARON_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def workers(database_url: str, tmp_path, redis_url: str, count: int = 2) -> Iterator[list[Served]]:  # type: ignore[no-untyped-def]
    env = {"SHARON_REDIS_URL": redis_url, "SHARON_LOG_LEVEL": "WARNING"}
    with ExitStack() as stack:
        yield [stack.enter_context(live_server(database_url, tmp_path, **env))
               for _ in range(count)]


class Stream:
    """Senders on both workers, each sending at a pace under the rate limit, recording
    what was acknowledged as shown, what was held (once nobody is on duty, a member's
    message rightly waits for the team), and what was refused (which is not a promise)."""

    def __init__(self, clients: list[LiveClient], pause: float = 2.1) -> None:
        self.clients, self.pause = clients, pause
        self.acked: list[int] = []
        self.held: list[int] = []
        self.refused: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._send, args=(c,), daemon=True)
                        for c in clients]

    def _send(self, client: LiveClient) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            try:
                ack = client.emit("send", {"body": f"{client.username} says {n}"})
            except Exception as exc:  # no answer at all: not acknowledged
                ack = {"ok": False, "error": type(exc).__name__}
            with self.lock:
                if ack.get("ok"):
                    assert ack["status"] in ("visible", "held"), ack
                    (self.acked if ack["status"] == "visible" else self.held).append(ack["id"])
                else:
                    self.refused.append(ack.get("error", "?"))
            self.stop.wait(self.pause)

    def __enter__(self) -> Stream:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)


def assert_everyone_holds(clients: list[SeqClient], acked: list[int], database_url: str) -> None:
    """Every client shows every acknowledged message, once, in commit order."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        in_commit_order = [row.id for row in conn.execute(sa.text(
            "SELECT id FROM wall_messages WHERE status = 'visible' ORDER BY seq"))]
    engine.dispose()
    assert acked and set(acked) <= set(in_commit_order)
    for client in clients:
        client.settled()
        with client.lock:
            shown = sorted(client.shown, key=lambda i: client.latest[i])
            applied = list(client.applied)
        assert set(shown) == set(in_commit_order), (client.username, set(acked) - set(shown))
        assert shown == in_commit_order, client.username  # in commit order
        assert len(applied) == len(set(applied)), client.username  # each shown once


def open_wall(database_url: str, tmp_path, redis_url: str):  # type: ignore[no-untyped-def]
    prepare_database(database_url, PEOPLE)
    return workers(database_url, tmp_path, redis_url)


@pytest.mark.parametrize("outage", [5, 60])
def test_a_redis_restart_loses_nothing_acknowledged(services_ready, database_url, tmp_path,
                                                    outage):
    with RedisServer() as redis, open_wall(database_url, tmp_path, redis.url) as (one, two):
        sam = SeqClient(one, "sam_peer")
        assert sam.emit("duty", {"on": True})["ok"]
        senders = [SeqClient(one, "robin"), SeqClient(two, "ash"), SeqClient(one, "kim"),
                   SeqClient(two, "lee")]
        reader = SeqClient(two, "jo")
        everyone = [sam, reader, *senders]
        try:
            with Stream(senders) as stream:
                time.sleep(3)
                redis.stop()
                time.sleep(outage)
                redis.start()
                time.sleep(5)
            assert_everyone_holds(everyone, stream.acked, database_url)
            # Nobody was left in the dark: the people on each worker heard the outage.
            for client in (reader, sam):
                assert any(n["kind"] == "degraded" for n in client.of("notice"))
        finally:
            for client in everyone:
                client.close()


def test_a_killed_worker_takes_its_moderator_off_duty_and_loses_nothing(
        services_ready, database_url, tmp_path):
    with RedisServer() as redis, open_wall(database_url, tmp_path, redis.url) as (one, two):
        sam = SeqClient(two, "sam_peer")
        assert sam.emit("duty", {"on": True})["ok"]
        robin, jo = SeqClient(one, "robin"), SeqClient(one, "jo")
        ash = SeqClient(two, "ash")
        try:
            jo.wait_for("status", lambda s: [d["username"] for d in s["on_duty"]]
                        == ["sam_peer"])
            with Stream([robin, ash]) as stream:
                time.sleep(3)
                killed_at = time.monotonic()
                two.process.send_signal(signal.SIGKILL)
                two.process.wait()
                mark = jo.mark()
                # Within 30 seconds the other worker notices and tells everyone.
                jo.wait_for("status", lambda s: s["on_duty"] == [], timeout=30, after=mark)
                lapsed_after = time.monotonic() - killed_at
                # Ash's page reconnects to the surviving worker, from where it was.
                ash.reconnect(one)
                time.sleep(1)
            assert lapsed_after < 30
            # Members' messages are held again: nobody is watching. (Jo sends: robin's
            # stream may have used the rate window up to its last moment.)
            assert jo.emit("send", {"body": "is anyone there?"})["status"] == "held"
            assert_everyone_holds([robin, jo, ash], stream.acked, database_url)
        finally:
            for client in (sam, robin, jo, ash):
                try:
                    client.close()
                except Exception:
                    pass


def test_postgresql_cut_off_for_ten_seconds_loses_nothing_acknowledged(
        services_ready, database_url, tmp_path):
    prepare_database(database_url, PEOPLE)
    url = sa.make_url(database_url)
    with RedisServer() as redis, TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy, \
            workers(proxy.url(database_url), tmp_path, redis.url) as (one, two):
        sam = SeqClient(one, "sam_peer")
        assert sam.emit("duty", {"on": True})["ok"]
        senders = [SeqClient(one, "robin"), SeqClient(two, "ash")]
        reader = SeqClient(two, "jo")
        try:
            cookie = session_cookie(two, "kim")
            with Stream(senders) as stream:
                time.sleep(3)
                proxy.sever()
                time.sleep(1)
                # A socket opened now is refused with a reason, never left half-open.
                refused = LiveClientRefusal(two, cookie)
                assert refused.error == "unavailable", refused.error
                time.sleep(9)
                proxy.restore()
                time.sleep(6)
            assert "unavailable" in stream.refused  # sends during the cut were refused
            late = SeqClient(two, "kim")  # the same person can connect once it is back
            assert_everyone_holds([sam, reader, late, *senders], stream.acked,
                                  database_url)
        finally:
            for client in (sam, reader, *senders):
                client.close()


class LiveClientRefusal:
    """Try to open the Wall with a signed-in cookie; keep the refusal's error code."""

    def __init__(self, base: str, cookie: str) -> None:
        import socketio as python_socketio

        self.error = None
        client = python_socketio.Client(reconnection=False)
        client.on("connect_error", self._refused, namespace="/wall")
        try:
            client.connect(base, namespaces=["/wall"], headers={"Cookie": cookie},
                           transports=["websocket"], wait_timeout=5)
        except python_socketio.exceptions.ConnectionError:
            pass
        connected = client.connected and "/wall" in client.namespaces
        client.disconnect()
        assert not connected, "a socket opened while the database is down was accepted"

    def _refused(self, data=None) -> None:  # type: ignore[no-untyped-def]
        if isinstance(data, dict) and isinstance(data.get("data"), dict):
            self.error = data["data"].get("error")
