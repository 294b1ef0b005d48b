"""Ask the team: the rules for private conversations between one member (or carer) and
the moderating team's one shared inbox. Never messages between members.

A conversation waiting for the team is one open queue item (kind "conversation"); a
team reply answers it and closes that item as "member contacted". Messages to the team
are screened for risk like forum posts, so risk raises a risk flag as it would anywhere,
but they are never refused for their words: writing to the team is where someone in
difficulty should be able to say anything.

Every function checks, then changes, then flushes; the view commits, and the member's
live notice leaves only after that commit (sharon.realtime.announce).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for

from sharon import permissions, safety
from sharon.content import required_text
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import (
    Audit,
    Conversation,
    ConversationMessage,
    ItemKind,
    Level,
    ModerationItem,
    Notification,
    User,
)
from sharon.models.moderation import Outcome
from sharon.moderation import services as moderation
from sharon.moderation.subjects import subject as queue_subject
from sharon.permissions import Action, can
from sharon.realtime import announce, rooms
from sharon.refusals import Refused

SUBJECT_MAX = 120
BODY_MAX = 4000
TEAM_NAME = "the SHaRON team"
SUBJECT_TYPE = "conversation"
LIST_LIMIT = 100

ONLY_MEMBERS = "Writing to the team is for members and carers."
ONLY_TEAM = "Only the moderating team answers messages to the team."
STAFF = ("This person is on the moderating team, so the team inbox is not the way to "
         "reach them: talk to them directly.")
INACTIVE = "This account is suspended, so they could not read a message just now."


@dataclass(frozen=True)
class Sent:
    """What a member's message made, so the view can tell them (crisis: it spoke of risk)."""

    conversation: Conversation
    message: ConversationMessage
    crisis: bool


@dataclass(frozen=True)
class Listed:
    """One row of a member's list: the conversation, and whether the team replied since
    they last read it."""

    conversation: Conversation
    new_reply: bool


def not_found() -> Refused:
    """The same refusal for "missing" and "not yours", so neither is revealed."""
    return Refused("not_found", "We could not find that conversation.")


def _subject(value: object) -> str:
    try:
        text = required_text(value, SUBJECT_MAX, "Give your message a subject.",
                             "A subject can be up to {limit} characters. Yours has {length}.")
    except Refused as refused:  # said beside the subject, not the message
        raise Refused(f"subject_{refused.code}", refused.message) from None
    return " ".join(text.split())  # one line, however it was typed


def _body(value: object) -> str:
    return required_text(value, BODY_MAX, "Write your message.",
                         "A message can be up to {limit} characters. Yours has {length}.")


def may_read(user: User, conversation: Conversation) -> bool:
    """The member it is with, or anyone who answers the team inbox."""
    if can(user, Action.ANSWER_THE_TEAM_INBOX):
        return True
    return can(user, Action.ASK_THE_TEAM) and conversation.member_id == user.id


def conversation_for(user: User, conversation_id: int) -> Conversation:
    """A conversation this person may read, or not_found (another member's is "missing")."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not may_read(user, conversation):
        raise not_found()
    return conversation


def conversations(member: User) -> list[Listed]:
    """The member's own conversations, latest first, each marked when a reply is new."""
    newer = sa.exists().where(
        ConversationMessage.conversation_id == Conversation.id, ConversationMessage.from_team,
        sa.or_(Conversation.member_read_at.is_(None),
               ConversationMessage.created_at > Conversation.member_read_at))
    rows = db.session.execute(
        sa.select(Conversation, newer).where(Conversation.member_id == member.id)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(LIST_LIMIT))
    return [Listed(conversation, bool(new)) for conversation, new in rows]


def mark_read(member: User, conversation: Conversation) -> None:
    """The member has read it: no "new reply" mark, and its notifications are read."""
    if conversation.member_id != member.id:
        return  # the team reading it changes nothing the member sees
    now = clock.now()
    conversation.member_read_at = now
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == member.id,
               Notification.conversation_id == conversation.id,
               Notification.read_at.is_(None))
        .values(read_at=now).execution_options(synchronize_session=False))
    db.session.flush()


def ask(member: User, subject: str, body: str) -> Sent:
    """A member or carer writes to the team: a new conversation, waiting in the queue."""
    permissions.check(member, Action.ASK_THE_TEAM, ONLY_MEMBERS)
    subject, body = _subject(subject), _body(body)
    now = clock.now()
    conversation = Conversation(member_id=member.id, subject=subject, created_at=now,
                                last_message_at=now, member_read_at=now)
    db.session.add(conversation)
    db.session.flush()
    return _from_member(member, conversation, body)


def write(member: User, conversation: Conversation, body: str) -> Sent:
    """The member writes again in their own conversation; it waits for the team again."""
    permissions.check(member, Action.ASK_THE_TEAM, ONLY_MEMBERS)
    if conversation.member_id != member.id:
        raise not_found()
    body = _body(body)
    _touch(conversation, member_read=True)
    return _from_member(member, conversation, body)


def answer(team_member: User, conversation: Conversation, body: str) -> ConversationMessage:
    """The team replies (as the SHaRON team): the member is told, on the site and live,
    and the conversation's waiting queue item closes as "member contacted"."""
    permissions.check(team_member, Action.ANSWER_THE_TEAM_INBOX, ONLY_TEAM)
    body = _body(body)
    _touch(conversation)
    message = _add(conversation, team_member, body, from_team=True)
    _tell_member(conversation, message)
    closed = _close_waiting(conversation, team_member)
    moderation.record(team_member, Audit.CONVERSATION_REPLY, SUBJECT_TYPE, conversation.id,
                      message_id=message.id, items_closed=closed)
    return message


def contact(team_member: User, item: ModerationItem, subject: str,
            body: str) -> Conversation:
    """The team starts a conversation with the author of a queue item ("member
    contacted"). Only ever with a member or carer: never with someone on the team."""
    permissions.check(team_member, Action.ANSWER_THE_TEAM_INBOX, ONLY_TEAM)
    member = item.subject_author
    may_see = queue_subject(item.subject_type).may_see
    if member is None or (may_see is not None and not may_see(team_member, item.subject_id)):
        raise not_found()
    check_contactable(member)
    subject, body = _subject(subject), _body(body)
    now = clock.now()
    conversation = Conversation(member_id=member.id, subject=subject,
                                started_by_id=team_member.id, created_at=now,
                                last_message_at=now)
    db.session.add(conversation)
    db.session.flush()
    message = _add(conversation, team_member, body, from_team=True)
    _tell_member(conversation, message)
    # Contacting the author is the team taking the item up; closing it stays a choice
    # made in the queue (a risk flag is closed by a clinician, a held post by a decision).
    db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.id == item.id, ModerationItem.first_response_at.is_(None))
        .values(first_response_at=now).execution_options(synchronize_session=False))
    moderation.record(team_member, Audit.CONVERSATION_START, SUBJECT_TYPE, conversation.id,
                      item_id=item.id, member_id=member.id, message_id=message.id)
    return conversation


def check_contactable(member: User) -> None:
    """Refuse, in plain words, to open a team conversation with someone on the team or
    with a suspended account (the start page says so before anything is typed)."""
    if not permissions.role_may(member.role, Action.ASK_THE_TEAM):
        raise Refused("staff", STAFF)
    if not member.is_active:
        raise Refused("inactive", INACTIVE)


# --- Inside ------------------------------------------------------------------------------

def _touch(conversation: Conversation, member_read: bool = False) -> None:
    # An UPDATE first: it locks the conversation's row (SQLite: the database), so two
    # messages in one conversation at once take turns, and the second sees the queue
    # item the first made instead of making another.
    values: dict[str, object] = {"last_message_at": clock.now()}
    if member_read:
        values["member_read_at"] = values["last_message_at"]
    db.session.execute(sa.update(Conversation).where(Conversation.id == conversation.id)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.refresh(conversation)


def _add(conversation: Conversation, author: User, body: str,
         from_team: bool) -> ConversationMessage:
    message = ConversationMessage(conversation_id=conversation.id, author_id=author.id,
                                  from_team=from_team, body=body, created_at=clock.now())
    db.session.add(message)
    db.session.flush()
    return message


def _from_member(member: User, conversation: Conversation, body: str) -> Sent:
    message = _add(conversation, member, body, from_team=False)
    verdict = safety.check_all(body)
    caught = verdict.action != "allow" or verdict.risk
    waiting = db.session.scalar(sa.select(ModerationItem).where(
        ModerationItem.kind == ItemKind.CONVERSATION,
        ModerationItem.subject_type == SUBJECT_TYPE,
        ModerationItem.subject_id == conversation.id,
        ModerationItem.handled_at.is_(None)).order_by(ModerationItem.id).limit(1))
    if waiting is None:
        moderation.enqueue(ItemKind.CONVERSATION, SUBJECT_TYPE, conversation.id,
                           reason=verdict.describe() if caught else "",
                           excerpt=body, author=member)
    else:  # still waiting: the queue shows the newest words, and keeps its place in line
        waiting.excerpt = body[:300]
        if caught:
            waiting.reason = verdict.describe()[:100]
    # The same rule as a forum post (sharon/forums/services.py), but never refused: words
    # that would be blocked elsewhere still reach the team (the item's reason names them),
    # and risk raises its own flag, alerting the team live when urgent.
    if verdict.risk or verdict.action in ("hold", "flag"):
        moderation.enqueue(ItemKind.RISK, SUBJECT_TYPE, conversation.id,
                           level=Level.URGENT if verdict.risk else Level.HIGH,
                           reason=verdict.describe(), risk_level=verdict.level,
                           excerpt=body, author=member)
    db.session.flush()
    return Sent(conversation, message, verdict.risk)


def _tell_member(conversation: Conversation, message: ConversationMessage) -> None:
    # No actor: the member hears from "the SHaRON team", never which of them wrote.
    db.session.add(Notification(user_id=conversation.member_id, kind="team_reply",
                                conversation_id=conversation.id, created_at=clock.now()))
    db.session.flush()
    announce("notice", {
        "id": f"team-reply-{message.id}",
        "text": f"The SHaRON team replied to your message: {conversation.subject}",
        "url": url_for("inbox.conversation", conversation_id=conversation.id),
        "link": "Read the reply",
    }, rooms.person(conversation.member_id), namespace=rooms.LIVE)


def _close_waiting(conversation: Conversation, by: User) -> int:
    # Conditional, like moderation.handle: two of the team answering at once close it
    # once, and a risk flag about the same words stays for a clinician.
    now = clock.now()
    return db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.kind == ItemKind.CONVERSATION,
               ModerationItem.subject_type == SUBJECT_TYPE,
               ModerationItem.subject_id == conversation.id,
               ModerationItem.handled_at.is_(None))
        .values(handled_at=now, handled_by_id=by.id, outcome=Outcome.MEMBER_CONTACTED.value,
                first_response_at=moderation.first_response(now))
        .execution_options(synchronize_session=False)).rowcount
