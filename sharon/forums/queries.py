"""The forums' reading side: every page costs a fixed number of queries, whatever it shows.

Reading writes nothing but the reader's own read marker, and only when it moves on.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon import clock
from sharon.extensions import db
from sharon.forums import visibility
from sharon.models import (
    Category,
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

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20


@dataclass
class Page:
    number: int
    count: int

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def _page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def categories(user: User) -> list[Category]:
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


@dataclass
class PostView:
    post: Post
    reactions: dict[str, int]
    mine: set[str]
    muted_by: str | None


@dataclass
class ThreadView:
    thread: Thread
    posts: list[PostView]
    page: Page
    following: bool
    first_unread_number: int | None = None
    reaction_labels: dict[str, str] = field(default_factory=lambda: REACTIONS)


def _compile_muted(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)",
                      re.IGNORECASE)


def thread_view(user: User, thread: Thread, page: int) -> ThreadView:
    where = [Post.thread_id == thread.id, visibility.post_clause(user)]
    # One round trip for the reader's own state: how many posts they may see, whether
    # they follow the thread, how far they have read, and the words they have muted.
    state = db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(Post).where(*where).scalar_subquery(),
        sa.select(sa.literal(1)).where(ThreadFollow.user_id == user.id,
                                       ThreadFollow.thread_id == thread.id)
        .scalar_subquery(),
        sa.select(ThreadRead.last_read_number).where(ThreadRead.user_id == user.id,
                                                     ThreadRead.thread_id == thread.id)
        .scalar_subquery(),
    )).one()
    total, following, read_up_to = state[0], state[1] is not None, state[2]
    pages = _page_count(total, POSTS_PER_PAGE)
    page = min(max(1, page), pages)
    posts = list(db.session.scalars(
        sa.select(Post).options(so.joinedload(Post.author)).where(*where)
        .order_by(Post.number).limit(POSTS_PER_PAGE).offset((page - 1) * POSTS_PER_PAGE)))
    ids = [p.id for p in posts]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, set[str]] = defaultdict(set)
    if ids:
        reacted = sa.func.max(sa.case((Reaction.user_id == user.id, 1), else_=0))
        for post_id, kind, n, by_me in db.session.execute(
                sa.select(Reaction.post_id, Reaction.kind, sa.func.count(), reacted)
                .where(Reaction.post_id.in_(ids)).group_by(Reaction.post_id, Reaction.kind)):
            counts[post_id][kind] = n
            if by_me:
                mine[post_id].add(kind)
    muted = _compile_muted(list(db.session.scalars(
        sa.select(MutedWord.term).where(MutedWord.user_id == user.id))))
    views = []
    for post in posts:
        hit = muted.search(post.body_text) if muted and post.author_id != user.id else None
        views.append(PostView(post, counts[post.id], mine[post.id],
                              hit.group(0) if hit else None))
    _advance_read_marker(user, thread, read_up_to,
                         max((p.number for p in posts), default=0))
    return ThreadView(thread, views, Page(page, pages), following)


def _advance_read_marker(user: User, thread: Thread, read_up_to: int | None,
                         seen_up_to: int) -> None:
    """One cheap row per reader and thread, written only when they have read further.

    It is written on its own short connection, so the page's objects are not expired
    by a commit (which would cost a query per post to render).
    """
    if seen_up_to <= 0 or (read_up_to is not None and read_up_to >= seen_up_to):
        return
    with db.engine.begin() as conn:
        if read_up_to is None:
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(ThreadRead).values(
                        user_id=user.id, thread_id=thread.id, last_read_number=seen_up_to))
                return
            except sa.exc.IntegrityError:
                pass  # another tab of theirs got there first: fall through to the update
        conn.execute(sa.update(ThreadRead).where(
            ThreadRead.user_id == user.id, ThreadRead.thread_id == thread.id,
            ThreadRead.last_read_number < seen_up_to).values(last_read_number=seen_up_to))


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
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(
        Post.thread_id == thread.id, visibility.post_clause(user), Post.number < number))
    return before // POSTS_PER_PAGE + 1


def revisions(post: Post) -> list[PostRevision]:
    return list(db.session.scalars(sa.select(PostRevision).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.replaced_at.desc())))


def _notifications_visible(user: User) -> list[sa.ColumnElement[bool]]:
    """Notifications about threads the person can no longer see (moved, hidden, network
    left) disappear with their access."""
    visible = sa.select(Thread.id).join(Category, Category.id == Thread.category_id).where(
        visibility.category_clause(user), visibility.thread_clause(user))
    return [Notification.user_id == user.id, Notification.thread_id.in_(visible)]


def unread_notifications(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        *_notifications_visible(user), Notification.read_at.is_(None)))


def notifications(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(
        sa.select(Notification)
        .options(so.joinedload(Notification.actor), so.joinedload(Notification.thread))
        .where(*_notifications_visible(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def notification_for(user: User, notification_id: int) -> Notification | None:
    return db.session.scalar(sa.select(Notification).where(
        *_notifications_visible(user), Notification.id == notification_id))


def mark_notifications_read(user: User, notification_id: int | None = None) -> None:
    stmt = sa.update(Notification).where(Notification.user_id == user.id,
                                         Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    db.session.execute(stmt.values(read_at=clock.now())
                       .execution_options(synchronize_session=False))
