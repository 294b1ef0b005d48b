"""A tiny SMTP server on the loopback address that keeps what it is sent, for tests.

It speaks just enough of RFC 5321 for smtplib (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
so SHaRON's real sending code runs from end to end. (aiosmtpd would do, but it is not a
dependency, and the standard library's smtpd is gone from Python 3.12.)
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage


class _Handler(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._say("220 fake.smtp ready")
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").strip()
            verb = line[:4].upper()
            if not line or verb == "QUIT":
                self._say("221 bye")
                return
            if verb in ("EHLO", "HELO"):
                self._say("250-fake.smtp")
                self._say("250 8BITMIME")
            elif verb == "DATA":
                self._say("354 go ahead")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                body = data[: -len(b".\r\n")].replace(b"\r\n..", b"\r\n.")
                self.server.received.append(  # type: ignore[attr-defined]
                    message_from_bytes(body, policy=policy.default))
                self._say("250 kept")
            else:  # MAIL, RCPT, RSET, NOOP
                self._say("250 ok")


class FakeSMTP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[EmailMessage] = []

    @property
    def port(self) -> int:
        return self.server_address[1]

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        """The messages, once `count` have arrived (sending is in the background)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)


@contextmanager
def fake_smtp() -> Iterator[FakeSMTP]:
    server = FakeSMTP()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
