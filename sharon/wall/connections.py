"""Who is connected to the Wall through this worker, and the sweep that acts on them.

It exists so that a change of account takes effect at once rather than at the person's
next event: a suspended account, a changed password or a lost moderating role must stop
receiving the Wall (and its alerts) even if they never send anything. The handlers add
and forget sockets here; the watcher sweeps every few seconds; what a moderator's
leaving means for their duty is decided in duty.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from sharon.extensions import db, socketio
from sharon.models import Status, User
from sharon.permissions import Action, role_may
from sharon.realtime import announce, rooms
from sharon.wall import duty, services
from sharon.wall.presence import presence

NS = rooms.WALL


@dataclass(frozen=True)
class Seen:
    user_id: int
    session_version: int
    moderator: bool


# This worker's sockets, by sid, as they were when they connected.
_sockets: dict[str, Seen] = {}


def add(sid: str, seen: Seen) -> None:
    """A socket has been given everything and is connected."""
    _sockets[sid] = seen
    if seen.moderator:
        presence().publish(moderators_here())


def forget(sid: str) -> Seen | None:
    """Forget a socket without a word (it was refused); returns what was known of it."""
    return _sockets.pop(sid, None)


def closed(sid: str) -> None:
    """A socket closed: forget it, and see whether a moderator has left the Wall."""
    seen = _sockets.pop(sid, None)
    if seen is not None and seen.moderator:
        _gone(seen)


def moderators_here() -> set[int]:
    """The team members with the Wall open on this worker."""
    return {seen.user_id for seen in _sockets.values() if seen.moderator}


def _gone(seen: Seen) -> None:
    """A moderator's socket here has gone (closed, or cut off by the sweep): tell the
    other workers, and if their duty ends with it, everyone."""
    presence().publish(moderators_here())
    still_here = any(other.user_id == seen.user_id for other in _sockets.values())
    if duty.left_the_wall(seen.user_id, still_here):
        announce("status", services.status(), rooms.EVERYONE)
        db.session.commit()


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
        elif seen.moderator and not role_may(user.role, Action.MODERATE):
            socketio.server.leave_room(sid, "moderators", namespace=NS)
            _sockets[sid] = Seen(seen.user_id, seen.session_version, False)
            presence().publish(moderators_here())
            if duty.end_duty(user.id, "no longer on the moderating team"):
                announce("status", services.status(), rooms.EVERYONE)
                db.session.commit()
            changed += 1
    db.session.rollback()
    return changed
