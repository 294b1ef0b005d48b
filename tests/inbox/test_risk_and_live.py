"""Messages to the team are screened for risk like forum posts (a risk flag, and a live
alert to the team) but never refused for their words; a team reply reaches the member
live on /live, only after it is committed."""

from __future__ import annotations

from typing import Any

from sharon.extensions import db, socketio
from sharon.inbox import services
from sharon.models.moderation import ItemKind, Level
from sharon.realtime import pending, rooms
from tests.helpers import text
from tests.inbox.conftest import (
    answer,
    client_for,
    items,
    messages,
    only_conversation,
    write_to_team,
)


class LivePage:
    """A signed-in page listening on /live."""

    def __init__(self, app: Any, username: str) -> None:
        self.http = client_for(app, username)
        self.sio = socketio.test_client(app, namespace=rooms.LIVE, flask_test_client=self.http)

    def events(self, name: str) -> list[Any]:
        return [e["args"][0] for e in self.sio.get_received(rooms.LIVE) if e["name"] == name]


def test_risk_in_a_message_to_the_team_raises_a_flag_and_alerts_the_team(app, people):
    lee = LivePage(app, "dr_lee")
    river = client_for(app, "river")
    sent = write_to_team(river, "Tonight", "I can't keep myself safe tonight")
    assert sent.status_code == 303  # never refused
    page = text(river.get(sent.headers["Location"]))
    assert "Help is here if you need it" in page and "Samaritans" in page
    conversation = only_conversation()
    waiting, risk = items()
    assert (waiting.kind, risk.kind) == (ItemKind.CONVERSATION, ItemKind.RISK)
    assert (risk.level, risk.subject_type, risk.subject_id) == (
        Level.URGENT, "conversation", conversation.id)
    (alert,) = lee.events("alert")
    assert alert["area"] == "Ask the team" and alert["author"] == "river"
    assert alert["url"] == f"/ask-the-team/{conversation.id}"


def test_words_refused_elsewhere_still_reach_the_team(app, people):
    river = client_for(app, "river")
    sent = write_to_team(river, "Spam?", "Someone keeps sending me: try this casino, buy now")
    assert sent.status_code == 303
    assert [m.body for m in messages()] == [
        "Someone keeps sending me: try this casino, buy now"]
    (item,) = items()
    assert item.kind == ItemKind.CONVERSATION and "watched words" in item.reason


def test_an_ordinary_message_raises_no_flag_and_alerts_nobody(app, people):
    lee = LivePage(app, "dr_lee")
    write_to_team(client_for(app, "river"), "A question", "Where are the sleep videos?")
    assert [i.kind for i in items()] == [ItemKind.CONVERSATION]
    assert lee.events("alert") == []


def test_a_team_reply_reaches_the_member_live_and_nobody_else(app, people):
    river_pages = client_for(app, "river")
    assert "js/live.js" not in river_pages.get("/forums/").get_data(as_text=True)
    write_to_team(river_pages, "Feeling wobbly", "Is anyone there?")
    # From now on river's pages listen for the reply.
    assert "js/live.js" in river_pages.get("/forums/").get_data(as_text=True)
    conversation = only_conversation()
    river, sky, lee = LivePage(app, "river"), LivePage(app, "sky"), LivePage(app, "dr_lee")
    assert river.sio.is_connected(rooms.LIVE)
    answer(client_for(app, "sam_peer"), conversation.id, "We are here")
    (notice,) = river.events("notice")
    assert notice["text"] == "The SHaRON team replied to your message: Feeling wobbly"
    assert notice["url"] == f"/ask-the-team/{conversation.id}"
    assert "sam_peer" not in str(notice)
    assert sky.events("notice") == [] and lee.events("notice") == []


def test_nothing_is_announced_when_the_reply_rolls_back(app, people):
    write_to_team(client_for(app, "river"))
    conversation = only_conversation()
    sam = people["sam_peer"]
    with app.test_request_context():
        services.answer(sam, conversation, "We are here")
        sent = [(event, to, namespace) for event, _, to, namespace, _ in pending.pending()]
        assert sent == [("notice", rooms.person(conversation.member_id), rooms.LIVE)]
        db.session.rollback()
        assert pending.pending() == []
    assert len(messages()) == 1


def test_the_live_notice_script_uses_text_only():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static/js/live.js").read_text()
    assert 'socket.on("notice", showNotice)' in script
    assert "innerHTML" not in script
