"""Every Wall event, and the connect payload, fed hostile values: each answer is a plain
ack saying ok or not, and nothing is logged as an error."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import WallMessage
from sharon.wall.handlers import EVENTS
from tests.wall.conftest import WallClient

NUL, HALF = "a\x00b", "a\ud800b"
HOSTILE: list[Any] = [
    NUL, HALF, "\udfff", "x" * 100_000, 10**30, -(10**30), -1, 0, 2**63, 1.5, float("nan"),
    True, None, [], ["robin"], [1, 2], {"$gt": 0}, "", " ",
]
KEYS = ("body", "reply_to", "id", "user", "minutes", "reason", "on", "after")


def _payloads() -> list[Any]:
    """Each hostile value in every key an event reads, then as the whole payload."""
    return [dict.fromkeys(KEYS, value) for value in HOSTILE] + HOSTILE + [
        {"body": HALF}, {"body": NUL}, {"body": "hi", "reply_to": 10**30},
        {"user": "robin", "minutes": 10**30, "reason": HALF},
        {"user": "robin", "minutes": 5, "reason": "\ud800"},
        {"user": NUL, "minutes": 5, "reason": "ok"}, {"user": HALF},
    ]


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("username", ["robin", "sam_peer"])
def test_every_event_answers_hostile_payloads_with_an_ack(app, open_clock, people,
                                                          wall_client, caplog, username):
    assert {"send", "hide", "unhide", "pin", "unpin", "approve", "reject", "acknowledge",
            "mute", "unmute", "duty"} <= set(EVENTS)
    caplog.set_level(logging.INFO)
    client = wall_client(username)
    if username == "sam_peer":
        assert client.emit("duty", {"on": True})["ok"] is True
    for event in EVENTS:
        for payload in _payloads():
            ack = client.emit(event, payload)
            assert isinstance(ack, dict) and ack.get("ok") in (True, False), (event, payload)
            if ack["ok"] is False:
                assert isinstance(ack.get("message"), str) and ack["message"], (event, ack)
            assert client.connected, (event, payload)
        client.received()
    assert _errors(caplog) == []
    # Whatever was kept can be stored and shown: no NUL, no half character.
    for body in db.session.scalars(sa.select(WallMessage.body)):
        assert "\x00" not in body and not any(0xD800 <= ord(c) <= 0xDFFF for c in body)


@pytest.mark.parametrize("auth", [
    {"last_seen_id": 10**30}, {"last_seen_id": -1}, {"last_seen_id": NUL},
    {"last_seen_id": HALF}, {"after": 10**30}, {"after": HALF}, {"after": [1]},
    {"last_seen_id": {"$gt": 0}}, "hello", [1, 2], 12, {"x" * 1000: "y" * 100_000},
])
def test_hostile_connect_payloads_still_connect_cleanly(app, open_clock, people, caplog,
                                                        auth):
    caplog.set_level(logging.INFO)
    client = WallClient(app, "robin", auth=auth)
    try:
        assert client.connected
        assert client.emit("send", {"body": "still here"})["ok"] is True
    finally:
        client.sio.disconnect("/wall")
    assert _errors(caplog) == []


def test_a_half_emoji_in_a_message_is_dropped_and_a_lone_one_is_empty(app, open_clock,
                                                                      people, wall_client,
                                                                      caplog):
    caplog.set_level(logging.INFO)
    robin = wall_client("sam_peer")
    ack = robin.emit("send", {"body": "Feeling \ud83d better \ud83d\ude00"})
    assert ack["ok"] is True
    assert db.session.get(WallMessage, ack["id"]).body == "Feeling  better 😀"
    refused = robin.emit("send", {"body": "\ud800"})
    assert refused == {"ok": False, "error": "empty", "message": "Please write a message first."}
    assert _errors(caplog) == []


@pytest.mark.parametrize("event", ["mute", "unmute"])
def test_a_username_that_cannot_be_stored_is_simply_not_found(app, open_clock, people,
                                                              wall_client, caplog, event):
    caplog.set_level(logging.INFO)
    peer = wall_client("sam_peer")
    for user in (NUL, HALF):
        ack = peer.emit(event, {"user": user, "minutes": 5, "reason": "spam"})
        assert ack["ok"] is False and ack["error"] == "not_found"
    assert _errors(caplog) == []
