"""Each worker's watcher: the one background task of the Wall.

It exists because some things happen with nobody sending anything: the Wall opens or
closes on the clock, staff add an extra session, a moderator's duty must be renewed
while their tab is open (or lapses when their worker dies), an account changes, a
broadcast is lost on the way. Every few seconds it sweeps this worker's connections,
renews its moderators' duty, and tells its own clients what changed.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask

from sharon import safety
from sharon.extensions import db, socketio
from sharon.infra import clock
from sharon.realtime import rooms, send_now
from sharon.wall import connections, duty, hours, services
from sharon.wall.presence import presence

log = logging.getLogger(__name__)
# How often a worker re-reads the schedule, so staff changes reach clients promptly.
WATCH_SECONDS = 5.0
# How often, at most, a worker tells its clients the latest number (see Watcher.tick).
SYNC_SECONDS = 30.0


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
        on duty (a moderator on a worker that died lapses), tell this worker's clients the
        latest number so that they notice anything they missed; return how long to sleep.
        (Risk flags waiting past their time are the scheduler's: sharon/moderation/jobs.py.)"""
        with self.app.app_context():
            try:
                connections.sweep()
                here = connections.moderators_here()
                presence().publish(here)  # also this worker's heartbeat
                now = clock.now()
                if here:
                    duty.heartbeat(here, now)
                    db.session.commit()
                state = hours.current(now, fresh=True)  # staff edits on any worker count
                # Ids only, every tick; the whole status only when something changed.
                key = (state.open, state.next_change.isoformat() if state.next_change else None,
                       tuple(duty.on_duty_ids(now)) if state.open else ())
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

    def warm(self) -> None:
        """Build the watched-words matcher before anyone's first message needs it: with
        a few hundred terms it takes 100-150 ms (measured with bench/wall.py --baseline),
        which that message would otherwise wait, and the hub with it."""
        with self.app.app_context():
            try:
                safety.check("")
            except Exception:  # the database may be down at start: the first message builds it
                log.warning("Wall watcher: could not prepare the watched words yet")
            finally:
                db.session.remove()

    def run(self) -> None:
        """Prepare the watched words, then tick until the process ends: sweep, heartbeat,
        status and sync."""
        self.warm()
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
