"""One row per timed job: the database lease that lets only one worker run it at a time."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.base import UTCDateTime


class ScheduledJob(db.Model):
    """A job of the scheduler (sharon/infra/scheduler.py). A worker takes the lease with
    one conditional UPDATE (`leased_until` past or empty), so with several workers each
    job still runs once per turn; a worker that dies holding it loses it when it lapses."""

    __tablename__ = "scheduled_jobs"

    name: so.Mapped[str] = so.mapped_column(sa.String(60), primary_key=True)
    leased_by: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    leased_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    next_run_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    last_started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    last_finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    runs: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
