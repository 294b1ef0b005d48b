"""The library: blogs and captioned videos, their tags, and what members did with them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.accounts import Network, User
from sharon.models.base import UTCDateTime, utcnow


class ResourceKind(StrEnum):
    BLOG = "blog"
    VIDEO = "video"


class ResourceStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # goes live by itself at publish_at
    PUBLISHED = "published"


class Audience(StrEnum):
    MEMBERS = "members"
    CARERS = "carers"
    BOTH = "both"


AUDIENCE_LABELS = {
    Audience.MEMBERS: "People who have finished therapy",
    Audience.CARERS: "Relatives and carers",
    Audience.BOTH: "Both",
}

resource_networks = sa.Table(
    "resource_networks",
    db.metadata,
    sa.Column("resource_id", sa.ForeignKey("resources.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("network_id", sa.ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
)

resource_tags = sa.Table(
    "resource_tags",
    db.metadata,
    sa.Column("resource_id", sa.ForeignKey("resources.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("resource_tag_names.id", ondelete="CASCADE"),
              primary_key=True),
)


class Tag(db.Model):
    """A topic shared by resources ("sleep", "anxiety"); `slug` is the URL form."""

    __tablename__ = "resource_tag_names"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(40))
    slug: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)


class Resource(db.Model):
    """A blog post or a video.

    Media files live under SHARON_MEDIA_DIR with random names (the *_file
    columns); the name a person's computer gave a file is never kept.
    A resource is live when its status is published or scheduled and
    publish_at has passed, so scheduling needs no background job.
    """

    __tablename__ = "resources"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    title: so.Mapped[str] = so.mapped_column(sa.String(150))
    # Plain text: the blog's summary, or the video's short description on cards.
    summary: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    # Markdown source and its sanitized HTML (the blog's body, the video's description).
    body_source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reading_minutes: so.Mapped[int] = so.mapped_column(default=0)
    transcript: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    audience: so.Mapped[str] = so.mapped_column(sa.String(10), default=Audience.BOTH)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=ResourceStatus.DRAFT)
    publish_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    video_file: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    video_type: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    video_bytes: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    poster_file: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    poster_type: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    captions_file: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    duration_seconds: so.Mapped[int | None] = so.mapped_column()

    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id])
    updated_by: so.Mapped[User | None] = so.relationship(foreign_keys=[updated_by_id])
    networks: so.Mapped[list[Network]] = so.relationship(
        secondary=resource_networks, order_by=Network.name)
    tags: so.Mapped[list[Tag]] = so.relationship(secondary=resource_tags, order_by=Tag.name)

    __table_args__ = (
        sa.CheckConstraint("kind IN ('blog','video')", name="kind_known"),
        sa.CheckConstraint("status IN ('draft','scheduled','published')", name="status_known"),
        sa.CheckConstraint("audience IN ('members','carers','both')", name="audience_known"),
        sa.Index("ix_resources_live", "status", "publish_at"),
        # The library's pages by keyset: members' (newest published) and the staff's list.
        sa.Index("ix_resources_published", "publish_at", "id"),
        sa.Index("ix_resources_updated", "updated_at", "id"),
    )

    @property
    def is_video(self) -> bool:
        """Whether this resource is a video (it then needs captions)."""
        return self.kind == ResourceKind.VIDEO

    def is_live(self, now: datetime) -> bool:
        """Members can see it (audience permitting)."""
        return (self.status in (ResourceStatus.PUBLISHED, ResourceStatus.SCHEDULED)
                and self.publish_at is not None and self.publish_at <= now)

    def state(self, now: datetime) -> str:
        """What staff see: draft, scheduled (still in the future) or published."""
        if self.status == ResourceStatus.DRAFT:
            return "draft"
        return "published" if self.is_live(now) else "scheduled"

    @property
    def stored_files(self) -> list[str]:
        """The names of this resource's files on disk, for deleting them."""
        return [name for name in (self.video_file, self.poster_file, self.captions_file) if name]

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.kind} {self.status}>"


class SavedResource(db.Model):
    """A resource someone saved for later ("My saved resources")."""

    __tablename__ = "saved_resources"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True, index=True)
    saved_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    resource: so.Mapped[Resource] = so.relationship()


class ResourceFeedback(db.Model):
    """One person's "did this help?" answer; they can change it. Counts are for staff."""

    __tablename__ = "resource_feedback"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True, index=True)
    helped: so.Mapped[bool] = so.mapped_column()
    answered_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
