"""Forums: categories in networks, threads, posts, reactions, follows, reads, reports."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.accounts import Network, User
from sharon.models.base import UTCDateTime, utcnow


class CategoryAudience(StrEnum):
    EVERYONE = "everyone"  # everyone in the network
    CARERS = "carers"      # carers (and the moderating team)
    TEAM = "team"          # the moderating team only


AUDIENCE_LABELS = {
    CategoryAudience.EVERYONE: "Everyone in the network",
    CategoryAudience.CARERS: "Carers only",
    CategoryAudience.TEAM: "Moderating team only",
}


class ThreadKind(StrEnum):
    SUPPORT = "support"
    WIN = "win"
    QUESTION = "question"
    CHAT = "chat"


THREAD_KIND_LABELS = {
    ThreadKind.SUPPORT: "Looking for support",
    ThreadKind.WIN: "Sharing a small win",
    ThreadKind.QUESTION: "A question",
    ThreadKind.CHAT: "Just chatting",
}


class PostStatus(StrEnum):
    VISIBLE = "visible"
    HELD = "held"        # waiting for a moderator's approval
    HIDDEN = "hidden"    # hidden by a moderator, or by three reports
    DELETED = "deleted"  # removed by the author (kept for moderators)


REACTIONS = {
    "thanks": "Thank you",
    "support": "Sending support",
    "metoo": "Me too",
    "helpful": "This helped",
}


class Category(db.Model):
    __tablename__ = "categories"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    network_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    description: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    audience: so.Mapped[str] = so.mapped_column(sa.String(10), default=CategoryAudience.EVERYONE)
    thread_count: so.Mapped[int] = so.mapped_column(default=0)
    last_activity_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Bumped by triggers on any change to the category or its threads (for ETags,
    # sharon/infra/etags.py): never written by the app.
    version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    network: so.Mapped[Network] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("audience IN ('everyone','carers','team')", name="audience_known"),
    )


class Thread(db.Model):
    __tablename__ = "threads"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    category_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("categories.id", ondelete="CASCADE"))
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(150))
    kind: so.Mapped[str] = so.mapped_column(sa.String(10), default=ThreadKind.CHAT)
    content_note: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Posts are numbered 1, 2, 3… in their thread; post_count hands out the numbers.
    post_count: so.Mapped[int] = so.mapped_column(default=0)
    # Visible replies, and the number of the last visible post (for "new posts").
    reply_count: so.Mapped[int] = so.mapped_column(default=0)
    last_number: so.Mapped[int] = so.mapped_column(default=0)
    last_author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    pinned: so.Mapped[bool] = so.mapped_column(default=False)
    locked: so.Mapped[bool] = so.mapped_column(default=False)
    hidden: so.Mapped[bool] = so.mapped_column(default=False)
    # The first post is waiting for approval: nobody else sees the thread yet.
    held: so.Mapped[bool] = so.mapped_column(default=False)
    # Set when the thread is a library resource's discussion.
    resource_id: so.Mapped[int | None] = so.mapped_column(index=True)
    # Bumped by triggers on any change to the thread, its posts or their reactions (for
    # ETags, sharon/infra/etags.py): never written by the app.
    version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    category: so.Mapped[Category] = so.relationship()
    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id])
    last_author: so.Mapped[User | None] = so.relationship(foreign_keys=[last_author_id])

    __table_args__ = (
        # The category page's order, by keyset (sharon/forums/queries.py thread_listing).
        sa.Index("ix_threads_listing", "category_id", "pinned", "last_activity_at", "id"),
    )


class Post(db.Model):
    __tablename__ = "posts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"))
    number: so.Mapped[int] = so.mapped_column()
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body_source: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    # Plain text of the body, and the thread's title on its first post: what search reads.
    body_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    search_title: so.Mapped[str] = so.mapped_column(sa.String(150), default="")
    content_note: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=PostStatus.VISIBLE)
    status_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # 1, then one more for each edit. An edit names the version it was based on, and is
    # saved only if the post is still at that version (services.edit).
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    thread: so.Mapped[Thread] = so.relationship()
    author: so.Mapped[User | None] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("thread_id", "number", name="uq_posts_thread_number"),
        sa.CheckConstraint("status IN ('visible','held','hidden','deleted')",
                           name="status_known"),
    )


class PostRevision(db.Model):
    """An earlier version of an edited post, for moderators."""

    __tablename__ = "post_revisions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body_source: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    replaced_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The post's version this text was. Unique per post: two edits can never both keep
    # the same version, so the history has each version once and skips none.
    version: so.Mapped[int] = so.mapped_column()

    __table_args__ = (
        sa.UniqueConstraint("post_id", "version", name="uq_post_revisions_post_version"),
    )


class Reaction(db.Model):
    __tablename__ = "reactions"

    post_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10), primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ThreadFollow(db.Model):
    __tablename__ = "thread_follows"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True)


class ThreadRead(db.Model):
    """How far a person has read a thread: one small row, written only when it moves on."""

    __tablename__ = "thread_reads"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    last_read_number: so.Mapped[int] = so.mapped_column(default=0)


class Notification(db.Model):
    __tablename__ = "notifications"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # reply | mention | team_reply | mute_ended | suspension_ended
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    thread_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("threads.id", ondelete="CASCADE"))
    post_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"))
    # A reply from the team in "Ask the team" (sharon/inbox).
    conversation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    # A mute or suspension that ended (sharon/sanctions/jobs.py): "You can post again".
    sanction_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("sanctions.id", ondelete="CASCADE"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    actor: so.Mapped[User | None] = so.relationship(foreign_keys=[actor_id])
    thread: so.Mapped[Thread | None] = so.relationship()

    __table_args__ = (
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        # The notifications page's order, by keyset.
        sa.Index("ix_notifications_user_created", "user_id", "created_at", "id"),
    )


class Report(db.Model):
    __tablename__ = "reports"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    reporter_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: so.Mapped[str] = so.mapped_column(sa.String(20))
    detail: so.Mapped[str] = so.mapped_column(sa.String(1000), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("post_id", "reporter_id", name="uq_reports_post_reporter"),
    )


REPORT_REASONS = {
    "risk": "I'm worried about this person's safety",
    "unkind": "It's unkind, bullying or abusive",
    "personal": "It shares personal or identifying information",
    "harmful": "It contains harmful advice or details",
    "spam": "It's spam or advertising",
    "other": "Something else",
}


class MutedWord(db.Model):
    """A word a person would rather not see: posts containing it are collapsed for them."""

    __tablename__ = "muted_words"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    term: so.Mapped[str] = so.mapped_column(sa.String(60), primary_key=True)
