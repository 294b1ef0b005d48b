"""What the Wall puts in front of the moderating team: its messages, and where a held
one is approved or rejected without JavaScript."""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from sharon.models import MessageStatus, WallMessage
from sharon.moderation.subjects import Subject, held_by_status, register_duty
from sharon.moderation.subjects import register as register_subjects


def _review(message_id: int) -> str:
    return url_for("wall.review", message_id=message_id)


def register() -> None:
    """Tell the moderation queue about Wall messages (from the app factory)."""
    register_subjects(
        # The Wall is one room: every moderator may see every message, on /wall.
        Subject("wall_message", "Wall message", "the Wall", lambda _id: url_for("wall.page"),
                None, held_by_status(WallMessage.id, WallMessage.status, MessageStatus.HELD),
                _review),
        Subject("refused_wall_message", "refused Wall message", "the Wall"),
    )
    register_duty(_team_on_duty)
    from sharon.moderation import dashboard
    from sharon.wall import duty, hours  # loaded by the Wall's views before this runs

    dashboard.register_wall(duty.on_duty, hours.current, hours.Calendar)


def _team_on_duty(at: datetime) -> bool:
    """The Wall keeps the team's duty: is anyone on it now?"""
    from sharon.wall import duty  # duty imports the Wall's services, which import this area

    return bool(duty.on_duty_ids(at))

