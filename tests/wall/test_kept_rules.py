"""Office hours and watched words are kept by each worker for a few seconds (kept rules,
sharon/infra/kept_rules.py), since every message asks: a change made on this worker counts at
once, one made on another worker within seconds, and each message is still checked
against its own time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from sharon import safety
from sharon.extensions import db
from sharon.infra import kept_rules
from sharon.models import User, WallClosure, WallMessage, WatchedWord
from sharon.moderation import words
from sharon.wall import hours
from sharon.wall.watcher import Watcher
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


def test_a_word_counts_for_its_own_session_at_once_and_for_others_after_commit(
        app, people, open_clock):
    assert safety.check("so wobbly").allowed  # the words are kept
    word = words.add(people["clinician"], "wobbly", "block", False)
    assert safety.check("so wobbly").action == "block"  # not yet committed: its author sees it
    assert _elsewhere(app, lambda: safety.check("so wobbly").allowed)  # nobody else yet
    db.session.commit()
    assert _elsewhere(app, lambda: safety.check("so wobbly").action) == "block"
    words.remove(people["clinician"], word)
    assert safety.check("so wobbly").allowed
    assert _elsewhere(app, lambda: safety.check("so wobbly").action) == "block"
    db.session.rollback()  # the removal never happened
    assert _elsewhere(app, lambda: safety.check("so wobbly").action) == "block"
    assert safety.check("so wobbly").action == "block"


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
    later = kept_rules._monotonic() + kept_rules.TTL_SECONDS + 0.1
    monkeypatch.setattr(kept_rules, "_monotonic", lambda: later)
    ack = robin.emit("send", {"body": "second"})
    assert ack["ok"] is False and ack["error"] == "closed"


def test_the_watcher_reads_the_hours_afresh_and_keeps_them(app, people, open_clock, wall_client):
    robin = wall_client("robin")
    watcher = Watcher(app)
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
    robin = wall_client("robin")  # signed in again: a session ends 12 hours after sign-in
    ack = robin.emit("send", {"body": "tuesday"})
    assert ack["ok"] is False and ack["error"] == "closed"


def _elsewhere(app: Any, read: Callable[[], Any]) -> Any:
    """Read as another request on this worker would: its own app context and session."""
    with app.app_context():
        return read()


def _calendar() -> Any:
    c = hours.load()
    return sorted(c.weekly), sorted(c.closures), sorted(c.sessions)


def _words() -> Any:
    return sorted((r.term, r.action) for r in safety.rules())


MONDAY = date(2026, 11, 30)
HOUR = timedelta(hours=1)


def _add_closure(actor: Any, clock: Any) -> Any:
    return hours.do_add_closure(actor, MONDAY, MONDAY, "Snow")


def _add_session(actor: Any, clock: Any) -> Any:
    return hours.do_add_session(actor, clock.now + HOUR, clock.now + 2 * HOUR)


# Every service that changes a kept rule: (how the rule reads, a set-up committed first,
# the change). A new such service belongs here.
CHANGES: dict[str, tuple[Callable[[], Any], Any, Callable[[Any, Any, Any], Any]]] = {
    "closure added": (_calendar, None, lambda actor, clock, _: _add_closure(actor, clock)),
    "closure removed": (_calendar, _add_closure,
                        lambda actor, _clock, made: hours.do_remove(actor, "closure", made.id)),
    "session added": (_calendar, None, lambda actor, clock, _: _add_session(actor, clock)),
    "session removed": (_calendar, _add_session,
                        lambda actor, _clock, made: hours.do_remove(actor, "session", made.id)),
    "weekly hours set": (_calendar, None, lambda actor, _clock, _: hours.do_set_weekly(
        actor, [(0, time(9), time(12))])),
    "word added": (_words, None, lambda actor, _clock, _: words.add(
        actor, "wobbly", "block", False)),
    "word removed": (_words, lambda actor, _clock: words.add(actor, "wobbly", "block", False),
                     lambda actor, _clock, made: words.remove(actor, made)),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_to_a_kept_rule_counts_at_once(app, make_user, open_clock, change):
    read, set_up, make_change = CHANGES[change]
    actor = make_user(username="boss", role="admin")
    made = set_up(actor, open_clock) if set_up else None
    db.session.commit()
    before = read()
    assert _elsewhere(app, read) == before  # kept now, for this worker
    make_change(actor, open_clock, made)
    after = read()
    assert after != before  # its own session sees the change at once...
    assert _elsewhere(app, read) == before  # ...nobody else before the commit...
    db.session.commit()
    assert _elsewhere(app, read) == after == read()  # ...and every request after it


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_rolled_back_is_kept_by_nobody(app, make_user, open_clock, change):
    read, set_up, make_change = CHANGES[change]
    actor = make_user(username="boss", role="admin")
    made = set_up(actor, open_clock) if set_up else None
    db.session.commit()
    before = read()
    make_change(actor, open_clock, made)
    assert read() != before
    db.session.rollback()
    assert read() == before and _elsewhere(app, read) == before


def test_a_read_overtaken_by_a_change_is_not_kept(app, people, open_clock):
    clinician_id = people["clinician"].id

    def add_wobbly() -> None:
        words.add(db.session.get(User, clinician_id), "wobbly", "block", False)
        db.session.commit()

    def read_while_a_change_commits() -> Any:
        rules = safety._watched_words()
        _elsewhere(app, add_wobbly)  # another request, on this worker, while this one reads
        return rules

    read = kept_rules.get(safety.WATCHED_WORDS, None, read_while_a_change_commits)
    assert "wobbly" not in {rule.term for rule in read}
    assert safety.check("so wobbly").action == "block"  # the read from before was not kept


def test_the_watcher_prepares_the_watched_words_before_the_first_message(app, caplog):
    """Compiling a few hundred terms takes 100-150 ms; the first sender must not wait."""
    from sharon import watchwords
    from sharon.wall.watcher import Watcher
    from tests.test_errors import DatabaseDown

    watchwords.matcher.cache_clear()
    with DatabaseDown(), caplog.at_level("WARNING", logger="sharon.wall.watcher"):
        Watcher(app).warm()  # the database is down at start: it says so and goes on
    assert watchwords.matcher.cache_info().currsize == 0
    assert "could not prepare the watched words" in caplog.text
    Watcher(app).warm()
    assert watchwords.matcher.cache_info().currsize == 1
    misses = watchwords.matcher.cache_info().misses
    assert safety.check("hello everyone").action == "allow"
    assert watchwords.matcher.cache_info().misses == misses  # built already
