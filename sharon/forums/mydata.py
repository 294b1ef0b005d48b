"""The forums' part of "my data": what a person wrote and did in the forums, and taking
their posts away when they delete their account and ask for that.

Exported: threads they started, their posts with every earlier version, reactions,
follows, how far they read, notifications, muted words and the reports they made. Not
exported: how moderators handled a report, or why a post was hidden (the team's notes).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models import (
    Category,
    MutedWord,
    Notification,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    Report,
    Thread,
    ThreadFollow,
    ThreadRead,
    User,
)
from sharon.mydata.registry import Area, Rows, batched
from sharon.mydata.registry import register as register_area

REMOVED_TITLE = "Removed by its author"
REMOVED_REASON = "removed with the author's account"


def export(user: User) -> Iterable[tuple[str, Rows]]:
    """Each kind of forum row about this person, read in batches."""
    me = user.id
    yield "threads.json", batched(
        sa.select(Thread.id, Thread.title, Thread.kind, Thread.content_note,
                  Category.name.label("space"), Thread.created_at)
        .join(Category, Category.id == Thread.category_id)
        .where(Thread.author_id == me), Thread.id)
    yield "posts.json", batched(
        sa.select(Post.id, Post.thread_id, Thread.title.label("thread_title"), Post.number,
                  Post.body_source.label("text"), Post.content_note, Post.status,
                  Post.created_at, Post.edited_at)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == me), Post.id)
    yield "post_versions.json", batched(
        sa.select(PostRevision.id, PostRevision.post_id, PostRevision.version,
                  PostRevision.body_source.label("text"), PostRevision.created_at,
                  PostRevision.replaced_at)
        .join(Post, Post.id == PostRevision.post_id)
        .where(Post.author_id == me), PostRevision.id)
    yield "reactions.json", batched(
        sa.select(Reaction.post_id, Reaction.kind, Reaction.created_at)
        .where(Reaction.user_id == me), Reaction.post_id, Reaction.kind)
    yield "follows.json", batched(
        sa.select(ThreadFollow.thread_id, Thread.title)
        .join(Thread, Thread.id == ThreadFollow.thread_id)
        .where(ThreadFollow.user_id == me), ThreadFollow.thread_id)
    yield "reading.json", batched(
        sa.select(ThreadRead.thread_id, ThreadRead.last_read_number)
        .where(ThreadRead.user_id == me), ThreadRead.thread_id)
    actor = so.aliased(User)
    yield "notifications.json", batched(
        sa.select(Notification.id, Notification.kind,
                  # The team's replies come from the team, never from one of them.
                  sa.case((Notification.kind == "team_reply", "the SHaRON team"),
                          else_=actor.username).label("from"),
                  Notification.thread_id, Notification.post_id, Notification.created_at,
                  Notification.read_at)
        .outerjoin(actor, actor.id == Notification.actor_id)
        .where(Notification.user_id == me), Notification.id)
    yield "muted_words.json", batched(
        sa.select(MutedWord.term).where(MutedWord.user_id == me), MutedWord.term)
    yield "reports_made.json", batched(
        sa.select(Report.id, Report.post_id, Report.reason, Report.detail, Report.created_at)
        .where(Report.reporter_id == me), Report.id)


def erase(user: User, keep_posts: bool) -> None:
    """Kept posts need nothing: the author becomes NULL with the account, shown as "a
    former member". Otherwise every post of theirs goes as the author's own removal
    does (sharon.forums.services.delete: it stays in its place as "removed", so replies
    keep their numbers, and a visible reply no longer counts), and its words go too:
    the text, earlier versions, and the titles of threads they started. A thread left
    with nothing visible in it is hidden. A moderation item keeps its excerpt: that is
    the team's record. Set-based SQL, so thousands of posts cost a few statements."""
    # What they wrote in their reports goes whatever they chose (the report stays, without
    # them, for the post's history; the queue item keeps its copy as the team's record).
    db.session.execute(sa.update(Report).where(Report.reporter_id == user.id)
                       .values(detail="").execution_options(synchronize_session=False))
    if keep_posts:
        return
    me = user.id
    theirs = sa.select(Post.id).where(Post.author_id == me).scalar_subquery()
    visible_replies = (
        sa.select(sa.func.count()).select_from(Post)
        .where(Post.thread_id == Thread.id, Post.author_id == me,
               Post.status == PostStatus.VISIBLE, Post.number > 1)
        .scalar_subquery())
    left = Thread.reply_count - visible_replies
    db.session.execute(
        sa.update(Thread)
        .where(Thread.id.in_(sa.select(Post.thread_id).where(
            Post.author_id == me, Post.status == PostStatus.VISIBLE, Post.number > 1)))
        .values(reply_count=sa.case((left < 0, 0), else_=left))
        .execution_options(synchronize_session=False))
    db.session.execute(sa.delete(PostRevision).where(PostRevision.post_id.in_(theirs))
                       .execution_options(synchronize_session=False))
    db.session.execute(
        sa.update(Post).where(Post.author_id == me)
        .values(status=PostStatus.DELETED, status_reason=REMOVED_REASON, body_source="",
                body_html="", body_text="", search_title="", content_note=None)
        .execution_options(synchronize_session=False))
    nothing_left = ~sa.exists().where(Post.thread_id == Thread.id,
                                      Post.status != PostStatus.DELETED)
    db.session.execute(
        sa.update(Thread).where(Thread.author_id == me)
        .values(title=REMOVED_TITLE, content_note=None,
                hidden=sa.case((nothing_left, True), else_=Thread.hidden))
        .execution_options(synchronize_session=False))


def register() -> None:
    """Join the forums to "my data" (from the app factory)."""
    register_area(Area(
        "forums",
        frozenset({"threads", "posts", "reactions", "thread_follows", "thread_reads",
                   "notifications", "reports", "muted_words"}),
        export, erase))
