"""People, the networks they belong to, and sign-in throttling."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from sharon.extensions import db
from sharon.models.base import UTCDateTime, utcnow
from sharon.models.roles import Role, Status

user_networks = sa.Table(
    "user_networks",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("network_id", sa.ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
)


class Network(db.Model):
    """A group of forum spaces run for one kind of service (Talking Therapies, Perinatal…)."""

    __tablename__ = "networks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    description: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Network {self.slug}>"


class User(UserMixin, db.Model):
    """A person. Their username is public; everything else here is for staff only."""

    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(30))
    # Lower-cased username: uniqueness that ignores case, on every database.
    username_key: so.Mapped[str] = so.mapped_column(sa.String(30), unique=True)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    real_name: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    role: so.Mapped[str] = so.mapped_column(sa.String(20), default=Role.MEMBER)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default=Status.ACTIVE)
    # A suspension's end; None while suspended means until lifted. Sign-in comes back by
    # itself once it passes (is_active), without anyone acting.
    suspended_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    # Bumped when the password changes, so that every other session ends.
    session_version: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    guidelines_accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    invited_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    invited_by: so.Mapped[User | None] = so.relationship(remote_side=[id])
    networks: so.Mapped[list[Network]] = so.relationship(
        secondary=user_networks, order_by=Network.name
    )

    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('member','carer','peer_supporter','volunteer','clinician','admin')",
            name="role_known",
        ),
        sa.CheckConstraint("status IN ('active','suspended')", name="status_known"),
    )

    @property
    def role_enum(self) -> Role:
        """The role as a Role, for its label and title."""
        return Role(self.role)

    @property
    def label(self) -> str:
        """Shown next to the name: "carer", or the moderator kind."""
        return self.role_enum.label

    @property
    def is_moderator(self) -> bool:
        """On the moderating team by role (whatever their status), for badges and rooms."""
        # Imported here: sharon.permissions imports the models package (a cycle at import).
        from sharon.permissions import Action, role_may

        return role_may(self.role, Action.MODERATE)

    @property
    def is_active(self) -> bool:  # Flask-Login: suspended people cannot stay signed in.
        """Flask-Login: suspended people (and closed accounts) cannot stay signed in; a
        suspension with an end date is over once it passes."""
        if self.status == Status.ACTIVE:
            return True
        if self.status == Status.SUSPENDED and self.suspended_until is not None:
            from sharon.infra import clock

            return self.suspended_until <= clock.now()
        return False

    def get_id(self) -> str:
        """Flask-Login: a new session version in the id signs a person out everywhere."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class SignInThrottle(db.Model):
    """Failed sign-ins per username, kept whether or not the account exists.

    Keeping it for unknown names too means the lock-out message cannot be used
    to find out which usernames are real.
    """

    __tablename__ = "signin_throttles"

    username_key: so.Mapped[str] = so.mapped_column(sa.String(254), primary_key=True)
    failures: so.Mapped[int] = so.mapped_column(default=0)
    last_failure_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    locked_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class PasswordReset(db.Model):
    """A one-time code that lets a person choose a new password: issued by a clinician
    or admin (shown once, like an invitation) or sent by mail. Only its hash is kept."""

    __tablename__ = "password_resets"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    via: so.Mapped[str] = so.mapped_column(sa.String(10))  # staff | email
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])

    __table_args__ = (sa.CheckConstraint("via IN ('staff','email')", name="via_known"),)


class RetiredUsername(db.Model):
    """A deleted account's username, kept from being taken again until `until` (90 days),
    so nobody can pass themselves off as someone who has just left."""

    __tablename__ = "retired_usernames"

    username_key: so.Mapped[str] = so.mapped_column(sa.String(30), primary_key=True)
    retired_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    until: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
