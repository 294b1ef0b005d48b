"""Which moderators still have the Wall open, on any worker.

A moderator whose last Wall tab closes is taken off duty: nobody should be counted on
as watching from a closed tab. One worker knows only its own sockets. With several
workers (SHARON_REDIS_URL), each worker also publishes to Redis the moderators it holds
sockets for, rewritten whenever that changes and at every watcher tick, and kept for
HEARTBEAT_SECONDS. So closing a tab on one worker does not end the duty of someone still
watching through another, and what a worker published lapses with it if it dies or
misses an update. If Redis cannot answer, duty ends: members' messages are then held
for approval, which is the safe way to be wrong.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

WORKER = uuid.uuid4().hex  # this process
HEARTBEAT_SECONDS = 30     # the watcher republishes every few seconds
WORKERS_KEY = "sharon:wall:workers"


class Presence:
    """One worker alone: its own sockets are all there is to know."""

    def publish(self, moderator_ids: Iterable[int]) -> None:
        """The moderators this worker holds Wall sockets for, now."""

    def elsewhere(self, user_id: int) -> bool:
        """Has this person the Wall open through another worker?"""
        return False


class RedisPresence(Presence):
    def __init__(self, url: str) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries with back-off: the watcher asks on the Wall's own loop, and a dead
        # Redis must cost it a refused connection, not seconds of waiting.
        self.redis: Any = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2,
                                               retry=Retry(NoBackoff(), 0),
                                               decode_responses=True)

    @staticmethod
    def key(worker: str) -> str:
        """The Redis key one worker's list is kept under."""
        return f"sharon:wall:moderators@{worker}"

    def publish(self, moderator_ids: Iterable[int]) -> None:
        """Tell other workers which team members have the Wall open here."""
        ids = sorted(set(moderator_ids))
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self.key(WORKER))
        if ids:
            pipe.sadd(self.key(WORKER), *ids)
            pipe.expire(self.key(WORKER), HEARTBEAT_SECONDS)
            pipe.sadd(WORKERS_KEY, WORKER)
        try:
            pipe.execute()
        except Exception:  # the next tick tries again; meanwhile others stop counting us
            log.warning("Wall presence: could not reach Redis to publish this worker's "
                        "moderators")

    def elsewhere(self, user_id: int) -> bool:
        """Has this person the Wall open through another worker? (No, if Redis cannot say.)"""
        try:
            for worker in self.redis.smembers(WORKERS_KEY) - {WORKER}:
                if self.redis.sismember(self.key(worker), str(user_id)):
                    return True
                if not self.redis.exists(self.key(worker)):
                    self.redis.srem(WORKERS_KEY, worker)  # lapsed or nobody there now
            return False
        except Exception:
            log.warning("Wall presence: could not reach Redis; ending duty to be safe")
            return False


def init_app(app: Flask) -> None:
    """Presence across workers through Redis when configured, else this worker only."""
    url = app.config.get("SHARON_REDIS_URL")
    app.extensions["sharon.wall_presence"] = RedisPresence(url) if url else Presence()


def presence() -> Presence:
    """This app's presence tracker."""
    found: Presence | None = current_app.extensions.get("sharon.wall_presence")
    return found if found is not None else Presence()
