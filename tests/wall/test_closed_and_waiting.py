"""Closed hours are honest and safe, and a held message stays on its author's screen."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ModerationItem, WallMessage, WallSession
from sharon.wall import duty
from tests.helpers import sign_in, text


def close_the_wall(clock) -> None:  # type: ignore[no-untyped-def]
    clock.now = clock.now.replace(hour=20)  # Monday evening: closed until Tuesday 09:00
    duty.forget_team_watch()


def test_words_of_risk_sent_to_a_closed_wall_get_crisis_contacts_and_a_queue_item(
        app, people, open_clock, wall_client):
    close_the_wall(open_clock)
    robin = wall_client("robin")
    robin.received()
    ack = robin.emit("send", {"body": "I want to end my life"})
    assert ack["ok"] is False and ack["error"] == "closed"
    (notice,) = robin.events("notice")
    assert notice["kind"] == "crisis"
    assert "Samaritans" in repr(notice["contacts"])
    assert "when the Wall next opens, on Tuesday 1 December at 09:00" in notice["message"]
    item = db.session.scalar(sa.select(ModerationItem))
    assert item.subject_type == "refused_wall_message" and item.level == "urgent"
    assert item.excerpt == "I want to end my life"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == 0


def test_an_ordinary_message_to_a_closed_wall_is_only_refused(app, people, open_clock,
                                                              wall_client):
    close_the_wall(open_clock)
    robin = wall_client("robin")
    robin.received()
    assert robin.emit("send", {"body": "hello, anyone about?"})["error"] == "closed"
    assert robin.events("notice") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationItem)) == 0


def test_forum_pages_say_when_the_team_is_next_watching(client, app, people, open_clock,
                                                        wall_client):
    close_the_wall(open_clock)
    sign_in(client, "robin")
    assert ("Nobody from the moderating team is watching live just now: the Wall next opens "
            "on Tuesday 1 December at 09:00.") in text(client.get("/forums/"))
    open_clock.now = open_clock.now.replace(hour=10)
    duty.forget_team_watch()
    assert "nobody from the moderating team is on duty just now" in text(
        client.get("/forums/"))
    sam = wall_client("sam_peer")
    assert sam.emit("duty", {"on": True})["ok"]
    duty.forget_team_watch()
    assert "Someone from the moderating team is watching live on the Wall now." in text(
        client.get("/forums/"))


def test_a_risky_forum_post_out_of_hours_says_when_the_team_will_see_it(
        client, app, people, open_clock):
    from tests.forums.conftest import make_category, new_thread

    close_the_wall(open_clock)
    space = make_category(people["member"].networks[0], "Staying well")
    sign_in(client, "robin")
    response = new_thread(client, space.id, "Tonight", "I want to end my life")
    page = text(client.get(response.headers["Location"]))
    assert "the people below can help straight away" in page
    assert "they will read what you wrote when the Wall next opens, on Tuesday 1 December" \
        in page


def test_a_held_message_stays_on_its_authors_screen_until_reviewed(app, people, open_clock,
                                                                   wall_client):
    robin = wall_client("robin")  # nobody on duty: it waits
    held = robin.emit("send", {"body": "is anyone there?"})
    assert held["status"] == "held"
    # Coming back to the Wall (another tab, a reload): still there, marked as waiting.
    page = robin.http.get("/wall/")
    assert "is anyone there?" in text(page)
    assert "Waiting for the team: only you can see this" in text(page)
    again = wall_client("robin")
    (waiting,) = again.events("waiting")
    assert waiting["id"] == held["id"] and waiting["status"] == "held"
    # Others never see it.
    ash = wall_client("ash")
    assert "is anyone there?" not in repr(ash.received())
    assert "is anyone there?" not in text(ash.http.get("/wall/"))
    # Rejected: the author is told which message.
    sam = wall_client("sam_peer")
    assert sam.emit("reject", {"id": held["id"]})["ok"]
    notices = [n for n in robin.events("notice") if n["kind"] == "rejected"]
    assert notices and notices[0]["id"] == held["id"]
    assert "is anyone there?" not in text(robin.http.get("/wall/"))


def test_an_extra_session_makes_the_line_honest_at_any_hour(app, people, open_clock):
    from datetime import timedelta

    close_the_wall(open_clock)
    db.session.add(WallSession(starts_at=open_clock.now - timedelta(minutes=1),
                               ends_at=open_clock.now + timedelta(hours=1)))
    db.session.commit()
    duty.forget_team_watch()
    assert duty.team_watch().startswith("The Wall is open")
