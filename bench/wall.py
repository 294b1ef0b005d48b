"""Benchmark the Wall: N signed-in clients, one member sending; latency, throughput, memory.

For each async mode (eventlet, gevent) and each N, it runs SHaRON (`python wsgi.py`, SQLite)
and, as the ceiling, a bare Flask-SocketIO broadcast app under the same server, then prints
delivery latency p50/p95/p99 to all clients, burst deliveries per second, server memory,
lost messages and dropped clients, and the ratios to the ceiling.

    .venv/bin/python bench/wall.py                       # N = 100, 500, 1000; both modes
    .venv/bin/python bench/wall.py --clients 100 --modes eventlet

Messages come from one member, paced to stay inside the Wall's rate limit (5 in 10 s);
the burst is those 5 at once. Everything runs on 127.0.0.1; servers end with the script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.servers import free_port, rss_mb, serve, sign_in_cookie  # noqa: E402

PASSWORD = "bench-password-123"


def _run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)


def sharon_env(mode: str, db: Path, port: int | None) -> dict[str, str]:
    """The settings for SHaRON under `mode`; no port for commands that serve nothing."""
    env = {**os.environ, "SHARON_DATABASE_URL": f"sqlite:///{db}", "SHARON_ASYNC_MODE": mode,
            "SHARON_SECRET_KEY": "bench-secret", "SHARON_ARGON2_PROFILE": "fast",
            "SHARON_HOST": "127.0.0.1", "SHARON_LOG_LEVEL": "WARNING",
            "SHARON_PASSWORD": PASSWORD}
    if port:
        env["SHARON_PORT"] = str(port)
    return env


def prepare_sharon(db: Path) -> None:
    env = sharon_env("threading", db, None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    _run([*flask, "init-db"], env)
    for name, role in (("bench_sender", "member"), ("bench_reader", "member"),
                       ("bench_peer", "peer_supporter")):
        _run([*flask, "create-user", name, "--role", role], env)
    _run([*flask, "wall-session", "--minutes", "600"], env)


async def measure(base: str, n: int, headers: dict[str, str], sender_headers: dict[str, str],
                  paced: int, pace: float) -> dict[str, float]:
    received: list[list[tuple[str, float]]] = [[] for _ in range(n)]
    dropped = 0
    clients = []

    def make(i: int) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)

        @client.on("message", namespace="/wall")
        async def on_message(data):  # type: ignore[no-untyped-def]
            received[i].append((data["body"], time.time()))

        @client.on("disconnect", namespace="/wall")
        async def on_disconnect(*_):  # type: ignore[no-untyped-def]
            nonlocal dropped
            dropped += 1

        return client

    for start in range(0, n, 50):
        batch = [make(i) for i in range(start, min(n, start + 50))]
        await asyncio.gather(*(c.connect(base, namespaces=["/wall"], headers=dict(headers),
                                         transports=["websocket"], wait_timeout=30)
                               for c in batch))
        clients.extend(batch)
    sender = socketio.AsyncClient(reconnection=False)
    await sender.connect(base, namespaces=["/wall"], headers=dict(sender_headers),
                         transports=["websocket"], wait_timeout=30)
    await asyncio.sleep(1)
    for c in received:
        c.clear()
    sent: dict[str, float] = {}

    async def send(tag: str) -> None:
        sent[tag] = time.time()
        ack = await sender.call("send", {"body": tag}, namespace="/wall", timeout=30)
        if not ack.get("ok"):
            raise RuntimeError(f"send refused: {ack}")

    for k in range(paced):
        await send(f"paced-{k}")
        await asyncio.sleep(pace)
    await asyncio.sleep(10 - pace * paced % 10 + 0.5 if pace else 1)  # let the rate window pass
    burst_start = time.time()
    await asyncio.gather(*(send(f"burst-{k}") for k in range(5)))
    deadline = time.time() + 30
    while time.time() < deadline and sum(
            1 for c in received for b, _ in c if b.startswith("burst")) < 5 * n:
        await asyncio.sleep(0.05)
    latencies = sorted((t - sent[b]) * 1000 for c in received for b, t in c
                       if b.startswith("paced"))
    burst_last = max((t for c in received for b, t in c if b.startswith("burst")),
                     default=time.time())
    expected = (paced + 5) * n
    delivered = sum(len(c) for c in received)
    dropped_during_run = dropped
    for c in [*clients, sender]:
        await c.disconnect()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {"p50": q[49], "p95": q[94], "p99": q[98],
            "burst_per_s": 5 * n / max(burst_last - burst_start, 1e-6),
            "lost": expected - delivered, "dropped": dropped_during_run}


def run_one(kind: str, mode: str, n: int, paced: int, pace: float) -> dict[str, float]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "sharon":
            db = Path(tmp) / "bench.sqlite3"
            prepare_sharon(db)
            args = ["wsgi.py"]
            env = sharon_env(mode, db, port)
        else:
            args = ["bench/wall_ceiling.py", str(port)]
            env = {**os.environ, "SHARON_ASYNC_MODE": mode}
        with serve(args, env, port) as (base, pid):
            if kind == "sharon":
                headers = {"Cookie": sign_in_cookie(base, "bench_reader", PASSWORD)}
                sender_headers = {"Cookie": sign_in_cookie(base, "bench_sender", PASSWORD)}
                peer = socketio.Client(reconnection=False)
                peer.connect(base, namespaces=["/wall"], transports=["websocket"],
                             headers={"Cookie": sign_in_cookie(base, "bench_peer", PASSWORD)})
                peer.call("duty", {"on": True}, namespace="/wall")
            else:
                headers = sender_headers = {}
            result = asyncio.run(measure(base, n, headers, sender_headers, paced, pace))
            result["rss_mb"] = rss_mb(pid)
            if kind == "sharon":
                peer.disconnect()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="100,500,1000")
    parser.add_argument("--modes", default="eventlet,gevent")
    parser.add_argument("--paced", type=int, default=5, help="paced messages for latency")
    parser.add_argument("--pace", type=float, default=2.05, help="seconds between them")
    args = parser.parse_args()
    rows = []
    for mode in args.modes.split(","):
        for n in (int(x) for x in args.clients.split(",")):
            wall = run_one("sharon", mode, n, args.paced, args.pace)
            ceiling = run_one("ceiling", mode, n, args.paced, args.pace)
            row = {"mode": mode, "clients": n, "wall": wall, "ceiling": ceiling,
                   "p99_ratio": wall["p99"] / max(ceiling["p99"], 1e-6),
                   "burst_ratio": wall["burst_per_s"] / max(ceiling["burst_per_s"], 1e-6)}
            rows.append(row)
            print(f"{mode:8} N={n:5}  Wall p50/p95/p99 {wall['p50']:.0f}/{wall['p95']:.0f}/"
                  f"{wall['p99']:.0f} ms, burst {wall['burst_per_s']:.0f}/s, "
                  f"{wall['rss_mb']:.0f} MB, lost {wall['lost']}, dropped {wall['dropped']} | "
                  f"ceiling p50/p95/p99 {ceiling['p50']:.0f}/{ceiling['p95']:.0f}/"
                  f"{ceiling['p99']:.0f} ms, burst {ceiling['burst_per_s']:.0f}/s, "
                  f"{ceiling['rss_mb']:.0f} MB, lost {ceiling['lost']} | "
                  f"p99 x{row['p99_ratio']:.2f}, burst {row['burst_ratio']:.0%}", flush=True)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
