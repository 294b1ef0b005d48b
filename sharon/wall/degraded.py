"""What this worker's Wall clients are told when the message queue between workers
(Redis, queue.py) fails and comes back.

It exists so that the queue stays a transport: WallQueue notices an outage and calls the
two hooks here (passed in by the app factory), which speak to the Wall's clients; the
connect handler asks `queue_degraded` to tell a newcomer during an outage.
"""

from __future__ import annotations

from sharon.extensions import socketio
from sharon.realtime import rooms

NS = rooms.WALL

DEGRADED = ("Live updates from some people may be delayed for a moment. Nothing is lost: "
            "we will catch you up automatically.")


def queue_degraded() -> bool:
    """Whether delivery between workers is down right now."""
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
