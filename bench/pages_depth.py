"""Do pages cost the same at any depth? In-process timings on the forum benchmark database.

Times, inside one Flask app context (no HTTP, no templates), the statements behind:

- a category page: page 1 and the last page, by keyset (what the site runs:
  `queries.thread_listing`) and, for comparison, by COUNT + OFFSET (what it ran before);
- search: a word in a third of all posts and a selective one, by the site's
  `search.search_posts` (only the newest CANDIDATE_CAP matches ranked) and, with
  `--old-search FILE`, by an older copy of sharon/search.py (every match ranked).

Uses the database bench/seed.py made (SHARON_DATABASE_URL, or --url); the category is
the benchmark's first. Prints median and p95 in milliseconds, of the whole call and of
the time spent in the database driver alone (Python's share is noisy on a busy VM),
and on PostgreSQL the server's own execution time of each category page's statement.

    .venv/bin/python bench/pages_depth.py [--url URL] [--repeat 200] [--old-search FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import seed as seeding  # noqa: E402

USERNAME = "member_0001"


SQL_MS = [0.0]  # time spent in the database driver, summed by cursor events


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float, float, float]:
    """Median and p95 of `run` in ms, whole and in SQL alone, after a few warming runs."""
    for _ in range(5):
        run()
    times, sql = [], []
    for _ in range(repeat):
        SQL_MS[0] = 0.0
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
        sql.append(SQL_MS[0])
    times.sort()
    sql.sort()

    def p95(values: list[float]) -> float:
        return values[max(0, math.ceil(len(values) * 0.95) - 1)]

    return statistics.median(times), p95(times), statistics.median(sql), p95(sql)


def server_time(db: Any, run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """PostgreSQL's own execution time of the statement that reads threads in `run`."""
    import sqlalchemy as sa

    seen: list[tuple[str, Any]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
             executemany: bool) -> None:
        if "FROM threads" in statement and "ORDER BY" in statement:
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    statement, parameters = seen[-1]
    times = []
    with db.engine.connect() as conn:
        for _ in range(repeat):
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement,
                                        parameters).scalar_one()
            times.append(plan[0]["Execution Time"])
    times.sort()
    return statistics.median(times), times[max(0, math.ceil(len(times) * 0.95) - 1)]


def count_sql_time(engine: Any) -> None:
    """Add each statement's time in the driver to SQL_MS."""
    import sqlalchemy as sa

    @sa.event.listens_for(engine, "before_cursor_execute")
    def started(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        context.bench_started = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def ended(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
              executemany: bool) -> None:
        SQL_MS[0] += (time.perf_counter() - context.bench_started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=seeding.database_url(), help="database URL")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--old-search", type=Path, help="an older sharon/search.py to compare")
    args = parser.parse_args()
    os.environ["SHARON_DATABASE_URL"] = args.url
    os.environ.setdefault("SHARON_ASYNC_MODE", "threading")
    os.environ.setdefault("SHARON_SECRET_KEY", "bench")
    import sqlalchemy as sa
    import sqlalchemy.orm as so

    from sharon import create_app, search
    from sharon.extensions import db
    from sharon.forums import queries, visibility
    from sharon.infra import keyset
    from sharon.models import Category, Post, Thread, User

    app = create_app({"SHARON_ARGON2_PROFILE": "fast"})
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == USERNAME))
        category = db.session.scalar(sa.select(Category).order_by(Category.id))
        posts = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
        where = [Thread.category_id == category.id, visibility.thread_clause(user)]
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Thread).where(*where))
        per = queries.THREADS_PER_PAGE
        last = max(1, math.ceil(total / per))
        order = (Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
        # The key of the row just before the last page: what its "Older" link carries.
        key = db.session.execute(sa.select(Thread.pinned, Thread.last_activity_at, Thread.id)
                                 .where(*where).order_by(*order)
                                 .offset((last - 1) * per - 1).limit(1)).one()

        def keyset_page(cursor: keyset.Cursor) -> Callable[[], Any]:
            def run() -> Any:
                result = queries.thread_listing(user, category, cursor)
                db.session.rollback()  # a fresh session each time, as a request has
                return result
            return run

        def offset_page(number: int) -> Callable[[], Any]:
            def run() -> Any:  # the statements category pages ran before issue 17
                db.session.scalar(sa.select(sa.func.count()).select_from(Thread).where(*where))
                result = db.session.scalars(
                    sa.select(Thread)
                    .options(so.joinedload(Thread.author), so.joinedload(Thread.last_author))
                    .where(*where).order_by(*order)
                    .limit(per).offset((number - 1) * per)).all()
                db.session.rollback()
                return result
            return run

        name = db.engine.dialect.name
        print(f"{name}, {posts:,} posts; category {category.name!r}: {total:,} threads, "
              f"{last} pages; {args.repeat} runs each, in process")
        count_sql_time(db.engine)
        print(f"{'':<60} {'median ms':>10} {'p95 ms':>8} {'SQL median':>11} {'SQL p95':>8}")
        rows: list[tuple[str, Callable[[], Any]]] = [
            ("category page 1, keyset", keyset_page(keyset.Cursor())),
            (f"category page {last} (last), keyset", keyset_page(keyset.Cursor(after=tuple(key)))),
            ("category page 1, count + OFFSET (before)", offset_page(1)),
            (f"category page {last} (last), count + OFFSET (before)", offset_page(last)),
        ]
        if name == "postgresql":
            # The client's share is noisy on a busy VM: the server's own time for each
            # listing statement (EXPLAIN ANALYZE's "Execution Time") shows depth alone.
            print("  server-side execution of the listing statement (EXPLAIN ANALYZE), ms:")
            for label, run in rows:
                median, p95 = server_time(db, run, args.repeat)
                print(f"  {label:<58} {median:10.3f} {p95:8.3f}")
        old = None
        if args.old_search:
            spec = importlib.util.spec_from_file_location("old_search", args.old_search)
            assert spec and spec.loader
            old = importlib.util.module_from_spec(spec)
            sys.modules["old_search"] = old  # dataclasses look their module up
            spec.loader.exec_module(old)
        for label, word in (("common word 'walk'", "walk"), ("selective word 'zephyr'", "zephyr")):
            def new(word: str = word) -> Any:
                result = search.search_posts(user, word)
                db.session.rollback()
                return result
            rows.append((f"search {label}, newest {search.CANDIDATE_CAP:,} ranked", new))
            if old is not None:
                def before(word: str = word) -> Any:
                    result = old.search_posts(user, word, 1)
                    db.session.rollback()
                    return result
                rows.append((f"search {label}, every match ranked (before)", before))
        for label, run in rows:
            median, p95, sql_median, sql_p95 = timed(run, args.repeat)
            print(f"{label:<60} {median:10.2f} {p95:8.2f} {sql_median:11.2f} {sql_p95:8.2f}")


if __name__ == "__main__":
    main()
