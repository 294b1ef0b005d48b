"""Two `python wsgi.py` workers sharing one PostgreSQL database and one Redis.

Messages, moderation actions and the open/close announcements reach clients of
both workers, each exactly once.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.databases import PG_URL, REDIS_URL
from tests.live_server import live_server
from tests.wall.live import LiveClient, add_session, prepare_database

pytestmark = pytest.mark.multiworker


@pytest.fixture
def services_ready() -> None:
    if PG_URL and REDIS_URL:
        return
    reason = ("needs SHARON_TEST_DATABASE_URL (PostgreSQL) and SHARON_TEST_REDIS_URL: "
              "two workers share one database and one Redis")
    if os.environ.get("SHARON_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def test_two_workers_serve_one_wall(services_ready, database_url, tmp_path):
    prepare_database(database_url, {"robin": "member", "ash": "carer",
                                    "sam_peer": "peer_supporter"},
                     session_minutes=0, weekly=False)
    # Closed now; an extra session opens in a few seconds and lasts a few seconds.
    env = {"SHARON_REDIS_URL": REDIS_URL}
    with live_server(database_url, tmp_path, **env) as one, \
            live_server(database_url, tmp_path, **env) as two:
        robin = LiveClient(one, "robin")
        ash = LiveClient(two, "ash", transports=["polling"])
        sam = LiveClient(two, "sam_peer")
        try:
            for client in (robin, ash, sam):
                assert client.wait_for("status")["open"] is False
            marks = [c.mark() for c in (robin, ash, sam)]
            add_session(database_url, starts_in=2, lasts=8)
            # Opening: announced by each worker to its own clients, once.
            for client in (robin, ash, sam):
                client.wait_for("status", lambda s: s["open"], timeout=12)

            assert sam.emit("duty", {"on": True})["ok"]
            robin.wait_for("status", lambda s: s["on_duty"]
                           and s["on_duty"][0]["username"] == "sam_peer")
            ack = robin.emit("send", {"body": "hello from worker one"})
            assert ack["ok"] and ack["status"] == "visible"
            for client in (robin, ash, sam):
                client.wait_for("message", lambda m: m["body"] == "hello from worker one")
            assert sam.emit("pin", {"id": ack["id"]})["ok"]
            assert sam.emit("hide", {"id": ack["id"]})["ok"]
            for client in (robin, ash):
                client.wait_for("update", lambda u: u.get("pinned") is True)
                client.wait_for("update", lambda u: u.get("hidden") is True)
            assert sam.emit("mute", {"user": "robin", "minutes": 5, "reason": "pause"})["ok"]
            robin.wait_for("notice", lambda n: n["kind"] == "muted")

            risky = ash.emit("send", {"body": "I want to end my life"})
            assert risky["status"] == "held"
            sam.wait_for("alert", lambda a: a["id"] == risky["id"])
            ash.wait_for("notice", lambda n: n["kind"] == "crisis")

            # Closing: at the session's end, every client hears it once.
            for client, mark in zip((robin, ash, sam), marks, strict=True):
                client.wait_for("status", lambda s: not s["open"], timeout=15, after=mark)
            time.sleep(1)
            for client in (robin, ash, sam):
                announcements = [s["open"] for s in client.of("status")]
                pairs = zip(announcements, announcements[1:], strict=False)
                changes = [b for a, b in pairs if a != b]
                assert changes == [True, False], (client, announcements)
                assert announcements.count(False) == 2, announcements  # on connect, at closing
            for client in (robin, ash, sam):
                assert [m["body"] for m in client.of("message")] == ["hello from worker one"]
        finally:
            for client in (robin, ash, sam):
                client.close()


def test_duty_lasts_while_the_moderator_has_the_wall_open_on_any_worker(
        services_ready, database_url, tmp_path):
    prepare_database(database_url, {"robin": "member", "sam_peer": "peer_supporter"})
    env = {"SHARON_REDIS_URL": REDIS_URL}
    with live_server(database_url, tmp_path, **env) as one, \
            live_server(database_url, tmp_path, **env) as two:
        robin = LiveClient(one, "robin")
        tab_one, tab_two = LiveClient(one, "sam_peer"), LiveClient(two, "sam_peer")
        try:
            assert tab_one.emit("duty", {"on": True})["ok"]
            robin.wait_for("status", lambda s: [d["username"] for d in s["on_duty"]]
                           == ["sam_peer"])
            tab_one.close()  # one tab closes; the other, on the other worker, is open
            time.sleep(1)
            assert robin.emit("send", {"body": "still watched"})["status"] == "visible"
            mark = robin.mark()
            tab_two.close()  # the last one: duty ends, and members are told
            robin.wait_for("status", lambda s: s["on_duty"] == [], after=mark)
            assert robin.emit("send", {"body": "nobody now"})["status"] == "held"
        finally:
            for client in (robin, tab_one, tab_two):
                client.close()


def test_what_a_worker_published_lapses_with_it(services_ready):
    import redis

    from sharon.wall import presence

    here = presence.RedisPresence(REDIS_URL)
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    user_id = 900_000 + os.getpid()
    other = presence.RedisPresence.key("otherworker")
    try:
        client.sadd(presence.WORKERS_KEY, "otherworker")
        assert here.elsewhere(user_id) is False  # it published nothing: not counted
        assert "otherworker" not in client.smembers(presence.WORKERS_KEY)
        client.sadd(presence.WORKERS_KEY, "otherworker")
        client.sadd(other, user_id)
        client.expire(other, 1)
        assert here.elsewhere(user_id) is True
        time.sleep(1.5)  # the other worker died: its heartbeat lapses
        assert here.elsewhere(user_id) is False
        here.publish([user_id])  # this worker's own tabs are not "elsewhere"
        assert here.elsewhere(user_id) is False
        here.publish([])
        assert not client.exists(presence.RedisPresence.key(presence.WORKER))
    finally:
        client.delete(other)
        client.srem(presence.WORKERS_KEY, "otherworker", presence.WORKER)
