"""A conversation is between one member and the team: no other member can read it, and
members and carers cannot use the team's side."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ModerationItem
from tests.helpers import PASSWORD, csrf_token, submit, text
from tests.inbox.conftest import client_for, messages, only_conversation, write_to_team
from tests.mydata.conftest import delete_account


def test_another_member_cannot_read_or_write_in_a_conversation(app, people):
    write_to_team(client_for(app, "river"), "Private", "Only for the team")
    conversation = only_conversation()
    for username in ("sky", "ash"):
        other = client_for(app, username)
        page = other.get(f"/ask-the-team/{conversation.id}")
        assert page.status_code == 404
        assert "Only for the team" not in page.get_data(as_text=True)
        token = csrf_token(other.get("/ask-the-team/new").get_data(as_text=True))
        sent = other.post(f"/ask-the-team/{conversation.id}/reply",
                          data={"csrf_token": token, "submission": "a" * 22, "body": "Hi"})
        assert sent.status_code == 404
        assert "Private" not in text(other.get("/ask-the-team/"))
    assert len(messages()) == 1


def test_a_conversation_that_does_not_exist_looks_the_same(app, people):
    river = client_for(app, "river")
    assert river.get("/ask-the-team/12345").status_code == 404


@pytest.mark.parametrize("username", ["river", "ash"])
def test_members_and_carers_cannot_open_the_teams_actions(app, people, username):
    write_to_team(client_for(app, "river"))
    conversation = only_conversation()
    client = client_for(app, username)
    assert client.get("/ask-the-team/start?item_id=1").status_code == 403
    token = csrf_token(client.get("/ask-the-team/new").get_data(as_text=True))
    for url in (f"/ask-the-team/{conversation.id}/answer", "/ask-the-team/start?item_id=1"):
        response = client.post(url, data={"csrf_token": token, "submission": "b" * 22,
                                          "subject": "Hi", "body": "Pretending to be the team"})
        assert response.status_code == 403
    assert len(messages()) == 1


@pytest.mark.parametrize("username", ["river", "ash"])
def test_members_and_carers_find_ask_the_team_on_every_page(app, people, username):
    client = client_for(app, username)
    for url in ("/library/", "/forums/", "/account/"):
        html = client.get(url).get_data(as_text=True)
        assert ('<a class="nhsuk-header__navigation-link" href="/ask-the-team/">Ask the team</a>'
                in html)
        assert 'id="live-notices"' in html and 'aria-live="polite"' in html
    current = client.get("/ask-the-team/").get_data(as_text=True)
    assert ('<a class="nhsuk-header__navigation-link" href="/ask-the-team/" aria-current="page">'
            '<strong class="nhsuk-header__navigation-item-current-fallback">Ask the team'
            '</strong></a>' in current)


def test_the_team_has_no_members_pages_and_no_header_link(app, people):
    for username in ("sam_peer", "dr_lee", "boss"):
        client = client_for(app, username)
        assert "Ask the team" not in text(client.get("/library/"))
        assert 'id="live-notices"' not in client.get("/library/").get_data(as_text=True)
        assert client.get("/ask-the-team/").status_code == 403
        assert client.get("/ask-the-team/new").status_code == 403
        assert submit(client, "/ask-the-team/new", {"subject": "x", "body": "y"},
                      page="/account/").status_code == 403
    assert messages() == []


def test_an_admin_may_answer(app, people):
    write_to_team(client_for(app, "river"))
    conversation = only_conversation()
    boss = client_for(app, "boss")
    assert boss.get(f"/ask-the-team/{conversation.id}").status_code == 200
    sent = submit(boss, f"/ask-the-team/{conversation.id}/answer", {"body": "Hello"},
                  page=f"/ask-the-team/{conversation.id}")
    assert sent.status_code == 303 and messages()[-1].from_team


def test_deleting_the_account_takes_the_words_of_their_messages_out_of_the_queue(app, people):
    """The team's record stays (that someone wrote, what was done), but not what they wrote:
    it may be what they chose to share from their staying-well plan."""
    river = client_for(app, "river")
    write_to_team(river, body="RIVER-WORDS my check-ins have been low")
    write_to_team(river, subject="Another", body="RIVER-MORE and I want to die")  # a risk flag
    write_to_team(client_for(app, "sky"), body="SKY-WORDS stays")
    items = db.session.scalars(sa.select(ModerationItem)).all()
    assert {i.kind for i in items} >= {"conversation", "risk"}
    assert delete_account(river, "river", PASSWORD).status_code == 303
    db.session.expire_all()
    left = db.session.scalars(sa.select(ModerationItem)).all()
    assert len(left) == len(items)  # the items stay, for the team's record
    words = " ".join(i.excerpt + i.detail + i.reason for i in left)
    assert "RIVER-" not in words and "SKY-WORDS stays" in words
