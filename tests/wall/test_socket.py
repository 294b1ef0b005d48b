"""The /wall namespace through Flask-SocketIO's test client: the protocol in DESIGN.md."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from sharon.extensions import db, socketio
from sharon.models import ModerationAction, ModerationItem, Sanction, WallMessage
from sharon.wall.watcher import WATCH_SECONDS, Watcher

OPEN_KEYS = {"ok", "id", "status"}


def test_anonymous_connection_is_refused(app, open_clock):
    anonymous = socketio.test_client(app, namespace="/wall", flask_test_client=app.test_client())
    assert not anonymous.is_connected("/wall")


def test_a_suspended_account_is_refused_and_its_open_socket_stops_working(
        app, people, open_clock, wall_client):
    robin = wall_client("robin")
    assert robin.connected
    people["member"].status = "suspended"
    db.session.commit()
    assert robin.emit("send", {"body": "hello"})["error"] == "unauthenticated"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == 0


def test_connect_sends_status_and_latest_messages(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    for n in range(55):
        assert sam.emit("send", {"body": f"message {n}"})["ok"]
        open_clock.advance(seconds=3)
    robin = wall_client("robin")
    received = robin.received()
    assert received[0]["name"] == "status"
    status = received[0]["data"]
    assert status["open"] is True
    assert status["next_change"] == "2026-11-30T17:00:00+00:00"
    assert status["on_duty"] == [{"username": "sam_peer", "kind": "peer supporter"}]
    bodies = [e["data"]["body"] for e in received if e["name"] == "message"]
    assert bodies == [f"message {n}" for n in range(5, 55)]
    first = next(e["data"] for e in received if e["name"] == "message")
    assert {"id", "author", "label", "body", "created_at", "reply_to", "pinned"} <= set(first)
    assert first["author"] == "sam_peer" and first["label"] == "peer supporter"


def test_a_message_reaches_everyone_and_is_stored(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin, ash = wall_client("robin"), wall_client("ash")
    for c in (sam, robin, ash):
        c.received()
    ack = robin.emit("send", {"body": "  Hello, everyone  "})
    assert ack == {"ok": True, "id": ack["id"], "status": "visible"}
    for c in (sam, robin, ash):
        (message,) = c.events("message")
        assert message["body"] == "Hello, everyone" and message["author"] == "robin"
    reply = ash.emit("send", {"body": "Hi robin", "reply_to": ack["id"]})
    (message,) = robin.events("message")
    assert message["reply_to"] == ack["id"] and message["reply_to_author"] == "robin"
    assert message["label"] == "carer"
    stored = db.session.get(WallMessage, reply["id"])
    assert stored.author.username == "ash" and stored.status == "visible"


def test_hostile_html_is_kept_as_text(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    robin.received()
    body = '<img src=x onerror="alert(1)"><script>alert(2)</script> see https://nhs.uk'
    ack = robin.emit("send", {"body": body})
    (message,) = robin.events("message")
    assert message["body"] == body  # the page puts it in textContent
    stored = db.session.get(WallMessage, ack["id"])
    assert "<script" not in stored.body_html and "<img" not in stored.body_html
    assert "&lt;script&gt;" in stored.body_html
    assert 'href="https://nhs.uk"' in stored.body_html
    page = robin.http.get("/wall/").get_data(as_text=True)
    assert "<script>alert(2)" not in page and "&lt;script&gt;alert(2)" in page


def test_empty_oversize_and_malformed_messages_are_refused(app, people, open_clock, wall_client):
    robin = wall_client("robin")
    for payload, code in [({"body": ""}, "empty"), ({"body": " \n\t "}, "empty"),
                          ({"body": None}, "empty"), ({"body": 42}, "empty"), ({}, "empty"),
                          ({"body": "x" * 2001}, "too_long"), ("just a string", "not_found"),
                          (None, "not_found"), ([1, 2], "not_found"),
                          ({"body": "hi", "reply_to": 999999}, "not_found"),
                          ({"body": "hi", "reply_to": "1; DROP TABLE"}, "not_found")]:
        ack = robin.emit("send", payload)
        assert ack["ok"] is False and ack["error"] == code, payload
        assert isinstance(ack["message"], str) and ack["message"]
    assert robin.emit("send", {"body": "x" * 2000})["ok"]
    assert robin.emit("send", {"body": "nul\x00byte"})["ok"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == 2


def test_a_message_while_closed_is_refused_and_not_stored(app, people, open_clock, wall_client):
    open_clock.now = open_clock.now.replace(hour=18)
    robin = wall_client("robin")
    (status,) = robin.events("status")
    assert status["open"] is False and status["next_change"] == "2026-12-01T09:00:00+00:00"
    ack = robin.emit("send", {"body": "anyone here?"})
    assert ack["ok"] is False and ack["error"] == "closed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == 0


def test_the_wall_closing_while_a_message_is_in_flight(app, people, open_clock, wall_client):
    open_clock.now = open_clock.now.replace(hour=16, minute=59, second=59)
    robin = wall_client("robin")
    assert robin.events("status")[0]["open"] is True  # the page still shows "open"
    open_clock.advance(seconds=1)  # 17:00 arrives before the message does
    assert robin.emit("send", {"body": "just in time?"})["error"] == "closed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == 0


def test_flooding_is_answered_with_slow_down(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    for n in range(5):
        assert robin.emit("send", {"body": f"flood {n}"})["ok"]
    robin.received()
    ack = robin.emit("send", {"body": "flood 5"})
    assert ack["ok"] is False and ack["error"] == "rate_limited"
    (notice,) = robin.events("notice")
    assert notice["kind"] == "slow_down" and notice["retry_after"] == 10
    open_clock.advance(seconds=11)
    assert robin.emit("send", {"body": "calmer now"})["ok"]


def test_members_cannot_send_moderator_events(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    message_id = robin.emit("send", {"body": "hello"})["id"]
    robin.received()
    for event, payload in [("hide", {"id": message_id}), ("unhide", {"id": message_id}),
                           ("pin", {"id": message_id}), ("unpin", {"id": message_id}),
                           ("approve", {"id": message_id}), ("reject", {"id": message_id}),
                           ("acknowledge", {"id": message_id}),
                           ("mute", {"user": "ash", "minutes": 10, "reason": "no"}),
                           ("duty", {"on": True})]:
        ack = robin.emit(event, payload)
        assert ack["ok"] is False and ack["error"] == "forbidden", event
    assert robin.received() == []
    message = db.session.get(WallMessage, message_id)
    assert message.status == "visible" and not message.pinned
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Sanction)) == 0


def test_forged_message_ids_are_not_found(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    for forged in (999999, -1, 0, "1", 1.5, True, None, [1], {"id": 1}):
        ack = sam.emit("hide", {"id": forged})
        assert ack["ok"] is False and ack["error"] == "not_found", forged
    assert sam.emit("pin", "not a dict")["error"] == "not_found"


def test_hide_and_unhide_reach_everyone_and_are_audited(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin, ash = wall_client("robin"), wall_client("ash")
    message_id = robin.emit("send", {"body": "something unkind"})["id"]
    for c in (sam, robin, ash):
        c.received()
    assert sam.emit("hide", {"id": message_id}) == {"ok": True, "id": message_id}
    for c in (sam, robin, ash):
        assert c.events("update") == [{"id": message_id, "hidden": True, "seq": 2}]
    assert sam.emit("hide", {"id": message_id})["error"] == "not_found"
    # A newcomer does not get it; the history page does not show it.
    newcomer = wall_client("dr_lee")
    assert newcomer.events("message") == []
    assert "something unkind" not in robin.http.get("/wall/history").get_data(as_text=True)
    assert sam.emit("unhide", {"id": message_id})["ok"]
    (update,) = ash.events("update")
    assert update["hidden"] is False and update["body"] == "something unkind"
    actions = db.session.scalars(sa.select(ModerationAction.action)
                                 .where(ModerationAction.subject_type == "wall_message")).all()
    assert actions == ["wall_message_hide", "wall_message_unhide"]


def test_pin_and_unpin(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    message_id = robin.emit("send", {"body": "useful link"})["id"]
    robin.received()
    assert sam.emit("pin", {"id": message_id})["ok"]
    (update,) = robin.events("update")
    assert {"id": message_id, "pinned": True, "seq": 2}.items() <= update.items()
    # The whole message comes with a pin, for pages that have not loaded it.
    assert update["body"] == "useful link" and update["author"] == "robin"
    later = wall_client("ash")
    assert [m["pinned"] for m in later.events("message")] == [True]
    assert sam.emit("unpin", {"id": message_id})["ok"]
    assert robin.events("update") == [{"id": message_id, "pinned": False, "seq": 3}]


def test_mute_tells_the_person_and_stops_them_posting(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    robin.received()
    ack = sam.emit("mute", {"user": "Robin", "minutes": 30, "reason": "Please cool off"})
    assert ack["ok"] is True and ack["user"] == "robin"
    (notice,) = robin.events("notice")
    assert notice["kind"] == "muted" and notice["minutes_left"] == 30
    assert "Please cool off" in notice["message"]
    open_clock.advance(minutes=10)
    refusal = robin.emit("send", {"body": "let me speak"})
    assert refusal["error"] == "muted" and "20 minutes" in refusal["message"]
    # Told again on reconnect, with the time left.
    again = wall_client("robin")
    assert [n["minutes_left"] for n in again.events("notice")] == [20]
    open_clock.advance(minutes=21)
    assert robin.emit("send", {"body": "thanks, I am calmer"})["ok"]
    entry = db.session.scalar(sa.select(ModerationAction).where(
        ModerationAction.action == "sanction_give"))
    assert entry.reason == "Please cool off" and entry.detail["minutes"] == 30
    assert entry.detail["kind"] == "mute"


def test_mute_refuses_bad_input(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    for payload, code in [({"user": "nobody", "minutes": 5, "reason": "x"}, "not_found"),
                          ({"user": "dr_lee", "minutes": 5, "reason": "x"}, "forbidden"),
                          ({"user": "robin", "minutes": 0, "reason": "x"}, "empty"),
                          ({"user": "robin", "minutes": "5", "reason": "x"}, "empty"),
                          ({"user": "robin", "minutes": 43201, "reason": "x"}, "too_long"),
                          ({"user": "robin", "minutes": 10**30, "reason": "x"}, "too_long"),
                          ({"user": "robin", "minutes": 5, "reason": " "}, "empty"),
                          ({"user": None, "minutes": 5, "reason": "x"}, "not_found")]:
        assert sam.emit("mute", payload)["error"] == code, payload
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Sanction)) == 0


def test_with_no_one_on_duty_members_messages_wait_for_approval(
        app, people, open_clock, wall_client):
    robin, ash = wall_client("robin"), wall_client("ash")
    (status,) = robin.events("status")
    assert status["on_duty"] == [] and status["premoderated"] is True
    ash.received()
    ack = robin.emit("send", {"body": "is anyone there?"})
    assert ack == {"ok": True, "id": ack["id"], "status": "held"}
    assert ash.events("message") == []
    (notice,) = robin.events("notice")
    assert notice["kind"] == "held" and "No one from the moderating team" in notice["message"]
    item = db.session.scalar(sa.select(ModerationItem))
    assert item.kind == "held" and item.subject_id == ack["id"]

    sam = wall_client("sam_peer")  # connects: sees it waiting
    assert [h["id"] for h in sam.events("held")] == [ack["id"]]
    assert sam.emit("duty", {"on": True}) == {"ok": True, "on": True}
    (status,) = ash.events("status")
    assert status["on_duty"] == [{"username": "sam_peer", "kind": "peer supporter"}]
    assert sam.emit("approve", {"id": ack["id"]})["status"] == "visible"
    (message,) = ash.events("message")
    assert message["body"] == "is anyone there?"
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).handled_at is not None
    # Now someone is on duty: messages go straight out.
    assert robin.emit("send", {"body": "thank you"})["status"] == "visible"


def test_a_moderator_going_off_duty_mid_session(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    assert robin.emit("send", {"body": "before"})["status"] == "visible"
    robin.received()
    assert sam.emit("duty", {"on": False}) == {"ok": True, "on": False}
    (status,) = robin.events("status")
    assert status["on_duty"] == [] and status["premoderated"] is True
    assert robin.emit("send", {"body": "after"})["status"] == "held"
    actions = db.session.scalars(sa.select(ModerationAction.action)).all()
    assert actions == ["wall_duty_start", "wall_duty_end"]


def test_duty_ends_when_the_wall_closes_and_cannot_start_while_closed(
        app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    assert sam.emit("duty", {"on": "yes"})["error"] == "empty"
    sam.emit("duty", {"on": True})
    open_clock.now = open_clock.now.replace(hour=17, minute=1)
    late = wall_client("robin")
    (status,) = late.events("status")
    assert status["open"] is False and status["on_duty"] == []
    assert sam.emit("duty", {"on": True})["error"] == "closed"


def test_a_risky_message_is_held_with_crisis_contacts_and_an_urgent_alert(
        app, people, open_clock, wall_client):
    sam, lee = wall_client("sam_peer"), wall_client("dr_lee")
    sam.emit("duty", {"on": True})
    robin, ash = wall_client("robin"), wall_client("ash")
    for c in (sam, lee, robin, ash):
        c.received()
    ack = robin.emit("send", {"body": "I want to kill myself tonight"})
    assert ack["status"] == "held"
    notices = robin.events("notice")
    assert [n["kind"] for n in notices] == ["crisis"]
    assert "116 123" in str(notices[0]["contacts"]) and "999" in str(notices[0]["contacts"])
    sam_events = sam.received()
    (alert,) = [e["data"] for e in sam_events if e["name"] == "alert"]
    assert alert["id"] == ack["id"] and alert["level"] == "urgent"
    assert "kill myself" in alert["excerpt"]
    assert [e["data"]["id"] for e in sam_events if e["name"] == "held"] == [ack["id"]]
    # Off duty: no alert, but the held panel still shows it.
    lee_events = lee.received()
    assert [e["name"] for e in lee_events] == ["held"]
    assert ash.received() == []
    item = db.session.scalar(sa.select(ModerationItem))
    assert (item.kind, item.level, item.subject_type) == ("risk", "urgent", "wall_message")
    assert item.subject_author.username == "robin"
    assert sam.emit("acknowledge", {"id": ack["id"]})["ok"]
    assert lee.events("acknowledged") == [{"id": ack["id"], "by": "sam_peer"}]
    assert sam.emit("reject", {"id": ack["id"]})["status"] == "rejected"
    (rejected,) = robin.events("notice")
    assert rejected["kind"] == "rejected"
    assert ash.received() == []
    assert sam.emit("approve", {"id": ack["id"]})["error"] == "not_found"


def test_a_flagged_message_is_posted_and_still_raises_the_alarm(
        app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin, ash = wall_client("robin"), wall_client("ash")
    for c in (sam, robin, ash):
        c.received()
    ack = robin.emit("send", {"body": "Feeling hopeless today"})
    assert ack["status"] == "visible"
    assert [m["body"] for m in ash.events("message")] == ["Feeling hopeless today"]
    assert [n["kind"] for n in robin.events("notice")] == ["crisis"]
    assert [a["held"] for a in sam.events("alert")] == [False]
    assert db.session.scalar(sa.select(ModerationItem.level)) == "urgent"


def test_a_blocked_message_gets_a_kind_refusal(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    robin.received()
    ack = robin.emit("send", {"body": "Best casino bonus here"})
    assert ack["ok"] is False and ack["error"] == "blocked"
    assert "not posted" in ack["message"]
    assert robin.received() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == 0


def test_reconnect_catches_up(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    ids = []
    for n in range(4):
        ids.append(sam.emit("send", {"body": f"m{n}"})["id"])
        open_clock.advance(seconds=3)
    sam.emit("hide", {"id": ids[1]})
    back = wall_client("robin", auth={"last_seen_id": ids[1]})
    received = back.received()
    assert [e["data"]["body"] for e in received if e["name"] == "message"] == ["m2", "m3"]
    updates = [e["data"] for e in received if e["name"] == "update"]
    assert [(u["id"], u["hidden"]) for u in updates] == [(ids[1], True)]


def test_reconnect_far_behind_or_with_a_bad_id(app, people, open_clock, wall_client):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    first = None
    for n in range(260):
        ack = sam.emit("send", {"body": f"m{n}"})
        first = first or ack["id"]
        open_clock.advance(seconds=3)
    far = wall_client("robin", auth={"last_seen_id": first})
    received = far.received()
    bodies = [e["data"]["body"] for e in received if e["name"] == "message"]
    assert bodies == [f"m{n}" for n in range(210, 260)]
    assert [e["data"]["kind"] for e in received if e["name"] == "notice"] == ["catch_up"]
    for bad in (10**9, -5, "abc", None, True, [1]):
        client = wall_client("robin", auth={"last_seen_id": bad})
        assert len(client.events("message")) == 50, bad
    assert wall_client("robin", auth="not a dict").connected


def test_handlers_commit_before_they_emit(app, people, open_clock, wall_client, monkeypatch):
    sam = wall_client("sam_peer")
    sam.emit("duty", {"on": True})
    robin = wall_client("robin")
    seen: list[int] = []
    original = socketio.emit

    def spy(event, data, **kwargs):  # type: ignore[no-untyped-def]
        if event == "message":
            # A separate connection sees the row: it was committed before the emit.
            with db.engine.connect() as conn:
                seen.append(conn.execute(sa.select(sa.func.count())
                                         .select_from(WallMessage)).scalar_one())
        return original(event, data, **kwargs)

    monkeypatch.setattr(socketio, "emit", spy)
    robin.emit("send", {"body": "committed?"})
    assert seen == [1]


def test_the_watcher_announces_opening_and_closing_once(app, people, open_clock, wall_client):
    open_clock.now = open_clock.now.replace(hour=16, minute=59, second=58)
    robin, ash = wall_client("robin"), wall_client("ash")
    for c in (robin, ash):
        c.received()
    watcher = Watcher(app)
    assert watcher.tick() == 2.0  # sleeps exactly until closing
    assert robin.received() == []
    open_clock.advance(seconds=2)
    assert watcher.tick() == WATCH_SECONDS
    for c in (robin, ash):
        (status,) = c.events("status")
        assert status["open"] is False and status["next_change"] == "2026-12-01T09:00:00+00:00"
    watcher.tick()
    assert robin.received() == []  # no repeat
    open_clock.now = open_clock.now.replace(day=1, month=12, hour=9, minute=0, second=0)
    watcher.tick()
    (status,) = ash.events("status")
    assert status["open"] is True


def test_the_watcher_announces_an_extra_session_added_by_staff(
        app, people, open_clock, wall_client):
    from sharon.wall import hours

    open_clock.now = open_clock.now.replace(hour=19)
    robin = wall_client("robin")
    robin.received()
    watcher = Watcher(app)
    watcher.tick()
    hours.do_add_session(people["clinician"], open_clock.now, open_clock.now + timedelta(hours=1))
    db.session.commit()
    watcher.tick()
    (status,) = robin.events("status")
    assert status["open"] is True and status["next_change"] == "2026-11-30T20:00:00+00:00"
