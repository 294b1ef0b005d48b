"""Broadcasts leave through one queue per worker (sharon/realtime/outbox.py): in order, in
batches, one failure not stopping the rest; and on a real eventlet server, people see
messages in order and a hide after the message it hides."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from sharon.realtime.outbox import Outbox
from tests.live_server import live_server
from tests.wall.live import LiveClient, prepare_database


class Loop:
    """A stand-in for eventlet: spawned tasks run when the test says so."""

    def __init__(self) -> None:
        self.tasks: list[Any] = []
        self.sent: list[tuple[str, Any, str, dict[str, Any]]] = []
        self.fail_on: str | None = None
        self.during: Any = None

    def emit(self, event: str, data: Any, to: str, **options: Any) -> None:
        if event == self.fail_on:
            raise ConnectionError("redis went away")
        self.sent.append((event, data, to, options))
        if self.during is not None:
            during, self.during = self.during, None
            during()

    def run(self) -> None:
        while self.tasks:
            self.tasks.pop(0)()


@pytest.fixture
def loop() -> Loop:
    return Loop()


def _outbox(loop: Loop, cooperative: bool = True) -> Outbox:
    return Outbox(loop.emit, loop.tasks.append, lambda: None, lambda: cooperative)


def test_broadcasts_wait_for_one_task_and_leave_in_order(loop):
    outbox = _outbox(loop)
    for n in range(3):
        outbox.send("message", {"id": n}, "wall")
    outbox.send("update", {"id": 1, "hidden": True}, "wall", ignore_queue=True)
    assert loop.sent == [] and len(loop.tasks) == 1  # one task, however many are queued
    loop.run()
    assert [(e, d["id"]) for e, d, _, _ in loop.sent] == [
        ("message", 0), ("message", 1), ("message", 2), ("update", 1)]
    assert loop.sent[-1][3] == {"ignore_queue": True}


def test_what_is_queued_while_sending_goes_after_in_the_same_task(loop):
    outbox = _outbox(loop)
    outbox.send("message", {"id": 1}, "wall")
    loop.during = lambda: outbox.send("update", {"id": 1, "hidden": True}, "wall")
    loop.run()
    assert [e for e, _, _, _ in loop.sent] == ["message", "update"]
    outbox.send("message", {"id": 2}, "wall")  # idle again: a new task
    assert len(loop.tasks) == 1


def test_a_failed_broadcast_is_logged_and_the_rest_still_go(loop, caplog):
    outbox = _outbox(loop)
    loop.fail_on = "alert"
    outbox.send("alert", {"id": 9}, "user:3")
    outbox.send("message", {"id": 10}, "wall")
    loop.run()
    assert [e for e, _, _, _ in loop.sent] == ["message"]
    assert "Wall broadcast 'alert' to user:3 failed" in caplog.text


def test_on_threads_broadcasts_go_at_once(loop):
    outbox = _outbox(loop, cooperative=False)
    outbox.send("message", {"id": 1}, "wall")
    assert [e for e, _, _, _ in loop.sent] == ["message"] and loop.tasks == []


@pytest.fixture(scope="module")
def live_wall(template_db, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = template_db.copy()
    prepare_database(url, {"robin": "member", "ash": "carer", "sam_peer": "peer_supporter"})
    try:
        with live_server(url, tmp_path_factory.mktemp("outbox")) as base:
            yield base
    finally:
        template_db.drop(url)


def test_a_burst_arrives_in_order_and_a_hide_after_its_message(live_wall):
    sam, robin, ash = (LiveClient(live_wall, name) for name in ("sam_peer", "robin", "ash"))
    try:
        assert sam.emit("duty", {"on": True})["ok"]
        acks: list[Any] = []
        done = threading.Event()

        def acked(answer: Any) -> None:
            acks.append(answer)
            if len(acks) == 5:
                done.set()

        for n in range(5):  # all at once, without waiting for answers
            robin.sio.emit("send", {"body": f"burst {n}"}, namespace="/wall", callback=acked)
        assert done.wait(10) and all(a["ok"] and a["status"] == "visible" for a in acks)
        ids = sorted(a["id"] for a in acks)
        assert sam.emit("hide", {"id": ids[2]})["ok"]
        ash.wait_for("update", lambda u: u.get("hidden") is True)
        with ash.lock:
            seen = [(e, d["id"]) for e, d in ash.events
                    if e in ("message", "update") and d.get("id") in ids]
        assert seen == [("message", i) for i in ids] + [("update", ids[2])]
    finally:
        for client in (sam, robin, ash):
            client.close()
