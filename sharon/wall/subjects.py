"""What the Wall puts in front of the moderating team: its messages, and where a held
one is approved or rejected without JavaScript."""

from __future__ import annotations

from flask import url_for

from sharon.models import MessageStatus, WallMessage
from sharon.moderation.subjects import Subject, held_by_status
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
