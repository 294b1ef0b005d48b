"""A Wall that fits on a screen (issue 15): the latest messages and earlier ones a page
at a time (by id, never OFFSET), pinned messages in their own area, one time format,
the team's actions behind one menu per message (working without JavaScript too), and
a closed Wall with no message box, only when it opens and what to do meanwhile."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from sharon.content import render_plain
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import ModerationAction, WallMessage
from sharon.wall import services
from sharon.wall.times import message_time, opening_words
from tests.forums.test_reading import count_statements
from tests.helpers import sign_in, submit, text

PAGE = services.PAGE


def post(author, body, status="visible", at=None, **kwargs):  # type: ignore[no-untyped-def]
    message = WallMessage(author=author, body=body, body_html=str(render_plain(body)),
                          status=status, created_at=at or clock.now(), pinned=False,
                          seq=services.next_seq() if status == "visible" else None, **kwargs)
    db.session.add(message)
    db.session.commit()
    return message


def session_of(authors, count, start):  # type: ignore[no-untyped-def]
    """`count` visible messages a minute apart from `start`, in one commit."""
    messages = []
    for n in range(count):
        body = f"message {n + 1}"
        message = WallMessage(author=authors[n % len(authors)], body=body,
                              body_html=str(render_plain(body)), status="visible",
                              created_at=start + timedelta(minutes=n), pinned=False,
                              seq=services.next_seq())
        db.session.add(message)
        messages.append(message)
    db.session.commit()
    return messages


def shown_ids(html: str) -> list[int]:
    """The ids of the conversation's messages, in page order (not the pinned copies)."""
    return [int(n) for n in re.findall(r'<li class="wall-message[^"]*" id="message-(\d+)"', html)]


def without_templates(html: str) -> str:
    """The page as it stands without JavaScript: <template> contents are inert."""
    return re.sub(r"<template\b.*?</template>", "", html, flags=re.S)


# --- A long session -------------------------------------------------------------------

def test_a_300_message_session_shows_the_latest_page_and_earlier_pages_by_id(
        client, people, open_clock):
    messages = session_of([people["member"], people["carer"], people["peer"]], 300,
                          open_clock.now - timedelta(hours=5))
    hidden = messages[150]
    hidden.status = "hidden"
    db.session.commit()
    visible = [m.id for m in messages if m.status == "visible"]
    sign_in(client, "ash")
    html = client.get("/wall/").get_data(as_text=True)
    assert shown_ids(html) == visible[-PAGE:]
    assert f'href="/wall/earlier?before={visible[-PAGE]}"' in html
    assert "Show earlier messages" in html

    # Without JavaScript, page after page of earlier messages, oldest first, reaches the
    # first message: nothing twice, nothing missed, the hidden one never.
    seen = list(visible[-PAGE:])
    before = visible[-PAGE]
    pages = 0
    while True:
        page = client.get(f"/wall/earlier?before={before}")
        assert page.status_code == 200
        found = shown_ids(page.get_data(as_text=True))
        assert found == sorted(found) and found
        seen = found + seen
        pages += 1
        earlier = re.search(r'href="/wall/earlier\?before=(\d+)" rel="prev"',
                            page.get_data(as_text=True))
        if not earlier:
            break
        assert int(earlier.group(1)) == found[0]
        before = found[0]
    assert seen == visible and hidden.id not in seen
    assert pages == -(-(len(visible) - PAGE) // PAGE)
    # And back towards the latest.
    later = client.get(f"/wall/earlier?after={visible[0]}").get_data(as_text=True)
    assert shown_ids(later) == visible[1:PAGE + 1]
    assert f'href="/wall/earlier?after={visible[PAGE]}"' in later
    last = client.get(f"/wall/earlier?after={visible[-3]}").get_data(as_text=True)
    assert shown_ids(last) == visible[-2:] and "The latest messages, on the Wall" in last


def test_earlier_messages_as_data_for_the_page(client, people, open_clock):
    messages = session_of([people["member"], people["peer"]], 40,
                          open_clock.now - timedelta(hours=1))
    reply = post(people["carer"], "replying", reply_to_id=messages[2].id)
    sign_in(client, "robin")
    response = client.get(f"/wall/earlier.json?before={messages[30].id}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert [m["id"] for m in data["messages"]] == [m.id for m in messages[30 - PAGE:30]]
    assert data["earlier"] is True
    first = data["messages"][0]
    assert {"id", "author", "label", "body", "created_at", "reply_to", "pinned", "seq"} \
        <= set(first)
    start = client.get(f"/wall/earlier.json?before={messages[5].id}").get_json()
    assert [m["id"] for m in start["messages"]] == [m.id for m in messages[:5]]
    assert start["earlier"] is False
    around = client.get(f"/wall/earlier.json?before={reply.id + 1}").get_json()
    assert around["messages"][-1]["reply_to_author"] == "robin"
    for bad in ("", "abc", "-1", "0", "²"):
        assert client.get(f"/wall/earlier.json?before={bad}").status_code == 400, bad
    for huge in (str(2**40), "9" * 5000):  # past any id: the latest page
        latest = client.get(f"/wall/earlier.json?before={huge}").get_json()
        assert latest["messages"][-1]["id"] == reply.id
    for bad in ("abc", "-1", "0", "²"):
        response = client.get(f"/wall/earlier?before={bad}")
        assert response.status_code == 302 and response.headers["Location"] == "/wall/"
    client.post("/sign-out")
    anonymous = client.application.test_client()
    assert anonymous.get("/wall/earlier.json?before=5").status_code == 302
    assert anonymous.get("/wall/earlier?before=5").status_code == 302


def test_the_page_reads_the_same_number_of_statements_however_many_messages(
        client, make_user, people, open_clock):
    def statements_for_page() -> int:
        # The first request reads rules each worker keeps for a few seconds; the second
        # is the page as it is read day to day.
        assert client.get("/wall/").status_code == 200
        with count_statements() as seen:
            assert client.get("/wall/").status_code == 200
        return len(seen)

    sign_in(client, "robin")
    authors = [make_user(username=f"friend_{n}") for n in range(PAGE)]
    first = post(authors[0], "hello")
    post(authors[1], "a reply", reply_to_id=first.id)
    few = statements_for_page()
    for n in range(2, PAGE):
        post(authors[n], f"reply {n}", reply_to_id=first.id + n - 1)
    many = statements_for_page()
    assert many == few, (few, many)


# --- Pinned messages -------------------------------------------------------------------

def test_pinned_messages_have_their_own_area_at_the_top(client, people, open_clock):
    old = post(people["peer"], "House rules, please read", at=open_clock.now - timedelta(days=2))
    session_of([people["member"]], 30, open_clock.now - timedelta(hours=1))
    recent = post(people["peer"], "Tonight's topic: sleep")
    gone = post(people["peer"], "Hidden and pinned", status="hidden")
    for message in (old, recent, gone):
        message.pinned = True
    db.session.commit()
    sign_in(client, "robin")
    html = client.get("/wall/").get_data(as_text=True)
    area = html[html.index('id="wall-pinned"'):html.index('id="wall-messages-title"')]
    assert re.findall(r'id="pinned-(\d+)"', area) == [str(recent.id), str(old.id)]
    assert "Hidden and pinned" not in html
    # The old one is only in the pinned area; the recent one stays in its place too.
    assert old.id not in shown_ids(html) and recent.id in shown_ids(html)
    item = html[html.index(f'id="message-{recent.id}"'):]
    assert ">Pinned</strong>" in item[:item.index("</li>")]
    # Nothing pinned: no area.
    for message in (old, recent):
        message.pinned = False
    db.session.commit()
    assert 'id="wall-pinned" aria-labelledby="wall-pinned-title" hidden' in \
        client.get("/wall/").get_data(as_text=True)


# --- One time format -------------------------------------------------------------------

@pytest.mark.parametrize(("at", "now", "shown"), [
    # Winter (GMT): UK time is UTC.
    (datetime(2026, 11, 30, 8, 15, tzinfo=UTC), datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
     "08:15"),
    (datetime(2026, 11, 26, 8, 15, tzinfo=UTC), datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
     "Thu 26 Nov, 08:15"),
    # Summer (BST): an hour ahead; 23:30 UTC is already tomorrow in the UK.
    (datetime(2026, 6, 30, 7, 15, tzinfo=UTC), datetime(2026, 6, 30, 12, 0, tzinfo=UTC),
     "08:15"),
    (datetime(2026, 6, 29, 23, 30, tzinfo=UTC), datetime(2026, 6, 30, 12, 0, tzinfo=UTC),
     "00:30"),
    (datetime(2026, 6, 29, 22, 30, tzinfo=UTC), datetime(2026, 6, 30, 12, 0, tzinfo=UTC),
     "Mon 29 Jun, 23:30"),
    (datetime(2026, 9, 3, 9, 5, tzinfo=UTC), datetime(2026, 9, 30, 12, 0, tzinfo=UTC),
     "Thu 3 Sep, 10:05"),
    # Another year says which.
    (datetime(2025, 12, 31, 20, 0, tzinfo=UTC), datetime(2026, 1, 2, 10, 0, tzinfo=UTC),
     "Wed 31 Dec 2025, 20:00"),
])
def test_one_time_format(at, now, shown):
    assert message_time(at, now) == shown


def test_when_the_wall_opens_in_words():
    now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # Monday evening
    assert opening_words(datetime(2026, 11, 30, 21, 0, tzinfo=UTC), now) == "today at 21:00"
    assert opening_words(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), now) == \
        "tomorrow, Tuesday 1 December, at 09:00"
    assert opening_words(datetime(2026, 12, 3, 9, 0, tzinfo=UTC), now) == \
        "on Thursday 3 December at 09:00"


def test_the_page_writes_times_in_the_one_format(client, people, open_clock):
    post(people["member"], "from friday", at=open_clock.now - timedelta(days=3))
    post(people["member"], "from this morning", at=open_clock.now - timedelta(minutes=5))
    sign_in(client, "ash")
    seen = text(client.get("/wall/"))
    assert "robin Fri 27 Nov, 10:00 from friday" in seen
    assert "robin 09:55 from this morning" in seen


# --- Actions: one menu per message ------------------------------------------------------

def test_the_team_has_one_actions_menu_per_message_without_javascript(
        app, client, people, open_clock, wall_client):
    messages = session_of([people["member"], people["peer"]], 3, open_clock.now)
    sign_in(client, "robin")
    assert "wall-actions" not in without_templates(client.get("/wall/").get_data(as_text=True))

    team = app.test_client()
    sign_in(team, "sam_peer")
    html = team.get("/wall/").get_data(as_text=True)
    assert html.count('<details class="wall-actions">') == 3
    assert "Actions<span class=\"nhsuk-u-visually-hidden\"> for the message from robin, " \
        "10:00</span>" in html
    # A peer supporter's own message has no "Warn or mute".
    assert html.count("Warn or mute") == 2

    watcher = wall_client("ash")
    watcher.received()
    target = messages[0]
    response = submit(team, f"/wall/messages/{target.id}/moderate", {"action": "pin"},
                      page="/wall/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/wall/#message-{target.id}"
    (update,) = watcher.events("update")
    assert update["pinned"] is True and update["body"] == target.body
    assert f'id="pinned-{target.id}"' in team.get("/wall/").get_data(as_text=True)
    response = submit(team, f"/wall/messages/{target.id}/moderate",
                      {"action": "hide", "before": str(messages[-1].id + 1)}, page="/wall/")
    assert response.headers["Location"] == f"/wall/earlier?before={messages[-1].id + 1}"
    (update,) = watcher.events("update")
    assert update == {"id": target.id, "hidden": True, "seq": update["seq"]}
    assert "Hidden: the message is no longer on the Wall." in text(team.get("/wall/"))
    assert target.id not in shown_ids(client.get("/wall/").get_data(as_text=True))
    actions = db.session.scalars(sa.select(ModerationAction.action).where(
        ModerationAction.subject_type == "wall_message")).all()
    assert actions == ["wall_message_pin", "wall_message_hide"]
    # Hidden already: said plainly, nothing changes.
    again = submit(team, f"/wall/messages/{target.id}/moderate", {"action": "hide"},
                   page="/wall/", follow_redirects=True)
    assert "That message is already hidden." in text(again)
    # Members may not; an unknown action is a bad request.
    assert submit(client, f"/wall/messages/{messages[1].id}/moderate", {"action": "hide"},
                  page="/wall/").status_code == 403
    assert submit(team, f"/wall/messages/{messages[1].id}/moderate", {"action": "delete"},
                  page="/wall/").status_code == 400
    assert submit(team, f"/wall/messages/{messages[1].id}/moderate", {"action": "unhide"},
                  page="/wall/").status_code == 400


# --- Open or closed --------------------------------------------------------------------

def test_a_closed_wall_has_no_message_box_and_says_what_to_do_meanwhile(
        app, client, people, open_clock):
    post(people["member"], "earlier today", at=open_clock.now - timedelta(hours=1))
    open_clock.now = open_clock.now.replace(hour=20)  # Monday evening
    sign_in(client, "robin")
    html = client.get("/wall/").get_data(as_text=True)
    page = without_templates(html)
    assert "<textarea" not in page and ">Post<" not in page
    closed = page[page.index('id="wall-closed"'):]
    closed = closed[:closed.index("</section>")]
    assert 'aria-labelledby="wall-closed-title">' in closed  # not hidden
    assert "It opens again tomorrow, Tuesday 1 December, at 09:00." in closed
    assert 'href="/forums/"' in closed and 'href="/ask-the-team/"' in closed
    assert 'href="/help/urgent"' in closed
    assert "To post, please turn on JavaScript" not in page
    assert "earlier today" in text(client.get("/wall/"))  # still readable
    # Ask the team is for members and carers, not the team itself.
    team = app.test_client()
    sign_in(team, "sam_peer")
    team_page = without_templates(team.get("/wall/").get_data(as_text=True))
    assert 'href="/ask-the-team/"' not in team_page[team_page.index('id="wall-closed"'):]
    # Open: the closed panel is hidden, ready for the moment it closes.
    open_clock.now = open_clock.now.replace(hour=10)
    opened = client.get("/wall/").get_data(as_text=True)
    assert 'id="wall-closed" aria-labelledby="wall-closed-title" hidden' in opened
    assert "To post, please turn on JavaScript" in text(client.get("/wall/"))
