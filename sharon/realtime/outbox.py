"""What any area broadcasts leaves through one queue per worker, in commit order.

Delivering a message to a thousand sockets costs a write on each. Emitted the moment each
handler commits, every message of a busy minute woke every socket's writer on its own;
emitted by one task that empties the queue in one go, the messages that came in meanwhile
go out together and each socket's writer wakes once for all of them (bench/wall.py: a
burst reaches 1,000 clients about a third faster). A message on a quiet Wall still leaves
at once: the task runs as soon as the handler that queued it has finished.

Every broadcast (to everyone on the Wall, to the team, to one person's devices, in any
namespace) goes this way, so none overtakes another: a hide never arrives before the message it
hides. A client that connects in between may get a message twice (once in its catch-up);
the page keeps one per id. Under threads (the test client, the CLI) it sends at once.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Emit = Callable[..., None]


class Outbox:
    """A FIFO of broadcasts and at most one task sending them; the async server's own
    spawn and pause are passed in, so that tests can drive it step by step."""

    def __init__(self, emit: Emit, spawn: Callable[[Callable[[], None]], Any],
                 pause: Callable[[], None], cooperative: Callable[[], bool]) -> None:
        self._emit, self._spawn, self._pause, self._cooperative = emit, spawn, pause, cooperative
        self._pending: deque[tuple[str, dict[str, Any], str, dict[str, Any]]] = deque()
        self._sending = False

    def send(self, event: str, data: dict[str, Any], to: str, **options: Any) -> None:
        """Queue a broadcast (sent at once where handlers run on threads); `options` may
        name the namespace."""
        if not self._cooperative():
            self._emit(event, data, to, **options)
            return
        self._pending.append((event, data, to, options))
        if not self._sending:
            self._sending = True
            self._spawn(self._drain)

    def _drain(self) -> None:
        # One task at a time, until the queue is empty: with Redis an emit waits on the
        # network, and a second task would let later broadcasts pass earlier ones.
        try:
            self._pause()  # handlers already under way queue theirs first
            while self._pending:
                event, data, to, options = self._pending.popleft()
                try:
                    self._emit(event, data, to, **options)
                except Exception:
                    log.exception("Wall broadcast %r to %s failed", event, to)
        finally:
            self._sending = False


def _emit(event: str, data: dict[str, Any], to: str, namespace: str = "/wall",
          **options: Any) -> None:
    from sharon.extensions import socketio

    socketio.emit(event, data, to=to, namespace=namespace, **options)


def _spawn(task: Callable[[], None]) -> Any:
    from sharon.extensions import socketio

    return socketio.start_background_task(task)


def _pause() -> None:
    from sharon.extensions import socketio

    socketio.sleep(0)


def _cooperative() -> bool:
    from sharon.extensions import socketio

    return socketio.async_mode in ("eventlet", "gevent")


# The worker's one outbox.
outbox = Outbox(_emit, _spawn, _pause, _cooperative)
