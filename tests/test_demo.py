"""The demo a stakeholder is shown: the Wall's conversation sits inside its office hours,
and the guidelines send people to where muting really is."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.infra import clock
from sharon.models import User, WallMessage
from sharon.permissions import operator
from sharon.wall import hours
from tests.helpers import sign_in, text
from tests.test_cli import flask


def wall_messages() -> list[WallMessage]:
    return list(db.session.scalars(sa.select(WallMessage).order_by(WallMessage.created_at)))


def assert_reads_right_for_its_time(messages: list[WallMessage]) -> None:
    calendar = hours.load(fresh=True)
    assert len(messages) >= 5
    for message in messages:
        assert calendar.is_open(message.created_at), message.created_at
        assert message.created_at <= clock.now()
    # All in one open period: the Wall does not close between the first and the last.
    first, last = messages[0].created_at, messages[-1].created_at
    assert calendar.next_change(first) > last
    hour = first.astimezone(hours.LONDON).hour
    expected = "Good morning" if hour < 12 else "Good afternoon" if hour < 18 else "Good evening"
    assert messages[0].body.startswith(expected)
    assert "{" not in " ".join(m.body for m in messages)  # every blank filled in
    closes = calendar.next_change(last).astimezone(hours.LONDON)
    assert "until " + closes.strftime("%-I") in messages[0].body
    assert "closes in" in messages[-1].body


def test_seed_demo_on_a_fresh_database_puts_the_wall_inside_office_hours(database_url,
                                                                        tmp_path, app):
    result = flask(database_url, "seed-demo", media_dir=str(tmp_path / "media"))
    assert result.returncode == 0, result.stderr
    assert_reads_right_for_its_time(wall_messages())


# Monday 10:00 (the Wall open: the last whole session was Friday's), a Saturday, a Monday
# before opening, and a summer (BST) evening.
@pytest.mark.parametrize("now", [
    datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
    datetime(2026, 12, 5, 12, 0, tzinfo=UTC),
    datetime(2026, 12, 7, 7, 30, tzinfo=UTC),
    datetime(2027, 6, 16, 19, 0, tzinfo=UTC),
])
def test_the_demo_conversation_is_in_the_last_session_before_now(runner, frozen_clock, now):
    frozen_clock.now = now
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    messages = wall_messages()
    assert_reads_right_for_its_time(messages)
    # The most recent session: the Wall has not been open since the conversation.
    assert hours.load(fresh=True).next_change(messages[-1].created_at) <= now


def test_a_morning_session_says_good_morning(runner, frozen_clock):
    frozen_clock.now = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # a Tuesday afternoon
    with operator():
        hours.do_set_weekly(None, [(1, time(8, 0), time(11, 30))])
    db.session.commit()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    messages = wall_messages()
    assert_reads_right_for_its_time(messages)
    assert messages[0].body.startswith("Good morning everyone, I'm on duty until 11:30am")
    assert "wobbly start to the day" in messages[1].body


def test_no_open_hours_means_no_demo_conversation(runner, frozen_clock):
    with operator():
        hours.do_set_weekly(None, [])
    db.session.commit()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert wall_messages() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) >= 6


def test_the_guidelines_point_to_where_muting_really_is(client, make_user):
    html = client.get("/guidelines").get_data(as_text=True)
    page = text(client.get("/guidelines"))
    assert 'href="/forums/muted-words"' in html
    assert "Words you have muted" in page and "account settings" not in page
    assert "in the forums and on the Wall" in page  # what a moderator's mute stops
    # The directions are true: the forums link there, and the page is there.
    make_user(username="sam")
    sign_in(client, "sam")
    forums = client.get("/forums/").get_data(as_text=True)
    assert 'href="/forums/muted-words">Words you have muted</a>' in forums
    assert "Words you have muted" in text(client.get("/forums/muted-words"))
