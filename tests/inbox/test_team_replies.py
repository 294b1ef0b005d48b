"""The team answers as "the SHaRON team": the member is told (a notification, and live
when the site can reach them), the queue item closes as "member contacted", and the
audit log says which of the team wrote."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Audit, ModerationAction, Notification
from sharon.models.moderation import Outcome
from tests.helpers import text
from tests.inbox.conftest import (
    answer,
    client_for,
    items,
    messages,
    only_conversation,
    reply,
    waiting,
    write_to_team,
)


def test_a_team_reply_reaches_the_member_as_the_team(app, people, frozen_clock):
    river = client_for(app, "river")
    write_to_team(river, "Feeling wobbly", "Is anyone there?")
    conversation = only_conversation()
    frozen_clock.advance(hours=2)
    sam = client_for(app, "sam_peer")
    sent = answer(sam, conversation.id, "Yes, we are here. How are you today?")
    assert sent.status_code == 303
    shown = text(sam.get(sent.headers["Location"]))
    assert "Your reply is sent to river as the SHaRON team" in shown
    # What is stored.
    team_message = messages()[-1]
    assert (team_message.from_team, team_message.author.username) == (True, "sam_peer")
    (item,) = items()
    assert item.handled_at == frozen_clock.now and item.handled_by.username == "sam_peer"
    assert item.outcome == Outcome.MEMBER_CONTACTED.value
    assert item.first_response_at == frozen_clock.now
    (line,) = db.session.scalars(sa.select(ModerationAction).where(
        ModerationAction.action == Audit.CONVERSATION_REPLY.value))
    assert (line.actor.username, line.subject_type, line.subject_id) == (
        "sam_peer", "conversation", conversation.id)
    (notice,) = db.session.scalars(sa.select(Notification))
    assert (notice.user_id, notice.kind, notice.conversation_id, notice.actor_id) == (
        conversation.member_id, "team_reply", conversation.id, None)
    # What the member sees: the team, never which of them.
    listing = text(river.get("/ask-the-team/"))
    assert "Feeling wobbly New reply" in listing
    assert "Notifications 1 unread" in listing
    notifications = river.get("/forums/notifications")
    assert "The SHaRON team replied to your message: Feeling wobbly" in text(notifications)
    assert "sam_peer" not in notifications.get_data(as_text=True)
    opened = river.get(f"/forums/notifications/{notice.id}")
    assert opened.headers["Location"].endswith(f"/ask-the-team/{conversation.id}")
    page = river.get(opened.headers["Location"])
    assert "The SHaRON team" in text(page) and "How are you today?" in text(page)
    assert "sam_peer" not in page.get_data(as_text=True)
    # Read: the marks go.
    assert "New reply" not in text(river.get("/ask-the-team/"))
    assert "unread" not in text(river.get("/ask-the-team/"))
    # The team sees which of them wrote.
    assert "The SHaRON team (sam_peer)" in text(client_for(app, "dr_lee").get(
        f"/ask-the-team/{conversation.id}"))


def test_the_members_next_message_puts_the_conversation_back_in_the_queue(app, people):
    river = client_for(app, "river")
    write_to_team(river)
    conversation = only_conversation()
    answer(client_for(app, "sam_peer"), conversation.id, "How can we help?")
    assert waiting() == []
    reply(river, conversation.id, "Thank you, it helped")
    (item,) = waiting()
    assert item.excerpt == "Thank you, it helped" and len(items()) == 2


def test_a_team_reply_leaves_a_risk_flag_for_a_clinician(app, people):
    river = client_for(app, "river")
    write_to_team(river, "Tonight", "I can't keep myself safe tonight")
    conversation = only_conversation()
    answer(client_for(app, "sam_peer"), conversation.id, "We are here. Please call 111.")
    open_kinds = [i.kind for i in items() if i.handled_at is None]
    assert open_kinds == ["risk"]


def test_an_empty_team_reply_saves_nothing(app, people):
    write_to_team(client_for(app, "river"))
    conversation = only_conversation()
    response = answer(client_for(app, "sam_peer"), conversation.id, "   ")
    assert response.status_code == 400 and "Write your reply." in text(response)
    assert len(messages()) == 1 and len(waiting()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
