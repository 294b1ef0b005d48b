"""The forums' reading side: every page costs a fixed number of queries, whatever it shows.

Reading writes nothing but the reader's own read marker, and only when it moves on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from sharon.extensions import db
from sharon.forums import visibility
from sharon.infra import clock
from sharon.models import (
    Category,
    Conversation,
    MutedWord,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Thread,
    ThreadFollow,
    ThreadRead,
    User,
)
from sharon.models.forums import REACTIONS
from sharon.permissions import Action, can

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20


@dataclass
class Page:
    number: int
    count: int

    @property
    def has_prev(self) -> bool:
        """Whether a "newer" link is shown."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Whether an "older" link is shown."""
        return self.number < self.count


def _page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def categories(user: User) -> list[Category]:
    """The categories this person may read, with their networks, in page order."""
    return list(db.session.scalars(
        sa.select(Category).options(so.joinedload(Category.network))
        .where(visibility.category_clause(user))
        .order_by(Category.network_id, Category.position, Category.name)))


@dataclass
class ThreadRow:
    thread: Thread
    unread: bool
    first_unread_number: int | None


def thread_listing(user: User, category: Category, page: int) -> tuple[list[ThreadRow], Page]:
    """One page of a category's threads this person may read, pinned first."""
    where = [Thread.category_id == category.id, visibility.thread_clause(user)]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Thread).where(*where))
    pages = _page_count(total, THREADS_PER_PAGE)
    page = min(max(1, page), pages)
    threads = list(db.session.scalars(
        sa.select(Thread)
        .options(so.joinedload(Thread.author), so.joinedload(Thread.last_author))
        .where(*where)
        .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(THREADS_PER_PAGE).offset((page - 1) * THREADS_PER_PAGE)))
    reads = dict(db.session.execute(
        sa.select(ThreadRead.thread_id, ThreadRead.last_read_number).where(
            ThreadRead.user_id == user.id, ThreadRead.thread_id.in_([t.id for t in threads]))
    ).all()) if threads else {}
    rows = []
    for thread in threads:
        read = reads.get(thread.id)
        if read is None:
            # Threads quiet since the person joined are not "new" to them.
            unread = thread.last_activity_at > user.created_at and thread.last_number > 0
            first = 1 if unread else None
        else:
            unread = thread.last_number > read
            first = read + 1 if unread else None
        rows.append(ThreadRow(thread, unread, first))
    return rows, Page(page, pages)


class PostRow(NamedTuple):
    """A post as the thread page shows it: its row (post columns, author's username and
    role), its reaction counts and which this reader pressed (REACTIONS' order), and
    the muted word it contains, if any."""

    row: sa.Row
    counts: tuple[int, ...]
    pressed: tuple[bool, ...]
    muted_by: str | None


@dataclass
class ThreadView:
    thread: Thread
    posts: list[PostRow]
    page: Page
    following: bool


def _compile_muted(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)",
                      re.IGNORECASE)


_posts, _users, _reactions = Post.__table__, User.__table__, Reaction.__table__


@cache
def _thread_statements(moderator: bool) -> tuple[sa.Select, sa.Select, sa.Select]:
    """The thread page's statements, built once: (reader's state, posts, reactions).

    Plain Core rows, not ORM objects, and no statement built per request: this page is
    the forum's busiest, and building and loading cost far more than the SQL itself.
    """
    user_id, thread_id = sa.bindparam("user_id"), sa.bindparam("thread_id")
    where = [_posts.c.thread_id == thread_id, visibility.post_rule(moderator, user_id)]
    # One round trip for the reader's own state: how many posts they may see, whether
    # they follow the thread, how far they have read, and the words they have muted.
    state = sa.select(
        sa.select(sa.func.count()).select_from(_posts).where(*where).scalar_subquery(),
        sa.select(sa.literal(1)).where(ThreadFollow.user_id == user_id,
                                       ThreadFollow.thread_id == thread_id)
        .scalar_subquery(),
        sa.select(ThreadRead.last_read_number).where(ThreadRead.user_id == user_id,
                                                     ThreadRead.thread_id == thread_id)
        .scalar_subquery(),
        sa.select(sa.func.count()).select_from(MutedWord.__table__)
        .where(MutedWord.user_id == user_id).scalar_subquery(),
    )
    posts = (
        sa.select(_posts.c.id, _posts.c.number, _posts.c.status, _posts.c.status_reason,
                  _posts.c.body_html, _posts.c.content_note, _posts.c.created_at,
                  _posts.c.edited_at, _posts.c.author_id, _users.c.username, _users.c.role)
        .select_from(_posts.outerjoin(_users, _users.c.id == _posts.c.author_id))
        .where(*where).order_by(_posts.c.number)
        .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
    reacted = sa.func.max(sa.case((_reactions.c.user_id == user_id, 1), else_=0))
    reactions = (
        sa.select(_reactions.c.post_id, _reactions.c.kind, sa.func.count(), reacted)
        .where(_reactions.c.post_id.in_(sa.bindparam("post_ids", expanding=True)))
        .group_by(_reactions.c.post_id, _reactions.c.kind))
    return state, posts, reactions


def thread_view(user: User, thread: Thread, page: int) -> ThreadView:
    """One page of a thread as this reader sees it: three small queries, whatever it
    shows (two more when the reader has muted words)."""
    is_mod = can(user, Action.MODERATE)
    state_stmt, posts_stmt, reactions_stmt = _thread_statements(is_mod)
    conn = db.session.connection()
    params = {"user_id": user.id, "thread_id": thread.id}
    total, following, read_up_to, muted_count = conn.execute(state_stmt, params).one()
    pages = _page_count(total, POSTS_PER_PAGE)
    page = min(max(1, page), pages)
    rows = conn.execute(posts_stmt, {**params, "limit": POSTS_PER_PAGE,
                                     "offset": (page - 1) * POSTS_PER_PAGE}).all()
    kinds = list(REACTIONS)
    counts: dict[int, list[int]] = {row.id: [0] * len(kinds) for row in rows}
    pressed: dict[int, list[bool]] = {row.id: [False] * len(kinds) for row in rows}
    if rows:
        for post_id, kind, n, by_me in conn.execute(
                reactions_stmt, {"user_id": user.id, "post_ids": list(counts)}):
            if kind in REACTIONS:
                counts[post_id][kinds.index(kind)] = n
                pressed[post_id][kinds.index(kind)] = bool(by_me)
    muted = None
    if muted_count:
        muted = _compile_muted(list(db.session.scalars(
            sa.select(MutedWord.term).where(MutedWord.user_id == user.id))))
        texts = dict(conn.execute(sa.select(_posts.c.id, _posts.c.body_text).where(
            _posts.c.id.in_(list(counts)))).all()) if muted and rows else {}
    posts = []
    for row in rows:
        hit = muted.search(texts.get(row.id, "")) if muted and row.author_id != user.id \
            else None
        posts.append(PostRow(row, tuple(counts[row.id]), tuple(pressed[row.id]),
                             hit.group(0) if hit else None))
    _advance_read_marker(user, thread, read_up_to, max((r.number for r in rows), default=0))
    return ThreadView(thread, posts, Page(page, pages), following is not None)


def _advance_read_marker(user: User, thread: Thread, read_up_to: int | None,
                         seen_up_to: int) -> None:
    """One cheap row per reader and thread, written only when they have read further.

    Written in the request's own transaction, on the connection its session already
    holds: a page that took a second pooled connection while holding its first let a
    crowd of readers hold every connection, each waiting for another. Written past the
    ORM, so nothing is flushed; the view commits once the page is rendered (a commit
    here would expire the page's objects, and rendering them would cost a query per
    post). One upsert whether or not the row exists, so that two tabs opening the same
    thread at once neither fail nor move the marker back.
    """
    if seen_up_to <= 0 or (read_up_to is not None and read_up_to >= seen_up_to):
        return
    conn = db.session.connection()
    conn.execute(_read_marker_statement(conn.dialect.name),
                 {"user_id": user.id, "thread_id": thread.id, "seen": seen_up_to})


@cache
def _read_marker_statement(dialect: str) -> sa.Insert:
    """INSERT … ON CONFLICT DO UPDATE, built once per dialect (both have it, alike)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ThreadRead).values(user_id=sa.bindparam("user_id"),
                                     thread_id=sa.bindparam("thread_id"),
                                     last_read_number=sa.bindparam("seen"))
    return stmt.on_conflict_do_update(
        index_elements=[ThreadRead.user_id, ThreadRead.thread_id],
        set_={"last_read_number": stmt.excluded.last_read_number},
        where=ThreadRead.last_read_number < stmt.excluded.last_read_number)


def first_unread(user: User, thread: Thread) -> tuple[int, int | None]:
    """(page, post id) of the first post this person has not read yet."""
    marker = db.session.get(ThreadRead, (user.id, thread.id))
    read = marker.last_read_number if marker else 0
    where = [Post.thread_id == thread.id, visibility.post_clause(user)]
    target = db.session.execute(
        sa.select(Post.id, Post.number).where(*where, Post.number > read)
        .order_by(Post.number).limit(1)).first()
    if target is None:  # all read: go to the last post
        target = db.session.execute(
            sa.select(Post.id, Post.number).where(*where).order_by(Post.number.desc())
            .limit(1)).first()
    if target is None:
        return 1, None
    return page_of(user, thread, target.number), target.id


def page_of(user: User, thread: Thread, number: int) -> int:
    """Which page of its thread a post is on, to link straight to it."""
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(
        Post.thread_id == thread.id, visibility.post_clause(user), Post.number < number))
    return before // POSTS_PER_PAGE + 1


def revisions(post: Post) -> list[PostRevision]:
    """A post's earlier versions, oldest first (for the team's history page)."""
    return list(db.session.scalars(sa.select(PostRevision).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.version.desc())))


def _notifications_visible(user: User) -> list[sa.ColumnElement[bool]]:
    """Notifications about threads the person can no longer see (moved, hidden, network
    left) disappear with their access."""
    visible = sa.select(Thread.id).join(Category, Category.id == Thread.category_id).where(
        visibility.category_clause(user), visibility.thread_clause(user))
    # A reply from the team (Ask the team) is about the person's own conversation: it is
    # theirs while it exists, and goes with it (ON DELETE CASCADE).
    return [Notification.user_id == user.id,
            sa.or_(Notification.thread_id.in_(visible), Notification.conversation_id.is_not(None))]


@cache
def _unread_statement(kind: visibility.Reader) -> sa.Select:
    """Built once per kind of reader: it runs on every signed-in page, for the header."""
    user_id = sa.bindparam("user_id")
    about_threads = (
        sa.select(sa.func.count()).select_from(Notification)
        .join(Thread, Thread.id == Notification.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None),
               visibility.category_rule(kind, user_id,
                                        sa.bindparam("audiences", expanding=True)),
               visibility.thread_rule(kind.moderator, user_id)))
    # Replies from the team (Ask the team): still one statement, on the same index.
    from_the_team = (
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None),
               Notification.conversation_id.is_not(None)))
    return sa.select(about_threads.scalar_subquery() + from_the_team.scalar_subquery())


def unread_notifications(user: User) -> int:
    """Unread notifications about threads the person can still see (as _notifications_visible)."""
    return db.session.connection().execute(
        _unread_statement(visibility.reader(user)),
        {"user_id": user.id, "audiences": visibility.audiences_for(user)}).scalar_one()


def notifications(user: User, limit: int = 50) -> list[Notification]:
    """This person's newest notifications."""
    return list(db.session.scalars(
        sa.select(Notification)
        .options(so.joinedload(Notification.actor), so.joinedload(Notification.thread))
        .where(*_notifications_visible(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def conversation_subjects(notifications: list[Notification]) -> dict[int, str]:
    """The subjects of the conversations the team replied in, for "The SHaRON team
    replied to your message: …" (one query, and none when there are no such replies)."""
    ids = {n.conversation_id for n in notifications if n.conversation_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Conversation.id, Conversation.subject)
                              .where(Conversation.id.in_(ids)))
    return {conversation_id: subject for conversation_id, subject in rows}


def notification_for(user: User, notification_id: int) -> Notification | None:
    """One of this person's notifications (never another's)."""
    return db.session.scalar(sa.select(Notification).where(
        *_notifications_visible(user), Notification.id == notification_id))


def mark_notifications_read(user: User, notification_id: int | None = None) -> None:
    """Mark all of this person's notifications read."""
    stmt = sa.update(Notification).where(Notification.user_id == user.id,
                                         Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    db.session.execute(stmt.values(read_at=clock.now())
                       .execution_options(synchronize_session=False))
