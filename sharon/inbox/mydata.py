"""Ask the team's part of "my data": a member's conversations with the team.

The team's replies are theirs to read, so they are exported, as from "the SHaRON team"
exactly as the member saw them: never which of the team wrote. The conversations go
with the account (ON DELETE CASCADE); the queue items about them stay, as the team's
record, without the name and without the words: an item's excerpt is the member's own
message (perhaps what they chose to share from their staying-well plan), which goes
with them.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from sharon.extensions import db
from sharon.inbox.services import SUBJECT_TYPE, TEAM_NAME
from sharon.models import Conversation, ConversationMessage, ModerationItem, User
from sharon.mydata.registry import Area, Rows, batched
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


def erase(user: User, _keep_posts: bool) -> None:
    """Blank the words of the queue items about their conversations (waiting messages and
    risk flags); the items stay, for the team's record of what was done."""
    conversations = sa.select(Conversation.id).where(Conversation.member_id == user.id)
    db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.subject_type == SUBJECT_TYPE,
               ModerationItem.subject_id.in_(conversations))
        .values(excerpt="", detail="").execution_options(synchronize_session=False))


def register() -> None:
    """Join Ask the team to "my data" (from the app factory)."""
    register_area(Area("inbox", frozenset({"conversations", "conversation_messages"}),
                       export, erase))
