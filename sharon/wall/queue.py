"""The message queue between workers (Redis), and what a worker does when it fails.

python-socketio's RedisManager delivers every broadcast to this worker's own clients
first and then publishes it for the others; when Redis is down it logs the failed
publish and carries on, and its listener waits up to a minute between reconnections,
so people on the other workers silently missed messages that were acknowledged to
their authors (measured: 168 of 204 in a 70-second Redis restart, and still vanishing
52 seconds after Redis was back). This subclass keeps the library's delivery and adds
what the Wall's promise needs:

- a publish that fails is noticed at once (no retry with back-off inside the redis
  client), and the listener reconnects every RECONNECT_SECONDS, not after a minute;
- while the queue is out, this worker's clients are told live updates from other
  workers may be delayed (`on_lost`); the Wall keeps working for the people here;
- when the listener is subscribed again, this worker's clients are told to catch up
  (`on_back`), since whatever was published meanwhile never reached them; and when
  publishing works again, every worker's clients are told, since what this worker
  failed to publish never reached anyone else. Catching up reads the database, where
  every acknowledged message already is (handlers.on_catch_up).

Only the reconnection and the two hooks are ours; delivery is the library's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import redis
import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 0.5
TIMEOUT_SECONDS = 2.0
CHANNEL = "flask-socketio"  # Flask-SocketIO's own default, so outside emitters still reach us


def _client(url: str, **options: Any) -> redis.Redis:
    # No retries inside the client: a failure must reach us now, not after its back-off.
    return redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS,
                                retry=Retry(NoBackoff(), 0), **options)


class WallQueue(socketio.RedisManager):  # type: ignore[misc]
    """RedisManager that notices outages at once and says so (see the module)."""

    def __init__(self, url: str, on_lost: Callable[[str], None],
                 on_back: Callable[[bool], None]) -> None:
        super().__init__(url, channel=CHANNEL)
        self.on_lost, self.on_back = on_lost, on_back
        self.publisher: redis.Redis | None = None
        self.publishing_failed = False
        self.listening_failed = False

    # --- Publishing ----------------------------------------------------------------------

    def _publish(self, data: Any) -> None:
        try:
            if self.publisher is None:
                self.publisher = _client(self.redis_url, socket_timeout=TIMEOUT_SECONDS)
            self.publisher.publish(self.channel, self.json.dumps(data))
        except Exception as exc:  # any failure means the other workers did not hear it
            self.publisher = None
            if not self.publishing_failed:
                self.publishing_failed = True
                log.warning("Wall: cannot publish to Redis (%s); other workers' clients "
                            "will catch up when it is back", type(exc).__name__)
                self.on_lost("publish")
            return
        if self.publishing_failed:
            self.publishing_failed = False
            log.warning("Wall: publishing to Redis again")
            self.on_back(True)

    # --- Listening -----------------------------------------------------------------------

    def _redis_listen_with_retries(self) -> Iterator[dict[str, Any]]:
        while True:
            try:
                # No socket timeout: the listener waits for messages for as long as it takes.
                pubsub = _client(self.redis_url, socket_keepalive=True).pubsub(
                    ignore_subscribe_messages=True)
                self.pubsub = pubsub
                pubsub.subscribe(self.channel)
                if self.listening_failed:
                    self.listening_failed = False
                    log.warning("Wall: listening to Redis again")
                    self.on_back(False)
                yield from pubsub.listen()
            except Exception as exc:
                if not self.listening_failed:
                    self.listening_failed = True
                    log.warning("Wall: lost Redis (%s); serving this worker's clients alone "
                                "and reconnecting every %s s", type(exc).__name__,
                                RECONNECT_SECONDS)
                    self.on_lost("listen")
                time.sleep(RECONNECT_SECONDS)
