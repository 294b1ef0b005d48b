"""Forum page benchmark: SHaRON under `python wsgi.py` against a bare Flask ceiling.

Seeds bench/out/forum.sqlite3 first if it is missing (or uses SHARON_DATABASE_URL),
then loads each page with wrk (Debian's package) from 127.0.0.1, signed in, and prints
requests/s, latency p50/p90/p99 and the ratio to the ceiling's requests/s.

    .venv/bin/python bench/forum.py [--duration 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import seed as seeding  # noqa: E402
from bench.servers import rss_mb, serve, sign_in_cookie  # noqa: E402

BENCH_USER = "member_0001"


def wrk(url: str, cookie: str | None, duration: int, connections: int) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout",
               "10s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        figures[f"p{pct}"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" \
            else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["errors"] = float(errors.group(1)) if errors else 0.0
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    url = seeding.database_url()
    if url == seeding.DEFAULT_URL and not Path(url.removeprefix("sqlite:///")).exists():
        print("seeding the benchmark database first…", flush=True)
        seeding.fresh(url)
        seeding.seed(url)
    env = {"SHARON_DATABASE_URL": url, "SHARON_ARGON2_PROFILE": "fast",
           "SHARON_ASYNC_MODE": os.environ.get("SHARON_ASYNC_MODE", "eventlet")}
    results = []
    with serve("bench/ceiling.py", env) as (base, _pid):
        wrk(f"{base}/ceiling", None, 2, args.connections)  # warm up
        ceiling = wrk(f"{base}/ceiling", None, args.duration, args.connections)
    results.append(("ceiling: bare Flask, 20-item template", ceiling))
    with serve("wsgi.py", env) as (base, pid):
        cookie = sign_in_cookie(base, BENCH_USER, seeding.PASSWORD)
        pages = [
            # What any signed-in page costs before the forums do anything: the session,
            # the account, the header with its unread count, the CSRF token.
            ("floor: signed-in urgent-help page", "/help/urgent"),
            ("category list", "/forums/"),
            ("category page 5 of 10", "/forums/c/7?page=5"),
            ("thread page, 20 posts", "/forums/t/2345"),
            ("search, common word (1/3 of posts)", "/forums/search?q=walk"),
            ("search, selective word", "/forums/search?q=zephyr"),
            ("search, common word, page 3", "/forums/search?q=walk&page=3"),
        ]
        requests.get(base + "/forums/t/2345", headers={"Cookie": cookie})  # read marker
        for name, path in pages:
            wrk(base + path, cookie, 2, args.connections)
            results.append((name, wrk(base + path, cookie, args.duration, args.connections)))
        memory = rss_mb(pid)
    print(f"\nForum pages on {env['SHARON_ASYNC_MODE']}, {url.split('://')[0]}, "
          f"{args.connections} connections, {args.duration} s each (all signed in)\n")
    print(f"{'page':<40} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
          f"{'vs ceiling':>10} {'errors':>7}")
    for name, fig in results:
        print(f"{name:<40} {fig['rps']:8.0f} {fig['p50']:8.1f} {fig['p90']:8.1f} "
              f"{fig['p99']:8.1f} {fig['rps'] / ceiling['rps']:9.0%} {fig['errors']:7.0f}")
    print(f"\nserver memory after the run: {memory:.0f} MB RSS")


if __name__ == "__main__":
    main()
