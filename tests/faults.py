"""Faults on demand for tests: a TCP proxy that can cut a service off, and a Redis to kill.

`TcpProxy` sits between SHaRON and PostgreSQL (or Redis): `sever()` drops every
connection at once and refuses new ones, as a dead database or a broken network
does; `restore()` lets traffic through again. `RedisServer` runs Debian's
`redis-server` on a free port, so a test can stop and restart it without touching
the machine's shared Redis.
"""

from __future__ import annotations

import ctypes
import os
import queue
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from types import TracebackType

import sqlalchemy as sa

from tests.live_server import free_port

__all__ = ["RedisServer", "TcpProxy", "free_port"]

REDIS_SERVER = "/usr/bin/redis-server"
_CHUNK = 65536
# Stop reading from one side while this much is waiting to be written to the other.
_HIGH_WATER = 1 << 20


class _Pair:
    """One proxied connection: the client's socket and ours to the target."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.pending: dict[socket.socket, bytearray] = {client: bytearray(),
                                                        upstream: bytearray()}
        self.closed = False

    def other(self, sock: socket.socket) -> socket.socket:
        return self.upstream if sock is self.client else self.client

    def close(self) -> None:
        self.closed = True
        for sock in (self.client, self.upstream):
            try:
                # RST rather than FIN: the peer sees the connection die at once, as it
                # would when a database host goes away.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            except OSError:
                pass
            sock.close()


class TcpProxy:
    """A TCP proxy on a free 127.0.0.1 port, forwarding to target_host:target_port.

    One thread runs a selector loop; every change of state (sever, restore, close)
    is done by that thread, and the caller waits until it is done.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(512)
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._commands: queue.Queue[tuple[str, threading.Event]] = queue.Queue()
        self._severed = False
        self._pairs: dict[socket.socket, _Pair] = {}
        self._count = 0
        self._selector = selectors.DefaultSelector()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"TcpProxy:{self.port}",
                                        daemon=True)
        self._thread.start()

    # -- the caller's side --------------------------------------------------------------

    def url(self, database_url: str) -> str:
        """The same SQLAlchemy URL, with its host and port pointing at this proxy."""
        url = sa.make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    @property
    def connections(self) -> int:
        """How many connections are being forwarded now."""
        return self._count

    def sever(self) -> None:
        """Close every current connection at once and refuse (close at once) new ones."""
        self._command("sever")

    def restore(self) -> None:
        """Accept and forward connections again."""
        self._command("restore")

    def close(self) -> None:
        """Stop the proxy: every connection and the listener close, the thread ends."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            self._command("close")
            self._thread.join(timeout=5)
        self._wake_w.close()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _command(self, name: str) -> None:
        done = threading.Event()
        self._commands.put((name, done))
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        if not done.wait(timeout=5):
            raise RuntimeError(f"TcpProxy did not {name} within 5 s")

    # -- the proxy thread -----------------------------------------------------------------

    def _run(self) -> None:
        sel = self._selector
        sel.register(self._listener, selectors.EVENT_READ, "accept")
        sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        try:
            while True:
                for key, mask in sel.select(timeout=1):
                    if key.data == "accept":
                        self._accept()
                    elif key.data == "wake":
                        if self._handle_commands():
                            return
                    else:
                        self._transfer(key.fileobj, mask)  # type: ignore[arg-type]
        finally:
            for pair in set(self._pairs.values()):
                self._drop(pair)
            sel.close()
            self._listener.close()
            self._wake_r.close()

    def _handle_commands(self) -> bool:
        try:
            while self._wake_r.recv(4096):
                pass
        except BlockingIOError:
            pass
        stop = False
        while True:
            try:
                name, done = self._commands.get_nowait()
            except queue.Empty:
                return stop
            if name in ("sever", "close"):
                self._severed = True
                for pair in set(self._pairs.values()):
                    self._drop(pair)
                stop = stop or name == "close"
            elif name == "restore":
                self._severed = False
            done.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if self._severed:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pair = _Pair(client, upstream)
            self._pairs[client] = self._pairs[upstream] = pair
            self._count += 1
            self._selector.register(client, selectors.EVENT_READ, "data")
            self._selector.register(upstream, selectors.EVENT_READ, "data")

    def _transfer(self, sock: socket.socket, mask: int) -> None:
        pair = self._pairs.get(sock)
        if pair is None or pair.closed:
            return
        if mask & selectors.EVENT_WRITE:
            out = pair.pending[sock]
            try:
                sent = sock.send(out)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._drop(pair)
                return
            del out[:sent]
        if mask & selectors.EVENT_READ:
            try:
                data = sock.recv(_CHUNK)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError:
                self._drop(pair)
                return
            if data == b"":
                # One side hung up: pass on what is waiting, then close both.
                other = pair.other(sock)
                try:
                    other.setblocking(True)
                    other.settimeout(1)
                    other.sendall(pair.pending[other])
                except OSError:
                    pass
                self._drop(pair, reset=False)
                return
            if data:
                target = pair.other(sock)
                out = pair.pending[target]
                if not out:
                    try:
                        sent = target.send(data)
                    except (BlockingIOError, InterruptedError):
                        sent = 0
                    except OSError:
                        self._drop(pair)
                        return
                    data = data[sent:]
                out += data
        self._update(pair)

    def _update(self, pair: _Pair) -> None:
        for sock in (pair.client, pair.upstream):
            events = 0
            if len(pair.pending[pair.other(sock)]) < _HIGH_WATER:
                events |= selectors.EVENT_READ
            if pair.pending[sock]:
                events |= selectors.EVENT_WRITE
            key = self._selector.get_map().get(sock)
            if key is not None and key.events != events:
                if events:
                    self._selector.modify(sock, events, "data")
                else:
                    self._selector.unregister(sock)
            elif key is None and events:
                self._selector.register(sock, events, "data")

    def _drop(self, pair: _Pair, reset: bool = True) -> None:
        if pair.closed:
            return
        self._count -= 1
        for sock in (pair.client, pair.upstream):
            self._pairs.pop(sock, None)
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
        if reset:
            pair.close()
        else:
            pair.closed = True
            pair.client.close()
            pair.upstream.close()


def _die_with_parent() -> None:
    """In the child: die with the test process, whatever happens to it."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _ping(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """Debian's redis-server on a free 127.0.0.1 port, without persistence."""

    def __init__(self, port: int | None = None) -> None:
        if not os.path.exists(REDIS_SERVER) and not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed")
        self.port: int = port or free_port()
        self.url: str = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.mkdtemp(prefix="sharon-redis-")
        self._process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        """Start (again) on the same port and wait until it answers PING."""
        if self._process is not None and self._process.poll() is None:
            return
        binary = REDIS_SERVER if os.path.exists(REDIS_SERVER) else "redis-server"
        self._log = open(os.path.join(self._dir, "redis.log"), "ab")
        self._process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self._dir, "--daemonize", "no",
             "--protected-mode", "no"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 10
        while not _ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                with open(os.path.join(self._dir, "redis.log"), "rb") as log:
                    raise RuntimeError(f"redis-server did not start:\n{log.read().decode()}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Kill it: every connection drops, and nothing answers on its port."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            self._process = None
            self._log.close()

    def close(self) -> None:
        """Stop it for good and remove its folder."""
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
