"""The forums' reading side: every page costs a fixed number of queries, whatever it shows.

Reading writes nothing but the reader's own read marker, and only when it moves on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from sharon.extensions import db
from sharon.forums import visibility
from sharon.infra import clock, keyset, prepared, templating
from sharon.models import (
    Category,
    Conversation,
    MutedWord,
    Notification,
    PageVersion,
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


THREAD_KEY = (bool, datetime, int)  # pinned, last_activity_at, id: a category page's token


def thread_listing(user: User, category: Category,
                   cursor: keyset.Cursor) -> keyset.Window[ThreadRow]:
    """One page of a category's threads this person may read, pinned first, then the
    most recently active: by keyset on ix_threads_listing, so the last page costs what
    the first does (no count, no OFFSET)."""
    stmt = (sa.select(Thread)
            .options(so.joinedload(Thread.author), so.joinedload(Thread.last_author))
            .where(Thread.category_id == category.id, visibility.thread_clause(user)))
    window = keyset.keyset_window(
        lambda s: db.session.scalars(s).all(), stmt,
        [Thread.pinned, Thread.last_activity_at, Thread.id],
        lambda t: (t.pinned, t.last_activity_at, t.id), "category", cursor, THREADS_PER_PAGE)
    threads = window.items
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
    return keyset.Window(rows, window.newer, window.older)


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
    thread: Thread | ThreadHead
    posts: list[PostRow]
    page: Page
    following: bool
    marker_moved: bool = False  # the reader's read marker was written: commit the page


def _compile_muted(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)",
                      re.IGNORECASE)


_posts, _users, _reactions = Post.__table__, User.__table__, Reaction.__table__
_threads, _follows, _reads = Thread.__table__, ThreadFollow.__table__, ThreadRead.__table__
_muted = MutedWord.__table__
# Muted terms travel as one string: the unit separator is a control character, which
# clean_text keeps out of every term.
_TERMS_SEPARATOR = "\x1f"


def _muted_terms(user_id: sa.BindParameter[int], dialect: str) -> sa.ScalarSelect[str]:
    """The reader's muted words as one string (NULL when none), in either dialect."""
    aggregate = (sa.func.string_agg if dialect == "postgresql" else sa.func.group_concat)(
        _muted.c.term, sa.literal(_TERMS_SEPARATOR))
    return sa.select(aggregate).where(_muted.c.user_id == user_id).scalar_subquery()


def _split_terms(terms: str | None) -> list[str]:
    return sorted(terms.split(_TERMS_SEPARATOR)) if terms else []


class CategoryName(NamedTuple):
    """The part of a thread's category its page shows."""

    id: int
    name: str


class ThreadHead(NamedTuple):
    """A thread as its page shows it, read as a plain row (thread_page): loading the ORM
    object, with its category, cost ten times the statement itself. Its fields have the
    ORM names, so the page draws a Thread or a ThreadHead alike."""

    id: int
    category_id: int
    title: str
    kind: str
    content_note: str | None
    pinned: bool
    locked: bool
    hidden: bool
    held: bool
    version: int
    category: CategoryName


class ThreadPage(NamedTuple):
    """The thread a page shows, read with what its ETag is made of (thread_page)."""

    thread: ThreadHead
    people: int  # page_versions "people": authors' names and labels
    following: bool
    muted: tuple[str, ...]
    categories: int  # for the team: their "Move to category" list changes with any category


_HEAD = (_threads.c.id, _threads.c.category_id, _threads.c.title, _threads.c.kind,
         _threads.c.content_note, _threads.c.pinned, _threads.c.locked, _threads.c.hidden,
         _threads.c.held, _threads.c.version)


@cache
def _thread_page_statement(kind: visibility.Reader, audiences: tuple[str, ...],
                           dialect: str) -> sa.Select:
    """The thread with its category's name, only if this kind of reader may see it, the
    versions of all the page shows beside the posts, and the header's unread count: one
    statement, built once per kind of reader (with their audiences written in, rather
    than an expanding parameter rendered again on every request)."""
    user_id, thread_id = sa.bindparam("user_id"), sa.bindparam("thread_id")
    categories = (sa.select(sa.func.count() + sa.func.coalesce(sa.func.sum(Category.version), 0))
                  .scalar_subquery() if kind.moderator else sa.literal(0))
    return (
        sa.select(
            *_HEAD, Category.name,
            sa.select(PageVersion.version).where(PageVersion.name == "people")
            .scalar_subquery(),
            sa.exists().where(_follows.c.user_id == user_id, _follows.c.thread_id == Thread.id),
            _muted_terms(user_id, dialect),
            categories,
            # The header's unread count, the same statement as on every page.
            _unread_statement(kind, audiences).scalar_subquery())
        .select_from(_threads.join(Category.__table__, Category.id == _threads.c.category_id))
        .where(Thread.id == thread_id,
               visibility.category_rule(kind, user_id, list(audiences)),
               visibility.thread_rule(kind.moderator, user_id)))


@cache
def _category_versions_statement() -> sa.Select:
    """What a category page shows beside its threads' rows: authors' names and labels,
    and how far this reader has read each of its threads ("New posts")."""
    user_id, category_id = sa.bindparam("user_id"), sa.bindparam("category_id")
    reads = (sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(_reads.c.last_read_number), 0))
             .select_from(_reads.join(_threads, _threads.c.id == _reads.c.thread_id))
             .where(_reads.c.user_id == user_id, _threads.c.category_id == category_id)
             .subquery())
    return sa.select(sa.select(PageVersion.version).where(PageVersion.name == "people")
                     .scalar_subquery(), reads)


def category_versions(user: User, category: Category) -> tuple[int, ...]:
    """The versions a category page's ETag needs beside category.version: one statement."""
    return tuple(db.session.connection().execute(
        _category_versions_statement(), {"user_id": user.id, "category_id": category.id}).one())


def thread_page(user: User, thread_id: int) -> ThreadPage | None:
    """The thread for its page, if this person may read it (the same rules as
    services.thread_for, in SQL), with the versions its ETag needs and the header's
    unread count: one statement, as a plain row."""
    conn = db.session.connection()
    stmt = _thread_page_statement(visibility.reader(user),
                                  tuple(visibility.audiences_for(user)), conn.dialect.name)
    row = prepared.execute(conn, stmt, {"user_id": user.id, "thread_id": thread_id}
                           ).one_or_none()
    if row is None:
        return None
    width = len(_HEAD)
    head = ThreadHead(*row[:width], category=CategoryName(row[1], row[width]))
    people, following, muted, categories, unread = row[width + 1:]
    templating.know_unread(unread)
    return ThreadPage(head, people or 0, bool(following), tuple(_split_terms(muted)),
                      categories or 0)


@cache
def _thread_statement(moderator: bool, dialect: str) -> sa.Select:
    """The thread page's one statement, built once: the reader's state (how many posts
    they may see, whether they follow the thread, how far they have read, their muted
    words), the page of posts with their authors, and each post's reactions (counts,
    and which this reader pressed), as one row per post (one row with no post when the
    page is empty).

    Plain Core rows, not ORM objects, and no statement built per request: this page is
    the forum's busiest, and building and loading cost far more than the SQL itself.
    The page number is clamped in SQL, so an out-of-range page shows the last one.
    """
    user_id, thread_id = sa.bindparam("user_id"), sa.bindparam("thread_id")
    where = [_posts.c.thread_id == thread_id, visibility.post_rule(moderator, user_id)]
    total = sa.select(sa.func.count()).select_from(_posts).where(*where).scalar_subquery()
    state = sa.select(
        total.label("total"),
        sa.select(sa.literal(1)).where(_follows.c.user_id == user_id,
                                       _follows.c.thread_id == thread_id)
        .scalar_subquery().label("following"),
        sa.select(_reads.c.last_read_number).where(_reads.c.user_id == user_id,
                                                   _reads.c.thread_id == thread_id)
        .scalar_subquery().label("read_up_to"),
        _muted_terms(user_id, dialect).label("muted"),
    ).cte("state")
    pages = sa.case((state.c.total == 0, 1),
                    else_=(state.c.total + POSTS_PER_PAGE - 1) // POSTS_PER_PAGE)
    wanted = sa.bindparam("page", type_=sa.Integer)
    number = sa.case((wanted < 1, 1), (wanted > pages, pages), else_=wanted)
    page_number = sa.select(number).scalar_subquery()
    posts = (
        sa.select(_posts.c.id, _posts.c.number, _posts.c.status, _posts.c.status_reason,
                  _posts.c.body_html, _posts.c.body_text, _posts.c.content_note,
                  _posts.c.created_at, _posts.c.edited_at, _posts.c.author_id,
                  _users.c.username, _users.c.role)
        .select_from(_posts.outerjoin(_users, _users.c.id == _posts.c.author_id))
        .where(*where).order_by(_posts.c.number)
        .limit(POSTS_PER_PAGE).offset((page_number - 1) * POSTS_PER_PAGE)).cte("page")
    kinds = []
    for kind in REACTIONS:
        kinds += [sa.func.sum(sa.case((_reactions.c.kind == kind, 1), else_=0)),
                  sa.func.max(sa.case((sa.and_(_reactions.c.kind == kind,
                                               _reactions.c.user_id == user_id), 1), else_=0))]
    reactions = (sa.select(_reactions.c.post_id, *kinds)
                 .where(_reactions.c.post_id.in_(sa.select(posts.c.id)))
                 .group_by(_reactions.c.post_id)).cte("counts")
    # The body's text only when the reader has muted words, and only of others' posts.
    text = sa.case((sa.and_(state.c.muted.is_not(None),
                            sa.or_(posts.c.author_id.is_(None), posts.c.author_id != user_id)),
                    posts.c.body_text))
    return (
        sa.select(state.c.total, state.c.following, state.c.read_up_to, state.c.muted,
                  page_number.label("page"), posts.c.id, posts.c.number, posts.c.status,
                  posts.c.status_reason, posts.c.body_html, posts.c.content_note,
                  posts.c.created_at, posts.c.edited_at, posts.c.author_id,
                  posts.c.username, posts.c.role, text.label("text"),
                  *[c for c in reactions.c if c.name != "post_id"])
        .select_from(state.outerjoin(posts, sa.true())
                     .outerjoin(reactions, reactions.c.post_id == posts.c.id))
        .order_by(posts.c.number))


def thread_view(user: User, thread: Thread | ThreadHead, page: int) -> ThreadView:
    """One page of a thread as this reader sees it: one statement, whatever it shows."""
    is_mod = can(user, Action.MODERATE)
    conn = db.session.connection()
    rows = prepared.execute(conn, _thread_statement(is_mod, conn.dialect.name),
                            {"user_id": user.id, "thread_id": thread.id, "page": page}).all()
    first = rows[0]
    pages = _page_count(first.total, POSTS_PER_PAGE)
    muted = _compile_muted(_split_terms(first.muted))
    width = 17  # the columns before the reactions' (see _thread_statement)
    posts = []
    for row in rows:
        if row.id is None:  # no post on this page: the reader's state only
            continue
        reacted = row[width:]
        hit = muted.search(row.text) if muted and row.text else None
        posts.append(PostRow(row, tuple(int(n or 0) for n in reacted[0::2]),
                             tuple(bool(p) for p in reacted[1::2]),
                             hit.group(0) if hit else None))
    moved = _advance_read_marker(user, thread, first.read_up_to,
                                 max((p.row.number for p in posts), default=0))
    return ThreadView(thread, posts, Page(first.page, pages), first.following is not None,
                      moved)


def _advance_read_marker(user: User, thread: Thread | ThreadHead, read_up_to: int | None,
                         seen_up_to: int) -> bool:
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
        return False
    conn = db.session.connection()
    conn.execute(_read_marker_statement(conn.dialect.name),
                 {"user_id": user.id, "thread_id": thread.id, "seen": seen_up_to})
    return True


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
    # A reply from the team (Ask the team) is about the person's own conversation, and the
    # end of a sanction about the person: theirs while it exists, and goes with it (ON
    # DELETE CASCADE).
    return [Notification.user_id == user.id,
            sa.or_(Notification.thread_id.in_(visible), Notification.conversation_id.is_not(None),
                   Notification.sanction_id.is_not(None))]


@cache
def _unread_statement(kind: visibility.Reader, audiences: tuple[str, ...]) -> sa.Select:
    """Built once per kind of reader and their audiences (written in: an expanding
    parameter is rendered again on every run): it runs on every signed-in page, for the
    header."""
    user_id = sa.bindparam("user_id")
    about_threads = (
        sa.select(sa.func.count()).select_from(Notification)
        .join(Thread, Thread.id == Notification.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None),
               visibility.category_rule(kind, user_id, list(audiences)),
               visibility.thread_rule(kind.moderator, user_id)))
    # Replies from the team (Ask the team) and sanctions ended: still one statement, on
    # the same index.
    from_the_team = (
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None),
               sa.or_(Notification.conversation_id.is_not(None),
                      Notification.sanction_id.is_not(None))))
    return sa.select(about_threads.scalar_subquery() + from_the_team.scalar_subquery())


def unread_notifications(user: User) -> int:
    """Unread notifications about threads the person can still see (as _notifications_visible)."""
    return db.session.connection().execute(
        _unread_statement(visibility.reader(user), tuple(visibility.audiences_for(user))),
        {"user_id": user.id}).scalar_one()


NOTIFICATIONS_PER_PAGE = 50
NOTIFICATION_KEY = (datetime, int)  # created_at, id: a notifications page's token


def notifications(user: User, cursor: keyset.Cursor,
                  per_page: int = NOTIFICATIONS_PER_PAGE) -> keyset.Window[Notification]:
    """A page of this person's notifications, newest first, by keyset on
    ix_notifications_user_created."""
    return keyset.keyset_window(
        lambda s: db.session.scalars(s).all(),
        sa.select(Notification)
        .options(so.joinedload(Notification.actor), so.joinedload(Notification.thread))
        .where(*_notifications_visible(user)),
        [Notification.created_at, Notification.id], lambda n: (n.created_at, n.id),
        "notifications", cursor, per_page)


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
