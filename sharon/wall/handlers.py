"""The Wall's Socket.IO handlers (namespace /wall). Thin: parse, call a service, commit, emit.

It exists so that everything a client can ask of the Wall is read in one place, and is
attached to the server by one call, `register()`, made by the app factory.

Events about a change are announced before the commit and leave when it commits
(sharon/realtime), through the worker's outbox, in the order of the commits.

The session a socket sees is the copy taken when it connected, so every event loads
the person again from the database: a suspended account, a changed password, a new
role or a mute takes effect on the next event. Rooms are chosen here, never by the
client: `wall` (everyone), `user:<id>` (one person, on every device and worker) and
`moderators` (the whole moderating team, for the held-messages panel). Alerts go to
each on-duty moderator's `user:<id>` room, so duty needs no room bookkeeping across
workers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, emit, join_room

from sharon.extensions import db, socketio
from sharon.infra import clock
from sharon.infra.sessions import user_for_session
from sharon.models import MessageStatus, User, WallMessage
from sharon.moderation import services as moderation
from sharon.permissions import Action, can
from sharon.realtime import announce, rooms, send_now
from sharon.refusals import Refused
from sharon.safety import CRISIS_CONTACTS
from sharon.wall import connections, duty, services, watcher
from sharon.wall.connections import Seen
from sharon.wall.degraded import DEGRADED, queue_degraded

NS = rooms.WALL
log = logging.getLogger(__name__)


# --- Helpers ----------------------------------------------------------------------------

def crisis_contacts() -> list[dict[str, str]]:
    """The crisis contacts, as the page shows them beside a refusal."""
    return [{"name": c.name, "how": c.how, "href": c.href, "when": c.when}
            for c in CRISIS_CONTACTS]


def _user() -> User | None:
    """The signed-in person, re-read from the database at every event."""
    return user_for_session(session.get("_user_id"), fresh=True)


def ok(**fields: Any) -> dict[str, Any]:
    """A successful acknowledgement."""
    return {"ok": True, **fields}


def refused(code: str, message: str) -> dict[str, Any]:
    """A refused acknowledgement with its code and a plain message."""
    return {"ok": False, "error": code, "message": message}


def _to_user(user_id: int, event: str, data: dict[str, Any]) -> None:
    """To one person's Wall tabs, when this session commits."""
    announce(event, data, rooms.person(user_id))


def _broadcast(event: str, data: dict[str, Any], to: str = rooms.EVERYONE) -> None:
    """To a room of the Wall, when this session commits."""
    announce(event, data, to)


def crisis_notice(closed: bool = False) -> dict[str, Any]:
    """Crisis contacts for the author; while the Wall is closed, also when the team will
    see what they wrote, since nobody is watching live."""
    message = services.CRISIS_MESSAGE
    if closed:
        message += " " + duty.when_the_team_is_back()
    return {"kind": "crisis", "message": message, "contacts": crisis_contacts()}


def mute_notice(mute: Any, at: datetime | None = None) -> dict[str, Any]:
    """The words a muted person sees: until when, and why."""
    at = at or clock.now()
    minutes = max(1, round((mute.ends_at - at).total_seconds() / 60))
    return {"kind": "muted", "until": mute.ends_at.isoformat(), "minutes_left": minutes,
            "reason": mute.reason,
            "message": f"A moderator has paused your posting on the Wall for {minutes} "
                       f"minute{'s' if minutes != 1 else ''}. Reason: {mute.reason}"}


def _alert_refused_risk(user: User, refusal: services.Blocked) -> None:
    """Refused words that also spoke of risk still reach the queue and whoever is on duty."""
    moderation.flag_refused_risk(user, "wall_message", refusal.text, refusal.matched)
    alert = {"id": None, "level": "urgent", "excerpt": refusal.text[:300],
             "author": user.username, "held": False, "refused": True,
             "matched": list(refusal.matched)}
    for moderator_id in duty.on_duty_ids():
        _to_user(moderator_id, "alert", alert)
    db.session.commit()


def _handler(need_payload: bool = True) -> Callable[[Callable[..., dict[str, Any]]],
                                                     Callable[..., dict[str, Any]]]:
    """Wrap an event: load the person, refuse bad payloads, turn Refused into an ack."""

    def decorator(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        def wrapped(data: Any = None, *_: Any) -> dict[str, Any]:
            user = _user()
            if user is None:
                db.session.rollback()
                return refused("unauthenticated", "Please sign in again to use the Wall.")
            if need_payload and not isinstance(data, dict):
                return refused("not_found", "That request was not understood.")
            try:
                if user.is_moderator:
                    # An event from a moderator's socket is a sign of life as good as the
                    # watcher's heartbeat (and keeps duty alive where no watcher runs).
                    duty.heartbeat({user.id})
                return fn(user, data if isinstance(data, dict) else {})
            except Refused as refusal:
                db.session.rollback()
                if isinstance(refusal, services.Blocked) and refusal.risk:
                    send_now("notice", crisis_notice(closed=refusal.code == "closed"),
                             rooms.person(user.id))
                    _alert_refused_risk(user, refusal)
                if refusal.code == "rate_limited":
                    emit("notice", {"kind": "slow_down", "message": refusal.message,
                                    "retry_after": int(services.RATE_WINDOW.total_seconds())})
                return refused(refusal.code, refusal.message)

        wrapped.__name__ = fn.__name__
        wrapped.__doc__ = fn.__doc__
        return wrapped

    return decorator


# --- Connection -------------------------------------------------------------------------

UNAVAILABLE = ("The Wall cannot be reached just now. The page will keep trying; meanwhile "
               "the forums may work, and urgent help is always listed below.")
MISSED_A_LOT = ("You missed a lot while you were away: the latest messages are below, and "
                "the rest are on the history page.")


def on_connect(auth: Any = None) -> None:
    """Signed-in people only; send status, the latest (or missed) messages, and notices.

    All or nothing: a socket that cannot be given everything (the database is down) is
    refused, never left connected without its rooms; the page tries again by itself.
    """
    try:
        _connect(auth if isinstance(auth, dict) else {})
    except ConnectionRefusedError:
        raise
    except sa.exc.SQLAlchemyError:
        _forget_socket()
        log.warning("Wall: refused a connection while the database cannot be reached")
        raise ConnectionRefusedError(UNAVAILABLE, {"error": "unavailable"}) from None
    watcher.ensure_watcher(current_app._get_current_object())  # type: ignore[attr-defined]


def _forget_socket() -> None:
    connections.forget(request.sid)
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.invalidate()


def _connect(auth: dict[str, Any]) -> None:
    user = _user()
    if user is None:
        db.session.rollback()
        raise ConnectionRefusedError("Please sign in to use the Wall.",
                                     {"error": "unauthenticated"})
    if not can(user, Action.USE_WALL):
        raise ConnectionRefusedError("Your account cannot use the Wall.", {"error": "forbidden"})
    # Rooms first: whatever commits after the number below is read reaches this socket.
    join_room("wall")
    join_room(f"user:{user.id}")
    if user.is_moderator:
        join_room("moderators")
    status = services.status()
    if "last_seq" in auth or "last_seen_id" not in auth:
        changes = services.changes_since(auth.get("last_seq"))
        events = [services.change_event(m) for m in changes.items]
        truncated = changes.fresh and auth.get("last_seq") is not None
        seq = changes.seq
    else:  # older pages catch up by id: kept for them, but ids follow insert order
        seq = services.current_seq()
        events, truncated = _catch_up_by_id(auth.get("last_seen_id"))
    held = services.held_messages() if user.is_moderator else []
    waiting = [services.held_payload(m) for m in services.own_held(user)]
    mute = services.active_mute(user)
    if user.is_moderator:
        duty.heartbeat({user.id})
        db.session.commit()
    emit("status", status)
    for name, payload in events:
        emit(name, payload)
    if truncated:
        emit("notice", {"kind": "catch_up", "message": MISSED_A_LOT})
    emit("synced", {"seq": seq})
    for payload in waiting:
        emit("waiting", payload)
    for message in held:
        emit("held", services.held_payload(message))
    if mute is not None:
        emit("notice", mute_notice(mute))
    if queue_degraded():
        emit("notice", {"kind": "degraded", "message": DEGRADED})
    db.session.rollback()
    connections.add(request.sid, Seen(user.id, user.session_version, user.is_moderator))


def _catch_up_by_id(last_seen: Any) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
    catch_up = services.catch_up(last_seen)
    events = [("message", services.message_payload(m)) for m in catch_up.messages]
    for message in catch_up.changed:
        if message.status == MessageStatus.HIDDEN:
            events.append(("update", {"id": message.id, "hidden": True, "seq": message.seq}))
        else:
            events.append(("update", {**services.message_payload(message), "hidden": False}))
    return events, catch_up.truncated


# A client asks again at most this often (each answer reads up to CATCH_UP_LIMIT rows).
CATCH_UP_EVERY_SECONDS = 1.0
_last_catch_up: dict[str, float] = {}


@_handler(need_payload=False)
def on_catch_up(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """What changed after {"after": seq}: a client that saw a gap in the numbers, or was
    told it may have missed something, asks here without reconnecting."""
    now = time.monotonic()
    if now - _last_catch_up.get(request.sid, 0.0) < CATCH_UP_EVERY_SECONDS:
        # Answered, not raised: the page asks again by itself, so no "slow down" notice.
        return refused("rate_limited", "Catching up already; please wait a moment.")
    _last_catch_up[request.sid] = now
    changes = services.changes_since(data.get("after"))
    items = [list(services.change_event(m)) for m in changes.items]
    db.session.rollback()
    return ok(seq=changes.seq, items=items, fresh=changes.fresh)


# --- Posting ----------------------------------------------------------------------------

@_handler()
def on_send(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Post a message: {"body", "reply_to"?}."""
    sent = services.do_send(user, data.get("body"), data.get("reply_to"))
    message = sent.message
    # Everything the events need is read before the commit, which would expire it all
    # and cost a reload of the message and its author on the Wall's busiest path.
    message_id, status, held_reason = message.id, message.status, message.held_reason
    payload = (services.message_payload(message) if status == MessageStatus.VISIBLE
               else services.held_payload(message))
    if status == MessageStatus.VISIBLE:
        _broadcast("message", payload)
    else:
        _broadcast("held", payload, to="moderators")
        if held_reason == services.HELD_NO_ONE_ON_DUTY:
            _to_user(user.id, "notice", {"kind": "held", "id": message_id,
                                         "message": services.HELD_MESSAGE})
        elif not sent.crisis:
            _to_user(user.id, "notice", {"kind": "held", "id": message_id,
                                         "message": services.HELD_CHECK_MESSAGE})
    if sent.crisis:
        _to_user(user.id, "notice", {**crisis_notice(), "id": message_id})
    if sent.alert:
        alert = {"id": message_id, "level": "urgent", "excerpt": payload["body"][:300],
                 "author": payload["author"], "held": status == MessageStatus.HELD,
                 "matched": list(sent.verdict.matched)}
        for moderator_id in duty.on_duty_ids():
            _to_user(moderator_id, "alert", alert)
    db.session.commit()
    return ok(id=message_id, status=status)


# --- Moderation -------------------------------------------------------------------------

def announce_hidden(message: WallMessage) -> None:
    """When a message is hidden or brought back (on the Wall or by its page's form) and
    that commits: everyone's Wall drops it, or shows it again."""
    hidden = message.status == MessageStatus.HIDDEN
    update: dict[str, Any] = {"id": message.id, "hidden": hidden, "seq": message.seq}
    if not hidden:
        # A client that never had it (it joined while hidden) can show it now.
        update.update(services.message_payload(message))
    _broadcast("update", update)


def announce_pinned(message: WallMessage) -> None:
    """When a message is pinned or unpinned and that commits: everyone's Wall moves it
    into the pinned area at the top, or out of it. A pin carries the whole message, for
    pages that have not loaded it (it was further back than they show)."""
    update: dict[str, Any] = {"id": message.id, "pinned": message.pinned, "seq": message.seq}
    if message.pinned:
        update = {**services.message_payload(message), **update}
    _broadcast("update", update)


def _set_hidden(user: User, data: dict[str, Any], hidden: bool) -> dict[str, Any]:
    message = services.do_set_hidden(user, data.get("id"), hidden)
    announce_hidden(message)
    message_id = message.id
    db.session.commit()
    return ok(id=message_id)


@_handler()
def on_hide(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Hide a message from everyone: {"id"}."""
    return _set_hidden(user, data, True)


@_handler()
def on_unhide(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Bring back a hidden message: {"id"}."""
    return _set_hidden(user, data, False)


def _set_pinned(user: User, data: dict[str, Any], pinned: bool) -> dict[str, Any]:
    message = services.do_set_pinned(user, data.get("id"), pinned)
    message_id = message.id
    announce_pinned(message)
    db.session.commit()
    return ok(id=message_id)


@_handler()
def on_pin(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Pin a message: {"id"}."""
    return _set_pinned(user, data, True)


@_handler()
def on_unpin(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Unpin a message: {"id"}."""
    return _set_pinned(user, data, False)


def announce_review(message: WallMessage) -> None:
    """When a held message is approved or rejected (on the Wall or the queue page) and that
    commits: the moderators' panels drop it, and everyone sees it, or its author hears it
    was not."""
    _broadcast("update", {"id": message.id, "status": message.status}, to="moderators")
    if message.status == MessageStatus.VISIBLE:
        _broadcast("message", services.message_payload(message))
    elif message.author_id is not None:
        _to_user(message.author_id, "notice", {"kind": "rejected", "id": message.id,
                                               "message": services.REJECTED_MESSAGE})


def _review(user: User, data: dict[str, Any], approve: bool) -> dict[str, Any]:
    message = services.do_review(user, data.get("id"), approve)
    announce_review(message)
    answer = ok(id=message.id, status=message.status)
    db.session.commit()
    return answer


@_handler()
def on_approve(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Publish a held message: {"id"}."""
    return _review(user, data, True)


@_handler()
def on_reject(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Turn down a held message; its author is told: {"id"}."""
    return _review(user, data, False)


@_handler()
def on_acknowledge(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """A moderator has seen an urgent alert: {"id"}. Other moderators' panels are told."""
    message = services.do_acknowledge(user, data.get("id"))
    message_id = message.id
    _broadcast("acknowledged", {"id": message_id, "by": user.username}, to=rooms.TEAM)
    db.session.commit()
    return ok(id=message_id)


@_handler()
def on_mute(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Mute someone: {"user", "minutes", "reason"}; they are told, with the time left."""
    mute = services.do_mute(user, data.get("user"), data.get("minutes"), data.get("reason"))
    _to_user(mute.user_id, "notice", mute_notice(mute))
    answer = ok(user=mute.user.username, until=mute.ends_at.isoformat())
    db.session.commit()
    return answer


@_handler()
def on_duty(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Go on or off duty: {"on": bool}. Everyone sees who is on duty."""
    on = duty.do_duty(user, data.get("on"))
    _broadcast("status", services.status())
    if on:
        # Whatever waited while nobody was on duty is now this moderator's to review.
        for message in services.held_messages():
            _to_user(user.id, "held", services.held_payload(message))
    db.session.commit()
    return ok(on=on)


@_handler()
def on_unmute(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Lift a mute early: {"user": username}. The person is told they can post again."""
    target = services.do_unmute(user, data.get("user"))
    _to_user(target.id, "notice", {"kind": "unmuted", "message": "A moderator has lifted the "
                                   "pause: you can post on the Wall again."})
    answer = ok(user=target.username)
    db.session.commit()
    return answer


def on_error(error: Exception) -> dict[str, Any]:
    """Anything unexpected: log it here, tell the client nothing internal."""
    db.session.rollback()
    log.exception("Wall event failed: %s", type(error).__name__)
    return refused("unavailable", "Sorry, something went wrong. Please try again.")


EVENTS: dict[str, Callable[..., Any]] = {
    "send": on_send, "hide": on_hide, "unhide": on_unhide, "pin": on_pin, "unpin": on_unpin,
    "approve": on_approve, "reject": on_reject, "acknowledge": on_acknowledge,
    "mute": on_mute, "unmute": on_unmute, "duty": on_duty, "catch_up": on_catch_up,
}


def on_disconnect(reason: Any = None) -> None:
    """A socket closed: forget it, and see whether a moderator has left the Wall."""
    _last_catch_up.pop(request.sid, None)
    connections.closed(request.sid)
    db.session.rollback()


def register() -> None:
    """Attach the handlers to the current Socket.IO server (called for every app built)."""
    socketio.on_event("connect", on_connect, namespace=NS)
    socketio.on_event("disconnect", on_disconnect, namespace=NS)
    for name, handler in EVENTS.items():
        socketio.on_event(name, handler, namespace=NS)
    socketio.on_error(NS)(on_error)
