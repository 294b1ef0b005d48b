"""Make psycopg2 cooperative under gevent (eventlet ships its own patcher)."""

from __future__ import annotations

from typing import Any


def make_psycopg2_gevent_green() -> None:
    """Let psycopg2 wait for the database without blocking gevent's loop."""
    import psycopg2
    from psycopg2 import extensions

    def wait(conn: Any, timeout: float | None = None) -> None:
        from gevent.socket import wait_read, wait_write

        while True:
            state = conn.poll()
            if state == extensions.POLL_OK:
                break
            if state == extensions.POLL_READ:
                wait_read(conn.fileno(), timeout=timeout)
            elif state == extensions.POLL_WRITE:
                wait_write(conn.fileno(), timeout=timeout)
            else:
                raise psycopg2.OperationalError(f"Bad result from poll: {state!r}")

    extensions.set_wait_callback(wait)
