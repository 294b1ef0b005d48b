"""Search latency, one request at a time (no queueing), against `python wsgi.py`.

Uses the forum benchmark database (see bench/seed.py) and prints p50/p95/max for a
word found in about a third of all posts, a selective word, and a later results page.

    .venv/bin/python bench/search_latency.py [--requests 100]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import seed as seeding  # noqa: E402
from bench.forum import BENCH_USER  # noqa: E402
from bench.servers import AGENT, serve, sign_in_cookie  # noqa: E402

QUERIES = [("common word (1/3 of posts)", "walk", 1), ("selective word", "zephyr", 1),
           ("common word, page 3", "walk", 3), ("two words", "walk sister", 1),
           ("phrase", '"breathing exercise"', 1)]


def results_page(session: requests.Session, base: str, q: str, page: int) -> str:
    """The address of the `page`th page of results, found as a person would: results are
    paged by keyset, so by following "More results" (rel="next") from the first."""
    url = f"{base}/forums/search?" + urlencode({"q": q})
    for _ in range(page - 1):
        found = re.search(r'<a [^>]*href="([^"]+)"[^>]*rel="next"', session.get(url).text)
        if found is None:
            raise RuntimeError(f"fewer than {page} pages of results for {q!r}")
        url = base + html.unescape(found.group(1))
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    url = seeding.database_url()
    if url == seeding.DEFAULT_URL and not Path(url.removeprefix("sqlite:///")).exists():
        seeding.fresh(url)
        seeding.seed(url)
    env = {"SHARON_DATABASE_URL": url, "SHARON_ARGON2_PROFILE": "fast",
           "SHARON_ASYNC_MODE": os.environ.get("SHARON_ASYNC_MODE", "eventlet")}
    with serve("wsgi.py", env) as (base, _pid):
        cookie = sign_in_cookie(base, BENCH_USER, seeding.PASSWORD)
        session = requests.Session()
        session.headers["Cookie"] = cookie
        session.headers["User-Agent"] = AGENT
        print(f"Search latency, {url.split('://')[0]}, {args.requests} sequential requests each")
        print(f"{'query':<30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, q, page in QUERIES:
            url = results_page(session, base, q, page)
            timings = []
            for i in range(args.requests + 5):
                started = time.perf_counter()
                response = session.get(url)
                response.raise_for_status()
                if i >= 5:  # the first few warm caches
                    timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"{name:<30} {statistics.median(timings):8.1f} {p95:8.1f} {timings[-1]:8.1f}")


if __name__ == "__main__":
    main()
