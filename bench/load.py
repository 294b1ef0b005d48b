"""The forums under a crowd: readers and posters against one `python wsgi.py` worker.

Makes its own PostgreSQL database (bench/seed.py's dataset: 2,000 members, 20 spaces,
5,000 threads, 100,000 posts), serves it with one eventlet worker, and signs every
simulated person in through the real form, each with their own account and cookies.
Then, for a fixed time, readers browse: a space's page (mostly its first), then one to
three of the threads listed there, as people click; posters open a thread among the
twenty busiest, reply with the page's own CSRF and submission tokens, and follow the
redirect to their post. Nobody waits between pages unless --think says so, so the
worker is as busy as these people can make it. Prints requests per second, the error
rate and latency p50/p99 per kind, and the worker's CPU; drops the database at the end.

    .venv/bin/python bench/load.py [--readers 200 --posters 20 --seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import random
import re
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from yarl import URL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import seed as seeding  # noqa: E402
from bench.servers import rss_mb, serve  # noqa: E402

KINDS = ("category", "thread", "reply")
HOT_THREADS = range(21, 41)  # not pinned, one or two per space: replies lift them to the top
_THREAD_LINK = re.compile(r'href="/forums/t/(\d+)"')
_REPLY_FORM = re.compile(r'<form[^>]*action="(/forums/t/\d+/reply)"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'\b(name|value|type)="([^"]*)"')
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Record:
    kind: str
    started: float  # time.time(), comparable across processes
    seconds: float
    ok: bool
    detail: str = ""


class Person:
    """One signed-in browser: its own connection and cookie jar."""

    def __init__(self, base: str, username: str, cookies: dict[str, str] | None = None,
                 timeout: float = 30.0) -> None:
        self.base, self.username = base, username
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
        if cookies:
            jar.update_cookies(cookies, URL(base))
        self.http = aiohttp.ClientSession(
            cookie_jar=jar, connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=timeout))
        self.records: list[Record] = []

    async def close(self) -> None:
        await self.http.close()

    def cookies(self) -> dict[str, str]:
        return {c.key: c.value for c in self.http.cookie_jar}

    async def sign_in(self, password: str) -> None:
        async with self.http.get(f"{self.base}/sign-in") as response:
            token = _CSRF.search(await response.text())
        if token is None:
            raise RuntimeError("the sign-in page has no CSRF token")
        async with self.http.post(f"{self.base}/sign-in", allow_redirects=False, data={
                "csrf_token": token.group(1), "username": self.username,
                "password": password}) as response:
            if response.status != 302:
                raise RuntimeError(f"{self.username} could not sign in: {response.status}")
        # The first page after signing in re-signs the cookie (sessions.keep_session_alive),
        # as a browser's would be; the jar keeps the new one.
        async with self.http.get(f"{self.base}/guidelines") as response:
            await response.read()

    async def request(self, kind: str, method: str, path: str, expect: tuple[int, ...],
                      **kwargs: object) -> tuple[str, str]:
        """(body, Location) of one request, recorded with its time; ("", "") on failure."""
        started, clock = time.time(), time.perf_counter()
        try:
            async with self.http.request(method, self.base + path, **kwargs) as response:
                body = await response.text()
                ok = response.status in expect
                detail = "" if ok else f"HTTP {response.status}"
                location = response.headers.get("Location", "")
        except (TimeoutError, aiohttp.ClientError) as error:
            body, location, ok, detail = "", "", False, type(error).__name__
        self.records.append(Record(kind, started, time.perf_counter() - clock, ok, detail))
        return (body, location) if ok else ("", "")


async def pause(rng: random.Random, think: float) -> None:
    await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)


async def read(person: Person, rng: random.Random, until: float, think: float) -> None:
    """Browse until `until`: a space's page, then a few of the threads it lists."""
    while time.time() < until:
        space = rng.randint(1, seeding.CATEGORIES)
        page = rng.choice((1, 1, 1, 1, 2, 3))
        listing, _ = await person.request("category", "GET", f"/forums/c/{space}?page={page}",
                                          (200,))
        await pause(rng, think)
        threads = _THREAD_LINK.findall(listing)[:12] or [str(rng.randint(1, seeding.THREADS))]
        for _ in range(rng.randint(1, 3)):
            if time.time() >= until:
                return
            await person.request("thread", "GET", f"/forums/t/{rng.choice(threads)}", (200,))
            await pause(rng, think)


def reply_form(page: str) -> tuple[str, dict[str, str]] | None:
    """The reply form's action and its hidden fields (CSRF and submission tokens)."""
    form = _REPLY_FORM.search(page)
    if form is None:
        return None
    fields = {}
    for tag in _INPUT.findall(form.group(2)):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = html.unescape(attrs.get("value", ""))
    return form.group(1), fields


async def post(person: Person, rng: random.Random, until: float, think: float) -> None:
    """Reply in the busiest threads until `until`: open one, reply, see the post."""
    while time.time() < until:
        thread_id = rng.choice(HOT_THREADS)
        page, _ = await person.request("thread", "GET", f"/forums/t/{thread_id}", (200,))
        form = reply_form(page)
        await pause(rng, think)
        if form is None or time.time() >= until:
            continue
        action, fields = form
        words = [rng.choice(seeding.WORDS) for _ in range(rng.randint(15, 60))]
        _, location = await person.request(
            "reply", "POST", action, (302, 303), allow_redirects=False,
            data={**fields, "body": " ".join(words).capitalize() + ".", "content_note": ""})
        if location:
            path = URL(location).path_qs if URL(location).is_absolute() else location
            await person.request("thread", "GET", path, (200,))
        await pause(rng, think)


async def _run_people(base: str, people: list[tuple[str, str, dict[str, str]]], start: float,
                      seconds: float, think: float, seed: int) -> list[Record]:
    persons = [Person(base, name, cookies) for name, _role, cookies in people]
    try:
        await asyncio.sleep(max(0.0, start - time.time()))
        until = start + seconds
        await asyncio.gather(*(
            (post if role == "poster" else read)(p, random.Random(seed + i), until, think)
            for i, (p, (_n, role, _c)) in enumerate(zip(persons, people, strict=True))))
    finally:
        for p in persons:
            await p.close()
    return [r for p in persons for r in p.records]


def run_people(base: str, people: list[tuple[str, str, dict[str, str]]], start: float,
               seconds: float, think: float, seed: int) -> list[Record]:
    """One load process: its share of the people, from `start` for `seconds`."""
    return asyncio.run(_run_people(base, people, start, seconds, think, seed))


async def sign_everyone_in(base: str, usernames: list[str]) -> list[dict[str, str]]:
    limit = asyncio.Semaphore(16)

    async def one(name: str) -> dict[str, str]:
        async with limit:
            person = Person(base, name)
            try:
                await person.sign_in(seeding.PASSWORD)
                return person.cookies()
            finally:
                await person.close()

    return await asyncio.gather(*(one(name) for name in usernames))


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] if ordered else 0.0


def report(records: list[Record], window: tuple[float, float]) -> bool:
    """Print the table; True when nothing failed."""
    start, end = window
    measured = [r for r in records if start <= r.started < end]
    seconds = end - start
    print(f"\n{'kind':<10} {'requests':>9} {'req/s':>8} {'errors':>8} {'error %':>8} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in (*KINDS, "all"):
        rows = [r for r in measured if kind in ("all", r.kind)]
        if not rows:
            continue
        failed = sum(not r.ok for r in rows)
        times = [r.seconds * 1000 for r in rows]
        print(f"{kind:<10} {len(rows):>9} {len(rows) / seconds:8.1f} {failed:>8} "
              f"{100 * failed / len(rows):7.2f}% {percentile(times, 50):8.0f} "
              f"{percentile(times, 99):8.0f} {max(times):8.0f}")
    failures: dict[str, int] = {}
    for r in measured:
        if not r.ok:
            failures[f"{r.kind}: {r.detail}"] = failures.get(f"{r.kind}: {r.detail}", 0) + 1
    for what, count in sorted(failures.items(), key=lambda item: -item[1]):
        print(f"  failed {what} x{count}")
    return not failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--posters", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="measured time")
    parser.add_argument("--warmup", type=float, default=5,
                        help="seconds of load before the measured time")
    parser.add_argument("--think", type=float, default=0,
                        help="mean pause between one person's pages, in seconds (0: none)")
    parser.add_argument("--processes", type=int, default=1,
                        help="load processes (this VM: one keeps up with one worker)")
    parser.add_argument("--postgres", default=os.environ.get(
        "SHARON_BENCH_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"),
        help="any database on the server where the benchmark's own one is made and dropped")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    people = args.readers + args.posters
    if people > seeding.USERS:
        sys.exit(f"at most {seeding.USERS} people (the dataset's members)")

    load_before = os.getloadavg()[0]  # this VM is shared: say how busy it was
    url = sa.make_url(args.postgres).set(database=f"sharon_bench_load_{os.getpid()}")
    url_text = url.render_as_string(hide_password=False)
    print(f"seeding {url.database}…", flush=True)
    seeding.fresh(url_text)
    try:
        seeding.seed(url_text)
        env = {"SHARON_DATABASE_URL": url_text, "SHARON_ASYNC_MODE": "eventlet",
               "SHARON_ARGON2_PROFILE": "fast",
               # Everyone signs in from 127.0.0.1 within seconds.
               "SHARON_SIGNIN_RATE_LIMIT": "100000 per minute"}
        with serve("wsgi.py", env) as (base, pid):
            names = [f"member_{i:04d}" for i in range(1, people + 1)]
            print(f"signing {people} people in…", flush=True)
            cookies = asyncio.run(sign_everyone_in(base, names))
            roles = ["poster"] * args.posters + ["reader"] * args.readers
            everyone = list(zip(names, roles, cookies, strict=True))
            shares = [everyone[i::args.processes] for i in range(args.processes)]
            start = time.time() + 2
            window = (start + args.warmup, start + args.warmup + args.seconds)
            print(f"{args.readers} readers and {args.posters} posters for "
                  f"{args.warmup + args.seconds:.0f} s…", flush=True)
            records, cpu = _load(base, pid, shares, start, window, args)
            memory = rss_mb(pid)
    finally:
        if not args.keep:
            admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
            admin.dispose()
    from sharon.config import SETTINGS

    pool = {s.name: os.environ.get(s.name) or s.default for s in SETTINGS
            if s.name.startswith("SHARON_DB_")}
    print(f"\nThe forums under a crowd: {args.readers} readers and {args.posters} posters, one "
          f"eventlet worker, PostgreSQL, {args.seconds:.0f} s measured after "
          f"{args.warmup:.0f} s warm-up, think time {args.think:g} s; pool "
          f"{pool['SHARON_DB_POOL_SIZE']} + {pool['SHARON_DB_MAX_OVERFLOW']}, wait "
          f"{pool['SHARON_DB_POOL_TIMEOUT']} s; load average before {load_before:.1f}")
    clean = report(records, window)
    print(f"\nworker CPU {cpu['server']:.0%} of one core, load processes "
          f"{cpu['load']:.0%}; worker memory {memory:.0f} MB RSS")
    sys.exit(0 if clean else 1)


def _load(base: str, pid: int, shares: list[list[tuple[str, str, dict[str, str]]]],
          start: float, window: tuple[float, float],
          args: argparse.Namespace) -> tuple[list[Record], dict[str, float]]:
    """Run the people (here, or in worker processes) and sample CPU over the window."""
    seconds = window[1] - start

    async def sample() -> dict[str, float]:
        await asyncio.sleep(max(0.0, window[0] - time.time()))
        server, own = cpu_seconds(pid), time.process_time()
        await asyncio.sleep(max(0.0, window[1] - time.time()))
        return {"server": (cpu_seconds(pid) - server) / (window[1] - window[0]),
                "load": (time.process_time() - own) / (window[1] - window[0])}

    async def everything() -> tuple[list[Record], dict[str, float]]:
        if len(shares) == 1:
            records, cpu = await asyncio.gather(
                _run_people(base, shares[0], start, seconds, args.think, 1), sample())
            return records, cpu
        loop = asyncio.get_running_loop()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        with ProcessPoolExecutor(len(shares)) as pool:
            futures = [loop.run_in_executor(pool, run_people, base, share, start, seconds,
                                            args.think, 1000 * i)
                       for i, share in enumerate(shares)]
            cpu = await sample()
            records = [r for chunk in await asyncio.gather(*futures) for r in chunk]
        # Counted once they have ended: their whole run, spread over the measured time.
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu["load"] = (done.ru_utime + done.ru_stime - children.ru_utime
                       - children.ru_stime) / seconds
        return records, cpu

    return asyncio.run(everything())


if __name__ == "__main__":
    main()
