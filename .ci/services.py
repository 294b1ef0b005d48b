"""CI helper: check PostgreSQL and Redis, and create or drop the run's database.

Usage: services.py check | create NAME | drop NAME
"""

import os
import sys

import psycopg2
import redis

PG = {
    "host": os.environ.get("PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("PG_PORT", "5432")),
    "user": os.environ.get("PG_USER", "postgres"),
    "dbname": "postgres",
    "connect_timeout": 5,
}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def admin():
    conn = psycopg2.connect(**PG)
    conn.autocommit = True
    return conn


def main(command: str, name: str = "") -> None:
    if command == "check":
        try:
            admin().close()
        except Exception as exc:
            sys.exit(f"PostgreSQL is not reachable at {PG['host']}:{PG['port']}: {exc}")
        try:
            redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
        except Exception as exc:
            sys.exit(f"Redis is not reachable at {REDIS_URL}: {exc}")
        print("PostgreSQL and Redis are reachable.")
    elif command == "create":
        admin().cursor().execute(f'CREATE DATABASE "{name}"')
    elif command == "drop":
        # The run's database and any per-test copies that a crashed test left behind.
        cur = admin().cursor()
        cur.execute("SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
                    (name, name.replace("_", r"\_") + r"\_%"))
        for (found,) in cur.fetchall():
            cur.execute(f'DROP DATABASE IF EXISTS "{found}" WITH (FORCE)')
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(*sys.argv[1:])
