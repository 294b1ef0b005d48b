"""What Ask the team puts in front of the moderating team: conversations waiting for a
reply (and risk flags about what a member wrote in one)."""

from __future__ import annotations

from flask import url_for

from sharon.moderation.subjects import Subject
from sharon.moderation.subjects import register as register_subjects


def _conversation_link(conversation_id: int) -> str | None:
    return url_for("inbox.conversation", conversation_id=conversation_id)


def register() -> None:
    """Tell the moderation queue about conversations with the team (from the app factory)."""
    # Everyone who sees the queue answers the team inbox, so every moderator may see
    # every conversation; nothing in one is ever held for approval.
    register_subjects(
        Subject("conversation", "message to the team", "Ask the team", _conversation_link,
                None, held=None),
    )
