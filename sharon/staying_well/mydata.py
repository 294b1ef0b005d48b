"""Staying well's part in "my data": the person's plan, check-in settings and check-ins.

All of it is theirs alone, so all of it is exported, and all of it goes with the account
(ON DELETE CASCADE on every table): nothing is kept for the team, which never had it.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from sharon.models import CheckIn, CheckInSettings, PlanItem, User
from sharon.mydata.registry import Area, Rows, batched, nothing_more
from sharon.mydata.registry import register as register_area


def export(user: User) -> Iterable[tuple[str, Rows]]:
    """The plan line by line, the check-in settings, and every check-in."""
    yield "plan.json", batched(
        sa.select(PlanItem.id, PlanItem.kind.label("section"), PlanItem.text,
                  PlanItem.detail.label("how_to_contact"), PlanItem.created_at)
        .where(PlanItem.user_id == user.id), PlanItem.id)
    yield "check_in_settings.json", batched(
        sa.select(CheckInSettings.user_id, CheckInSettings.enabled.label("check_ins_on"),
                  CheckInSettings.weekday.label("day_0_is_monday"),
                  CheckInSettings.email_reminder, CheckInSettings.reminded_week)
        .where(CheckInSettings.user_id == user.id), CheckInSettings.user_id,
        hide=("user_id",))
    yield "check_ins.json", batched(
        sa.select(CheckIn.id, CheckIn.week.label("week_starting"),
                  CheckIn.interest.label("phq2_little_interest_or_pleasure"),
                  CheckIn.low.label("phq2_feeling_down"),
                  CheckIn.nervous.label("gad2_feeling_nervous"),
                  CheckIn.worrying.label("gad2_cannot_stop_worrying"),
                  CheckIn.mood.label("mood_0_to_10"), CheckIn.note,
                  CheckIn.signs.label("warning_signs_noticed"), CheckIn.created_at,
                  CheckIn.updated_at)
        .where(CheckIn.user_id == user.id), CheckIn.id)


def register() -> None:
    """Join staying well to "my data" (from the app factory)."""
    register_area(Area("staying_well",
                       frozenset({"plan_items", "check_in_settings", "check_ins"}),
                       export, nothing_more))
