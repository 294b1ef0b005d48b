"""Forum page benchmark: SHaRON under `python wsgi.py` against a bare Flask ceiling,
measured turn by turn in the same run.

For each database (SQLite, PostgreSQL) and size (100,000 and 1,000,000 posts by
default), seeds the dataset (bench/seed.py; a SQLite file in bench/out/ is reused if
present), starts SHaRON and the ceiling (bench/ceiling.py: a 20-item template loaded
from its loader and compiled once, as Flask serves a file template) with the same
settings, signs in, and measures with wrk from 127.0.0.1, each page right after a turn
of the ceiling:

- a thread page of exactly 20 posts, drawn in full (no If-None-Match);
- the same page answered 304 (If-None-Match with its ETag);
- a category's first page, and its last page (reached by following "Older" links).

Each figure is printed as a ratio with its target and PASS or MISS: thread page at
least 15% of the ceiling on SQLite and 12% on PostgreSQL, a 304 at least a third of
the ceiling, the last category page within 10% of the first. With --floor it also
measures bench/floor.py's two empty pages (signed out, signed in), the least any page
can cost, so a target can be held against what is possible at all.

    .venv/bin/python bench/forum.py [--databases sqlite postgresql] [--posts 100000 1000000]
        [--duration 8] [--connections 16] [--pg-url postgresql+psycopg2://…/bench17] [--floor]

PostgreSQL's database (--pg-url, default SHARON_BENCH_PG_URL) is dropped and seeded
afresh for each size: create it first (`.venv/bin/python .ci/services.py create NAME`)
and drop it afterwards. The figures are noisy on a shared machine: compare only ratios
from one run.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import seed as seeding  # noqa: E402
from bench.servers import AGENT, serve, sign_in_cookie  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH_USER = "member_0001"
TARGETS = {"thread": {"sqlite": 0.15, "postgresql": 0.12}, "304": 1 / 3, "depth": 0.90}


def wrk(url: str, headers: list[str], duration: int, connections: int) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout",
               "10s"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        figures[f"p{pct}"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" \
            else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["errors"] = float(errors.group(1)) if errors else 0.0
    return figures


def prepare(url: str, posts: int, reseed: bool) -> None:
    """Seed `posts` posts into `url` unless a SQLite file of that size is there already."""
    backend = sa.make_url(url).get_backend_name()
    if backend == "sqlite" and Path(sa.make_url(url).database).exists() and not reseed:
        return
    print(f"seeding {posts:,} posts into {backend}…", flush=True)
    seeding.fresh(url)
    # In a child process: the seed builds an app of its own in this interpreter otherwise.
    subprocess.run([sys.executable, "bench/seed.py", "--url", url, "--posts", str(posts)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def choose(url: str) -> tuple[int, int]:
    """A thread of exactly 20 visible posts, and the category with the most threads."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        thread_id = conn.exec_driver_sql(
            "SELECT t.id FROM threads t WHERE NOT t.hidden AND NOT t.held AND (SELECT count(*) "
            "FROM posts p WHERE p.thread_id = t.id AND p.status = 'visible') = 20 "
            "ORDER BY t.id LIMIT 1").scalar()
        category_id = conn.exec_driver_sql(
            "SELECT category_id FROM threads GROUP BY category_id ORDER BY count(*) DESC, "
            "category_id LIMIT 1").scalar()
    engine.dispose()
    if thread_id is None:
        sys.exit("no thread has exactly 20 posts: reseed")
    return thread_id, category_id


def browser(cookie: str) -> dict[str, str]:
    """The headers of the signed-in browser the benchmark plays (bench/servers.AGENT)."""
    return {"Cookie": cookie, "User-Agent": AGENT}


def last_page(base: str, cookie: str, first: str) -> tuple[str, int]:
    """Follow "Older" links from a category's first page to its last."""
    path, pages = first, 1
    while True:
        page = requests.get(base + path, headers=browser(cookie), timeout=30).text
        older = re.search(r'href="([^"]*[?&]after=[^"]+)"', page)
        if older is None:
            return path, pages
        path, pages = html.unescape(older.group(1)), pages + 1


def measure(database: str, posts: int, url: str, args: argparse.Namespace) -> list[tuple]:
    thread_id, category_id = choose(url)
    env = {"SHARON_DATABASE_URL": url, "SHARON_ARGON2_PROFILE": "fast",
           "SHARON_ASYNC_MODE": os.environ.get("SHARON_ASYNC_MODE", "eventlet")}
    rows = []
    with serve("bench/ceiling.py", env) as (ceiling_base, _), \
            serve("wsgi.py", env) as (base, _pid), \
            (serve("bench/floor.py", env) if args.floor else nullcontext((None, None))) \
            as (floor_base, _floor_pid):
        cookie = sign_in_cookie(base, BENCH_USER, seeding.PASSWORD)
        auth = [f"{name}: {value}" for name, value in browser(cookie).items()]
        thread = f"/forums/t/{thread_id}"
        for _ in range(3):  # the read marker moves on the first visit; then it settles
            response = requests.get(base + thread, headers=browser(cookie), timeout=30)
        shown = len(re.findall(r'id="post-\d+"', response.text))
        assert shown == 20, f"thread {thread_id} shows {shown} posts, not 20"
        etag = response.headers.get("ETag")
        assert etag, "the thread page sent no ETag"
        assert requests.get(base + thread, headers={**browser(cookie), "If-None-Match": etag},
                            timeout=30).status_code == 304
        first = f"/forums/c/{category_id}"
        deepest, depth = last_page(base, cookie, first)
        pages = [
            ("thread page, 20 posts", base + thread, auth),
            ("thread page, 304", base + thread, [*auth, f"If-None-Match: {etag}"]),
            ("category page 1", base + first, auth),
            (f"category last page ({depth})", base + deepest, auth),
        ]
        if floor_base:  # bench/floor.py: the least any page can cost (same secret key)
            assert requests.get(floor_base + "/_bench/signed-in", headers=browser(cookie),
                                allow_redirects=False, timeout=30).status_code == 200
            pages += [("floor: empty, signed out", floor_base + "/_bench/empty", []),
                      ("floor: empty, signed in", floor_base + "/_bench/signed-in", auth)]
        wrk(ceiling_base + "/ceiling", [], 2, args.connections)  # warm up both
        for _name, url, headers in pages:
            wrk(url, headers, 2, args.connections)
        figures: dict[str, list[tuple[dict, dict]]] = {name: [] for name, _, _ in pages}
        for _ in range(args.rounds):
            for name, url, headers in pages:
                ceiling = wrk(ceiling_base + "/ceiling", [], args.duration, args.connections)
                page = wrk(url, headers, args.duration, args.connections)
                figures[name].append((page, ceiling))
    for name, _url, _headers in pages:
        runs = figures[name]
        page = {k: sum(p[k] for p, _ in runs) / len(runs) for k in runs[0][0]}
        ceiling = sum(c["rps"] for _, c in runs) / len(runs)
        rows.append((name, page, ceiling))
    return rows


def verdicts(database: str, rows: list[tuple]) -> list[tuple]:
    by_name = {name: (page, ceiling) for name, page, ceiling in rows}
    out = []
    for name, page, ceiling in rows:
        ratio = page["rps"] / ceiling
        if name.startswith("thread page, 20"):
            target, label = TARGETS["thread"][database], "of ceiling"
        elif name.endswith("304"):
            target, label = TARGETS["304"], "of ceiling"
        elif name.startswith("category last"):
            first, first_ceiling = by_name["category page 1"]
            # Each against its own turn of the ceiling, so drift between turns cancels.
            ratio = (page["rps"] / ceiling) / (first["rps"] / first_ceiling)
            target, label = TARGETS["depth"], "of page 1"
        else:
            target, label = None, "of ceiling"
        out.append((name, page, ceiling, ratio, target, label))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--posts", nargs="+", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pg-url", default=os.environ.get(
        "SHARON_BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/bench17"))
    parser.add_argument("--reseed", action="store_true", help="seed SQLite files again")
    parser.add_argument("--floor", action="store_true",
                        help="also measure bench/floor.py's empty pages, signed out and in: "
                             "the least any page can cost")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    results = []
    for posts in args.posts:
        for database in args.databases:
            url = (f"sqlite:///{ROOT / 'bench' / 'out' / f'forum-{posts}.sqlite3'}"
                   if database == "sqlite" else args.pg_url)
            prepare(url, posts, args.reseed or database == "postgresql")
            results.append((database, posts, verdicts(database, measure(database, posts, url,
                                                                          args))))
            table(results[-1:], args)  # as it comes: a long seed may follow
    if len(results) > 1:
        table(results, args)


def table(results: list[tuple], args: argparse.Namespace) -> None:
    print(f"\nForum pages, each turn right after a turn of the ceiling; "
          f"{args.connections} connections, {args.rounds} × {args.duration} s per page, "
          f"signed in as a member\n")
    print(f"{'database':<10} {'posts':>9}  {'page':<27} {'req/s':>7} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'ceiling':>8} {'ratio':>15} {'target':>7}  verdict", flush=True)
    for database, posts, rows in results:
        for name, page, ceiling, ratio, target, label in rows:
            verdict = "" if target is None else ("PASS" if ratio >= target else "MISS")
            print(f"{database:<10} {posts:>9,}  {name:<27} {page['rps']:7.0f} "
                  f"{page['p50']:7.1f} {page['p99']:7.1f} {ceiling:8.0f} "
                  f"{ratio:6.1%} {label:<8} {'' if target is None else f'{target:.0%}':>7}"
                  f"  {verdict}" + (f"  ({page['errors']:.0f} errors)" if page["errors"]
                                    else ""), flush=True)


if __name__ == "__main__":
    main()
