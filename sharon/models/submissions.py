"""Forms that were sent: each one-time token once, with where to find what it made."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.base import UTCDateTime, utcnow


class Submission(db.Model):
    """A used submission token (sharon.forms.OnceForm, sharon.writes).

    The token is the primary key: a second submission of the same form, even one sent at
    the same instant, cannot be stored beside the first, so it cannot make anything.
    """

    __tablename__ = "submissions"

    token: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Where the person is sent if they submit the form again: what the first one made.
    location: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
