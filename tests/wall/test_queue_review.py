"""Held Wall messages can be approved or rejected from the moderation queue page, without
JavaScript, and everyone on the Wall hears of it live."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import MessageStatus, ModerationItem, WallMessage
from tests.helpers import csrf_token, sign_in, submit, text


def _held(wall_client, body: str) -> int:
    robin = wall_client("robin")
    ack = robin.emit("send", {"body": body})
    assert ack["status"] == "held"
    return ack["id"]


def _review(client, message_id: int, action: str):
    return submit(client, f"/wall/messages/{message_id}/review", {"action": action},
                  page="/moderation/", follow_redirects=True)


def test_a_moderator_approves_a_held_message_from_the_queue(app, people, open_clock,
                                                            wall_client):
    message_id = _held(wall_client, "is anyone there?")
    ash = wall_client("ash")
    ash.received()
    moderator = app.test_client()
    sign_in(moderator, "dr_lee")
    queue = text(moderator.get("/moderation/"))
    assert "is anyone there?" in queue and "Approve Wall message" in queue

    page = _review(moderator, message_id, "approve")
    assert "Approved: the message is on the Wall now." in text(page)
    assert "Approve Wall message" not in text(page)
    (message,) = ash.events("message")
    assert message["id"] == message_id and message["body"] == "is anyone there?"
    assert db.session.get(WallMessage, message_id).status == MessageStatus.VISIBLE
    assert db.session.scalar(sa.select(ModerationItem.handled_at)) is not None


def test_rejecting_from_the_queue_tells_the_author(app, people, open_clock, wall_client):
    message_id = _held(wall_client, "a message to turn down")
    author = wall_client("robin")
    author.received()
    moderator = app.test_client()
    sign_in(moderator, "sam_peer")
    assert "Rejected: its author has been told." in text(_review(moderator, message_id,
                                                                 "reject"))
    notices = author.events("notice")
    assert [n["kind"] for n in notices] == ["rejected"]
    assert db.session.get(WallMessage, message_id).status == MessageStatus.REJECTED


def test_reviewing_twice_or_badly_changes_nothing(app, people, open_clock, wall_client):
    message_id = _held(wall_client, "only once")
    moderator = app.test_client()
    sign_in(moderator, "dr_lee")
    _review(moderator, message_id, "reject")
    again = _review(moderator, message_id, "approve")
    assert "That message does not exist or is no longer on the Wall." in text(again)
    assert db.session.get(WallMessage, message_id).status == MessageStatus.REJECTED

    other = _held(wall_client, "still waiting")
    token = csrf_token(moderator.get("/moderation/").get_data(as_text=True))
    url = f"/wall/messages/{other}/review"
    assert moderator.post(url, data={"csrf_token": token, "action": "delete"}).status_code \
        == 400
    assert moderator.post(url, data={"action": "approve"}).status_code == 400  # no token
    unknown = moderator.post("/wall/messages/999999/review",
                             data={"csrf_token": token, "action": "approve"},
                             follow_redirects=True)
    assert "That message does not exist" in text(unknown)
    assert db.session.get(WallMessage, other).status == MessageStatus.HELD


def test_members_cannot_review(app, people, open_clock, wall_client):
    message_id = _held(wall_client, "members cannot approve this")
    member = app.test_client()
    sign_in(member, "ash")
    token = csrf_token(member.get("/forums/").get_data(as_text=True))
    response = member.post(f"/wall/messages/{message_id}/review",
                           data={"csrf_token": token, "action": "approve"})
    assert response.status_code == 403
    assert db.session.get(WallMessage, message_id).status == MessageStatus.HELD
