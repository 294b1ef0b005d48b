"""Ask the team: private conversations between one member (or carer) and the moderating
team's shared inbox. Never messages between members."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.accounts import User
from sharon.models.base import UTCDateTime, utcnow


class Conversation(db.Model):
    """One thread between a member and the team. A queue item while it waits for the team."""

    __tablename__ = "conversations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    member_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: so.Mapped[str] = so.mapped_column(sa.String(120))
    # A team member who started it from a queue item ("member contacted"); None: the member.
    started_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_message_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # When the member last read it, for "new reply" on their list.
    member_read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    member: so.Mapped[User] = so.relationship(foreign_keys=[member_id])
    started_by: so.Mapped[User | None] = so.relationship(foreign_keys=[started_by_id])
    messages: so.Mapped[list[ConversationMessage]] = so.relationship(
        back_populates="conversation", order_by="ConversationMessage.id",
        cascade="all, delete-orphan")


class ConversationMessage(db.Model):
    __tablename__ = "conversation_messages"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    # True when written by the team (shown to the member as "the SHaRON team").
    from_team: so.Mapped[bool] = so.mapped_column(default=False)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    conversation: so.Mapped[Conversation] = so.relationship(back_populates="messages")
    author: so.Mapped[User | None] = so.relationship()
