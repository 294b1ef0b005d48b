"""A member or carer writes privately to the moderating team, from any page: one shared
team inbox, and each conversation waits in the moderation queue."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Audit, ItemKind, ModerationAction
from sharon.writes import SENT_TWICE
from tests.concurrency import at_once
from tests.helpers import csrf_token, submission_tokens, text
from tests.inbox.conftest import (
    client_for,
    items,
    messages,
    only_conversation,
    reply,
    waiting,
    write_to_team,
)


@pytest.mark.parametrize("username", ["river", "ash"])
def test_a_member_or_carer_writes_and_it_waits_in_the_queue(app, people, username):
    client = client_for(app, username)
    # Reachable from any page: the header says "Ask the team".
    assert "Ask the team" in text(client.get("/library/"))
    form = client.get("/ask-the-team/new")
    assert "The team reads them during office hours" in text(form)
    assert "This is not for emergencies." in text(form)
    assert '<a href="/help/urgent">see who to contact for urgent help</a>' in \
        form.get_data(as_text=True)
    sent = write_to_team(client, "Feeling wobbly", "Could someone point me to sleep help?")
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"])
    assert "Your message is with the moderating team" in text(page)
    assert "Could someone point me to sleep help?" in text(page)
    conversation = only_conversation()
    assert (conversation.member.username, conversation.subject,
            conversation.started_by_id) == (username, "Feeling wobbly", None)
    (item,) = waiting()
    assert (item.kind, item.subject_type, item.subject_id, item.subject_author.username) == (
        ItemKind.CONVERSATION, "conversation", conversation.id, username)
    assert item.excerpt == "Could someone point me to sleep help?"
    # The list of their own messages.
    listing = text(client.get("/ask-the-team/"))
    assert "Feeling wobbly" in listing and "Started by you" in listing


def test_the_team_sees_it_in_the_queue_and_opens_it(app, people):
    write_to_team(client_for(app, "river"), "Feeling wobbly", "Is anyone there?")
    sam = client_for(app, "sam_peer")
    queue = sam.get("/moderation/")
    conversation = only_conversation()
    assert f'href="/ask-the-team/{conversation.id}"' in queue.get_data(as_text=True)
    assert "Is anyone there?" in text(queue)
    page = sam.get(f"/ask-the-team/{conversation.id}")
    assert page.status_code == 200
    assert "A private conversation between river and the team" in text(page)
    assert "Reply as the SHaRON team" in text(page)


def test_writing_again_keeps_one_open_item_with_the_newest_words(app, people):
    river = client_for(app, "river")
    write_to_team(river, "Feeling wobbly", "First message")
    conversation = only_conversation()
    assert reply(river, conversation.id, "Second message").status_code == 303
    (item,) = waiting()
    assert item.excerpt == "Second message"
    assert [m.body for m in messages()] == ["First message", "Second message"]


@pytest.mark.parametrize("subject, body, problem", [
    ("", "Hello", "Give your message a subject."),
    ("Hello", "   ", "Write your message."),
    ("x" * 121, "Hello", "A subject can be up to 120 characters. Yours has 121."),
    ("Hello", "y" * 4001, "A message can be up to 4,000 characters. Yours has 4,001."),
    ("Hello", "y" * 9000, "This is far too long. Please shorten it."),
])
def test_empty_or_oversize_fields_save_nothing_and_say_why(app, people, subject, body,
                                                             problem):
    client = client_for(app, "river")
    response = write_to_team(client, subject, body)
    assert response.status_code == 400
    assert "There is a problem" in text(response) and problem in text(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert messages() == [] and items() == []


def test_an_empty_or_oversize_reply_saves_nothing(app, people):
    river = client_for(app, "river")
    write_to_team(river)
    conversation = only_conversation()
    for body, problem in (("", "Write your reply."),
                          ("z" * 4001, "A message can be up to 4,000 characters.")):
        response = reply(river, conversation.id, body)
        assert response.status_code == 400 and problem in text(response)
    assert len(messages()) == 1


def test_hostile_html_is_shown_as_text(app, people):
    river = client_for(app, "river")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    write_to_team(river, "<b>Bold</b> <script>alert(2)</script>", hostile)
    conversation = only_conversation()
    for client in (river, client_for(app, "sam_peer")):
        for url in (f"/ask-the-team/{conversation.id}", "/ask-the-team/", "/moderation/"):
            page = client.get(url)
            if page.status_code != 200:
                continue
            html = page.get_data(as_text=True)
            assert "<script>alert" not in html and "<img src=x" not in html
            assert "<b>Bold</b>" not in html
    page = river.get(f"/ask-the-team/{conversation.id}")
    assert hostile in text(page)  # shown, as the words that were written
    assert "&lt;script&gt;" in page.get_data(as_text=True)


def test_the_same_form_sent_twice_makes_one_message(app, people):
    river = client_for(app, "river")
    html = river.get("/ask-the-team/new").get_data(as_text=True)
    form = {"csrf_token": csrf_token(html), **submission_tokens(html),
            "subject": "Feeling wobbly", "body": "Just once please"}
    first = river.post("/ask-the-team/new", data=form)
    again = river.post("/ask-the-team/new", data=form)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert SENT_TWICE in text(river.get(again.headers["Location"]))
    assert [m.body for m in messages()] == ["Just once please"] and len(waiting()) == 1


def test_the_same_reply_sent_from_four_tabs_at_once_makes_one(app, people):
    write_to_team(client_for(app, "river"))
    conversation = only_conversation()
    page = f"/ask-the-team/{conversation.id}"
    tabs = [client_for(app, "river") for _ in range(4)]
    tokens = submission_tokens(tabs[0].get(page).get_data(as_text=True))
    forms = [{"csrf_token": csrf_token(tab.get(page).get_data(as_text=True)), **tokens,
              "body": "Are you there?"} for tab in tabs]
    responses = at_once([lambda t=t, f=f: t.post(f"{page}/reply", data=f)
                         for t, f in zip(tabs, forms, strict=True)])
    assert sorted(r.status_code for r in responses) == [303, 303, 303, 303]
    assert [m.body for m in messages()][1:] == ["Are you there?"]
    assert len(waiting()) == 1


def test_the_same_team_answer_sent_twice_is_one_reply_and_one_audit_line(app, people):
    write_to_team(client_for(app, "river"))
    conversation = only_conversation()
    sam = client_for(app, "sam_peer")
    page = f"/ask-the-team/{conversation.id}"
    html = sam.get(page).get_data(as_text=True)
    form = {"csrf_token": csrf_token(html), **submission_tokens(html), "body": "Hello river"}
    assert sam.post(f"{page}/answer", data=form).status_code == 303
    assert sam.post(f"{page}/answer", data=form).status_code == 303
    assert [m.body for m in messages()][1:] == ["Hello river"]
    replies = db.session.scalars(sa.select(ModerationAction).where(
        ModerationAction.action == Audit.CONVERSATION_REPLY.value)).all()
    assert len(replies) == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, people):
    write_to_team(client_for(client.application, "river"))
    conversation = only_conversation()
    for url in ("/ask-the-team/", "/ask-the-team/new", f"/ask-the-team/{conversation.id}",
                "/ask-the-team/start?item_id=1"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    for url in (f"/ask-the-team/{conversation.id}/reply",
                f"/ask-the-team/{conversation.id}/answer", "/ask-the-team/new"):
        response = client.post(url, data={"body": "hi", "subject": "hi"})
        assert response.status_code in (302, 400)
    assert len(messages()) == 1
