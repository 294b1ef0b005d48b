"""Staying well: a person's own plan and weekly check-ins.

Everything here is the person's alone (special-category health data): every row names
its owner, goes with the account (ON DELETE CASCADE), and no staff page reads it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.base import UTCDateTime, utcnow


class PlanKind(StrEnum):
    """The sections of a staying-well plan that are lists a person writes."""

    WARNING_SIGN = "warning_sign"
    TRIGGER = "trigger"
    HELPS = "helps"
    PERSON = "person"
    REASON = "reason"


class PlanItem(db.Model):
    """One line of someone's plan: a warning sign, a trigger, something that helps, a
    person they can contact (name, and how in `detail`) or a reason to stay well. One row
    per line, so that warning signs can be ticked one by one."""

    __tablename__ = "plan_items"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('warning_sign','trigger','helps','person','reason')", name="kind_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    text: so.Mapped[str] = so.mapped_column(sa.String(200))
    # For a person: how to reach them ("call 07700 900123", "text after 6").
    detail: so.Mapped[str] = so.mapped_column(sa.String(120), default="", server_default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class CheckInSettings(db.Model):
    """Whether someone has turned check-ins on, on which day, and whether they asked for
    an email reminder. No row: off, as everyone starts."""

    __tablename__ = "check_in_settings"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_known"),
    )

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    enabled: so.Mapped[bool] = so.mapped_column(default=False)
    weekday: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=0)  # Monday is 0
    email_reminder: so.Mapped[bool] = so.mapped_column(default=False)
    # The Monday of the last week an email reminder went, so each week has one at most.
    reminded_week: so.Mapped[date | None] = so.mapped_column(sa.Date)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class CheckIn(db.Model):
    """One weekly check-in: PHQ-2 and GAD-2 answers (0 to 3 each), mood (0 to 10), a
    note, and the warning signs ticked. One per person per London week (its Monday)."""

    __tablename__ = "check_ins"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "week", name="uq_check_ins_user_id_week"),
        sa.CheckConstraint("interest BETWEEN 0 AND 3 AND low BETWEEN 0 AND 3 AND "
                           "nervous BETWEEN 0 AND 3 AND worrying BETWEEN 0 AND 3",
                           name="answers_in_range"),
        sa.CheckConstraint("mood BETWEEN 0 AND 10", name="mood_in_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week: so.Mapped[date] = so.mapped_column(sa.Date)
    # PHQ-2: little interest or pleasure; feeling down, depressed or hopeless.
    interest: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    low: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    # GAD-2: feeling nervous, anxious or on edge; not being able to stop or control worrying.
    nervous: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    worrying: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    mood: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    note: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    # The warning signs ticked, as written then (the plan may change later).
    signs: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    @property
    def phq2(self) -> int:
        """The PHQ-2 score, 0 to 6."""
        return self.interest + self.low

    @property
    def gad2(self) -> int:
        """The GAD-2 score, 0 to 6."""
        return self.nervous + self.worrying
