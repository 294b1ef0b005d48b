"""The long-lived server process (wsgi.py): its garbage collector, its file limit and
its web server, shared with the benchmarks' ceilings so that both run under the same
settings."""

from __future__ import annotations

import base64
import binascii
import gc
import logging
import resource
import socket
from typing import Any

log = logging.getLogger(__name__)

# Connections the kernel holds for a worker while it is busy accepting (Linux caps it
# at net.core.somaxconn, 4096 by default).
LISTEN_BACKLOG = 2048
# Files a worker keeps open besides its clients' sockets: the listening socket, database
# and Redis connections, media files being sent, logs.
SPARE_FILES = 256

# Young objects are collected after this many net allocations (Python's default: 700).
GC_THRESHOLDS = (20_000, 50, 100)


def tune_garbage_collector() -> None:
    """One process holds every Wall socket; with Python's default thresholds the collector
    walked that whole heap so often that deliveries to 1,000 clients stalled for 100 ms
    and more (bench/wall.py: p99 209 ms, against 56 ms with collection off). Freezing
    what startup made and collecting less often keeps the stalls out; cycles are still
    collected, and Python runs a full collection only when the heap has grown by a
    quarter since the last."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def raise_open_file_limit(connections: int) -> int:
    """Let the process hold `connections` sockets: every socket is a file, and many
    systems start services with a soft limit of 1,024 files, which would refuse the
    Wall's 1,001st member with "Too many open files". The soft limit is raised to the
    hard limit (which needs no privilege) when it is lower than needed; returns the
    soft limit in force."""
    wanted = connections + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return soft
    target = hard if hard != resource.RLIM_INFINITY else wanted
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    except (ValueError, OSError) as exc:  # pragma: no cover - depends on the system
        log.warning("could not raise the open file limit from %d to %d: %s", soft, target, exc)
    if soft < wanted:
        log.warning("this process may open only %d files, so it will serve fewer than the "
                    "%d connections SHARON_MAX_CONNECTIONS allows; raise its hard limit "
                    "(systemd: LimitNOFILE=)", soft, connections)
    return soft


class _ServerLog:
    """eventlet's server writes access lines and tracebacks to one `info`; the access
    lines are left out (nginx keeps them), and what fails inside a request goes to the
    log as an error, for the team, never to the person who sent it."""

    _log = logging.getLogger("sharon.server")

    def info(self, msg: str, *args: object) -> None:
        if msg.startswith("Traceback"):
            self._log.error("a request failed outside the app's error pages:\n%s", msg.rstrip())

    def debug(self, msg: str, *args: object) -> None:
        pass

    def error(self, msg: str, *args: object) -> None:
        # A client's broken request body: its trouble, not ours.
        self._log.debug("%s", msg)

    def write(self, msg: str, *args: object) -> None:
        self.info(msg, *args)


def serve(app: Any, host: str, port: int, mode: str, *, max_connections: int,
          socket_timeout: float) -> None:
    """Serve `app` (with Flask-SocketIO's middleware) with eventlet's or gevent's own
    server until stopped.

    Flask-SocketIO's `socketio.run` cannot do this: it keeps `debug` for itself, and
    eventlet's server then defaults to sending a traceback to anyone whose request
    fails. Here no traceback ever leaves the process; at most `max_connections` sockets
    are served at once (more wait in the listen queue); and a connection that sends
    nothing for `socket_timeout` seconds is closed, so idle or deliberately slow clients
    cannot hold the worker's sockets for ever.
    """
    raise_open_file_limit(max_connections)
    if mode == "eventlet":
        _serve_eventlet(app, host, port, max_connections, socket_timeout)
    elif mode == "gevent":
        _serve_gevent(app, host, port, max_connections, socket_timeout)
    else:
        raise ValueError(f"python wsgi.py serves with eventlet or gevent, not {mode!r}")


def _listen_address(host: str, port: int) -> tuple[int, tuple[Any, ...]]:
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    return family, address


def _serve_eventlet(app: Any, host: str, port: int, max_connections: int,
                    socket_timeout: float) -> None:
    import eventlet
    import eventlet.wsgi

    family, address = _listen_address(host, port)
    listener = eventlet.listen(address, family, backlog=LISTEN_BACKLOG)
    eventlet.wsgi.server(
        listener, app,
        log=_ServerLog(), log_output=True, debug=False,
        max_size=max_connections,
        # keepalive (a number): how long to wait for a request line, first or next;
        # socket_timeout: how long any other read or write may wait. An open websocket
        # gets python-engineio's own timeout (ping interval + ping timeout, 45 s).
        keepalive=socket_timeout,
        socket_timeout=socket_timeout,
    )


def _serve_gevent(app: Any, host: str, port: int, max_connections: int,
                  socket_timeout: float) -> None:
    from gevent import pywsgi
    from gevent.pool import Pool

    try:
        from geventwebsocket.handler import WebSocketHandler as Handler
    except ImportError:  # websockets then come from simple-websocket
        Handler = pywsgi.WSGIHandler  # noqa: N806

    class TimedHandler(Handler):  # type: ignore[misc, valid-type]
        def handle(self) -> None:
            self.socket.settimeout(socket_timeout)
            super().handle()

        def handle_one_response(self) -> Any:
            if self.environ.get("HTTP_UPGRADE", "").lower() != "websocket":
                return super().handle_one_response()
            # An open websocket is silent between Engine.IO's pings (25 s), and
            # python-engineio ends one whose client stops answering them, as it does
            # under eventlet; simple-websocket reads from a copy of this socket, which
            # would inherit the timeout.
            self.socket.settimeout(None)
            try:
                return super().handle_one_response()
            finally:
                self.socket.settimeout(socket_timeout)

    family, address = _listen_address(host, port)
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    listener.listen(LISTEN_BACKLOG)
    # gevent's server sends a plain "Internal Server Error" (no traceback) on a failure.
    server = pywsgi.WSGIServer(listener, app, spawn=Pool(max_connections), log=None,
                               error_log=logging.getLogger("sharon.server"),
                               handler_class=TimedHandler)
    server.serve_forever()


class _FrameGuard:
    """A websocket as python-engineio sees it, whose `wait` passes on only frames that
    Engine.IO can decode.

    python-engineio decodes each frame outside its error handling: an empty text frame,
    one starting with a character that is not a digit, or "b" followed by bad base64
    escaped as a traceback, and left the Engine.IO session open until its ping timed
    out. Such frames are now dropped, as python-engineio drops packets of an unknown
    type and python-socketio malformed messages, with one line in the log for each
    connection that sends them.
    """

    _log = logging.getLogger("sharon.server")

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._dropped = 0
        self.send = ws.send  # every broadcast calls it, once per socket: no lookup

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)

    def wait(self) -> Any:
        while True:
            data = self._ws.wait()
            if data is None or isinstance(data, bytes | bytearray) or _decodable(data):
                return data
            self._dropped += 1
            if self._dropped == 1:
                self._log.warning("dropped a malformed Engine.IO packet from a websocket "
                                  "client (and any more it sends)")


def _decodable(text: str) -> bool:
    """Whether engineio.packet.Packet can decode this text frame (its failures, no more)."""
    if not text:
        return False
    if text[0] == "b":
        try:
            base64.b64decode(text[1:])
        except (binascii.Error, ValueError):
            return False
        return True
    try:
        int(text[0])
    except ValueError:
        return False
    return True


def guard_websocket_frames(app: Any) -> None:
    """Put _FrameGuard between python-engineio and every websocket of `app`'s Socket.IO
    server (whatever the async mode)."""
    extension = app.extensions.get("socketio")
    server = getattr(extension, "server", None)
    if server is None:
        return
    eio = server.eio
    driver = eio._async.get("websocket")
    if driver is None or getattr(driver, "frame_guard", False):
        return

    class GuardedWebSocket(driver):  # type: ignore[misc, valid-type]
        frame_guard = True

        def __init__(self, handler: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(lambda ws: handler(_FrameGuard(ws)), *args, **kwargs)

        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            # An open websocket lives on python-engineio's pings, not on the server's
            # socket timeout, which under eventlet schedules a hub timer for every write:
            # a thousand of them for each Wall message (bench/wall.py: p99 x1.66 the
            # ceiling with it, against the 1.5 target).
            stream = environ.get("eventlet.input")
            if stream is not None and hasattr(stream, "get_socket"):
                stream.get_socket().settimeout(None)
            return super().__call__(environ, start_response)

    # The drivers' table is shared by every engineio server in the process: copy it.
    eio._async = {**eio._async, "websocket": GuardedWebSocket}
