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
    from sharon import create_app
    from sharon.extensions import db
    from sharon.infra import clock
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
    from sharon import create_app
    from sharon.extensions import db
    from sharon.infra import clock
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
    with requests.Session() as http:
        page = http.get(f"{base}/sign-in", timeout=10).text
        token = _CSRF.search(page).group(1)  # type: ignore[union-attr]
        response = http.post(f"{base}/sign-in", data={
            "csrf_token": token, "username": username, "password": PASSWORD}, timeout=10)
        assert response.status_code == 200 and "sharon_session" in http.cookies, \
            response.text[:300]
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
                         transports=transports or ["websocket"], wait_timeout=10,
                         **self._connect_kwargs())

    def _connect_kwargs(self) -> dict[str, Any]:
        return {}

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


class SeqClient(LiveClient):
    """A client that keeps the Wall's delivery promise as the page does (static/js/wall.js):
    numbers in commit order, a watermark with everything below it, gaps filled by asking
    `catch_up`, a `resync` answered the same way, and per-message numbers so that a late
    copy never undoes a newer one. `shown` is what a person would see."""

    GAP_WAIT = 1.0

    def __init__(self, base: str, username: str, last_seq: int | None = None,
                 transports: list[str] | None = None) -> None:
        self.shown: dict[int, dict[str, Any]] = {}
        self.latest: dict[int, int] = {}
        self.watermark = 0
        self.highest = 0
        self.ahead: set[int] = set()
        self.applied: list[int] = []   # ids in the order they first appeared
        self.catch_ups = 0
        self._timer: threading.Timer | None = None
        self.auth = {"last_seq": last_seq} if last_seq is not None else {}
        self.base, self.username = base, username
        super().__init__(base, username, transports)

    def _connect_kwargs(self) -> dict[str, Any]:
        return {"auth": self.auth}

    def _record(self, event: str, data: Any = None) -> None:
        super()._record(event, data)
        with self.lock:
            if event in ("message", "update") and isinstance(data, dict):
                self._apply(event, data)
            elif event == "synced":
                self._synced(data["seq"])
            elif event == "sync":
                self.highest = max(self.highest, data["seq"])
                self._advance()
            elif event == "resync":
                self._later(0.1)

    def _apply(self, event: str, data: dict[str, Any]) -> None:
        seq = data.get("seq")
        if isinstance(seq, int):
            if self.latest.get(data["id"], -1) >= seq:
                self._note(seq)
                return
            self.latest[data["id"]] = seq
        if event == "message":
            if data["id"] not in self.shown:
                self.applied.append(data["id"])
            self.shown[data["id"]] = data
        elif data.get("hidden") is True:
            self.shown.pop(data["id"], None)
        elif data.get("hidden") is False and "body" in data:
            self.shown[data["id"]] = data
        elif "pinned" in data and data["id"] in self.shown:
            self.shown[data["id"]] = {**self.shown[data["id"]], "pinned": data["pinned"]}
        if isinstance(seq, int):
            self._note(seq)

    def _note(self, seq: int) -> None:
        self.highest = max(self.highest, seq)
        if seq > self.watermark:
            self.ahead.add(seq)
        self._advance()

    def _advance(self) -> None:
        while self.watermark + 1 in self.ahead:
            self.ahead.discard(self.watermark + 1)
            self.watermark += 1
        if self.highest > self.watermark:
            self._later(self.GAP_WAIT)

    def _synced(self, seq: int) -> None:
        self.watermark = max(self.watermark, seq)
        self.highest = max(self.highest, self.watermark)
        self.ahead = {s for s in self.ahead if s > self.watermark}
        self._advance()

    def _later(self, delay: float) -> None:
        if self._timer is not None and self._timer.is_alive():
            return
        self._timer = threading.Timer(delay, self.catch_up)
        self._timer.daemon = True
        self._timer.start()

    def catch_up(self) -> None:
        with self.lock:
            after = self.watermark
        try:
            answer = self.sio.call("catch_up", {"after": after}, namespace="/wall", timeout=10)
        except Exception:  # disconnected or no answer: try again later
            with self.lock:
                self._timer = None
                self._later(self.GAP_WAIT)
            return
        with self.lock:
            self._timer = None
            self.catch_ups += 1
            if not answer.get("ok"):
                self._later(self.GAP_WAIT)
                return
            for event, data in answer["items"]:
                self._apply(event, data)
            self._synced(answer["seq"])

    def reconnect(self, base: str) -> None:
        """Connect again (to another worker, say) from where this client was, as the
        page does after losing its connection."""
        with self.lock:
            self.auth = {"last_seq": self.watermark}
        try:
            self.sio.disconnect()
        except Exception:
            pass
        self.sio = python_socketio.Client(reconnection=False)
        self.sio.on("*", self._record, namespace="/wall")
        self.sio.connect(base, namespaces=["/wall"],
                         headers={"Cookie": session_cookie(base, self.username)},
                         transports=["websocket"], wait_timeout=10, auth=self.auth)

    def settled(self, timeout: float = 20) -> None:
        """Wait until nothing is missing below the highest number heard of."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.watermark >= self.highest and not self.ahead:
                    return
            time.sleep(0.1)
        raise AssertionError(f"{self.username}: stuck at {self.watermark} of {self.highest}")
