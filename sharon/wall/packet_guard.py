"""Refuse long-polling bodies that are not Engine.IO packets, before python-engineio.

python-engineio (4.x) answers an unknown packet type on an open polling session by
closing the session and waiting for a drain that never comes: the request hangs,
holding a connection, and anyone can open as many as they like. Checking the packet
types first turns that into a plain 400.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

# Engine.IO v4 packet types: open, close, ping, pong, message, upgrade, noop; "b" starts
# a base64 binary message.
PACKET_TYPES = frozenset(b"0123456b")
SEPARATOR = b"\x1e"


def valid_payload(body: bytes) -> bool:
    """Refuse a long-polling body that is not well-formed Engine.IO packets."""
    return bool(body) and all(p and p[0] in PACKET_TYPES for p in body.split(SEPARATOR))


class PollingPacketGuard:
    def __init__(self, app: Callable[..., Iterable[bytes]], path: str = "/socket.io",
                 max_bytes: int = 1_000_000) -> None:
        self.app = app
        self.path = path
        self.max_bytes = max_bytes

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST" and \
                environ.get("PATH_INFO", "").startswith(self.path) and \
                "transport=polling" in environ.get("QUERY_STRING", ""):
            try:
                length = int(environ.get("CONTENT_LENGTH") or -1)
            except ValueError:
                length = -1
            if length > self.max_bytes:
                return self._refuse(start_response, "413 Content Too Large")
            body = environ["wsgi.input"].read(length if length >= 0 else self.max_bytes + 1)
            if len(body) > self.max_bytes:
                return self._refuse(start_response, "413 Content Too Large")
            if not valid_payload(body):
                return self._refuse(start_response, "400 Bad Request")
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    @staticmethod
    def _refuse(start_response: Callable[..., Any], status: str) -> list[bytes]:
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "11")])
        return [b"Bad request"]
