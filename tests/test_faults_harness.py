"""The fault harness itself (tests/faults.py): the proxy cuts and restores, Redis stops
and starts, and nothing is left running afterwards."""

from __future__ import annotations

import threading
import time

import pytest
import redis
import sqlalchemy as sa
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.databases import PG_URL
from tests.faults import RedisServer, TcpProxy


def _proxy_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("TcpProxy:")]


def test_redis_server_stops_and_starts() -> None:
    with RedisServer() as server:
        client = redis.Redis.from_url(server.url, socket_timeout=1, socket_connect_timeout=1)
        assert client.set("kept", "no") and client.get("kept") == b"no"
        server.stop()
        with pytest.raises(redis.ConnectionError):
            client.ping()
        server.start()
        assert client.ping()
        # No persistence: a restart forgets everything.
        assert client.get("kept") is None
        client.close()
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(server.url, socket_connect_timeout=0.5).ping()


def test_proxy_forwards_severs_and_restores() -> None:
    before = len(_proxy_threads())
    with RedisServer() as server, TcpProxy("127.0.0.1", server.port) as proxy:
        # redis-py retries three times with back-off by default; fail on the first.
        client = redis.Redis(port=proxy.port, socket_timeout=2, socket_connect_timeout=2,
                             retry=Retry(NoBackoff(), 0))
        big = b"x" * (3 << 20)  # larger than the proxy's buffers, both ways
        client.set("big", big)
        assert client.get("big") == big
        assert proxy.connections == 1

        proxy.sever()
        assert proxy.connections == 0
        started = time.perf_counter()
        with pytest.raises(redis.ConnectionError):
            client.ping()
        assert time.perf_counter() - started < 1.5

        proxy.restore()
        assert client.ping()
        assert client.get("big") == big
        client.close()
    assert len(_proxy_threads()) == before


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (SHARON_TEST_DATABASE_URL)")
def test_proxy_cuts_postgresql_and_lets_it_back() -> None:
    url = sa.make_url(PG_URL)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        engine = sa.create_engine(proxy.url(PG_URL), connect_args={"connect_timeout": 2})
        try:
            with engine.connect() as conn:
                assert conn.scalar(sa.text("SELECT 1")) == 1

            proxy.sever()
            started = time.perf_counter()
            with pytest.raises(sa.exc.OperationalError), engine.connect() as conn:
                conn.scalar(sa.text("SELECT 1"))
            # A brand-new connection is refused too.
            fresh = sa.create_engine(proxy.url(PG_URL), poolclass=sa.pool.NullPool)
            with pytest.raises(sa.exc.OperationalError):
                fresh.connect()
            assert time.perf_counter() - started < 2

            proxy.restore()
            with engine.connect() as conn:
                assert conn.scalar(sa.text("SELECT 1")) == 1
        finally:
            engine.dispose()
