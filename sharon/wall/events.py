"""Socket handlers for the Wall (namespace /wall). Thin: parse, call a service, commit, emit.

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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, request, session
from flask_socketio import ConnectionRefusedError, emit, join_room

from sharon import clock
from sharon.extensions import db, socketio
from sharon.models import MessageStatus, Role, Status, User, WallMessage
from sharon.models.roles import MODERATING_TEAM
from sharon.moderation import services as moderation
from sharon.permissions import Action, can
from sharon.realtime import announce, rooms, send_now
from sharon.refusals import Refused
from sharon.safety import CRISIS_CONTACTS
from sharon.sessions import user_for_session
from sharon.wall import hours, services
from sharon.wall.presence import presence

NS = "/wall"
log = logging.getLogger(__name__)
# How often a worker re-reads the schedule, so staff changes reach clients promptly.
WATCH_SECONDS = 5.0
# How often, at most, a worker tells its clients the latest number (see Watcher.tick).
SYNC_SECONDS = 30.0


# --- Helpers ----------------------------------------------------------------------------

def crisis_contacts() -> list[dict[str, str]]:
    return [{"name": c.name, "how": c.how, "href": c.href, "when": c.when}
            for c in CRISIS_CONTACTS]


def _user() -> User | None:
    """The signed-in person, re-read from the database at every event."""
    return user_for_session(session.get("_user_id"), fresh=True)


def ok(**fields: Any) -> dict[str, Any]:
    return {"ok": True, **fields}


def refused(code: str, message: str) -> dict[str, Any]:
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
        message += " " + services.when_the_team_is_back()
    return {"kind": "crisis", "message": message, "contacts": crisis_contacts()}


def mute_notice(mute: Any, at: datetime | None = None) -> dict[str, Any]:
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
    for moderator_id in services.on_duty_ids():
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
                    services.heartbeat({user.id})
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
    ensure_watcher(current_app._get_current_object())  # type: ignore[attr-defined]


def _forget_socket() -> None:
    _sockets.pop(request.sid, None)
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
        services.heartbeat({user.id})
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
    _sockets[request.sid] = Seen(user.id, user.session_version, user.is_moderator)
    if user.is_moderator:
        presence().publish(_moderators_here())


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
        for moderator_id in services.on_duty_ids():
            _to_user(moderator_id, "alert", alert)
    db.session.commit()
    return ok(id=message_id, status=status)


# --- Moderation -------------------------------------------------------------------------

def _set_hidden(user: User, data: dict[str, Any], hidden: bool) -> dict[str, Any]:
    message = services.do_set_hidden(user, data.get("id"), hidden)
    update: dict[str, Any] = {"id": message.id, "hidden": hidden, "seq": message.seq}
    if not hidden:
        # A client that never had it (it joined while hidden) can show it now.
        update.update(services.message_payload(message))
    _broadcast("update", update)
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
    _broadcast("update", {"id": message_id, "pinned": pinned, "seq": message.seq})
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
    on = services.do_duty(user, data.get("on"))
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


# --- Who is connected to this worker --------------------------------------------------

@dataclass(frozen=True)
class Seen:
    user_id: int
    session_version: int
    moderator: bool


# This worker's sockets, so that it can act on a change of account at once rather than at
# the person's next event: a suspended account, a changed password or a lost moderating
# role must stop receiving the Wall (and its alerts) even if they never send anything.
_sockets: dict[str, Seen] = {}


def _moderators_here() -> set[int]:
    return {seen.user_id for seen in _sockets.values() if seen.moderator}


def _gone(seen: Seen) -> None:
    """A moderator's socket here has gone (closed, or cut off by the sweep). If it was
    their last Wall tab on any worker, they go off duty: nobody should be listed, and
    counted on, as watching the Wall from a closed tab."""
    presence().publish(_moderators_here())
    if any(other.user_id == seen.user_id for other in _sockets.values()):
        return
    if presence().elsewhere(seen.user_id):  # still watching through another worker
        return
    if services.end_duty(seen.user_id, "left the Wall"):
        _broadcast("status", services.status())
        db.session.commit()


def on_disconnect(reason: Any = None) -> None:
    """A socket closed: forget it, and see whether a moderator has left the Wall."""
    seen = _sockets.pop(request.sid, None)
    _last_catch_up.pop(request.sid, None)
    if seen is not None and seen.moderator:
        _gone(seen)
    db.session.rollback()


def sweep() -> int:
    """Disconnect this worker's sockets whose account changed; returns how many changed."""
    if not _sockets:
        return 0
    # Only the columns that matter, not whole accounts: with a thousand people on the
    # Wall this runs every few seconds on the same loop that delivers their messages.
    users = {u.id: u for u in db.session.execute(
        sa.select(User.id, User.status, User.role, User.session_version).where(
            User.id.in_({seen.user_id for seen in _sockets.values()})))}
    changed = 0
    for sid, seen in list(_sockets.items()):
        user = users.get(seen.user_id)
        if not socketio.server.manager.is_connected(sid, NS):
            _sockets.pop(sid, None)  # gone without a goodbye
            if seen.moderator:
                _gone(seen)
        elif user is None or user.status != Status.ACTIVE or \
                user.session_version != seen.session_version:
            # Forgotten first, so the disconnect handler this calls has nothing to do.
            _sockets.pop(sid, None)
            socketio.server.disconnect(sid, namespace=NS)
            if seen.moderator:
                _gone(seen)
            changed += 1
        elif seen.moderator and Role(user.role) not in MODERATING_TEAM:
            socketio.server.leave_room(sid, "moderators", namespace=NS)
            _sockets[sid] = Seen(seen.user_id, seen.session_version, False)
            presence().publish(_moderators_here())
            if services.end_duty(user.id, "no longer on the moderating team"):
                _broadcast("status", services.status())
                db.session.commit()
            changed += 1
    db.session.rollback()
    return changed


def register() -> None:
    """Attach the handlers to the current Socket.IO server (called for every app built)."""
    socketio.on_event("connect", on_connect, namespace=NS)
    socketio.on_event("disconnect", on_disconnect, namespace=NS)
    for name, handler in EVENTS.items():
        socketio.on_event(name, handler, namespace=NS)
    socketio.on_error(NS)(on_error)


# --- Opening and closing ----------------------------------------------------------------

class Watcher:
    """Tells this worker's own clients when the Wall opens or closes, at that moment.

    Every worker runs one. Each emits only to its own clients (`ignore_queue`), so with
    several workers behind Redis every client still hears each change exactly once. It
    sleeps until the next scheduled change, and at most WATCH_SECONDS, so that closures
    and extra sessions staff add are announced within seconds too.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.last: tuple[Any, ...] | None = None
        self.last_seq: int | None = None
        self.next_sync = 0.0

    def tick(self) -> float:
        """Renew this worker's moderators' duty, announce a change of hours or of who is
        on duty (a moderator on a worker that died lapses), tell this worker's clients
        the latest number so that they notice anything they missed; return how long to
        sleep."""
        with self.app.app_context():
            try:
                sweep()
                here = _moderators_here()
                presence().publish(here)  # also this worker's heartbeat
                now = clock.now()
                if here:
                    services.heartbeat(here, now)
                    db.session.commit()
                state = hours.current(now, fresh=True)  # staff edits on any worker count
                # Ids only, every tick; the whole status only when something changed.
                key = (state.open, state.next_change.isoformat() if state.next_change else None,
                       tuple(services.on_duty_ids(now)) if state.open else ())
                if self.last is not None and key != self.last:
                    send_now("status", services.status(now), rooms.EVERYONE,
                             ignore_queue=True)
                self.last = key
                seq = services.current_seq()
                if seq != self.last_seq and time.monotonic() >= self.next_sync:
                    # Cheap insurance: a broadcast lost on the way (a worker killed between
                    # its commit and its broadcast, a message queue outage) shows up as a
                    # number the client has not seen, and it catches up. At most every
                    # SYNC_SECONDS: it costs a write to every socket.
                    if self.last_seq is not None:
                        send_now("sync", {"seq": seq}, rooms.EVERYONE, ignore_queue=True)
                    self.last_seq = seq
                    self.next_sync = time.monotonic() + SYNC_SECONDS
            finally:
                db.session.remove()
        delay = WATCH_SECONDS
        if state.next_change is not None:
            delay = min(delay, (state.next_change - clock.now()).total_seconds())
        return max(delay, 0.01)

    def run(self) -> None:
        while True:
            try:
                delay = self.tick()
            except Exception:
                log.exception("Wall watcher failed; retrying")
                delay = WATCH_SECONDS
            socketio.sleep(delay)


_watcher_lock = threading.Lock()
_watcher: Watcher | None = None


def ensure_watcher(app: Flask) -> None:
    """Start this worker's watcher on its first connection (tests drive Watcher.tick)."""
    global _watcher
    if app.testing or _watcher is not None:
        return
    with _watcher_lock:
        if _watcher is None:
            _watcher = Watcher(app)
            socketio.start_background_task(_watcher.run)


# --- When the message queue between workers fails (queue.py) ------------------------------

DEGRADED = ("Live updates from some people may be delayed for a moment. Nothing is lost: "
            "we will catch you up automatically.")


def queue_degraded() -> bool:
    manager = socketio.server.manager if socketio.server else None
    return bool(getattr(manager, "publishing_failed", False)
                or getattr(manager, "listening_failed", False))


def queue_lost(_where: str) -> None:
    """This worker lost Redis: its clients still get what is said here, and are told
    that what is said through other workers may be late."""
    socketio.start_background_task(
        socketio.emit, "notice", {"kind": "degraded", "message": DEGRADED},
        to="wall", namespace=NS, ignore_queue=True)


def queue_back(everyone: bool) -> None:
    """Redis is back: this worker's clients (and, if this worker's own broadcasts were
    lost, every worker's) catch up from the database."""
    socketio.start_background_task(
        socketio.emit, "resync", {"reason": "queue"}, to="wall", namespace=NS,
        ignore_queue=not everyone)


class _OneLineErrors(logging.Filter):
    """Malformed packets from clients make python-engineio log a full traceback.

    Anyone can send them, so they would flood the log; one line is enough to notice.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.getMessage() in ("message handler error",
                                                       "post request handler error"):
            error = record.exc_info[1]
            record.msg = "dropped a malformed message from a client: %s"
            record.args = (type(error).__name__,)
            record.exc_info = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


logging.getLogger("engineio.server").addFilter(_OneLineErrors())
