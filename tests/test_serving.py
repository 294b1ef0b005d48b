"""The real server (`python wsgi.py`): many idle sockets cannot starve it, silent
connections are closed, its file limit is raised to fit, and nothing a client sends
over a websocket puts a traceback on the wire or in the log."""

from __future__ import annotations

import importlib.util
import resource
import selectors
import socket
import struct
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import websocket

from tests.live_server import live_server
from tests.wall.live import LiveClient, prepare_database

TIMEOUT = 3  # SHARON_SOCKET_TIMEOUT for these servers, in seconds
IDLE_SOCKETS = 1_100


@pytest.fixture(scope="module")
def served(template_db, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A live server started with a soft open-file limit of 1,024, as systemd and many
    shells give; the hard limit stays where it is."""
    url = template_db.copy()
    prepare_database(url, {"sam_peer": "peer_supporter"})
    logs = tmp_path_factory.mktemp("serving")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    server = live_server(url, logs, SHARON_SOCKET_TIMEOUT=str(TIMEOUT))
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 1024), hard))
    try:
        base = server.__enter__()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        yield base
    finally:
        server.__exit__(None, None, None)
        template_db.drop(url)


def address(base: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(base)
    return parts.hostname or "127.0.0.1", parts.port or 80


def open_file_limit(pid: int) -> tuple[int, int]:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return int(soft), int(hard)
    raise AssertionError("no open file limit in /proc")


def test_the_open_file_limit_is_raised_to_fit(served):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 4_000 + 256:
        pytest.skip(f"the hard open file limit here ({hard}) is below what the server wants")
    assert open_file_limit(served.process.pid) == (hard, hard)


def test_many_idle_sockets_do_not_starve_the_server(served):
    """1,100 connections that send nothing (or half a request line) are more than
    eventlet's default pool of 1,024 would serve; /healthz must still answer at once,
    and every one of them is closed once it has been silent for the timeout."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < IDLE_SOCKETS + 200:
        pytest.skip(f"the hard open file limit here ({hard}) is too low for this test")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    idle: list[socket.socket] = []
    # A Wall member's open websocket, silent all along: it must outlive the timeout.
    sam = LiveClient(served, "sam_peer")
    try:
        started = time.monotonic()
        for n in range(IDLE_SOCKETS):
            sock = socket.create_connection(address(served), timeout=5)
            if n % 2:
                sock.sendall(b"GET /healthz HT")  # half a request line, then silence
            idle.append(sock)
        opened = time.monotonic() - started

        latencies = []
        for _ in range(5):
            began = time.perf_counter()
            response = requests.get(f"{served}/healthz", timeout=5)
            latencies.append(time.perf_counter() - began)
            assert response.status_code == 200 and response.text == "ok"
        assert max(latencies) < 1.0, latencies
        assert time.monotonic() - started < TIMEOUT, "the sockets were opened too slowly"
        print(f"\n{IDLE_SOCKETS} idle sockets opened in {opened:.2f} s; /healthz took "
              f"{', '.join(f'{s * 1000:.1f}' for s in latencies)} ms")

        # Every idle socket is closed by the server once silent for TIMEOUT seconds.
        _, closed_at = _read_all(dict(enumerate(idle)),  # type: ignore[arg-type]
                                 seconds=started + TIMEOUT + 10 - time.monotonic())
        assert len(closed_at) == len(idle), f"{len(idle) - len(closed_at)} still open"
        assert sam.emit("duty", {"on": True})["ok"]
    finally:
        sam.close()
        for sock in idle:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


SILENT = {
    "silent": b"",  # connects and says nothing
    "request line": b"GET /healthz HTTP/1.1\r\n",  # then no headers
    "headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n",  # that never end
    "body": b"POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ncsrf",
    "keep-alive": b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",  # a whole request, then idle
}


def test_a_silent_connection_is_closed_after_the_timeout(served):
    sockets = {name: socket.create_connection(address(served), timeout=5) for name in SILENT}
    try:
        for name, sends in SILENT.items():
            sockets[name].sendall(sends)
        answers, closed_at = _read_all(sockets, seconds=TIMEOUT + 10)
        for name in SILENT:
            assert name in closed_at, f"{name}: still open after {TIMEOUT + 10} s"
            assert TIMEOUT - 0.5 < closed_at[name] < TIMEOUT + 5, (name, closed_at[name])
            assert b"Traceback" not in answers[name]
        assert answers["keep-alive"].startswith(b"HTTP/1.1 200")
    finally:
        for sock in sockets.values():
            sock.close()


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except ConnectionError:
        return b""


# -- Malformed websocket traffic ------------------------------------------------------------


def _frame(opcode: int, payload: bytes, fin: bool = True, masked: bool = True,
           rsv: int = 0) -> bytes:
    """One websocket frame as a client sends it (masked), built by hand so that it can
    be wrong in every way."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    mask_bit = 0x80 if masked else 0
    if len(payload) < 126:
        head += bytes([mask_bit | len(payload)])
    elif len(payload) < 65536:
        head += bytes([mask_bit | 126]) + struct.pack(">H", len(payload))
    else:
        head += bytes([mask_bit | 127]) + struct.pack(">Q", len(payload))
    if not masked:
        return head + payload
    key = b"\x37\xfa\x21\x3d"
    mask = (key * (len(payload) // 4 + 1))[:len(payload)]
    masked = int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")
    return head + key + masked.to_bytes(len(payload), "big")


GARBAGE = {
    "not a packet type": _frame(1, b"zzz"),
    "empty text": _frame(1, b""),
    "minus": _frame(1, b"-1"),
    "bad base64": _frame(1, b"b="),
    "unknown packet type": _frame(1, b"9"),
    "bad utf-8": _frame(1, b"4\xff\xfe"),
    "bad socket.io json": _frame(1, b'42/wall,["send",{]'),
    "deep nesting": _frame(1, b"42/wall," + b"[" * 50_000),
    "unmasked": _frame(1, b"4hello", masked=False),
    "reserved bits": _frame(1, b"4x", rsv=7),
    "unknown opcode": _frame(3, b"xx"),
    "lone continuation": _frame(0, b"4x"),
    "fragmented ping": _frame(9, b"x", fin=False),
    "huge ping": _frame(9, b"x" * 200),
    "bad close code": _frame(8, b"\x00\x01"),
    "binary garbage": _frame(2, b"\x00\x01\xff"),
    "too large": _frame(1, b"4" + b"x" * 1_100_000),
    "not a frame": b"\x00" * 64,
}


def _server_log(base: str) -> str:
    return base.log_path.read_text()  # type: ignore[attr-defined]


def _send_garbage(base: str) -> None:
    """Send each kind of garbage on its own websocket, all at once, and read what the
    server answers for a second and a half."""
    url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    sockets: dict[str, socket.socket] = {}
    try:
        for name, data in GARBAGE.items():
            ws = websocket.create_connection(url, timeout=5)
            sockets[name] = ws.sock  # closed below, whatever happens next
            assert ws.recv().startswith("0{")  # Engine.IO's open packet
            try:
                ws.sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                # The server may refuse a frame (the 1.1 MB one) and close the socket
                # before all of it is written: that is a refusal, not a failure.
                pass
        answers, _ = _read_all(sockets, seconds=1.5)
        for name, answer in answers.items():
            for leak in (b"Traceback", b'File "', b"site-packages"):
                assert leak not in answer, (name, answer[:300])
    finally:
        for sock in sockets.values():
            sock.close()


def _read_all(sockets: dict[str, socket.socket], seconds: float
              ) -> tuple[dict[str, bytes], dict[str, float]]:
    """Read every socket until the server closes it or `seconds` pass: what each
    received, and when (seconds from now) each was closed."""
    answers = {name: b"" for name in sockets}
    closed_at: dict[str, float] = {}
    selector = selectors.DefaultSelector()
    for name, sock in sockets.items():
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, name)
    started = time.monotonic()
    try:
        while selector.get_map() and time.monotonic() - started < seconds:
            for key, _ in selector.select(timeout=0.1):
                try:
                    chunk = key.fileobj.recv(65536)  # type: ignore[union-attr]
                except BlockingIOError:
                    continue
                except ConnectionError:
                    chunk = b""
                if chunk:
                    answers[key.data] += chunk
                else:
                    closed_at[key.data] = time.monotonic() - started
                    selector.unregister(key.fileobj)
    finally:
        selector.close()
    return answers, closed_at


def test_malformed_websocket_frames_leave_no_traceback(served):
    _send_garbage(served)
    time.sleep(0.3)
    assert requests.get(f"{served}/healthz", timeout=5).text == "ok"
    log = _server_log(served)
    assert "Traceback" not in log, log[-3000:]
    assert "dropped a malformed Engine.IO packet from a websocket client" in log


@pytest.mark.skipif(importlib.util.find_spec("gevent") is None,
                    reason="gevent is not installed (pip install -e '.[bench]')")
def test_gevent_serves_alike(template_db, tmp_path):  # type: ignore[no-untyped-def]
    """SHARON_ASYNC_MODE=gevent: the same server settings, and the same clean refusals."""
    url = template_db.copy()
    prepare_database(url, {"sam_peer": "peer_supporter"})
    try:
        with live_server(url, tmp_path, SHARON_ASYNC_MODE="gevent",
                         SHARON_SOCKET_TIMEOUT="1") as base:
            assert "(gevent)" in _server_log(base)
            sam = LiveClient(base, "sam_peer")
            _send_garbage(base)
            sock = socket.create_connection(address(base), timeout=10)
            started = time.monotonic()
            assert _recv(sock) == b""  # a silent connection is closed
            assert time.monotonic() - started < 6
            sock.close()
            # The open websocket, silent for longer than the timeout, still works.
            assert sam.emit("duty", {"on": True})["ok"]
            sam.close()
            assert requests.get(f"{base}/healthz", timeout=5).text == "ok"
            time.sleep(0.3)
            log = _server_log(base)
            assert "Traceback" not in log, log[-3000:]
    finally:
        template_db.drop(url)


# -- Settings -------------------------------------------------------------------------------


def test_server_settings_have_safe_defaults_and_bounds(tmp_path):
    from sharon.config import ConfigError, load

    config = load({"SHARON_SECRET_KEY": "k"}, instance_path=str(tmp_path))
    assert config["SHARON_MAX_CONNECTIONS"] == 4000
    assert config["SHARON_SOCKET_TIMEOUT"] == 60
    for env, message in (({"SHARON_MAX_CONNECTIONS": "5"}, "SHARON_MAX_CONNECTIONS must be"),
                         ({"SHARON_SOCKET_TIMEOUT": "0"}, "SHARON_SOCKET_TIMEOUT must be"),
                         ({"SHARON_SOCKET_TIMEOUT": "soon"}, "SHARON_SOCKET_TIMEOUT must be")):
        with pytest.raises(ConfigError, match=message):
            load({"SHARON_SECRET_KEY": "k", **env}, instance_path=str(tmp_path))
