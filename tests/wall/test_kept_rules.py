"""Office hours and watched words are kept by each worker for a few seconds (rules_cache),
since every message asks: a change made on this worker counts at once, one made on
another worker within seconds, and each message is still checked against its own time."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from sharon import rules_cache, safety
from sharon.extensions import db
from sharon.models import WallClosure, WallMessage, WatchedWord
from sharon.wall import events, hours
from tests.helpers import sign_in, submit


def _bodies() -> list[str]:
    return list(db.session.scalars(sa.select(WallMessage.body).order_by(WallMessage.id)))


def _closure_from_another_worker(day: date) -> None:
    """Written as another process would: through no session of this app's."""
    with db.engine.begin() as conn:
        conn.execute(sa.insert(WallClosure.__table__).values(
            starts_on=day, ends_on=day, reason="Snow day"))


def test_a_closure_added_by_staff_refuses_the_very_next_message(
        client, people, open_clock, wall_client):
    robin = wall_client("robin")
    assert robin.emit("send", {"body": "before the closure"})["ok"]  # the hours are now kept
    sign_in(client, "dr_lee")
    response = submit(client, "/wall/sessions", {
        "closure-starts_on": "2026-11-30", "closure-ends_on": "2026-11-30",
        "closure-reason": "Staff training"}, follow_redirects=True)
    assert "Closure added" in response.get_data(as_text=True)
    ack = robin.emit("send", {"body": "after the closure"})
    assert ack["ok"] is False and ack["error"] == "closed"
    assert _bodies() == ["before the closure"]


def test_taking_away_every_weekly_hour_closes_the_wall_at_once(
        client, people, make_user, open_clock, wall_client):
    make_user(username="boss", role="admin")
    robin = wall_client("robin")
    assert robin.emit("send", {"body": "while it is open"})["ok"]
    sign_in(client, "boss")
    blank = {f"days-{day}-{edge}": "" for day in range(7) for edge in ("opens", "closes")}
    response = submit(client, "/wall/hours", blank, follow_redirects=True)
    assert "the Wall has no weekly hours now" in response.get_data(as_text=True)
    ack = robin.emit("send", {"body": "after the hours went"})
    assert ack["ok"] is False and ack["error"] == "closed"


def test_a_watched_word_added_on_the_page_applies_to_the_next_message(
        client, people, open_clock, wall_client):
    robin = wall_client("robin")
    assert robin.emit("send", {"body": "I feel wobbly today"})["ok"]  # the words are kept
    sign_in(client, "dr_lee")
    submit(client, "/moderation/words", {"term": "wobbly", "action": "block"})
    ack = robin.emit("send", {"body": "still wobbly"})
    assert ack["ok"] is False and ack["error"] == "blocked"
    assert _bodies() == ["I feel wobbly today"]


def test_a_watched_word_removed_on_the_page_stops_applying_at_once(
        client, people, open_clock, wall_client):
    sign_in(client, "dr_lee")
    submit(client, "/moderation/words", {"term": "wobbly", "action": "block"})
    robin = wall_client("robin")
    assert robin.emit("send", {"body": "wobbly"})["error"] == "blocked"  # the words are kept
    wobbly = sa.select(WatchedWord).where(WatchedWord.term_key == "wobbly")
    word = db.session.scalar(wobbly)
    submit(client, f"/moderation/words/{word.id}/remove", {}, page="/moderation/words")
    assert db.session.scalar(wobbly) is None
    assert robin.emit("send", {"body": "wobbly"})["ok"]


def test_words_changed_in_bulk_or_not_yet_flushed_count_in_this_worker(app, open_clock):
    assert safety.check("so wobbly").allowed  # the words are kept
    db.session.add(WatchedWord(term="wobbly", term_key="wobbly", action="block"))
    assert safety.check("so wobbly").action == "block"  # pending: flushed, as a query would
    db.session.commit()
    assert safety.check("so wobbly").action == "block"
    db.session.execute(sa.update(WatchedWord).values(action="flag"))
    assert safety.check("so wobbly").action == "flag"
    db.session.commit()
    db.session.execute(sa.delete(WatchedWord))
    db.session.commit()
    assert safety.check("so wobbly").allowed and not safety.check("so wobbly").matched


def test_the_wall_still_closes_on_the_second(people, open_clock, wall_client):
    open_clock.now = open_clock.now.replace(hour=16, minute=59, second=59)
    robin = wall_client("robin")
    assert robin.emit("send", {"body": "just in time"})["ok"]
    open_clock.advance(seconds=1)  # 17:00 in London: closing time
    ack = robin.emit("send", {"body": "one second late"})
    assert ack["ok"] is False and ack["error"] == "closed"


def test_a_closure_from_another_worker_counts_within_seconds(
        people, open_clock, wall_client, monkeypatch):
    robin = wall_client("robin")
    assert robin.emit("send", {"body": "first"})["ok"]
    _closure_from_another_worker(date(2026, 11, 30))
    later = rules_cache._monotonic() + rules_cache.TTL_SECONDS + 0.1
    monkeypatch.setattr(rules_cache, "_monotonic", lambda: later)
    ack = robin.emit("send", {"body": "second"})
    assert ack["ok"] is False and ack["error"] == "closed"


def test_the_watcher_reads_the_hours_afresh_and_keeps_them(app, people, open_clock, wall_client):
    robin = wall_client("robin")
    watcher = events.Watcher(app)
    watcher.tick()
    robin.received()
    _closure_from_another_worker(date(2026, 11, 30))
    watcher.tick()
    (status,) = robin.events("status")
    assert status["open"] is False
    ack = robin.emit("send", {"body": "too late"})
    assert ack["ok"] is False and ack["error"] == "closed"


def test_a_change_counts_for_its_own_session_before_commit_and_not_after_rollback(
        app, people, open_clock):
    assert hours.current().open
    hours.do_add_closure(people["clinician"], date(2026, 11, 30), date(2026, 11, 30), "Snow")
    assert not hours.current().open  # flushed, not yet committed: its author sees it
    db.session.rollback()
    assert hours.current().open
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallClosure)) == 0


def test_a_new_day_reads_the_hours_again(people, open_clock, wall_client):
    robin = wall_client("robin")
    assert robin.emit("send", {"body": "monday"})["ok"]
    _closure_from_another_worker(date(2026, 12, 1))
    open_clock.advance(days=1)  # Tuesday 10:00: a new London day, so read again
    ack = robin.emit("send", {"body": "tuesday"})
    assert ack["ok"] is False and ack["error"] == "closed"


def test_every_table_a_kept_rule_reads_exists():
    assert rules_cache.tables() and rules_cache.tables() <= set(db.metadata.tables)
