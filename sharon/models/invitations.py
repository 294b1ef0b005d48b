"""Invitation codes that therapists give to the people they have treated."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.infra import clock
from sharon.models.accounts import Network, User
from sharon.models.base import UTCDateTime, utcnow

invitation_networks = sa.Table(
    "invitation_networks",
    db.metadata,
    sa.Column(
        "invitation_id", sa.ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("network_id", sa.ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
)


class InvitationStatus(StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Invitation(db.Model):
    """Only a hash of the code is stored: the code itself is shown once, to its issuer."""

    __tablename__ = "invitations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(20))
    note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    used_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])
    used_by: so.Mapped[User | None] = so.relationship(foreign_keys=[used_by_id])
    networks: so.Mapped[list[Network]] = so.relationship(
        secondary=invitation_networks, order_by=Network.name
    )

    __table_args__ = (
        sa.CheckConstraint("role IN ('member','carer')", name="role_invitable"),
    )

    def status_at(self, when: datetime | None = None) -> InvitationStatus:
        """Open, used, expired or withdrawn at a given time."""
        when = when or clock.now()
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.used_at is not None:
            return InvitationStatus.USED
        if self.expires_at <= when:
            return InvitationStatus.EXPIRED
        return InvitationStatus.OPEN

    @property
    def status(self) -> InvitationStatus:
        """Open, used, expired or withdrawn now."""
        return self.status_at()
