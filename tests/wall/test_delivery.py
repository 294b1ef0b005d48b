"""The Wall's delivery promise, in one process: numbers in commit order, catching up by
them, duty that lapses without a heartbeat, sockets refused while the database is down,
and words that outlive their author's account."""

from __future__ import annotations

import shutil
import time

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import MessageStatus, User, WallMessage, WallStream
from sharon.wall import connections, duty, handlers, services
from sharon.wall.queue import WallQueue
from sharon.wall.watcher import WATCH_SECONDS, Watcher


def numbers() -> list[int]:
    return list(db.session.scalars(sa.select(WallMessage.seq).where(WallMessage.seq.is_not(None))
                                   .order_by(WallMessage.seq)))


def test_every_public_change_takes_the_next_number_and_a_rollback_gives_it_back(
        app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    first = robin.emit("send", {"body": "one"})
    # A change that fails after taking a number leaves no gap behind it.
    services.do_send(people["member"], "never committed")
    db.session.rollback()
    second = robin.emit("send", {"body": "two"})
    assert sam.emit("pin", {"id": first["id"]})["ok"]
    assert numbers() == [2, 3]  # "one" was renumbered by its pin
    assert db.session.get(WallMessage, second["id"]).seq == 2
    assert db.session.get(WallStream, 1).seq == 3


def test_a_message_approved_later_reaches_a_client_that_reconnects_by_number(
        app, people, open_clock, wall_client):
    # Nobody on duty: robin's message is held. Then a moderator comes, ash posts, and only
    # then is robin's (older, lower id) message approved. A client that saw ash's message
    # and reconnects must still get robin's: by id it would be lost, by number it is not.
    robin, ash = wall_client("robin"), wall_client("ash")
    held = robin.emit("send", {"body": "waiting for approval"})
    assert held["status"] == "held"
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    later = ash.emit("send", {"body": "posted after"})
    ash_seq = db.session.get(WallMessage, later["id"]).seq
    assert sam.emit("approve", {"id": held["id"]})["ok"]
    assert held["id"] < later["id"]
    by_number = wall_client("dr_lee", auth={"last_seq": ash_seq})
    received = by_number.received()
    assert [e["data"]["body"] for e in received if e["name"] == "message"] == [
        "waiting for approval"]
    assert received[-1] == {"name": "synced", "data": {"seq": ash_seq + 1}}


def test_catch_up_answers_what_changed_in_order_without_hidden_words(
        app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    ids = [robin.emit("send", {"body": f"note {n}"})["id"] for n in range(3)]
    assert sam.emit("hide", {"id": ids[1]})["ok"]
    answer = robin.emit("catch_up", {"after": 1})
    assert answer["ok"] and answer["seq"] == 4 and answer["fresh"] is False
    assert [(name, data["id"]) for name, data in answer["items"]] == [
        ("message", ids[2]), ("update", ids[1])]
    assert answer["items"][1][1] == {"id": ids[1], "hidden": True, "seq": 4}
    assert "note 1" not in repr(answer)
    # Asking again at once is refused politely; a moment later it works.
    assert robin.emit("catch_up", {"after": 1})["error"] == "rate_limited"
    assert [n for n in robin.events("notice") if n["kind"] == "slow_down"] == []  # quietly
    handlers._last_catch_up.clear()
    assert robin.emit("catch_up", {"after": 4})["items"] == []


@pytest.mark.parametrize("after", [-1, 10**20, "3", None, True, 99])
def test_catch_up_from_an_unknown_number_starts_afresh(app, people, open_clock, wall_client,
                                                       after):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    sam.emit("send", {"body": "latest"})
    handlers._last_catch_up.clear()
    answer = wall_client("robin").emit("catch_up", {"after": after})
    assert answer["ok"] and answer["fresh"] is True and answer["seq"] == 1
    assert [data["body"] for _, data in answer["items"]] == ["latest"]


def test_duty_lapses_without_a_heartbeat_and_members_are_told(app, people, open_clock,
                                                              wall_client):
    sam = wall_client("sam_peer")
    assert sam.emit("duty", {"on": True})["ok"]
    robin = wall_client("robin")
    watcher = Watcher(app)
    connections._sockets.clear()  # as if sam's worker had died: nobody here renews their duty
    watcher.tick()
    robin.received()
    open_clock.advance(seconds=duty.DUTY_LAPSE.total_seconds() + 1)
    watcher.tick()
    (status,) = robin.events("status")
    assert status["on_duty"] == [] and status["premoderated"] is True
    assert robin.emit("send", {"body": "hello?"})["status"] == "held"


def test_a_live_socket_keeps_its_moderator_on_duty(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    assert sam.emit("duty", {"on": True})["ok"]
    robin = wall_client("robin")
    watcher = Watcher(app)
    for _ in range(10):  # a minute and more, the watcher renewing every few seconds
        open_clock.advance(seconds=WATCH_SECONDS)
        watcher.tick()
    assert robin.emit("send", {"body": "still watched"})["status"] == "visible"
    assert all(s["on_duty"] for s in robin.events("status"))


def test_a_socket_opened_while_the_database_is_down_is_refused(app, people, open_clock,
                                                               wall_client, monkeypatch):
    def down(*_args, **_kwargs):  # what a lost database connection raises
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(handlers, "_user", down)
    assert not wall_client("robin").connected
    assert connections._sockets == {}
    monkeypatch.undo()
    assert wall_client("robin").connected


def test_refusal_reason_while_the_database_is_down(app, people, open_clock, monkeypatch):
    from flask_socketio import ConnectionRefusedError

    def down(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(handlers, "_user", down)
    with app.test_request_context("/socket.io/"):
        from flask import request

        request.sid = "test-sid"  # type: ignore[attr-defined]
        with pytest.raises(ConnectionRefusedError) as refusal:
            handlers.on_connect({})
    assert refusal.value.error_args == {"message": handlers.UNAVAILABLE,
                                        "data": {"error": "unavailable"}}


def test_deleting_an_account_keeps_its_wall_messages_as_former_member(
        app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    sent = wall_client("robin").emit("send", {"body": "words that stay"})
    db.session.execute(sa.delete(User).where(User.username == "robin"))
    db.session.commit()
    message = db.session.get(WallMessage, sent["id"])
    assert message is not None and message.author_id is None
    assert message.status == MessageStatus.VISIBLE
    newcomer = wall_client("ash")
    (shown,) = newcomer.events("message")
    assert shown["author"] == "former member" and shown["body"] == "words that stay"


@pytest.mark.skipif(not shutil.which("redis-server") and not
                    __import__("os").path.exists("/usr/bin/redis-server"),
                    reason="needs redis-server to cut")
def test_the_queue_says_when_redis_is_lost_and_when_it_is_back():
    from tests.faults import RedisServer

    heard: list[str] = []
    with RedisServer() as redis:
        queue = WallQueue(redis.url, on_lost=lambda where: heard.append(f"lost {where}"),
                          on_back=lambda everyone: heard.append(f"back {everyone}"))
        queue._publish({"method": "emit"})
        assert heard == []
        redis.stop()
        started = time.monotonic()
        queue._publish({"method": "emit"})
        queue._publish({"method": "emit"})  # told once, not at every failure
        assert heard == ["lost publish"]
        assert time.monotonic() - started < 2  # a dead Redis is noticed at once
        redis.start()
        queue._publish({"method": "emit"})
        assert heard == ["lost publish", "back True"]
        queue.publisher.close()


def test_the_queue_listener_reconnects_within_a_second_and_says_so():
    from tests.faults import RedisServer

    heard: list[str] = []
    with RedisServer() as redis:
        queue = WallQueue(redis.url, on_lost=lambda where: heard.append(f"lost {where}"),
                          on_back=lambda everyone: heard.append(f"back {everyone}"))
        listening = queue._redis_listen_with_retries()
        import threading

        received: list[object] = []

        def listen() -> None:
            for message in listening:
                received.append(message)
                if message.get("data") == b"stop":
                    return

        thread = threading.Thread(target=listen, daemon=True)
        thread.start()
        time.sleep(0.3)
        redis.stop()
        time.sleep(0.5)
        redis.start()
        deadline = time.monotonic() + 5
        while "back False" not in heard and time.monotonic() < deadline:
            time.sleep(0.05)
        assert heard[:2] == ["lost listen", "back False"]
        import redis as redis_module

        publisher = redis_module.Redis.from_url(redis.url)
        deadline = time.monotonic() + 5
        while thread.is_alive() and time.monotonic() < deadline:
            publisher.publish("flask-socketio", b"stop")
            time.sleep(0.1)
        publisher.close()
        assert not thread.is_alive()
        queue.pubsub.close()
        listening.close()


def test_the_watcher_tells_clients_the_latest_number_at_most_every_half_minute(
        app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    watcher = Watcher(app)
    watcher.tick()  # learns the number; tells nobody yet
    robin.received()
    sam.emit("send", {"body": "one"})
    robin.received()
    watcher.tick()
    assert robin.events("sync") == []  # not yet: at most every SYNC_SECONDS
    watcher.next_sync = 0.0  # as if half a minute had passed
    watcher.tick()
    assert robin.events("sync") == [{"seq": 1}]
    watcher.next_sync = 0.0
    watcher.tick()
    assert robin.events("sync") == []  # nothing new, nothing sent
