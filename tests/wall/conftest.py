"""Fixtures for the Wall: a clock inside office hours and signed-in Socket.IO clients."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sharon.extensions import socketio
from tests.helpers import sign_in

# Monday 30 November 2026, 10:00 in London (GMT): inside the default hours.
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def open_clock(frozen_clock):  # type: ignore[no-untyped-def]
    frozen_clock.now = MONDAY_10AM
    return frozen_clock


class WallClient:
    """A signed-in person on the Wall, through Flask-SocketIO's test client."""

    def __init__(self, app: Any, username: str, auth: dict[str, Any] | None = None) -> None:
        self.http = app.test_client()
        sign_in(self.http, username)
        self.username = username
        self.sio = socketio.test_client(app, namespace="/wall", flask_test_client=self.http,
                                        auth=auth)

    @property
    def connected(self) -> bool:
        return self.sio.is_connected("/wall")

    def emit(self, event: str, payload: Any = None) -> Any:
        return self.sio.emit(event, payload, namespace="/wall", callback=True)

    def received(self) -> list[dict[str, Any]]:
        """Events since the last call, as {"name", "data"}."""
        found = []
        for event in self.sio.get_received("/wall"):
            # The test client unwraps the payload of an event called "message".
            data = event["args"] if event["name"] == "message" else event["args"][0]
            found.append({"name": event["name"], "data": data})
        return found

    def events(self, name: str) -> list[Any]:
        """Payloads of `name` received since the last call (other events are dropped)."""
        return [e["data"] for e in self.received() if e["name"] == name]


@pytest.fixture
def wall_client(app):  # type: ignore[no-untyped-def]
    clients: list[WallClient] = []

    def connect(username: str, auth: dict[str, Any] | None = None) -> WallClient:
        client = WallClient(app, username, auth)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        if client.connected:
            client.sio.disconnect("/wall")


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    """A member, a carer, a peer supporter and a clinician."""
    return {
        "member": make_user(username="robin"),
        "carer": make_user(username="ash", role="carer"),
        "peer": make_user(username="sam_peer", role="peer_supporter"),
        "clinician": make_user(username="dr_lee", role="clinician"),
    }
