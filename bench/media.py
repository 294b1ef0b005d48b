"""Library media under load: Range requests per second and server memory, by file size.

Serves a generated 10 MB and 100 MB video with `python wsgi.py` (eventlet) on
127.0.0.1, and lets N concurrent clients seek at random (one single-range GET
after another on keep-alive connections) for a bounded time. Prints requests
per second, latency, and the server's resident memory before and during the
load: memory must stay flat as the file grows, because files are sent in
chunks, never read whole.

    .venv/bin/python bench/media.py                 # 10 and 100 MB, 50 clients, 10 s each
    .venv/bin/python bench/media.py --sizes 10 --seconds 5 --clients 20
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SHARON_SECRET_KEY", "bench-secret")
os.environ.setdefault("SHARON_ASYNC_MODE", "threading")

from bench.servers import AGENT, serve, sign_in_cookie  # noqa: E402

PASSWORD = "bench lantern meadow pebble"


def prepare(workdir: Path, sizes_mb: list[int]) -> tuple[str, Path, dict[int, int]]:
    """A migrated SQLite database with a member and one published video per size."""
    import secrets

    from flask_migrate import upgrade

    from sharon import create_app, permissions
    from sharon.admin.services import NewAccount, create_account
    from sharon.extensions import db
    from sharon.library import media, services
    from sharon.models import ResourceKind, Role

    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    media_dir = workdir / "media"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SHARON_MEDIA_DIR": str(media_dir),
                      "SHARON_ARGON2_PROFILE": "fast", "SHARON_ASYNC_MODE": "threading"})
    demo = ROOT / "sharon" / "data" / "demo"
    ids: dict[int, int] = {}
    with app.app_context(), permissions.operator():
        upgrade()
        staff = create_account(None, NewAccount("bench_clinician", Role.CLINICIAN, PASSWORD))
        create_account(None, NewAccount("bench_member", Role.MEMBER, PASSWORD))
        network_ids = [n.id for n in staff.networks]
        head = (demo / "breathing.mp4").read_bytes()
        for size in sizes_mb:
            video = services.create(staff, ResourceKind.VIDEO, services.ResourceInput(
                title=f"{size} MB video", summary="bench", network_ids=network_ids))
            media_dir.mkdir(parents=True, exist_ok=True)
            path = media_dir / f"{secrets.token_hex(16)}.mp4"
            with open(path, "wb") as f:
                f.write(head)
                remaining = size * 1024 * 1024 - len(head)
                block = os.urandom(1024 * 1024)
                while remaining > 0:
                    f.write(block[:remaining])
                    remaining -= len(block)
            services.attach(staff, video, media.Slot.VIDEO,
                            media.Stored(path.name, "video/mp4", path.stat().st_size, path))
            services.attach(staff, video, media.Slot.CAPTIONS, media.store_copy(
                demo / "breathing.vtt", media_dir, media.Slot.CAPTIONS))
            services.publish(staff, video)
            db.session.commit()
            ids[size] = video.id
        db.engine.dispose()
    return url, media_dir, ids


def run_load(port: int, cookie: str, path: str, size: int, clients: int, seconds: float,
             chunk: int) -> tuple[int, int, list[float]]:
    """Each client: random single-range GETs on one keep-alive connection until time is up."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    done, errors, latencies = [0], [0], []

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        ok = bad = 0
        while time.monotonic() < stop:
            start = rng.randrange(0, size - chunk)
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie, "User-Agent": AGENT,
                                                   "Range": f"bytes={start}-{start + chunk - 1}"})
                response = conn.getresponse()
                body = response.read()
                if response.status == 206 and len(body) == chunk:
                    ok += 1
                    mine.append(time.perf_counter() - began)
                else:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()
        with lock:
            done[0] += ok
            errors[0] += bad
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], errors[0], latencies


def sample_rss(process, stop: threading.Event, peak: list[int]) -> None:  # type: ignore[no-untyped-def]
    """Keep the highest resident memory seen until `stop` is set."""
    while not stop.wait(0.2):
        peak[0] = max(peak[0], process.memory_info().rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100", help="file sizes in MB (default 10,100)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="load time per size")
    parser.add_argument("--range-kb", type=int, default=256, help="bytes per Range request")
    args = parser.parse_args()
    import psutil

    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="sharon-bench-media-") as tmp:
        workdir = Path(tmp)
        print(f"preparing {', '.join(f'{s} MB' for s in sizes)} videos in {workdir} …",
              flush=True)
        url, media_dir, ids = prepare(workdir, sizes)
        env = {"SHARON_DATABASE_URL": url, "SHARON_MEDIA_DIR": str(media_dir),
               "SHARON_ASYNC_MODE": "eventlet", "SHARON_ARGON2_PROFILE": "fast"}
        with serve("wsgi.py", env) as (base, pid):
            port = int(base.rsplit(":", 1)[1])
            process = psutil.Process(pid)
            cookie = sign_in_cookie(base, "bench_member", PASSWORD)
            chunk = args.range_kb * 1024
            print(f"{args.clients} clients, {args.range_kb} KB random Range requests, "
                  f"{args.seconds:g} s per size, server: python wsgi.py (eventlet), "
                  f"pid {pid}")
            print(f"{'file':>8} {'requests/s':>11} {'MB/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
                  f"{'errors':>7} {'RSS before':>11} {'RSS peak':>9} {'RSS after':>10}")
            for size in sizes:
                total = size * 1024 * 1024
                before = process.memory_info().rss
                peak = [before]
                sampling = threading.Event()

                sampler = threading.Thread(target=sample_rss, args=(process, sampling, peak))
                sampler.start()
                began = time.monotonic()
                ok, errors, latencies = run_load(port, cookie, f"/library/{ids[size]}/media/video",
                                                 total, args.clients, args.seconds, chunk)
                elapsed = time.monotonic() - began
                sampling.set()
                sampler.join()
                after = process.memory_info().rss
                latencies.sort()
                p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
                p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else float("nan")
                mb = 1024 * 1024
                print(f"{size:>5} MB {ok / elapsed:>11.1f} {ok * chunk / elapsed / mb:>8.1f} "
                      f"{p50:>8.1f} {p95:>8.1f} {errors:>7} {before / mb:>9.1f}MB "
                      f"{peak[0] / mb:>7.1f}MB {after / mb:>8.1f}MB", flush=True)


if __name__ == "__main__":
    main()
