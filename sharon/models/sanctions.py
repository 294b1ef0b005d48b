"""The sanctions ladder, one for the whole site: warn, mute, suspend, remove."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.accounts import User
from sharon.models.base import UTCDateTime, utcnow


class SanctionKind(StrEnum):
    WARN = "warn"        # a message the member acknowledges before posting again
    MUTE = "mute"        # no posting anywhere (forums and Wall) until ends_at
    SUSPEND = "suspend"  # no sign-in until ends_at, or until lifted (ends_at None)
    REMOVE = "remove"    # account closed

    @property
    def label(self) -> str:
        """The rung as the team and the member read it."""
        return SANCTION_LABELS[self]


SANCTION_LABELS = {
    SanctionKind.WARN: "Warning", SanctionKind.MUTE: "Muted",
    SanctionKind.SUSPEND: "Suspended", SanctionKind.REMOVE: "Account closed",
}


class Sanction(db.Model):
    """One rung of the ladder given to one person. Ends by itself at `ends_at`, or when a
    moderator lifts it (`lifted_at`); a warning ends when the member acknowledges it."""

    __tablename__ = "sanctions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    # Shown to the member in plain words.
    reason: so.Mapped[str] = so.mapped_column(sa.String(500))
    by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    ends_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    lifted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    lifted_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # When the member was told it ended (sharon/sanctions/jobs.py): once, by one worker.
    end_told_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The queue item it came from, if any (for the item's history).
    item_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("moderation_items.id", ondelete="SET NULL"))

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    by: so.Mapped[User | None] = so.relationship(foreign_keys=[by_id])
    lifted_by: so.Mapped[User | None] = so.relationship(foreign_keys=[lifted_by_id])

    @property
    def kind_enum(self) -> SanctionKind:
        """The rung as a SanctionKind, for its label."""
        return SanctionKind(self.kind)

    def running(self, at: datetime) -> bool:
        """Still in force at this time."""
        if self.lifted_at is not None:
            return False
        if self.kind == SanctionKind.WARN:
            return self.acknowledged_at is None
        return self.ends_at is None or self.ends_at > at

    __table_args__ = (
        sa.CheckConstraint("kind IN ('warn','mute','suspend','remove')", name="kind_known"),
        sa.Index("ix_sanctions_user_kind", "user_id", "kind"),
    )
