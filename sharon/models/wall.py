"""The Wall: office hours, closures, extra sessions, messages and who is on duty.

Mutes are sanctions (sharon/models/sanctions.py), one ladder for the whole site."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.accounts import User
from sharon.models.base import UTCDateTime, utcnow


class WallHours(db.Model):
    """One opening period in the weekly schedule, in Europe/London wall-clock time."""

    __tablename__ = "wall_hours"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    weekday: so.Mapped[int] = so.mapped_column()  # Monday 0 … Sunday 6
    opens: so.Mapped[time] = so.mapped_column(sa.Time)
    closes: so.Mapped[time] = so.mapped_column(sa.Time)

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_known"),
        sa.CheckConstraint("opens < closes", name="opens_before_closes"),
    )


class WallClosure(db.Model):
    """Whole days (London dates, both ends included) on which the Wall stays closed."""

    __tablename__ = "wall_closures"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    starts_on: so.Mapped[date] = so.mapped_column(sa.Date)
    ends_on: so.Mapped[date] = so.mapped_column(sa.Date)
    reason: so.Mapped[str] = so.mapped_column(sa.String(200))
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    created_by: so.Mapped[User | None] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("starts_on <= ends_on", name="starts_before_ends"),
    )


class WallSession(db.Model):
    """An extra session outside (or on top of) the weekly schedule."""

    __tablename__ = "wall_sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    ends_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    note: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    created_by: so.Mapped[User | None] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
    )


class MessageStatus(StrEnum):
    VISIBLE = "visible"
    HELD = "held"          # waits for a moderator (risk word, or nobody on duty)
    HIDDEN = "hidden"      # a moderator hid it
    REJECTED = "rejected"  # a moderator turned down a held message


class WallMessage(db.Model):
    __tablename__ = "wall_messages"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # A deleted account leaves its words as "former member", as in the forums.
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    # Rendered once at write time by content.render_plain (escaped text, safe links).
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    reply_to_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("wall_messages.id", ondelete="SET NULL"))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=MessageStatus.VISIBLE)
    # Why it was held: "risk" (a watched word) or "no_one_on_duty".
    held_reason: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    pinned: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Last hide/unhide/pin/unpin/approve: lets a reconnecting client catch up on changes.
    moderated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The number of this message's latest public change (shown, approved, hidden, shown
    # again, pinned, unpinned), taken from WallStream in commit order; None while it has
    # never been public. Clients catch up by it, never by id (ids follow insert order).
    seq: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)

    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id])
    reply_to: so.Mapped[WallMessage | None] = so.relationship(remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('visible','held','hidden','rejected')",
                           name="status_known"),
        sa.Index("ix_wall_messages_status_id", "status", "id"),
        sa.Index("ix_wall_messages_author_created", "author_id", "created_at"),
        sa.Index("ix_wall_messages_seq", "seq", unique=True),
    )


class WallStream(db.Model):
    """One row: the number of the latest public change to the Wall.

    Each change takes the next number by updating this row inside its own transaction,
    so the row lock hands numbers out in commit order, and a rolled-back change gives
    its number back: clients see 1, 2, 3… with no gaps, and a gap means "missed".
    """

    __tablename__ = "wall_stream"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger)

    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)


class WallDuty(db.Model):
    """A moderator on duty. Duty ends by itself when the Wall closes (`until`)."""

    __tablename__ = "wall_duty"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    since: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    until: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    # Renewed every few seconds by the worker holding one of this moderator's Wall
    # sockets; duty counts only while it is recent, so a dead worker's moderators go
    # off duty by themselves.
    heartbeat_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship()
