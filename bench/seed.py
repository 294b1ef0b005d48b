"""Create the forum benchmark dataset in a fresh database.

2,000 users, 20 categories, 5,000 threads of 5–35 posts, 100,000 posts of about 300
characters, in the database named by SHARON_DATABASE_URL (default: a SQLite file in
bench/out/). About a third of the posts contain the word "walk"; a couple of dozen
contain "zephyr" (a selective word for search).

Bodies are made of plain words, so their sanitized HTML is exactly "<p>text</p>": the
seed writes that directly instead of running 100,000 posts through bleach.

    .venv/bin/python bench/seed.py [--fresh]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = f"sqlite:///{ROOT / 'bench' / 'out' / 'forum.sqlite3'}"

USERS, CATEGORIES, THREADS, POSTS = 2_000, 20, 5_000, 100_000
PASSWORD = "bench-password-1"  # every benchmark user's
WORDS = ("today felt calmer than yesterday and I managed to get outside for a while the "
         "breathing exercise helped when my thoughts started racing I noticed the worry "
         "and let it pass like my therapist showed me sleep is still patchy but better "
         "friends have been kind and I am trying to be kind to myself too small steps "
         "matter routine helps keeping a diary of good moments tea with my sister music "
         "gardening reading cooking a proper meal setting boundaries at work").split()


def body(rng: random.Random, common: bool, rare: bool) -> str:
    words = [rng.choice(WORDS) for _ in range(55)]
    if common:
        words[rng.randrange(len(words))] = "walk"
    if rare:
        words[rng.randrange(len(words))] = "zephyr"
    text = " ".join(words)
    return text[0].upper() + text[1:300].rsplit(" ", 1)[0] + "."


def database_url() -> str:
    return os.environ.get("SHARON_DATABASE_URL") or DEFAULT_URL


def fresh(url: str) -> None:
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        engine = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
        engine.dispose()


def seed(url: str, posts: int = POSTS) -> dict[str, float]:
    """Seed `posts` posts (threads of 5-35 posts, averaging 20, so posts // 20 threads)."""
    global POSTS, THREADS
    POSTS, THREADS = posts, max(CATEGORIES, posts // 20)
    os.environ["SHARON_DATABASE_URL"] = url
    os.environ.setdefault("SHARON_ASYNC_MODE", "threading")
    os.environ.setdefault("SHARON_SECRET_KEY", "bench")
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from sharon import create_app
    from sharon.extensions import db
    from sharon.models import Category, Network, Post, Thread, User, user_networks
    from sharon.passwords import hash_password

    timings: dict[str, float] = {}
    started = time.perf_counter()
    app = create_app({"SHARON_ARGON2_PROFILE": "fast"})
    with app.app_context():
        upgrade()
        timings["migrate"] = time.perf_counter() - started
        rng = random.Random(2026)
        network_id = db.session.scalar(sa.select(Network.id).order_by(Network.id))
        now = datetime.now(UTC)
        password = hash_password(PASSWORD)
        conn = db.session.connection()
        conn.execute(sa.insert(User), [
            {"id": i, "username": f"member_{i:04d}", "username_key": f"member_{i:04d}",
             "role": "member", "status": "active", "password_hash": password,
             "session_version": 1, "created_at": now - timedelta(days=400)}
            for i in range(1, USERS + 1)])
        conn.execute(sa.insert(user_networks), [
            {"user_id": i, "network_id": network_id} for i in range(1, USERS + 1)])
        conn.execute(sa.insert(Category), [
            {"id": c, "network_id": network_id, "name": f"Space {c:02d}",
             "description": "A benchmark space", "position": c, "audience": "everyone",
             "thread_count": THREADS // CATEGORIES, "created_at": now}
            for c in range(1, CATEGORIES + 1)])
        timings["users"] = time.perf_counter() - started

        sizes = [rng.randint(5, 35) for _ in range(THREADS)]
        # Nudge the sizes so that they add up to exactly POSTS.
        total = sum(sizes)
        while total != POSTS:
            i = rng.randrange(THREADS)
            if total > POSTS and sizes[i] > 5:
                sizes[i] -= 1
                total -= 1
            elif total < POSTS and sizes[i] < 35:
                sizes[i] += 1
                total += 1
        rare = set(rng.sample(range(POSTS), 24))
        threads, posts, post_id = [], [], 0
        for t in range(THREADS):
            start = now - timedelta(days=365) + timedelta(minutes=100 * t)
            title = f"Thread {t + 1}: " + " ".join(rng.choice(WORDS) for _ in range(5))
            authors = [rng.randint(1, USERS) for _ in range(sizes[t])]
            for n in range(sizes[t]):
                post_id += 1
                text = body(rng, post_id % 3 == 0, post_id - 1 in rare)
                posts.append({
                    "id": post_id, "thread_id": t + 1, "number": n + 1, "author_id": authors[n],
                    "body_source": text, "body_html": f"<p>{text}</p>\n", "body_text": text,
                    "search_title": title if n == 0 else "", "status": "visible",
                    "status_reason": "", "created_at": start + timedelta(minutes=n)})
            threads.append({
                "id": t + 1, "category_id": t % CATEGORIES + 1, "author_id": authors[0],
                "title": title, "kind": "chat", "created_at": start,
                "last_activity_at": start + timedelta(minutes=sizes[t] - 1),
                "post_count": sizes[t], "reply_count": sizes[t] - 1,
                "last_number": sizes[t], "last_author_id": authors[-1], "pinned": t < 20,
                "locked": False, "hidden": False, "held": False})
        conn.execute(sa.insert(Thread), threads)
        timings["threads"] = time.perf_counter() - started
        for i in range(0, len(posts), 5_000):
            conn.execute(sa.insert(Post), posts[i:i + 5_000])
        db.session.commit()
        timings["posts"] = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as c:
                c.exec_driver_sql("SELECT setval(pg_get_serial_sequence('users','id'), 5000)")
                c.exec_driver_sql("SELECT setval(pg_get_serial_sequence('posts','id'), "
                                  f"{POSTS + 1})")
                c.exec_driver_sql("SELECT setval(pg_get_serial_sequence('threads','id'), "
                                  f"{THREADS + 1})")
                c.exec_driver_sql("ANALYZE")
                c.commit()
        else:
            with db.engine.connect() as c:
                c.exec_driver_sql("ANALYZE")
                c.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('optimize')")
                c.commit()
        timings["total"] = time.perf_counter() - started
        db.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=database_url(), help="database URL")
    parser.add_argument("--posts", type=int, default=POSTS, help="how many posts (100000)")
    args = parser.parse_args()
    fresh(args.url)
    timings = seed(args.url, args.posts)
    print(f"seeded {USERS:,} users, {CATEGORIES} categories, {THREADS:,} threads, "
          f"{POSTS:,} posts into {args.url}")
    for step, seconds in timings.items():
        print(f"  {step:<8} {seconds:7.1f} s (cumulative)")


if __name__ == "__main__":
    main()
