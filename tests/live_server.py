"""Start real `python wsgi.py` servers on loopback for browser and socket tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sharon.config import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served(str):
    """The base URL of a live server, with its process (fault tests kill it)."""

    process: subprocess.Popen[bytes]
    log_path: Path


@contextmanager
def live_server(database_url: str, log_dir: Path, **env: str) -> Iterator[Served]:
    """Yield the base URL of a running server; stop it afterwards."""
    port = free_port()
    full_env = {
        **os.environ,
        "SHARON_DATABASE_URL": database_url,
        "SHARON_HOST": "127.0.0.1",
        "SHARON_PORT": str(port),
        "SHARON_SECRET_KEY": "live-test-secret",
        "SHARON_ARGON2_PROFILE": "fast",
        "SHARON_ASYNC_MODE": "eventlet",
        "SHARON_LOG_LEVEL": "WARNING",
        **env,
    }
    log_path = log_dir / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "serve.py")], cwd=ROOT,
                                   env=full_env, stdout=log, stderr=subprocess.STDOUT)
    base = Served(f"http://127.0.0.1:{port}")
    base.process, base.log_path = process, log_path
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
