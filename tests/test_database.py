"""The connection pool: sized by settings, and fair to requests waiting for it."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.util import queue as sa_queue

from sharon import create_app
from sharon.config import load
from sharon.infra.database import FairQueuePool, HandOffQueue
from tests import databases


def test_pool_settings_reach_the_engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'pool.sqlite3'}"
    app = create_app(databases.test_config(url, SHARON_DB_POOL_SIZE=3, SHARON_DB_MAX_OVERFLOW=2,
                                 SHARON_DB_POOL_TIMEOUT=7))
    from sharon.extensions import db

    with app.app_context():
        pool = db.engine.pool
        assert isinstance(pool, FairQueuePool)
        assert (pool.size(), pool._max_overflow, pool._timeout) == (3, 2, 7)
        assert not pool._pool.returning()
        db.session.execute(sa.text("SELECT 1"))
        db.session.commit()
        assert pool._pool.returning()  # a second checkout in this context goes first
        db.session.remove()
        db.engine.dispose()


def test_pool_settings_are_read_from_the_environment(tmp_path):
    config = load({"SHARON_DB_POOL_SIZE": "4", "SHARON_DB_MAX_OVERFLOW": "0",
                   "SHARON_DB_POOL_TIMEOUT": "2", "SHARON_SECRET_KEY": "x"}, str(tmp_path))
    assert (config["SHARON_DB_POOL_SIZE"], config["SHARON_DB_MAX_OVERFLOW"],
            config["SHARON_DB_POOL_TIMEOUT"]) == (4, 0, 2)
    from sharon.config import ConfigError

    with pytest.raises(ConfigError, match="SHARON_DB_POOL_SIZE"):
        load({"SHARON_DB_POOL_SIZE": "0", "SHARON_SECRET_KEY": "x"}, str(tmp_path))


def test_an_engine_given_its_own_pool_keeps_it(tmp_path):
    """Tests hand PostgreSQL a NullPool; an in-memory SQLite has a single connection."""
    for url, options in ((f"sqlite:///{tmp_path / 'n.sqlite3'}",
                          {"poolclass": sa.pool.NullPool}), ("sqlite://", {})):
        app = create_app(databases.test_config(url, SQLALCHEMY_ENGINE_OPTIONS=options))
        assert "pool_size" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_a_returned_connection_goes_to_the_longest_waiter_not_a_newcomer():
    queue = HandOffQueue(1)
    got: list[str] = []

    def wait(name: str) -> None:
        got.append(f"{name}:{queue.get(True, 5)}")

    first = threading.Thread(target=wait, args=("first",))
    first.start()
    _waiting_in(queue, 1)
    second = threading.Thread(target=wait, args=("second",))
    second.start()
    _waiting_in(queue, 2)
    queue.put("a", False)
    with pytest.raises(sa_queue.Empty):  # a newcomer queues behind those waiting
        queue.get(False)
    queue.put("b", False)
    first.join(5)
    second.join(5)
    assert sorted(got) == ["first:a", "second:b"]  # each in the order it waited
    queue.put("c", False)
    assert queue.get(False) == "c"  # nobody waiting: taken at once


def test_a_waiter_that_times_out_leaves_the_line():
    queue = HandOffQueue(1)
    started = time.monotonic()
    with pytest.raises(sa_queue.Empty):
        queue.get(True, 0.05)
    assert time.monotonic() - started < 2
    assert not queue.waiters
    queue.put("a", False)
    with pytest.raises(sa_queue.Full):
        queue.put("b", False)
    assert queue.get(False) == "a"


def test_a_request_coming_back_for_another_connection_goes_first():
    returning = threading.local()

    class Queue(HandOffQueue):
        @staticmethod
        def returning() -> bool:
            return getattr(returning, "yes", False)

    queue = Queue(1)
    got: list[str] = []

    def wait(name: str, coming_back: bool) -> None:
        returning.yes = coming_back
        got.append(f"{name}:{queue.get(True, 5)}")

    waiters = [threading.Thread(target=wait, args=("new", False)),
               threading.Thread(target=wait, args=("back", True))]
    for count, waiter in enumerate(waiters, 1):
        waiter.start()
        _waiting_in(queue, count)
    queue.put("a", False)
    waiters[1].join(5)
    assert got == ["back:a"]
    queue.put("b", False)
    waiters[0].join(5)
    assert got == ["back:a", "new:b"]


def _waiting_in(queue: HandOffQueue, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(queue.waiters) + len(queue.returning_waiters) < count:
        assert time.monotonic() < deadline
        time.sleep(0.001)
