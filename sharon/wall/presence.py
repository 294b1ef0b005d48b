"""Which moderators still have the Wall open, on any worker.

A moderator whose last Wall tab closes is taken off duty: nobody should be counted on
as watching from a closed tab. One worker knows only its own sockets. With several
workers (SHARON_REDIS_URL), each moderator's sockets are also listed in Redis beside
each worker's heartbeat, so that closing a tab on one worker does not end the duty of
someone still watching through another, and the sockets of a worker that died stop
counting once its heartbeat lapses. If Redis cannot answer, duty ends: members'
messages are then held for approval, which is the safe way to be wrong.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

WORKER = uuid.uuid4().hex  # this process
HEARTBEAT_SECONDS = 30     # the watcher beats every few seconds; a dead worker lapses


class Presence:
    """One worker alone: its own sockets are all there is to know."""

    def beat(self) -> None:
        pass

    def add(self, user_id: int, sid: str) -> None:
        pass

    def remove(self, user_id: int, sid: str) -> None:
        pass

    def elsewhere(self, user_id: int) -> bool:
        """Has this person the Wall open through another worker that is alive?"""
        return False


class RedisPresence(Presence):
    def __init__(self, url: str) -> None:
        import redis

        self.redis: Any = redis.Redis.from_url(url, socket_timeout=2, decode_responses=True)

    @staticmethod
    def _sockets(user_id: int) -> str:
        return f"sharon:wall:moderator-sockets:{user_id}"

    @staticmethod
    def _heartbeat(worker: str) -> str:
        return f"sharon:wall:worker:{worker}"

    def beat(self) -> None:
        try:
            self.redis.set(self._heartbeat(WORKER), "1", ex=HEARTBEAT_SECONDS)
        except Exception:  # the Wall goes on; others stop counting this worker's tabs
            log.warning("Wall presence: could not reach Redis for the heartbeat")

    def add(self, user_id: int, sid: str) -> None:
        try:
            self.redis.pipeline().set(self._heartbeat(WORKER), "1", ex=HEARTBEAT_SECONDS) \
                .sadd(self._sockets(user_id), f"{WORKER}:{sid}").execute()
        except Exception:
            log.warning("Wall presence: could not reach Redis to note a moderator's socket")

    def remove(self, user_id: int, sid: str) -> None:
        try:
            self.redis.srem(self._sockets(user_id), f"{WORKER}:{sid}")
        except Exception:
            log.warning("Wall presence: could not reach Redis to drop a moderator's socket")

    def elsewhere(self, user_id: int) -> bool:
        try:
            members = self.redis.smembers(self._sockets(user_id))
            others = {m.split(":", 1)[0] for m in members} - {WORKER}
            alive = {w for w in others if self.redis.exists(self._heartbeat(w))}
            stale = [m for m in members if m.split(":", 1)[0] in others - alive]
            if stale:
                self.redis.srem(self._sockets(user_id), *stale)
            return bool(alive)
        except Exception:
            log.warning("Wall presence: could not reach Redis; ending duty to be safe")
            return False


def init_app(app: Flask) -> None:
    url = app.config.get("SHARON_REDIS_URL")
    app.extensions["sharon.wall_presence"] = RedisPresence(url) if url else Presence()


def presence() -> Presence:
    found: Presence | None = current_app.extensions.get("sharon.wall_presence")
    return found if found is not None else Presence()
