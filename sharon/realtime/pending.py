"""Send after commit, as a mechanism: events are queued on the database session and go
out when it commits, in commit order; a rollback drops them. So no area can tell people
about a change that did not happen, or forget to tell them about one that did.

    realtime.announce("message", payload, to=rooms.EVERYONE)   # before the commit
    db.session.commit()                                         # now it is sent

What is not about a change in the database (a refusal's crisis contacts, a status read
by the watcher) goes with `send_now`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sharon.extensions import db
from sharon.realtime.outbox import outbox
from sharon.realtime.rooms import WALL

_KEY = "sharon.realtime.pending"
_listening = False


def announce(event: str, data: dict[str, Any], to: str, namespace: str = WALL,
             **options: Any) -> None:
    """Queue an event on this session; it is sent when the session commits."""
    db.session.info.setdefault(_KEY, []).append((event, data, to, namespace, options))


def send_now(event: str, data: dict[str, Any], to: str, namespace: str = WALL,
             **options: Any) -> None:
    """Send an event that does not wait for a commit (it reports no change)."""
    outbox.send(event, data, to, namespace=namespace, **options)


def pending() -> list[tuple[str, dict[str, Any], str, str, dict[str, Any]]]:
    """What this session will send when it commits (for tests)."""
    return list(db.session.info.get(_KEY, ()))


def _after_commit(session: Session) -> None:
    for event, data, to, namespace, options in session.info.pop(_KEY, ()):
        outbox.send(event, data, to, namespace=namespace, **options)


def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)


def init_app() -> None:
    """Listen to the app's sessions once per process (db.session outlives each app)."""
    global _listening
    if not _listening:
        sa.event.listen(db.session, "after_commit", _after_commit)
        sa.event.listen(db.session, "after_rollback", _after_rollback)
        _listening = True
