"""Helpers for Wall tests against real `python wsgi.py` servers."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from typing import Any

import requests
import socketio as python_socketio
import sqlalchemy as sa

from tests.helpers import PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def prepare_database(url: str, usernames: dict[str, str], session_minutes: int = 60,
                     weekly: bool = True) -> None:
    """Add people (username -> role) and an extra session from now, with the app's own code."""
    from sharon import clock, create_app
    from sharon.extensions import db
    from sharon.models import WallHours, WallSession
    from tests.databases import test_config
    from tests.factories import UserFactory

    app = create_app(test_config(url))
    with app.app_context():
        for username, role in usernames.items():
            UserFactory(username=username, role=role)
        if not weekly:
            db.session.execute(sa.delete(WallHours))
        if session_minutes:
            now = clock.now()
            db.session.add(WallSession(starts_at=now - timedelta(minutes=1),
                                       ends_at=now + timedelta(minutes=session_minutes)))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def add_session(url: str, starts_in: float, lasts: float) -> None:
    """Add an extra session starting `starts_in` seconds from now."""
    from sharon import clock, create_app
    from sharon.extensions import db
    from sharon.models import WallSession
    from tests.databases import test_config

    app = create_app(test_config(url))
    with app.app_context():
        now = clock.now()
        db.session.add(WallSession(starts_at=now + timedelta(seconds=starts_in),
                                   ends_at=now + timedelta(seconds=starts_in + lasts)))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def session_cookie(base: str, username: str) -> str:
    """Sign in over HTTP; return the Cookie header value."""
    http = requests.Session()
    page = http.get(f"{base}/sign-in", timeout=10).text
    token = _CSRF.search(page).group(1)  # type: ignore[union-attr]
    response = http.post(f"{base}/sign-in", data={"csrf_token": token, "username": username,
                                                  "password": PASSWORD}, timeout=10)
    assert response.status_code == 200 and "sharon_session" in http.cookies, response.text[:300]
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


class LiveClient:
    """A python-socketio client on /wall that records every event it receives."""

    def __init__(self, base: str, username: str | None = None,
                 transports: list[str] | None = None) -> None:
        self.events: list[tuple[str, Any]] = []
        self.lock = threading.Lock()
        self.sio = python_socketio.Client(reconnection=False)
        self.sio.on("*", self._record, namespace="/wall")
        headers = {"Cookie": session_cookie(base, username)} if username else {}
        self.sio.connect(base, namespaces=["/wall"], headers=headers,
                         transports=transports or ["websocket"], wait_timeout=10)

    def _record(self, event: str, data: Any = None) -> None:
        with self.lock:
            self.events.append((event, data))

    def emit(self, event: str, data: Any) -> Any:
        return self.sio.call(event, data, namespace="/wall", timeout=10)

    def of(self, name: str, after: int = 0) -> list[Any]:
        with self.lock:
            return [d for e, d in self.events[after:] if e == name]

    def mark(self) -> int:
        """A point in the event stream; wait_for(after=mark) looks only at later events."""
        with self.lock:
            return len(self.events)

    def wait_for(self, name: str, test: Any = lambda d: True, timeout: float = 10,
                 after: int = 0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for data in self.of(name, after):
                if test(data):
                    return data
            time.sleep(0.02)
        raise AssertionError(f"no {name!r} event matching; got {self.events[-10:]}")

    def close(self) -> None:
        self.sio.disconnect()
