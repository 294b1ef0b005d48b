"""Engine settings that SQLAlchemy leaves to us: the connection pool and SQLite pragmas.

One rule keeps the pool from deadlocking: a request uses one pooled connection, its
session's, from its first query to its end, and never asks for a second while it holds
it (a second would make a crowd of requests each hold one and wait on the others'
forever). Writes a page makes while reading (the forums' read marker) go in the
request's own transaction.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_app_context
from sqlalchemy.util import queue as sa_queue


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows (check-ins, accounts) are overwritten, not left in free pages: not every
    # SQLite build does this by default.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Several greenlets or processes may write at once: wait rather than fail.
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class _Waiter:
    __slots__ = ("ready", "item")

    def __init__(self) -> None:
        self.ready = threading.Event()  # green under eventlet's and gevent's monkey patching
        self.item: Any = None


class HandOffQueue(sa_queue.Queue[Any]):
    """SQLAlchemy's pool queue, serving waiting requests in the order they came, and
    those coming back for another connection before those yet to start.

    The stock queue wakes a waiter when a connection comes back, but a request arriving
    meanwhile takes it first, and the woken waiter goes back to the end of the line: under
    a crowd some requests lose that race again and again until their timeout. Here a
    returned connection is handed straight to the longest waiter, and a newcomer queues
    behind everyone. A request that commits and then queries again (a reply: commit, then
    find the page its post is on) checks a connection out twice; the second time it
    waits at the front (`returning`), or it would wait for the whole line twice.
    """

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self.returning_waiters: deque[_Waiter] = deque()
        self.waiters: deque[_Waiter] = deque()

    @staticmethod
    def returning() -> bool:
        """Whether the caller has had a connection from this pool before (see subclass)."""
        return False

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        """Take a connection, waiting in arrival order when none is free."""
        with self.mutex:
            if not self.waiters and not self.returning_waiters and not self._empty():
                return self._get()
            if not block:
                raise sa_queue.Empty
            waiter = _Waiter()
            line = self.returning_waiters if self.returning() else self.waiters
            line.append(waiter)
        waiter.ready.wait(timeout)
        with self.mutex:
            if waiter.item is not None:  # handed one, perhaps just as the wait ran out
                return waiter.item
            line.remove(waiter)
        raise sa_queue.Empty

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        """Return a connection, handing it straight to the longest waiter."""
        with self.mutex:
            line = self.returning_waiters or self.waiters
            if line:
                waiter = line.popleft()
                waiter.item = item
                waiter.ready.set()
                return
            if self._full():  # the pool only puts without blocking, and closes the extra
                raise sa_queue.Full
            self._put(item)


_SERVED = "sharon_db_served"  # in flask.g: this request has had a connection


class _RequestQueue(HandOffQueue):
    @staticmethod
    def returning() -> bool:
        return has_app_context() and _SERVED in g


class FairQueuePool(sa.pool.QueuePool):
    """QueuePool whose waiting requests are served first come, first served (a request
    that had a connection before coming first)."""

    _queue_class = _RequestQueue


@sa.event.listens_for(FairQueuePool, "checkout")
def _served(_dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    if has_app_context():
        setattr(g, _SERVED, True)


def pool_options(app: Flask, url: sa.URL) -> dict[str, Any]:
    """The pool's class, sizes and wait from the settings, unless a pool class is chosen
    already (the tests' NullPool) or the database lives in memory (one connection).

    The defaults are sized for one eventlet worker. Its requests share one core, and
    each holds its connection from its first query to its end, mostly waiting for that
    core or for PostgreSQL. Ten connections, fifteen in a burst, are enough to keep the
    core busy while PostgreSQL answers, and few enough that workers x (size + overflow)
    stays under PostgreSQL's max_connections (100 by default, a few kept for superusers)
    with one worker per core on small machines. In bench/load.py on a quiet 2-core
    machine, four, ten and twenty connections served alike (ten a little ahead); on a
    busy one, where PostgreSQL waits for a core too, four left the worker idle with
    pages queued (a third fewer pages for its CPU), and twenty did no better than ten. A
    request waits in line (first come, first served) up to SHARON_DB_POOL_TIMEOUT
    seconds, then gets a 503 page: ten seconds covers the line of 220 people clicking
    without a pause (1-2 s on the quiet machine, up to 6 s on the busy one), and frees
    them well before SQLAlchemy's thirty when the database is stuck.
    """
    options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
    if "poolclass" in options or "creator" in options:
        return {}
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return {}
    return {"poolclass": FairQueuePool, "pool_size": app.config["SHARON_DB_POOL_SIZE"],
            "max_overflow": app.config["SHARON_DB_MAX_OVERFLOW"],
            "pool_timeout": app.config["SHARON_DB_POOL_TIMEOUT"]}


def init_app(app: Flask) -> None:
    """Choose the engine's pool and per-database settings before the first connection."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **pool_options(app, url), **(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            from pathlib import Path

            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        sa.event.listen(sa.engine.Engine, "connect", _sqlite_listener)


def _sqlite_listener(dbapi_connection: Any, record: Any) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        _sqlite_pragmas(dbapi_connection, record)
