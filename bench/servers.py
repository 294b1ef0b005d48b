"""Start servers for benchmarks on 127.0.0.1, sign in to them, and read their memory.

Every server ends with the benchmark: it dies with its parent (PR_SET_PDEATHSIG) and
after SHARON_BENCH_SERVER_TTL seconds at the latest.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    signal.alarm(int(os.environ.get("SHARON_BENCH_SERVER_TTL", "1800")))


@contextmanager
def serve(args: list[str] | str, env: dict[str, str] | None = None,
          port: int | None = None) -> Iterator[tuple[str, int]]:
    """Run `python <args>` with SHARON_PORT set; yield (base URL, pid) once /healthz answers."""
    port = port or free_port()
    args = [args] if isinstance(args, str) else args
    full_env = {**os.environ, "SHARON_HOST": "127.0.0.1", "SHARON_PORT": str(port),
                "SHARON_SECRET_KEY": "bench", "SHARON_LOG_LEVEL": "WARNING", **(env or {})}
    log_path = Path(tempfile.gettempdir()) / f"sharon-bench-server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=full_env, stdout=log,
                                   stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args} did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# The browser a benchmark plays: sessions are tied to the address and browser that
# signed in (Flask-Login's "basic" protection), so a replayed cookie must come with the
# same User-Agent, or every request is taken for another browser and its session re-saved.
AGENT = "sharon-bench"


def sign_in_cookie(base: str, username: str, password: str) -> str:
    """Sign in through the real form as AGENT; returns the Cookie header value for that
    session (send it with `User-Agent: AGENT`)."""
    session = requests.Session()
    session.headers["User-Agent"] = AGENT
    page = session.get(f"{base}/sign-in").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    response = session.post(f"{base}/sign-in", allow_redirects=False, data={
        "csrf_token": token.group(1), "username": username, "password": password})
    if response.status_code != 302 or "sharon_session" not in session.cookies:
        raise RuntimeError(f"could not sign in as {username}: {response.status_code}")
    # The first page after signing in re-signs the cookie (sessions.keep_session_alive);
    # a browser keeps that one, and so must a benchmark that replays a fixed cookie, or
    # every request it sends would be re-signed.
    session.get(f"{base}/guidelines")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
