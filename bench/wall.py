"""Benchmark the Wall: N signed-in clients, members sending; latency, throughput, memory.

For each async mode (eventlet, gevent) and each N, it runs SHaRON (`python wsgi.py`, SQLite)
and, as the ceiling, a bare Flask-SocketIO broadcast app under the same server, both at
once with N receivers each, measured in turns (so the VM's drifting speed weighs on both
alike), then prints
delivery latency p50/p95/p99 to all clients, burst deliveries per second, server memory,
lost messages and dropped clients, and the ratios to the ceiling.

    .venv/bin/python bench/wall.py                       # N = 100, 500, 1000; both modes
    .venv/bin/python bench/wall.py --clients 1000 --modes eventlet --receiver socketio
    .venv/bin/python bench/wall.py --clients 500 --modes eventlet --baseline /tmp/old

With `--baseline PATH` (a checkout of an older SHaRON, e.g. `git worktree add /tmp/old
<commit>`), that checkout's own wsgi.py serves too, importing its own `sharon` package,
on a database its own `bench/wall.py --prepare` made; it is measured in the same turns
as the other two, and the ratios new/baseline are printed beside those to the ceiling.
Figures from two runs are never compared: only those of one run, taken in turns.

Receivers: `bare` (the default) speaks Engine.IO/Socket.IO over a plain aiohttp websocket
and only notes the tag of each message, so the figures are the server's and not the
clients' own cost; `socketio` uses python-socketio's asyncio client, as a browser-like
but far heavier receiver (at 1,000 of them most of the latency is theirs). With 1,000 of
those in one process, their loop is busy for seconds after each burst, and python-engineio's
client gives up ("transport error") when it has had nothing to send for the ping interval
plus 5 s: whole connect batches then drop when their ping falls in a burst. That is the
receivers' own failure, which is why `bare` is the default.

Every reader and sender is its own signed-in account (session cookies are made with the
server's key, so that 1,000 sign-ins do not meet the sign-in rate limit). Latency: paced
messages, round-robin over the senders, inside the Wall's rate limit (5 in 10 s each).
Burst: after the rate window has passed, every sender sends 5 at once, to one server and
then the other (which goes first alternates); five rounds, and the median counts (one round
is short enough for noise to swing it). A peer supporter
is on duty, so nothing is held. Everything runs on 127.0.0.1; servers end with the script.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.servers import free_port, rss_mb, serve  # noqa: E402

SECRET = "bench-secret"
RATE_WINDOW = 10.5  # the Wall's per-person window (10 s), and a little more
TAG = re.compile(r'"body":\s*"([pb][\d-]+)"')


def sharon_env(mode: str, db: Path, port: int | None) -> dict[str, str]:
    """The settings for SHaRON under `mode`; no port for commands that serve nothing."""
    env = {**os.environ, "SHARON_DATABASE_URL": f"sqlite:///{db}", "SHARON_ASYNC_MODE": mode,
           "SHARON_SECRET_KEY": SECRET, "SHARON_ARGON2_PROFILE": "fast",
           "SHARON_HOST": "127.0.0.1", "SHARON_LOG_LEVEL": "WARNING"}
    if port:
        env["SHARON_PORT"] = str(port)
    return env


def prepare(db: str, readers: int, senders: int) -> dict[str, list[str]]:
    """Run in a child process: a fresh database, the accounts, an extra Wall session
    lasting the run, and a session cookie for each account."""
    os.environ.update(sharon_env("threading", Path(db), None))
    from datetime import timedelta

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from sharon import create_app, permissions
    from sharon.extensions import db as database
    from sharon.infra import clock
    from sharon.models import Network, User, user_networks
    from sharon.passwords import hash_password
    from sharon.wall import hours

    app = create_app()
    with app.app_context():
        upgrade()
        network_id = database.session.scalar(sa.select(Network.id).order_by(Network.id))
        password = hash_password("bench-password-123")
        accounts = ([(f"reader_{i:04d}", "member") for i in range(readers)]
                    + [(f"sender_{i:02d}", "member") for i in range(senders)]
                    + [("bench_peer", "peer_supporter")])
        conn = database.session.connection()
        conn.execute(sa.insert(User), [
            {"id": i, "username": name, "username_key": name, "role": role,
             "status": "active", "password_hash": password, "session_version": 1}
            for i, (name, role) in enumerate(accounts, start=1)])
        conn.execute(sa.insert(user_networks), [
            {"user_id": i, "network_id": network_id} for i in range(1, len(accounts) + 1)])
        now = clock.now()
        with permissions.operator():
            hours.do_add_session(None, now, now + timedelta(hours=10), "Benchmark")
        database.session.commit()
        # What signing in stores: the id with the session version, fresh and permanent.
        signer = app.session_interface.get_signing_serializer(app)
        cookie = app.config["SESSION_COOKIE_NAME"]

        def session_cookie(user_id: int) -> str:
            value = signer.dumps({"_user_id": f"{user_id}:1", "_fresh": True,
                                  "_permanent": True})
            return f"{cookie}={value}"

        ids = {name: i for i, (name, _) in enumerate(accounts, start=1)}
        return {"readers": [session_cookie(ids[f"reader_{i:04d}"]) for i in range(readers)],
                "senders": [session_cookie(ids[f"sender_{i:02d}"]) for i in range(senders)],
                "peer": [session_cookie(ids["bench_peer"])]}


def checkout_env(root: Path) -> dict[str, str]:
    """What makes Python import `root`'s own `sharon`: nothing for this checkout; for a
    baseline, its folder first (before the virtualenv's editable install of this one)."""
    return {} if root == ROOT else {"PYTHONPATH": str(root)}


def prepare_in_child(db: Path, readers: int, senders: int,
                     root: Path = ROOT) -> dict[str, list[str]]:
    """`root`'s own bench/wall.py --prepare, with `root`'s own code."""
    out = subprocess.run([sys.executable, str(root / "bench" / "wall.py"), "--prepare",
                          str(db), "--clients", str(readers), "--senders", str(senders)],
                         cwd=root, env={**sharon_env("threading", db, None),
                                        **checkout_env(root)},
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


class Receivers:
    """Who got which message when, and who was dropped, for every receiver."""

    def __init__(self, n: int) -> None:
        self.received: list[list[tuple[str, float]]] = [[] for _ in range(n)]
        self.rounds: Counter[str] = Counter()  # deliveries per burst round ("b0-", ...)
        self.dropped = 0
        self.reasons: Counter[str] = Counter()
        self.closing = False
        self.stoppers: list[Callable[[], Awaitable[None]]] = []

    def note(self, i: int, tag: str) -> None:
        self.received[i].append((tag, time.time()))
        if tag.startswith("b"):
            self.rounds[tag[:tag.index("-") + 1]] += 1


async def bare_receiver(http: aiohttp.ClientSession, url: str, cookie: str | None, i: int,
                        into: Receivers, ready: asyncio.Future[None]) -> None:
    """A Socket.IO client in a few lines: open, join /wall, answer pings, note tags."""
    headers = {"Cookie": cookie} if cookie else {}
    close_code = None
    try:
        async with http.ws_connect(url, headers=headers, autoping=True,
                                   max_msg_size=0) as ws:
            into.stoppers.append(ws.close)
            async for frame in ws:
                if frame.type != aiohttp.WSMsgType.TEXT:
                    break
                data = frame.data
                if data.startswith('42/wall,["message"'):
                    match = TAG.search(data)
                    if match:
                        into.note(i, match.group(1))
                elif data == "2":
                    await ws.send_str("3")
                elif data.startswith("0{"):
                    await ws.send_str("40/wall,")
                elif data.startswith("40/wall") and not ready.done():
                    ready.set_result(None)
                elif data.startswith("44/wall") and not ready.done():
                    ready.set_exception(RuntimeError(f"refused: {data}"))
            close_code = ws.close_code
    finally:
        if not into.closing:
            into.dropped += 1
            into.reasons[f"websocket closed ({close_code})"] += 1
        if not ready.done():
            ready.set_exception(RuntimeError("closed before joining /wall"))


async def socketio_receiver(base: str, cookie: str | None, i: int, into: Receivers) -> None:
    client = socketio.AsyncClient(reconnection=False)

    @client.on("message", namespace="/wall")
    async def on_message(data):  # type: ignore[no-untyped-def]
        into.note(i, data["body"])

    @client.on("disconnect", namespace="/wall")
    async def on_disconnect(*reason):  # type: ignore[no-untyped-def]
        if not into.closing:
            into.dropped += 1
            into.reasons[str(reason[0]) if reason else "unknown"] += 1

    await client.connect(base, namespaces=["/wall"], transports=["websocket"],
                         headers={"Cookie": cookie} if cookie else {}, wait_timeout=30)
    into.stoppers.append(client.disconnect)


class Target:
    """One server under test, with its receivers and senders connected."""

    def __init__(self, base: str, n: int) -> None:
        self.base = base
        self.into = Receivers(n)
        self.clients: list[socketio.AsyncClient] = []
        self.sent: dict[str, float] = {}
        self.rates: list[float] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def connect(self, kind: str, readers: list[str | None],
                      senders: list[str | None]) -> None:
        ws_url = self.base.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        n = len(readers)
        for start in range(0, n, 100):
            if kind == "bare":
                batch = []
                for i in range(start, min(n, start + 100)):
                    ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                    self.tasks.append(asyncio.create_task(
                        bare_receiver(self.http, ws_url, readers[i], i, self.into, ready)))
                    batch.append(ready)
                await asyncio.wait_for(asyncio.gather(*batch), 60)
            else:
                await asyncio.gather(*(socketio_receiver(self.base, readers[i], i, self.into)
                                       for i in range(start, min(n, start + 100))))
        for cookie in senders:
            client = socketio.AsyncClient(reconnection=False)
            await client.connect(self.base, namespaces=["/wall"], transports=["websocket"],
                                 headers={"Cookie": cookie} if cookie else {}, wait_timeout=30)
            self.clients.append(client)

    async def send(self, client: socketio.AsyncClient, tag: str) -> None:
        self.sent[tag] = time.time()
        ack = await client.call("send", {"body": tag}, namespace="/wall", timeout=60)
        if not ack.get("ok"):
            raise RuntimeError(f"send refused: {ack}")

    async def burst(self, round_: int) -> None:
        """Every sender sends 5 at once; deliveries per second until the last arrives."""
        prefix = f"b{round_}-"
        expected = 5 * len(self.clients) * len(self.into.received)
        start = time.time()
        await asyncio.gather(*(self.send(c, f"{prefix}{s}-{k}")
                               for s, c in enumerate(self.clients) for k in range(5)))
        deadline = time.time() + 60
        while time.time() < deadline and self.into.rounds[prefix] < expected:
            await asyncio.sleep(0.02)
        last = max((t for r in self.into.received for tag, t in r if tag.startswith(prefix)),
                   default=time.time())
        self.rates.append(expected / max(last - start, 1e-6))

    async def close(self, paced: int, bursts: int) -> dict[str, Any]:
        into = self.into
        n = len(into.received)
        latencies = sorted((t - self.sent[tag]) * 1000 for r in into.received for tag, t in r
                           if tag.startswith("p"))
        delivered = sum(len(r) for r in into.received)
        into.closing = True
        for stop in into.stoppers:
            await stop()
        for client in self.clients:
            await client.disconnect()
        await self.http.close()
        for task in self.tasks:
            task.cancel()
        q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
        return {"p50": q[49], "p95": q[94], "p99": q[98],
                "burst_per_s": statistics.median(self.rates), "bursts": self.rates,
                "lost": (paced + 5 * len(self.clients) * bursts) * n - delivered,
                "dropped": into.dropped, "why_dropped": dict(into.reasons)}


async def measure(targets: dict[str, Target], kind: str,
                  readers: dict[str, list[str | None]], senders: dict[str, list[str | None]],
                  paced: int, pace: float, bursts: int) -> dict[str, dict[str, Any]]:
    """All servers at once, taking turns: the VM's speed drifts by tens of per cent within
    minutes, and turns put them all under the same drift. Alone, each measured at a
    different time, the ratio swung from 55 % to 112 % between runs of the same code."""
    for name, target in targets.items():
        await target.connect(kind, readers[name], senders[name])
    await asyncio.sleep(1)
    for target in targets.values():
        for r in target.into.received:
            r.clear()
    # This process's own collector stays out of what it measures: it holds 2,000 sockets
    # (3,000 with a baseline) and a record of every delivery, and a full collection of
    # that stalled the receivers for as long as the servers take to deliver a burst. It
    # runs between measurements.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        # Latency: each server in turn, one message at a time, far enough apart not to
        # overlap.
        for k in range(paced):
            for target in targets.values():
                await target.send(target.clients[k % len(target.clients)], f"p{k}")
                await asyncio.sleep(pace / 2)
        # Bursts: the order rotates each round (with two servers, the first to go
        # alternates), so none always follows another.
        names = list(targets)
        for round_ in range(bursts):
            gc.collect()
            await asyncio.sleep(RATE_WINDOW)  # every Wall sender's window is empty again
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                await targets[name].burst(round_)
    finally:
        gc.enable()
    return {name: await target.close(paced, bursts) for name, target in targets.items()}


def run_pair(mode: str, n: int, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """SHaRON and the ceiling (and the baseline, if any) side by side under `mode`, N
    receivers each; their figures by name: "wall", "ceiling" and "baseline"."""
    baseline: Path | None = args.baseline
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as servers:
        # Each SHaRON on its own database, made by its own code, with its own sessions.
        roots = {"wall": ROOT, **({"baseline": baseline} if baseline else {})}
        cookies = {name: prepare_in_child(Path(tmp) / f"{name}.sqlite3", n, args.senders,
                                          root) for name, root in roots.items()}
        bases: dict[str, str] = {}
        pids: dict[str, int] = {}
        for name, root in roots.items():
            port = free_port()
            env = {**sharon_env(mode, Path(tmp) / f"{name}.sqlite3", port),
                   **checkout_env(root)}
            bases[name], pids[name] = servers.enter_context(
                serve([str(root / "wsgi.py")], env, port))
        port = free_port()
        bases["ceiling"], pids["ceiling"] = servers.enter_context(
            serve(["bench/ceiling.py"], {**os.environ, "SHARON_ASYNC_MODE": mode}, port))
        peers = []
        for name in roots:
            peer = socketio.Client(reconnection=False)
            peer.connect(bases[name], namespaces=["/wall"], transports=["websocket"],
                         headers={"Cookie": cookies[name]["peer"][0]})
            peer.call("duty", {"on": True}, namespace="/wall")
            peers.append(peer)

        async def together() -> dict[str, dict[str, Any]]:
            return await measure(
                {name: Target(bases[name], n) for name in bases}, args.receiver,
                {**{name: cookies[name]["readers"] for name in roots},
                 "ceiling": [None] * n},
                {**{name: cookies[name]["senders"] for name in roots},
                 "ceiling": [None] * args.senders},
                args.paced, args.pace, args.bursts)

        figures = asyncio.run(together())
        for name, pid in pids.items():
            figures[name]["rss_mb"] = rss_mb(pid)
        for peer in peers:
            peer.disconnect()
    return figures


def describe(name: str, f: dict[str, Any]) -> str:
    """One server's figures, as the summary line shows them."""
    return (f"{name} p50/p95/p99 {f['p50']:.0f}/{f['p95']:.0f}/{f['p99']:.0f} ms, "
            f"burst {f['burst_per_s']:.0f}/s "
            f"({'/'.join(f'{r / 1000:.0f}k' for r in f['bursts'])}), {f['rss_mb']:.0f} MB, "
            f"lost {f['lost']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="100,500,1000")
    parser.add_argument("--modes", default="eventlet,gevent")
    parser.add_argument("--receiver", choices=["bare", "socketio"], default="bare")
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--bursts", type=int, default=5, help="burst rounds; the median counts")
    parser.add_argument("--paced", type=int, default=100, help="paced messages for latency")
    parser.add_argument("--pace", type=float, default=0.25, help="seconds between them")
    parser.add_argument("--baseline", type=Path, metavar="PATH",
                        help="a checkout of an older SHaRON, measured in the same turns")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare(args.prepare, int(args.clients), args.senders)))
        return
    if args.pace * args.senders < 10 / 5:
        parser.error("each sender would break the rate limit: raise --pace or --senders")
    if args.baseline:
        args.baseline = args.baseline.resolve()
        if not (args.baseline / "wsgi.py").is_file() or \
                not (args.baseline / "bench" / "wall.py").is_file():
            parser.error(f"{args.baseline} is not a SHaRON checkout with bench/wall.py")
    rows = []
    for mode in args.modes.split(","):
        for n in (int(x) for x in args.clients.split(",")):
            figures = run_pair(mode, n, args)
            wall, ceiling = figures["wall"], figures["ceiling"]
            row = {"mode": mode, "clients": n, "receiver": args.receiver, "wall": wall,
                   "ceiling": ceiling, "p99_ratio": wall["p99"] / max(ceiling["p99"], 1e-6),
                   "burst_ratio": wall["burst_per_s"] / max(ceiling["burst_per_s"], 1e-6)}
            rows.append(row)
            print(f"{mode:8} N={n:5} ({args.receiver})  Wall p50/p95/p99 "
                  f"{wall['p50']:.0f}/{wall['p95']:.0f}/{wall['p99']:.0f} ms, "
                  f"burst {wall['burst_per_s']:.0f}/s "
                  f"({'/'.join(f'{r / 1000:.0f}k' for r in wall['bursts'])}), "
                  f"{wall['rss_mb']:.0f} MB, "
                  f"lost {wall['lost']}, dropped {wall['dropped']} | ceiling p50/p95/p99 "
                  f"{ceiling['p50']:.0f}/{ceiling['p95']:.0f}/{ceiling['p99']:.0f} ms, "
                  f"burst {ceiling['burst_per_s']:.0f}/s "
                  f"({'/'.join(f'{r / 1000:.0f}k' for r in ceiling['bursts'])}), "
                  f"{ceiling['rss_mb']:.0f} MB, "
                  f"lost {ceiling['lost']} | p99 x{row['p99_ratio']:.2f}, "
                  f"burst {row['burst_ratio']:.0%}", flush=True)
            if args.baseline:
                base = row["baseline"] = figures["baseline"]
                base["p99_ratio"] = base["p99"] / max(ceiling["p99"], 1e-6)
                base["burst_ratio"] = base["burst_per_s"] / max(ceiling["burst_per_s"], 1e-6)
                # New over baseline: above 1 is slower for latency, below 1 is slower for
                # bursts; "within 10 %" means no worse than 1.10 and 0.90 respectively.
                vs = row["new_over_baseline"] = {
                    **{q: wall[q] / max(base[q], 1e-6) for q in ("p50", "p95", "p99")},
                    "burst_per_s": wall["burst_per_s"] / max(base["burst_per_s"], 1e-6)}
                worse = [q for q in ("p50", "p95", "p99") if vs[q] > 1.10] + \
                    (["burst"] if vs["burst_per_s"] < 0.90 else [])
                print(f"{'':8} {'':7} {'':{len(args.receiver) + 2}}  "
                      f"{describe('baseline', base)}, dropped {base['dropped']} | "
                      f"p99 x{base['p99_ratio']:.2f}, burst {base['burst_ratio']:.0%} "
                      f"of the ceiling\n{'':8} {'':7} {'':{len(args.receiver) + 2}}  "
                      f"new/baseline p50 x{vs['p50']:.2f}, p95 x{vs['p95']:.2f}, "
                      f"p99 x{vs['p99']:.2f}, burst {vs['burst_per_s']:.0%}: "
                      + (f"more than 10 % worse on {', '.join(worse)}" if worse
                         else "within 10 %"), flush=True)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
