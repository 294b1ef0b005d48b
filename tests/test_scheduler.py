"""The scheduler (sharon/infra/scheduler.py): a job runs when due, once across workers,
under a lease that a dead worker loses; a failing job is recorded and the others still
run; the loop lives through a database outage; and only the serving process starts it."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sharon import create_app
from sharon.extensions import db
from sharon.infra import scheduler
from sharon.models import Network, ScheduledJob
from tests.concurrency import at_once
from tests.databases import PG_URL
from tests.databases import test_config as config_for
from tests.faults import TcpProxy, free_port
from tests.live_server import live_server


class Calls:
    """What a test job saw: the time it was called with, once per run."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[datetime] = []

    def __call__(self, now: datetime) -> None:
        with self.lock:
            self.seen.append(now)


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, scheduler.Job]:
    """Only the test's own jobs are registered while it runs."""
    registered: dict[str, scheduler.Job] = {}
    monkeypatch.setattr(scheduler, "JOBS", registered)
    return registered


def _row(name: str) -> ScheduledJob:
    db.session.expire_all()
    row = db.session.get(ScheduledJob, name)
    assert row is not None
    return row


def test_a_job_runs_when_due_and_again_only_when_its_interval_has_passed(
        app, jobs, frozen_clock):
    calls = Calls()
    scheduler.job("tidy", every=timedelta(minutes=5))(calls)
    started = frozen_clock.now
    assert scheduler.run_due(app) == ["tidy"]  # first sight: due at once
    assert calls.seen == [started]
    row = _row("tidy")
    assert (row.runs, row.last_error, row.leased_by, row.leased_until) == (1, None, None, None)
    assert row.next_run_at == started + timedelta(minutes=5)
    assert row.last_started_at == started and row.last_finished_at == started
    frozen_clock.advance(minutes=4, seconds=59)
    assert scheduler.run_due(app) == []
    frozen_clock.advance(seconds=1)
    assert scheduler.run_due(app) == ["tidy"]
    assert len(calls.seen) == 2 and _row("tidy").runs == 2
    # A time passed in is the one the job sees and is scheduled from.
    later = frozen_clock.now + timedelta(hours=1)
    assert scheduler.run_due(app, now=later) == ["tidy"]
    assert calls.seen[-1] == later and _row("tidy").next_run_at == later + timedelta(minutes=5)


def test_two_workers_at_once_run_each_turn_once(app, second_worker, jobs, frozen_clock):
    calls = Calls()

    def slow(now: datetime) -> None:
        calls(now)
        time.sleep(0.05)  # long enough for the other worker to try meanwhile

    scheduler.job("reminders", every=timedelta(minutes=1))(slow)
    for _turn in range(4):
        ran = at_once([lambda: scheduler.run_due(app), lambda: scheduler.run_due(second_worker),
                       lambda: scheduler.run_due(second_worker)])
        assert sorted(ran, key=len) == [[], [], ["reminders"]]
        frozen_clock.advance(minutes=1)
    assert len(calls.seen) == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduledJob)) == 1
    assert _row("reminders").runs == 4


def test_a_failing_job_is_recorded_rolled_back_and_the_others_still_run(
        app, jobs, frozen_clock, caplog):
    calls = Calls()

    def broken(now: datetime) -> None:
        db.session.execute(sa.update(Network).values(name="Half-made network"))
        raise ValueError("no such reminder " + "x" * 600)

    scheduler.job("a-broken", every=timedelta(minutes=1))(broken)
    scheduler.job("b-fine", every=timedelta(minutes=1))(calls)
    with caplog.at_level(logging.ERROR, logger="sharon.infra.scheduler"):
        assert scheduler.run_due(app) == ["a-broken", "b-fine"]
    assert len(calls.seen) == 1
    failed = _row("a-broken")
    assert failed.last_error is not None and len(failed.last_error) == 500
    assert failed.last_error.startswith("ValueError: no such reminder xxx")
    assert (failed.runs, failed.leased_by) == (1, None)
    assert failed.next_run_at == frozen_clock.now + timedelta(minutes=1)
    assert db.session.scalar(sa.select(Network).where(Network.name == "Half-made network")) \
        is None
    assert "scheduler: job a-broken failed" in caplog.text and "ValueError" in caplog.text
    # Its next turn comes as usual; a run that succeeds clears the error.
    jobs["a-broken"] = scheduler.Job("a-broken", timedelta(minutes=1), timedelta(minutes=1),
                                     calls)
    frozen_clock.advance(minutes=1)
    assert scheduler.run_due(app) == ["a-broken", "b-fine"]
    assert (_row("a-broken").last_error, _row("a-broken").runs) == (None, 2)


def test_a_dead_workers_lease_is_taken_over_when_it_lapses(app, jobs, frozen_clock):
    calls = Calls()
    scheduler.job("sweep", every=timedelta(seconds=10))(calls)
    db.session.add(ScheduledJob(name="sweep", leased_by="host:123:dead",
                                leased_until=frozen_clock.now + timedelta(seconds=30),
                                last_started_at=frozen_clock.now, runs=7))
    db.session.commit()
    assert scheduler.run_due(app) == []  # held by a worker that may still be running it
    frozen_clock.advance(seconds=29)
    assert scheduler.run_due(app) == []
    frozen_clock.advance(seconds=2)
    assert scheduler.run_due(app) == ["sweep"]
    row = _row("sweep")
    assert (row.runs, row.leased_by, len(calls.seen)) == (8, None, 1)


def test_a_lease_lasts_at_least_a_minute_or_as_long_as_the_job_asks(app, jobs, frozen_clock):
    leases: dict[str, datetime | None] = {}

    def look(name: str):  # type: ignore[no-untyped-def]
        def run(now: datetime) -> None:
            leases[name] = db.session.get(ScheduledJob, name).leased_until
        return run

    scheduler.job("quick", every=timedelta(seconds=5))(look("quick"))
    scheduler.job("weekly", every=timedelta(days=7))(look("weekly"))
    scheduler.job("heavy", every=timedelta(seconds=5), lease=timedelta(minutes=10))(look("heavy"))
    scheduler.run_due(app)
    now = frozen_clock.now
    assert leases == {"quick": now + timedelta(seconds=60), "weekly": now + timedelta(days=7),
                      "heavy": now + timedelta(minutes=10)}


def test_a_job_name_is_registered_once(jobs):
    scheduler.job("once", every=timedelta(minutes=1))(Calls())
    with pytest.raises(ValueError, match="two jobs are called 'once'"):
        scheduler.job("once", every=timedelta(minutes=1))(lambda now: None)
    with pytest.raises(ValueError):
        scheduler.job("", every=timedelta(minutes=1))
    with pytest.raises(ValueError):
        scheduler.job("never", every=timedelta(0))


def test_the_loop_lives_through_a_database_that_does_not_answer(jobs, caplog):
    """Nothing answers where the database should be: the loop logs once, with no
    traceback, and waits longer before trying again."""
    calls = Calls()
    scheduler.job("reminders", every=timedelta(minutes=1))(calls)
    with TcpProxy("127.0.0.1", free_port()) as dead:
        url = dead.url("postgresql+psycopg2://sharon@127.0.0.1/sharon")
        app = create_app(config_for(url))
        loop = scheduler.Loop(app)
        with caplog.at_level(logging.WARNING, logger="sharon.infra.scheduler"):
            assert loop.step() == scheduler.RETRY_SECONDS
            assert loop.step() == scheduler.RETRY_SECONDS
    assert calls.seen == []
    lines = [r for r in caplog.records if r.name == "sharon.infra.scheduler"]
    assert len(lines) == 1 and "cannot reach the database" in lines[0].getMessage()
    assert lines[0].exc_info is None


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (SHARON_TEST_DATABASE_URL)")
def test_the_loop_comes_back_after_the_database_is_cut_off(
        template_db, jobs, frozen_clock, caplog):
    url = template_db.copy()
    calls = Calls()
    cut_mid_job = threading.Event()

    def reminders(now: datetime) -> None:
        if cut_mid_job.is_set():
            cut_mid_job.clear()
            proxy.sever()  # the database goes away while the job runs
            db.session.execute(sa.select(1))
        calls(now)

    scheduler.job("reminders", every=timedelta(minutes=1))(reminders)
    target = sa.make_url(url)
    try:
        with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy, \
                caplog.at_level(logging.WARNING, logger="sharon.infra.scheduler"):
            app = create_app(config_for(proxy.url(url)))
            loop = scheduler.Loop(app)
            assert loop.step() == scheduler.LOOP_SECONDS and len(calls.seen) == 1

            proxy.sever()
            frozen_clock.advance(minutes=1)
            assert loop.step() == scheduler.RETRY_SECONDS
            assert loop.step() == scheduler.RETRY_SECONDS
            proxy.restore()
            assert loop.step() == scheduler.LOOP_SECONDS and len(calls.seen) == 2

            # Cut off in the middle of the job: the run is not recorded, its lease stays
            # with the worker, and the job runs again once the lease lapses.
            frozen_clock.advance(minutes=1)
            cut_mid_job.set()
            assert loop.step() == scheduler.RETRY_SECONDS
            proxy.restore()
            assert loop.step() == scheduler.LOOP_SECONDS and len(calls.seen) == 2
            frozen_clock.advance(seconds=61)
            assert loop.step() == scheduler.LOOP_SECONDS and len(calls.seen) == 3
            with app.app_context():
                row = db.session.get(ScheduledJob, "reminders")
                assert (row.runs, row.leased_by, row.last_error) == (3, None, None)
                db.session.remove()
                db.engine.dispose()
        messages = [r.getMessage() for r in caplog.records if r.name == "sharon.infra.scheduler"]
        assert sum("cannot reach the database" in m for m in messages) == 2, messages
        assert sum("answers again" in m for m in messages) == 2, messages
        assert all(r.exc_info is None for r in caplog.records
                   if r.name == "sharon.infra.scheduler"), messages
    finally:
        template_db.drop(url)


def test_tests_and_flask_commands_never_start_it(app, database_url):
    assert scheduler.start(app) is None  # app.testing
    served_like = create_app(config_for(database_url, TESTING=False))
    result = served_like.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0 and "Database ready" in result.output
    assert scheduler._loop is None
    with served_like.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduledJob)) == 0
        db.engine.dispose()


def test_the_serving_process_runs_every_registered_job(template_db, tmp_path: Path):
    url = template_db.copy()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with live_server(url, tmp_path):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    ran = dict(conn.execute(sa.text("SELECT name, runs FROM scheduled_jobs")).all())
                if set(scheduler.JOBS) <= {name for name, runs in ran.items() if runs >= 1}:
                    break
                time.sleep(0.2)
        assert {"overdue-risk-alerts", "lapsed-claims", "sanctions-ending"} <= set(ran)
        assert all(ran[name] >= 1 for name in scheduler.JOBS), ran
        log = next(tmp_path.glob("server-*.log")).read_text()
        assert "Traceback" not in log and "scheduler" not in log, log[-2000:]
    finally:
        engine.dispose()
        template_db.drop(url)
