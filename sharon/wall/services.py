"""The Wall's rules: who may post, what happens to a message, what moderators may do.

`check_*` functions validate and authorize; `do_*` functions change state, flush and
never commit. Socket handlers commit, then emit (handlers.py): no client hears of a
change that was rolled back. Duty (who from the team is on duty) has its own rules, in
duty.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon import safety
from sharon.content import render_plain, required_text, unstorable
from sharon.extensions import db
from sharon.infra import clock, keyset
from sharon.models import (
    Audit,
    ItemKind,
    Level,
    MessageStatus,
    Sanction,
    SanctionKind,
    User,
    WallDuty,
    WallMessage,
    WallStream,
)
from sharon.moderation import services as moderation
from sharon.permissions import Action, can
from sharon.refusals import Refused
from sharon.sanctions import services as sanctions
from sharon.wall import duty, hours

SUBJECT = "wall_message"
MAX_LENGTH = 2000
RATE_COUNT = 5                       # at most this many messages…
RATE_WINDOW = timedelta(seconds=10)  # …in this long, per person
RECENT = 50                          # messages a client receives on connect
PAGE = 12                            # messages the page shows at first, and loads at a time
PINNED_SHOWN = 10                    # pinned messages at the top of the page, newest first
CATCH_UP_LIMIT = 200                 # missed messages replayed on reconnect, at most
# Control characters (PostgreSQL refuses NUL in text); newlines and tabs are kept.

HELD_FOR_RISK = "risk"
HELD_NO_ONE_ON_DUTY = "no_one_on_duty"
HELD_WORD = "watched_word"

CRISIS_MESSAGE = ("It sounds like things may be really hard right now. You do not have to wait "
                  "for us: these people can help straight away.")
HELD_MESSAGE = ("No one from the moderating team is on duty just now, so your message will "
                "appear once one of them approves it.")
HELD_CHECK_MESSAGE = ("Your message is waiting for someone from the moderating team to read it "
                      "before it appears.")
BLOCKED_MESSAGE = ("Sorry, your message was not posted: it contains words we do not allow on "
                   "the Wall. Please see the community guidelines, and try saying it another way.")
REJECTED_MESSAGE = ("A moderator read your message and decided not to post it on the Wall. "
                    "If you are struggling, please use the crisis contacts on this page.")


class Blocked(Refused):
    """A message not posted (refused by the watched words, or sent to a closed Wall) whose
    words were still checked: `risk` says the author should see crisis contacts, and the
    team hears of it, although nothing was posted."""

    def __init__(self, risk: bool, text: str = "", matched: tuple[str, ...] = (),
                 code: str = "blocked", message: str = BLOCKED_MESSAGE) -> None:
        super().__init__(code, message)
        self.risk = risk
        self.text = text
        self.matched = matched


CLOSED_MESSAGE = ("The Wall is closed just now, so your message was not posted. It will be "
                  "open again in office hours.")


def not_found() -> Refused:
    """The refusal for a message that is gone or never was."""
    return Refused("not_found", "That message does not exist or is no longer on the Wall.")


# --- State ------------------------------------------------------------------------------

# Built once, not per message: the Wall asks these for every message sent.
_INSERT = sa.insert(WallMessage.__table__)
_TOUCH = (sa.update(User).where(User.id == sa.bindparam("user_id"))
          .values(last_seen_at=sa.bindparam("at")))
# The next number of the public conversation (see WallStream): the row lock it takes is
# held until commit, so take it last in a transaction.
_NEXT_SEQ = (sa.update(WallStream).where(WallStream.id == 1)
             .values(seq=WallStream.seq + 1).returning(WallStream.seq))
_CURRENT_SEQ = sa.select(WallStream.seq).where(WallStream.id == 1)
# Everything else posting asks, in one round trip: when this person's mute ends (the
# site's one mute, sharon/sanctions), whether a warning waits for them, how many messages
# they sent in the rate window, and whether anyone from the team is on duty.
_POSTING = sa.select(
    sanctions.mute_ends_query(sa.bindparam("user_id"), sa.bindparam("at")),
    sanctions.open_warnings_query(sa.bindparam("user_id")),
    sa.select(sa.func.count()).select_from(WallMessage)
    .where(WallMessage.author_id == sa.bindparam("user_id"),
           WallMessage.created_at > sa.bindparam("since")).scalar_subquery(),
    sa.exists(sa.select(WallDuty.user_id).join(User, WallDuty.user_id == User.id)
              .where(*duty.ON_DUTY_WHERE)))


def next_seq() -> int:
    """Number a change to the public conversation; call it last before the commit."""
    return int(db.session.connection().execute(_NEXT_SEQ).scalar_one())


def current_seq() -> int:
    """The number of the latest committed public change."""
    return int(db.session.connection().execute(_CURRENT_SEQ).scalar_one())


def active_mute(user: User, at: datetime | None = None) -> Sanction | None:
    """The mute that ends last, if one is running (a mute anywhere is a mute here)."""
    found = sanctions.running(user, SanctionKind.MUTE, at)
    return found[0] if found else None


def status(at: datetime | None = None) -> dict[str, Any]:
    """The `status` event: open or closed, when that changes, who is on duty."""
    at = at or clock.now()
    state = hours.current(at)
    team = duty.on_duty(at) if state.open else []
    return {
        "open": state.open,
        "next_change": state.next_change.isoformat() if state.next_change else None,
        "on_duty": [{"username": u.username, "kind": u.label} for u in team],
        # Members' messages wait for approval while the Wall is open with nobody on duty.
        "premoderated": state.open and not team,
    }


def message_payload(message: WallMessage) -> dict[str, Any]:
    """The `message` event."""
    author = message.author
    return {
        "id": message.id,
        "author": author.username if author else "former member",
        "label": author.label if author else "",
        "body": message.body,
        "created_at": message.created_at.isoformat(),
        "reply_to": message.reply_to_id,
        "reply_to_author": (message.reply_to.author.username
                            if message.reply_to and message.reply_to.author
                            and message.reply_to.status == MessageStatus.VISIBLE else None),
        "pinned": message.pinned,
        "seq": message.seq,
    }


def held_payload(message: WallMessage) -> dict[str, Any]:
    """What the moderators' panel shows of a held message."""
    return {**message_payload(message), "status": message.status,
            "reason": message.held_reason}


# --- Reading ----------------------------------------------------------------------------

def _visible() -> sa.Select[tuple[WallMessage]]:
    return sa.select(WallMessage).where(WallMessage.status == MessageStatus.VISIBLE)


def recent(limit: int = RECENT) -> list[WallMessage]:
    """The latest visible messages, oldest first, plus any older pinned ones."""
    latest = list(db.session.scalars(_visible().order_by(WallMessage.id.desc()).limit(limit)))
    oldest = latest[-1].id if latest else 0
    pinned = db.session.scalars(
        _visible().where(WallMessage.pinned.is_(True), WallMessage.id < oldest)).all()
    return sorted([*pinned, *latest], key=lambda m: m.id)


@dataclass(frozen=True)
class Window:
    """A stretch of the conversation as the page shows it: visible messages, oldest first,
    and whether more lie before the first and after the last."""
    messages: list[WallMessage]
    earlier: bool
    later: bool

    @property
    def first_id(self) -> int | None:
        """The id of the oldest message shown (what "Show earlier messages" goes before)."""
        return self.messages[0].id if self.messages else None

    @property
    def last_id(self) -> int | None:
        """The id of the newest message shown (what "Later messages" goes after)."""
        return self.messages[-1].id if self.messages else None


def _shown() -> sa.Select[tuple[WallMessage]]:
    # The page shows each message's author and, for a reply, its parent's author: loaded
    # in two more queries for the whole window, never one per message.
    return _visible().options(
        so.selectinload(WallMessage.author),
        so.selectinload(WallMessage.reply_to).selectinload(WallMessage.author))


def _any_visible(*where: sa.ColumnElement[bool]) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists(_visible().where(*where)))))


def window(before: int | None = None, after: int | None = None,
           limit: int = PAGE) -> Window:
    """The latest `limit` visible messages, or the `limit` just before the message
    `before`, or just after the message `after`.

    By id (keyset), never by OFFSET: a page of earlier messages costs the same however
    long the session has run, and messages arriving meanwhile do not shift it.
    """
    query = _shown()
    if after is not None:
        rows = list(db.session.scalars(
            query.where(WallMessage.id > after).order_by(WallMessage.id).limit(limit + 1)))
        later = len(rows) > limit
        rows = rows[:limit]
        return Window(rows, _any_visible(WallMessage.id <= after), later)
    if before is not None:
        query = query.where(WallMessage.id < before)
    rows = list(db.session.scalars(query.order_by(WallMessage.id.desc()).limit(limit + 1)))
    earlier = len(rows) > limit
    rows = rows[:limit][::-1]
    later = before is not None and _any_visible(WallMessage.id >= before)
    return Window(rows, earlier, later)


def pinned(limit: int = PINNED_SHOWN) -> list[WallMessage]:
    """The pinned messages the page shows in their own area at the top, newest first."""
    return list(db.session.scalars(
        _shown().where(WallMessage.pinned.is_(True)).order_by(WallMessage.id.desc())
        .limit(limit)))


@dataclass(frozen=True)
class CatchUp:
    messages: list[WallMessage]
    changed: list[WallMessage]   # seen before, hidden/unhidden/pinned since
    truncated: bool              # more were missed than replayed: see the history page


def catch_up(last_seen_id: Any) -> CatchUp:
    """What a connecting client should receive, given the last message id it saw (or None)."""
    newest = db.session.scalar(sa.select(sa.func.max(WallMessage.id))) or 0
    if (not isinstance(last_seen_id, int) or isinstance(last_seen_id, bool)
            or last_seen_id <= 0 or last_seen_id > newest):
        # New client, or an id that does not exist: start afresh with the latest messages.
        return CatchUp(recent(), [], False)
    missed = list(db.session.scalars(
        _visible().where(WallMessage.id > last_seen_id)
        .order_by(WallMessage.id.desc()).limit(CATCH_UP_LIMIT + 1)))
    truncated = len(missed) > CATCH_UP_LIMIT
    if truncated:
        missed = missed[:RECENT]
    changed = db.session.scalars(
        sa.select(WallMessage).where(
            WallMessage.id <= last_seen_id, WallMessage.id > last_seen_id - CATCH_UP_LIMIT,
            WallMessage.moderated_at.is_not(None),
            WallMessage.status.in_([MessageStatus.VISIBLE, MessageStatus.HIDDEN]))
        .order_by(WallMessage.id)).all()
    return CatchUp(sorted(missed, key=lambda m: m.id), list(changed), truncated)


@dataclass(frozen=True)
class Changes:
    """What a client missed since a number of the public conversation."""
    seq: int                     # everything up to this number is in `items` or older
    items: list[WallMessage]     # visible or hidden now, in the order of their changes
    fresh: bool                  # the number was unknown or too far back: start afresh


def changes_since(after: Any) -> Changes:
    """Every message whose public state changed after `after`, as it is now.

    The number is read before the messages: anything committed after it is broadcast
    to a socket that has already joined its rooms, so nothing falls between the two.
    """
    newest = current_seq()
    if (not isinstance(after, int) or isinstance(after, bool) or after < 0
            or after > newest):
        return Changes(newest, recent(), True)
    rows = list(db.session.scalars(
        sa.select(WallMessage).where(
            WallMessage.seq > after,
            WallMessage.status.in_([MessageStatus.VISIBLE, MessageStatus.HIDDEN]))
        .order_by(WallMessage.seq).limit(CATCH_UP_LIMIT + 1)))
    if len(rows) > CATCH_UP_LIMIT:
        return Changes(newest, recent(), True)
    return Changes(newest, rows, False)


def change_event(message: WallMessage) -> tuple[str, dict[str, Any]]:
    """The event a change is replayed as: the message as it is now, or only the fact that
    it is hidden (never the words a moderator took down)."""
    if message.status == MessageStatus.HIDDEN:
        return "update", {"id": message.id, "hidden": True, "seq": message.seq}
    return "message", message_payload(message)


def own_held(user: User) -> Sequence[WallMessage]:
    """This person's messages still waiting for the team, oldest first: they stay on their
    own screen, marked as waiting, until approved or rejected."""
    return db.session.scalars(
        sa.select(WallMessage).where(WallMessage.author_id == user.id,
                                     WallMessage.status == MessageStatus.HELD)
        .order_by(WallMessage.id).limit(RECENT)).all()


def held_messages() -> Sequence[WallMessage]:
    """Messages waiting for a moderator, oldest first."""
    return db.session.scalars(
        sa.select(WallMessage).where(WallMessage.status == MessageStatus.HELD)
        .order_by(WallMessage.id)).all()


HISTORY_PER_PAGE = 50
HISTORY_KEY = (int,)  # id: a history page's token


def history(cursor: keyset.Cursor,
            per_page: int = HISTORY_PER_PAGE) -> keyset.Window[WallMessage]:
    """A page of visible messages, newest first, by keyset on the id (one statement, with
    each message's author and the one it replies to, so any page costs what the first
    does: no OFFSET)."""
    return keyset.keyset_window(
        lambda s: db.session.scalars(s).all(),
        _visible().options(so.joinedload(WallMessage.author),
                           so.joinedload(WallMessage.reply_to).joinedload(WallMessage.author)),
        [WallMessage.id], lambda m: (m.id,), "wall-history", cursor, per_page)


# --- Posting ----------------------------------------------------------------------------

def check_can_post(user: User, at: datetime) -> bool:
    """Refuse unless this person may post now (permission, hours, mute, rate); returns
    whether anyone from the moderating team is on duty."""
    if not can(user, Action.USE_WALL):
        raise Refused("forbidden", "Your account cannot post on the Wall.")
    if not hours.is_open(at):
        raise Refused("closed", CLOSED_MESSAGE)
    # Take this person's own row first (and note they were here; a refusal rolls it
    # back): two sends of theirs at once then queue up on it until the first commits, so
    # the count below always sees the other's message and a burst cannot slip past the
    # limit.
    conn = db.session.connection()
    conn.execute(_TOUCH, {"user_id": user.id, "at": at})
    mute_ends, warnings, recent_count, someone_on_duty = conn.execute(
        _POSTING, {"user_id": user.id, "since": at - RATE_WINDOW, **duty.params(at)}).one()
    if mute_ends is not None:
        raise Refused("muted", sanctions.muted_message(mute_ends, at))
    if warnings:
        raise Refused("warned", sanctions.WARNED_MESSAGE)
    if recent_count >= RATE_COUNT:
        raise Refused("rate_limited", "Slow down a little: you can post again in a few seconds.")
    return bool(someone_on_duty)


def clean_body(body: Any) -> str:
    """The message text, or a refusal when it is empty or too long."""
    return required_text(body, MAX_LENGTH, "Please write a message first.",
                         "Messages can be up to {limit} characters; yours is {length}.")


@dataclass(frozen=True)
class Sent:
    message: WallMessage
    verdict: safety.Verdict
    crisis: bool   # show the author crisis contacts now
    alert: bool    # urgent alert for every on-duty moderator


def do_send(user: User, body: Any, reply_to: Any = None) -> Sent:
    """Check and store a message: visible, or held for a moderator."""
    at = clock.now()
    text = clean_body(body)
    try:
        someone_on_duty = check_can_post(user, at)
    except Refused as refusal:
        if refusal.code != "closed":
            raise
        # Closed, but still read: words of risk get crisis contacts and reach the team.
        verdict = safety.check(text)
        raise Blocked(verdict.risk, text, verdict.matched, "closed", CLOSED_MESSAGE) from None
    parent = None
    if reply_to is not None:
        parent = _message(reply_to)
        if parent.status != MessageStatus.VISIBLE:
            raise not_found()
    verdict = safety.check_all(text)
    if not verdict.allowed:
        raise Blocked(verdict.risk, text, verdict.matched)
    status, held_reason = MessageStatus.VISIBLE, ""
    if verdict.action == "hold":
        status, held_reason = MessageStatus.HELD, HELD_FOR_RISK if verdict.risk else HELD_WORD
    elif not user.is_moderator and not someone_on_duty:
        status, held_reason = MessageStatus.HELD, HELD_NO_ONE_ON_DUTY
    # One INSERT, not a unit-of-work flush (this is the Wall's busiest path); the message
    # then stands outside the session, holding the author and parent already loaded, so
    # its payload needs no query (but for a reply's parent's author, if not yet loaded).
    values = {"author_id": user.id, "body": text, "body_html": str(render_plain(text)),
              "reply_to_id": parent.id if parent else None, "status": status,
              "held_reason": held_reason, "created_at": at, "pinned": False,
              # Numbered last of all the statements that take locks (see WallStream).
              "seq": next_seq() if status == MessageStatus.VISIBLE else None}
    (message_id,) = db.session.connection().execute(_INSERT, values).inserted_primary_key
    message = WallMessage(id=message_id, author=user, reply_to=parent, **values)
    risky = verdict.action in ("hold", "flag")
    if risky:
        # A meaning match alone is possible risk: in the queue, not an urgent alert.
        moderation.enqueue(ItemKind.RISK if verdict.risk or verdict.meaning else ItemKind.HELD,
                           SUBJECT, message.id,
                           level=Level.URGENT if verdict.risk or not verdict.meaning
                           else Level.HIGH,
                           reason=f"Wall: watched words ({verdict.action})"
                           if verdict.matched else "Wall: close in meaning to risk",
                           detail=verdict.describe(), excerpt=text, author=user,
                           risk_level=verdict.level)
    elif status == MessageStatus.HELD:
        moderation.enqueue(ItemKind.HELD, SUBJECT, message.id, level=Level.NORMAL,
                           reason="Wall: posted while no one was on duty", excerpt=text,
                           author=user)
    alert = risky and not (verdict.meaning and not verdict.matched)
    return Sent(message, verdict, crisis=alert and verdict.risk, alert=alert)


# --- Moderation -------------------------------------------------------------------------

def _message(message_id: Any) -> WallMessage:
    if not isinstance(message_id, int) or isinstance(message_id, bool) or \
            not 0 < message_id < 2**63:
        raise not_found()
    message = db.session.get(WallMessage, message_id)
    if message is None or message.status == MessageStatus.REJECTED:
        raise not_found()
    return message


def check_moderator(user: User) -> None:
    """Refuse anyone not on the team, whichever door they came through."""
    if not can(user, Action.MODERATE):
        raise Refused("forbidden", "Only the moderating team can do that.")


def do_set_hidden(actor: User, message_id: Any, hidden: bool) -> WallMessage:
    """Hide a visible message, or bring a hidden one back."""
    check_moderator(actor)
    message = _message(message_id)
    want, have = ((MessageStatus.HIDDEN, MessageStatus.VISIBLE) if hidden
                  else (MessageStatus.VISIBLE, MessageStatus.HIDDEN))
    if message.status != have:
        raise Refused("not_found", "That message is already hidden." if hidden
                      else "That message is not hidden.")
    message.status = want
    message.moderated_at = clock.now()
    moderation.record(actor, Audit.WALL_MESSAGE_HIDE if hidden else Audit.WALL_MESSAGE_UNHIDE,
                      SUBJECT, message.id)
    db.session.flush()
    message.seq = next_seq()
    db.session.flush()
    return message


def do_set_pinned(actor: User, message_id: Any, pinned: bool) -> WallMessage:
    """Pin a visible message to the top of the Wall, or unpin it."""
    check_moderator(actor)
    message = _message(message_id)
    if message.status != MessageStatus.VISIBLE:
        raise not_found()
    message.pinned = pinned
    message.moderated_at = clock.now()
    moderation.record(actor, Audit.WALL_MESSAGE_PIN if pinned else Audit.WALL_MESSAGE_UNPIN,
                      SUBJECT, message.id)
    db.session.flush()
    message.seq = next_seq()
    db.session.flush()
    return message


def do_review(actor: User, message_id: Any, approve: bool) -> WallMessage:
    """Approve a held message (it is published) or reject it (its author is told)."""
    check_moderator(actor)
    message = _message(message_id)
    if message.status != MessageStatus.HELD:
        raise Refused("not_found", "That message is not waiting for approval.")
    message.status = MessageStatus.VISIBLE if approve else MessageStatus.REJECTED
    message.moderated_at = clock.now()
    if approve:
        # Published now: it belongs at the end of the conversation, where it reaches people.
        message.created_at = clock.now()
    outcome = "approved" if approve else "rejected"
    moderation.record(actor, Audit.WALL_MESSAGE_APPROVE if approve else Audit.WALL_MESSAGE_REJECT,
                      SUBJECT, message.id)
    moderation.resolve(SUBJECT, message.id, actor, f"Wall: {outcome}")
    db.session.flush()
    if approve:
        message.seq = next_seq()
        db.session.flush()
    return message


def do_acknowledge(actor: User, message_id: Any) -> WallMessage:
    """A moderator confirms they have seen an urgent alert."""
    check_moderator(actor)
    message = _message(message_id)
    moderation.record(actor, Audit.WALL_ALERT_ACKNOWLEDGE, SUBJECT, message.id)
    return message


def _person(username: str) -> User:
    """The account a moderator named; a name no account could have (too long, a NUL, half
    an emoji) is simply nobody, never sent to the database."""
    key = username.strip().lower()
    if len(key) > 100 or unstorable(key):
        raise Refused("not_found", "There is no one with that username.")
    target = db.session.scalar(sa.select(User).where(User.username_key == key))
    if target is None:
        raise Refused("not_found", "There is no one with that username.")
    return target


def do_mute(actor: User, username: Any, minutes: Any, reason: Any) -> Sanction:
    """Mute someone from the Wall: the site's one mute (sharon/sanctions), so they cannot
    post in the forums either until it ends."""
    check_moderator(actor)
    if not isinstance(username, str) or not username.strip():
        raise Refused("not_found", "Choose who to mute.")
    target = _person(username)
    return sanctions.give(actor, target, SanctionKind.MUTE, reason, minutes=minutes)


def do_unmute(actor: User, username: Any) -> User:
    """Lift someone's mute before it ends (a moderator changed their mind, or it was a
    mistake)."""
    check_moderator(actor)
    if not isinstance(username, str) or not username.strip():
        raise Refused("not_found", "Choose whose mute to lift.")
    target = _person(username)
    if not sanctions.lift_all(actor, target, SanctionKind.MUTE):
        raise Refused("not_found", f"{target.username} is not muted.")
    return target
