"""Watched words, the moderation queue and the audit log, shared by every area."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.accounts import User
from sharon.models.base import UTCDateTime, utcnow


class WordAction(StrEnum):
    FLAG = "flag"    # published; a risk flag goes to the queue
    HOLD = "hold"    # waits for a moderator's approval
    BLOCK = "block"  # refused


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class WatchFamily(db.Model):
    """A family of watched terms (intent, self-harm, farewells…): what happens when one of
    its terms matches, and how urgent it is. Its terms copy its action."""

    __tablename__ = "watch_families"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(100))
    description: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    action: so.Mapped[str] = so.mapped_column(sa.String(10))
    level: so.Mapped[str] = so.mapped_column(sa.String(10), default=RiskLevel.MEDIUM)
    is_risk: so.Mapped[bool] = so.mapped_column(default=True)
    # Shown to the author when a term of a blocking family refuses their words.
    message: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)

    words: so.Mapped[list[WatchedWord]] = so.relationship(
        back_populates="family", order_by="WatchedWord.term_key")
    examples: so.Mapped[list[WatchExample]] = so.relationship(
        back_populates="family", order_by="WatchExample.id", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("action IN ('flag','hold','block')", name="action_known"),
        sa.CheckConstraint("level IN ('low','medium','high')", name="level_known"),
    )


class WatchExample(db.Model):
    """An example sentence of a family, for the meaning check (which only ever flags)."""

    __tablename__ = "watch_examples"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    family_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("watch_families.id", ondelete="CASCADE"))
    sentence: so.Mapped[str] = so.mapped_column(sa.String(300))
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    family: so.Mapped[WatchFamily] = so.relationship(back_populates="examples")


class WatchedWord(db.Model):
    __tablename__ = "watched_words"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # In the term language of sharon/watchwords.py ("cut+ myself", "want+ ... die").
    term: so.Mapped[str] = so.mapped_column(sa.String(500))
    term_key: so.Mapped[str] = so.mapped_column(sa.String(500), unique=True)
    family_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("watch_families.id", ondelete="CASCADE"))
    action: so.Mapped[str] = so.mapped_column(sa.String(10))
    # A risk term shows the author crisis contacts straight away.
    is_risk: so.Mapped[bool] = so.mapped_column(default=False)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    family: so.Mapped[WatchFamily | None] = so.relationship(back_populates="words")

    __table_args__ = (
        sa.CheckConstraint("action IN ('flag','hold','block')", name="action_known"),
    )


class ItemKind(StrEnum):
    REPORT = "report"        # a person reported it
    RISK = "risk"            # a watched risk word matched
    HELD = "held"            # waiting for approval (watched word, pre-moderation, no one on duty)


class Level(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


LEVEL_ORDER = {Level.URGENT: 0, Level.HIGH: 1, Level.NORMAL: 2}


class ModerationItem(db.Model):
    """One thing in the moderation queue. `subject_type` names the area: post, wall_message…"""

    __tablename__ = "moderation_items"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    level: so.Mapped[str] = so.mapped_column(sa.String(10), default=Level.NORMAL)
    # 0 urgent, 1 high, 2 normal: sorts the queue without a CASE expression.
    priority: so.Mapped[int] = so.mapped_column(default=2)
    subject_type: so.Mapped[str] = so.mapped_column(sa.String(30))
    subject_id: so.Mapped[int] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    detail: so.Mapped[str] = so.mapped_column(sa.String(1000), default="")
    excerpt: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    reporter_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    subject_author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    handled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    handled_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    outcome: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    reporter: so.Mapped[User | None] = so.relationship(foreign_keys=[reporter_id])
    subject_author: so.Mapped[User | None] = so.relationship(foreign_keys=[subject_author_id])
    handled_by: so.Mapped[User | None] = so.relationship(foreign_keys=[handled_by_id])

    __table_args__ = (
        sa.Index("ix_moderation_items_open", "handled_at", "priority", "created_at"),
        sa.Index("ix_moderation_items_subject", "subject_type", "subject_id"),
    )


class ModerationAction(db.Model):
    """Append-only audit log: who did what to what, when and why. Never updated or deleted."""

    __tablename__ = "moderation_actions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    subject_type: so.Mapped[str] = so.mapped_column(sa.String(30))
    subject_id: so.Mapped[int] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    detail: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    actor: so.Mapped[User | None] = so.relationship()

    __table_args__ = (
        sa.Index("ix_moderation_actions_subject", "subject_type", "subject_id"),
    )
