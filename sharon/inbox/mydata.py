"""Ask the team's part of "my data": a member's conversations with the team.

The team's replies are theirs to read, so they are exported, as from "the SHaRON team"
exactly as the member saw them: never which of the team wrote. The conversations go
with the account (ON DELETE CASCADE); the queue items about them stay, as the team's
record, without the name.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from sharon.inbox.services import TEAM_NAME
from sharon.models import Conversation, ConversationMessage, User
from sharon.mydata.registry import Area, Rows, batched, nothing_more
from sharon.mydata.registry import register as register_area


def export(user: User) -> Iterable[tuple[str, Rows]]:
    """Their conversations and every message in them, theirs and the team's."""
    yield "conversations.json", batched(
        sa.select(Conversation.id, Conversation.subject,
                  sa.case((Conversation.started_by_id.is_(None), "you"), else_=TEAM_NAME)
                  .label("started_by"),
                  Conversation.created_at, Conversation.last_message_at)
        .where(Conversation.member_id == user.id), Conversation.id)
    yield "messages.json", batched(
        sa.select(ConversationMessage.id, ConversationMessage.conversation_id,
                  sa.case((ConversationMessage.from_team, TEAM_NAME), else_="you")
                  .label("from"),
                  ConversationMessage.body.label("text"), ConversationMessage.created_at)
        .join(Conversation, Conversation.id == ConversationMessage.conversation_id)
        .where(Conversation.member_id == user.id), ConversationMessage.id)


def register() -> None:
    """Join Ask the team to "my data" (from the app factory)."""
    register_area(Area("inbox", frozenset({"conversations", "conversation_messages"}),
                       export, nothing_more))
