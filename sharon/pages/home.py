"""What the home page tells a signed-in person: is the Wall open and who is on duty, and
what is new for them. Three small queries at most (duty only while the Wall is open)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from sharon.extensions import db
from sharon.forums import visibility
from sharon.infra import clock
from sharon.infra.templating import london
from sharon.library import services as library
from sharon.models import Category, Resource, Thread, ThreadFollow, ThreadRead, User
from sharon.permissions import Action, can
from sharon.wall import duty, hours

SHOWN = 5  # threads and resources named; the rest are on their own pages
# Signing in moves last_seen_at on (sharon/auth/services.py), so on its own it would hide
# what arrived while someone was away: the library looks back at least this far.
LIBRARY_LOOKBACK = timedelta(days=14)


@dataclass(frozen=True)
class NewThread:
    id: int
    title: str
    new_replies: int


@dataclass(frozen=True)
class NewResource:
    id: int
    title: str


def wall_line(now: datetime | None = None) -> str:
    """"The Wall is open now until 17:00: on duty, sam_peer", or when it next opens."""
    now = now or clock.now()
    state = hours.current(now)
    if state.open:
        until = ""
        if state.next_change is not None:
            same_day = london(state.next_change, "%Y%m%d") == london(now, "%Y%m%d")
            until = " until " + london(state.next_change,
                                       "%H:%M" if same_day else "%A %-d %B at %H:%M")
        names = ", ".join(u.username for u in duty.on_duty(now))
        who = (f"on duty: {names}." if names else
               "nobody from the moderating team is on duty just this minute.")
        return f"The Wall is open now{until}; {who}"
    if state.next_change is None:
        return "The Wall is closed, and no opening time is set yet."
    return f"The Wall is closed; it opens on {london(state.next_change, '%A %-d %B at %H:%M')}."


def followed_with_new_replies(user: User) -> list[NewThread]:
    """Threads this person follows with replies they have not read (their read markers:
    what arrived since they last looked, however long they were away)."""
    read = sa.func.coalesce(ThreadRead.last_read_number, 0)
    rows = db.session.execute(
        sa.select(Thread.id, Thread.title, (Thread.last_number - read).label("new"))
        .join(ThreadFollow, sa.and_(ThreadFollow.thread_id == Thread.id,
                                    ThreadFollow.user_id == user.id))
        .join(Category, Category.id == Thread.category_id)
        .outerjoin(ThreadRead, sa.and_(ThreadRead.thread_id == Thread.id,
                                       ThreadRead.user_id == user.id))
        .where(Thread.last_number > read, visibility.thread_clause(user),
               visibility.category_clause(user))
        .order_by(Thread.last_activity_at.desc())
        .limit(SHOWN))
    return [NewThread(row.id, row.title, row.new) for row in rows]


def new_resources(user: User) -> list[NewResource]:
    """Library resources published for this person since their last visit, or in the
    past two weeks if that reaches further back."""
    if not can(user, Action.SAVE_RESOURCES):
        return []
    since = clock.now() - LIBRARY_LOOKBACK
    if user.last_seen_at is not None:
        since = min(since, user.last_seen_at)
    rows = db.session.execute(
        library.visible_resources(user)
        .where(library.live_clause(clock.now()), Resource.publish_at > since)
        .with_only_columns(Resource.id, Resource.title)
        .order_by(Resource.publish_at.desc())
        .limit(SHOWN))
    return [NewResource(row.id, row.title) for row in rows]
