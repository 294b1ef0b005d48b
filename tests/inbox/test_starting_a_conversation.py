"""The team starts a conversation with the author of a queue item ("member contacted");
never with someone on the team, and members have no way to write to each other."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.forums import services as forums
from sharon.models import Audit, Category, ModerationAction, Notification
from sharon.models.moderation import ItemKind
from sharon.moderation import services as moderation
from tests.factories import default_network
from tests.helpers import submit, text
from tests.inbox.conftest import client_for, items, messages, only_conversation


def _post_by(author):  # type: ignore[no-untyped-def]
    """A reported forum post by `author`: an item in the queue with its author."""
    category = Category(network=default_network(), name="Staying well")
    db.session.add(category)
    db.session.flush()
    post = forums.create_thread(author, category, "A hard week", "chat",
                                "Nothing is working lately").post
    item = moderation.enqueue(ItemKind.REPORT, "post", post.id, reason="unkind",
                              excerpt=post.body_text, author=author)
    db.session.commit()
    return item


def test_the_team_contacts_the_author_of_a_queue_item(app, people):
    item = _post_by(people["river"])
    sam = client_for(app, "sam_peer")
    url = f"/ask-the-team/start?item_id={item.id}"
    form = sam.get(url)
    assert form.status_code == 200 and "Contact river" in text(form)
    assert "Nothing is working lately" in text(form)
    sent = submit(sam, url, {"subject": "Checking in",
                             "body": "We noticed your post. How are you?"})
    assert sent.status_code == 303
    conversation = only_conversation()
    assert (conversation.member.username, conversation.started_by.username) == (
        "river", "sam_peer")
    (message,) = messages()
    assert message.from_team and message.author.username == "sam_peer"
    (line,) = db.session.scalars(sa.select(ModerationAction).where(
        ModerationAction.action == Audit.CONVERSATION_START.value))
    assert line.actor.username == "sam_peer" and line.detail["item_id"] == item.id
    (notice,) = db.session.scalars(sa.select(Notification))
    assert notice.kind == "team_reply" and notice.user_id == people["river"].id
    # The item stays open for its own decision, but the team has taken it up.
    (reported,) = items()
    assert reported.handled_at is None and reported.first_response_at is not None
    # River reads it as from the team, and can answer.
    river = client_for(app, "river")
    listing = text(river.get("/ask-the-team/"))
    assert "Checking in New reply" in listing and "Started by the SHaRON team" in listing
    page = river.get(f"/ask-the-team/{conversation.id}")
    assert "How are you?" in text(page) and "sam_peer" not in page.get_data(as_text=True)


def test_nobody_on_the_team_can_be_contacted_this_way(app, people):
    item = _post_by(people["dr_lee"])
    sam = client_for(app, "sam_peer")
    url = f"/ask-the-team/start?item_id={item.id}"
    page = sam.get(url)
    assert page.status_code == 403
    assert "This person is on the moderating team" in text(page)
    assert 'name="body"' not in page.get_data(as_text=True)
    posted = sam.post(url, data={"subject": "Hi", "body": "Hello"})
    assert posted.status_code in (400, 403)
    assert messages() == []


def test_an_item_without_an_author_is_not_found(app, people):
    item = moderation.enqueue(ItemKind.REPORT, "post", 999, reason="odd")
    db.session.commit()
    sam = client_for(app, "sam_peer")
    assert sam.get(f"/ask-the-team/start?item_id={item.id}").status_code == 404
    assert sam.get("/ask-the-team/start?item_id=99999").status_code == 404
    assert sam.get("/ask-the-team/start").status_code == 404
    assert sam.get("/ask-the-team/start?item_id=<script>").status_code == 404


def test_an_empty_first_message_saves_nothing(app, people):
    item = _post_by(people["river"])
    sam = client_for(app, "sam_peer")
    url = f"/ask-the-team/start?item_id={item.id}"
    response = submit(sam, url, {"subject": "", "body": ""})
    assert response.status_code == 400
    assert "Give your message a subject." in text(response)
    assert messages() == []
