"""One small scheduler for the work that happens with nobody asking: reminders, sanctions
ending, claims lapsing, risk flags waiting too long.

An area registers a job in its own `jobs.py` (imported by the app factory), never here:

    from sharon.infra import scheduler

    @scheduler.job("checkin-reminders", every=timedelta(minutes=5))
    def send_checkin_reminders(now: datetime) -> None:
        ...  # runs inside an app context; does its own db.session.commit()

    scheduler.run_due(app, now=None) -> list[str]  # every due job once, each under its
                                                   # lease; the names run (tests drive this)
    scheduler.start(app)  # per worker (wsgi.py): a green background task looping run_due;
                          # never under app.testing, never for `flask` commands

Each job has a row in `scheduled_jobs` (sharon/models/scheduling.py), made the first
time a worker sees the name. A job is due when its `next_run_at` is empty or past. A
worker takes it with one conditional UPDATE (lease free or lapsed, job still due) and
commits, so with several workers each turn runs once; it runs the job, then records
when it started and finished, any error (shortened), the count of runs and the next
turn (`now + every`), and gives the lease back. A worker that dies mid-job holds the
lease until it lapses (`lease`, by default the longer of `every` and a minute), and
then another takes the job over. A job that raises is logged, its error recorded, its
session rolled back, and the other jobs still run. With the database away, the loop
logs once, waits and tries again.

Why not a library: APScheduler 3's SQLAlchemy job store must not be shared between
schedulers (each worker would run every job), and the 4.x series that coordinates
several workers is a pre-release, built on asyncio/AnyIO threads rather than eventlet's
green threads, with its own tables outside Alembic. Celery beat or RQ would add a
broker and another process to run. What SHaRON needs is small: one lease table, one
green task per worker started like the Wall's watcher, and `run_due` that a test can
call with a moved clock; so it is these hundred-odd lines.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.dialects import postgresql, sqlite

from sharon.extensions import db, socketio
from sharon.infra import clock
from sharon.infra.errors import unavailable_service
from sharon.models.scheduling import ScheduledJob

log = logging.getLogger(__name__)

# How often each worker looks for due jobs; a job's own `every` says how often it runs.
LOOP_SECONDS = 5.0
# How long the loop waits before trying again when the database cannot be reached.
RETRY_SECONDS = 15.0
# The shortest lease: a job must finish within it, or another worker may start it again.
MIN_LEASE = timedelta(seconds=60)
ERROR_MAX = 500  # ScheduledJob.last_error's length

# This process, in the lease column: which worker holds a job, for whoever reads the table.
_WORKER = f"{socket.gethostname()[:40]}:{os.getpid()}"


@dataclass(frozen=True)
class Job:
    """A registered job: what to call, how often, and how long its lease holds."""

    name: str
    every: timedelta
    lease: timedelta
    run: Callable[[datetime], None]


JOBS: dict[str, Job] = {}


def job(name: str, every: timedelta,
        lease: timedelta | None = None) -> Callable[[Callable[[datetime], None]],
                                                    Callable[[datetime], None]]:
    """Register `run(now)` to run every `every`, on one worker at a time."""
    if not 0 < len(name) <= 60 or every <= timedelta(0):
        raise ValueError(f"a job needs a name of 1 to 60 characters and a positive interval: "
                         f"{name!r}, {every}")

    def register(run: Callable[[datetime], None]) -> Callable[[datetime], None]:
        known = JOBS.get(name)
        if known is not None and known.run is not run:
            raise ValueError(f"two jobs are called {name!r}")
        JOBS[name] = Job(name, every, lease or max(every, MIN_LEASE), run)
        return run

    return register


def run_due(app: Flask, now: datetime | None = None) -> list[str]:
    """Run every due job once, each under its lease; return the names of those run.
    Database errors outside a job (reading or taking a lease) reach the caller."""
    ran: list[str] = []
    with app.app_context():
        try:
            due = _due(now or clock.now())
            for name in due:
                at = now or clock.now()
                token = f"{_WORKER}:{secrets.token_hex(4)}"
                if _take(JOBS[name], token, at):
                    _run(JOBS[name], token, at)
                    ran.append(name)
        finally:
            db.session.remove()
    return ran


def _due(now: datetime) -> list[str]:
    """The registered jobs due now, making rows for those seen for the first time."""
    rows = dict(db.session.execute(sa.select(ScheduledJob.name, ScheduledJob.next_run_at)
                                   .where(ScheduledJob.name.in_(list(JOBS)))).all())
    missing = [name for name in JOBS if name not in rows]
    if missing:
        # Another worker may make the same rows at the same moment: neither fails.
        insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
        db.session.execute(insert(ScheduledJob).values([{"name": n, "runs": 0} for n in missing])
                           .on_conflict_do_nothing(index_elements=["name"]))
        db.session.commit()
    db.session.rollback()  # end the read, so each lease below sees what others committed
    return sorted(name for name in JOBS if rows.get(name) is None or rows[name] <= now)


def _take(found: Job, token: str, now: datetime) -> bool:
    """Take the job's lease if nobody holds it (or theirs lapsed) and it is still due: a
    worker that read it as due before another ran it must not run it again."""
    taken = db.session.execute(
        sa.update(ScheduledJob)
        .where(ScheduledJob.name == found.name,
               sa.or_(ScheduledJob.leased_until.is_(None), ScheduledJob.leased_until < now),
               sa.or_(ScheduledJob.next_run_at.is_(None), ScheduledJob.next_run_at <= now))
        .values(leased_by=token, leased_until=now + found.lease, last_started_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(taken)


def _run(found: Job, token: str, now: datetime) -> None:
    """Run the job, then record how it went and give the lease back."""
    error: str | None = None
    try:
        found.run(now)
    except Exception as exc:
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        if unavailable_service(exc):  # the database's state, not a bug: no traceback
            log.warning("scheduler: job %s could not reach the database: %s", found.name, error)
        else:
            log.exception("scheduler: job %s failed", found.name)
    db.session.rollback()  # a job commits its own work; anything left over is dropped
    released = db.session.execute(
        sa.update(ScheduledJob)
        .where(ScheduledJob.name == found.name, ScheduledJob.leased_by == token)
        .values(leased_by=None, leased_until=None, last_finished_at=clock.now(),
                last_error=error, runs=ScheduledJob.runs + 1, next_run_at=now + found.every)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not released:
        log.warning("scheduler: job %s ran past its lease of %s; another worker may have "
                    "run it too", found.name, found.lease)


class Loop:
    """One worker's scheduler: `step` runs what is due and says how long to sleep."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.failing = False

    def step(self) -> float:
        """Run the due jobs; on a database outage log once (no traceback) and wait longer."""
        try:
            run_due(self.app)
        except Exception as exc:
            if not unavailable_service(exc):
                log.exception("scheduler: could not run the due jobs; trying again")
            elif not self.failing:
                log.warning("scheduler: cannot reach the database (%s); trying again every "
                            "%d seconds", type(exc).__name__, RETRY_SECONDS)
            self.failing = True
            return RETRY_SECONDS
        if self.failing:
            log.warning("scheduler: the database answers again; timed jobs are running")
            self.failing = False
        return LOOP_SECONDS

    def run(self) -> None:
        """Step until the process ends."""
        while True:
            socketio.sleep(self.step())


_lock = threading.Lock()
_loop: Loop | None = None


def start(app: Flask) -> Any:
    """Start this worker's scheduler, once per process (the serving process calls it; tests
    call run_due instead). Returns the background task, or None when not started."""
    global _loop
    if app.testing:
        return None
    with _lock:
        if _loop is not None:
            return None
        _loop = Loop(app)
        return socketio.start_background_task(_loop.run)
