"""Start servers for benchmarks on 127.0.0.1; they stop when the benchmark ends."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
def serve(script: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """Run `python <script>` with SHARON_PORT set; yield (base URL, pid)."""
    port = free_port()
    full_env = {**os.environ, "SHARON_HOST": "127.0.0.1", "SHARON_PORT": str(port),
                "SHARON_SECRET_KEY": "bench", "SHARON_LOG_LEVEL": "WARNING", **(env or {})}
    process = subprocess.Popen([sys.executable, str(ROOT / script)], cwd=ROOT, env=full_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=_die_with_parent)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode() if process.stderr
                                       else "server failed") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
