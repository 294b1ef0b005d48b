"""No leaks, no stale sockets, no disguises: what hidden words, suspended people, lost roles,
closed tabs, disguised risk words and absurd ids can and cannot do on the Wall."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ModerationItem, WallDuty, WallMessage
from sharon.wall import connections


def test_catching_up_never_sends_the_words_of_a_hidden_message(app, open_clock, people,
                                                               wall_client):
    peer = wall_client("sam_peer")
    peer.emit("duty", {"on": True})
    member = wall_client("robin")
    first = member.emit("send", {"body": "hello all"})
    secret = member.emit("send", {"body": "my address is 12 Secret Road"})
    assert peer.emit("hide", {"id": secret["id"]})["ok"]
    assert first["ok"]
    for auth in ({"last_seen_id": secret["id"]}, {"last_seq": 1}):
        spy = wall_client("ash", auth=auth)
        received = spy.received()
        updates = [e["data"] for e in received if e["name"] == "update"]
        assert [(u["id"], u["hidden"]) for u in updates] == [(secret["id"], True)]
        assert set(updates[0]) == {"id", "hidden", "seq"}
        assert "Secret Road" not in repr(received)


def test_a_suspended_persons_open_socket_is_closed(app, open_clock, people, wall_client):
    member = wall_client("robin")
    assert member.connected
    people["member"].status = "suspended"
    db.session.commit()
    assert connections.sweep() >= 1
    assert not member.connected


def test_a_moderator_who_loses_the_role_stops_getting_alerts_and_is_off_duty(
        app, open_clock, people, wall_client):
    peer = wall_client("sam_peer")
    assert peer.emit("duty", {"on": True})["on"] is True
    people["peer"].role = "member"
    db.session.commit()
    connections.sweep()
    assert db.session.get(WallDuty, people["peer"].id) is None
    peer.received()
    member = wall_client("robin")
    member.emit("send", {"body": "I want to end it all"})
    names = {e["name"] for e in peer.received()}
    assert "alert" not in names and "held" not in names


def test_a_moderator_closing_the_tab_goes_off_duty(app, open_clock, people, wall_client):
    peer = wall_client("sam_peer")
    peer.emit("duty", {"on": True})
    member = wall_client("robin")
    assert [p["username"] for p in member.events("status")[-1]["on_duty"]] == ["sam_peer"]
    peer.sio.disconnect("/wall")
    assert db.session.get(WallDuty, people["peer"].id) is None
    assert member.events("status")[-1]["on_duty"] == []


def test_a_moderator_whose_sessions_end_goes_off_duty(app, open_clock, people, wall_client):
    """A password change or "sign out everywhere" closes their Wall tabs, and with the
    last one their duty ends: nobody is counted on from a closed tab."""
    first, second = wall_client("sam_peer"), wall_client("sam_peer")
    assert first.emit("duty", {"on": True})["on"] is True
    member = wall_client("robin")
    people["peer"].session_version += 1
    db.session.commit()
    assert connections.sweep() == 2
    assert not first.connected and not second.connected
    assert db.session.get(WallDuty, people["peer"].id) is None
    assert member.events("status")[-1]["on_duty"] == []
    assert member.emit("send", {"body": "anyone?"})["status"] == "held"


def test_risk_words_in_disguise_are_still_caught(app, open_clock, people, wall_client):
    peer = wall_client("sam_peer")
    peer.emit("duty", {"on": True})
    member = wall_client("robin")
    ack = member.emit("send", {"body": "i want to kill\u200b my\u00adself"})
    assert ack["ok"] and ack["status"] == "held"
    assert any(e["name"] == "alert" for e in peer.received())


def test_huge_ids_are_not_found_without_a_crash(app, open_clock, people, wall_client):
    peer = wall_client("sam_peer")
    ack = peer.emit("hide", {"id": 2**63})
    assert ack == {"ok": False, "error": "not_found", "message": ack["message"]}
    member = wall_client("robin")
    assert member.emit("send", {"body": "hi", "reply_to": 2**70})["error"] == "not_found"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationItem)) == 0


def _block_and_risk(term: str) -> None:
    from sharon.models import WatchedWord

    db.session.add(WatchedWord(term=term, term_key=term, action="block", is_risk=True))
    db.session.commit()


def test_refused_risk_words_still_reach_the_team(app, open_clock, people, wall_client):
    _block_and_risk("method details")
    peer = wall_client("sam_peer")
    peer.emit("duty", {"on": True})
    peer.received()
    member = wall_client("robin")
    ack = member.emit("send", {"body": "here are the method details"})
    assert ack["error"] == "blocked"
    assert any(e["kind"] == "crisis" for e in member.events("notice"))
    alerts = peer.events("alert")
    assert alerts and alerts[0]["refused"] and "method details" in alerts[0]["excerpt"]
    item = db.session.scalar(sa.select(ModerationItem))
    assert item.subject_type == "refused_wall_message" and item.level == "urgent"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == 0


def test_a_moderator_lifts_a_mute_early(app, open_clock, people, wall_client):
    peer = wall_client("sam_peer")
    peer.emit("duty", {"on": True})
    member = wall_client("robin")
    assert peer.emit("mute", {"user": "robin", "minutes": 30, "reason": "take a breather"})["ok"]
    assert member.emit("send", {"body": "hello?"})["error"] == "muted"
    member.received()
    assert peer.emit("unmute", {"user": "robin"}) == {"ok": True, "user": "robin"}
    assert any(n["kind"] == "unmuted" for n in member.events("notice"))
    assert member.emit("send", {"body": "thank you"})["ok"]
    assert peer.emit("unmute", {"user": "robin"})["error"] == "not_found"


def test_members_cannot_lift_mutes(app, open_clock, people, wall_client):
    peer = wall_client("sam_peer")
    peer.emit("mute", {"user": "ash", "minutes": 30, "reason": "pause"})
    member = wall_client("robin")
    assert member.emit("unmute", {"user": "ash"})["error"] == "forbidden"
    carer = wall_client("ash")
    assert carer.emit("send", {"body": "still muted"})["error"] == "muted"
