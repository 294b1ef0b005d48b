"""Office hours: is the Wall open at time T, and when does that next change?

The weekly schedule is wall-clock time in Europe/London, so 09:00 means 09:00 GMT
in winter and 09:00 BST in summer: each day's periods are placed on that day's
calendar and converted to UTC one by one, which keeps them right across the clock
changes. Bank holidays (the `holidays` package, substitute days included) of the UK
nation SHARON_BANK_HOLIDAYS names (England and Wales by default) have no regular
hours. Extra sessions add time, even on a bank holiday.
Closures (whole London dates) take precedence over everything, extra sessions too:
a closure means nobody is there to look after the Wall.

The rules are a plain value (`Calendar`) so that they can be tested without a
database; `load()` reads them from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa

from sharon import permissions
from sharon.content import clean_text
from sharon.infra import kept_rules
from sharon.permissions import Action
from sharon.refusals import Refused

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# How far ahead "when does it next open" looks before answering "not scheduled".
HORIZON_DAYS = 400
# The kept rule (sharon/infra/kept_rules.py) that load() reads: every change below forgets it.
CALENDAR = "wall_calendar"
_CHUNK_DAYS = 21

Interval = tuple[datetime, datetime]


# SHARON_BANK_HOLIDAYS: the `holidays` package's subdivision, and the name people know.
# Wales shares England's bank holidays; Scotland and Northern Ireland have their own.
NATIONS = {
    "england-and-wales": ("ENG", "England and Wales"),
    "scotland": ("SCT", "Scotland"),
    "northern-ireland": ("NIR", "Northern Ireland"),
}
DEFAULT_NATION = "england-and-wales"


def configured_nation() -> str:
    """The app's SHARON_BANK_HOLIDAYS, or England and Wales outside an app (tests)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config.get("SHARON_BANK_HOLIDAYS") or DEFAULT_NATION)
    return DEFAULT_NATION


def nation_name(nation: str | None = None) -> str:
    """The nation's name ("Scotland"), for pages that say whose bank holidays close the
    Wall."""
    return NATIONS[nation or configured_nation()][1]


@lru_cache(maxsize=16)
def _bank_holidays(year: int, nation: str) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv=NATIONS[nation][0], years=year))


def bank_holiday(day: date, nation: str | None = None) -> str | None:
    """The name of the bank holiday on `day` in `nation` (default: the app's), if any."""
    return _bank_holidays(day.year, nation or configured_nation()).get(day)


def _local(day: date, at: time) -> datetime:
    """A London wall-clock time on `day`, as an aware UTC time."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def _day_start(day: date) -> datetime:
    return _local(day, time(0, 0))


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for start, end in intervals:
        pieces = [(start, end)]
        for h_start, h_end in holes:
            next_pieces = []
            for p_start, p_end in pieces:
                if h_end <= p_start or h_start >= p_end:
                    next_pieces.append((p_start, p_end))
                    continue
                if p_start < h_start:
                    next_pieces.append((p_start, h_start))
                if h_end < p_end:
                    next_pieces.append((h_end, p_end))
            pieces = next_pieces
        result.extend(pieces)
    return result


@dataclass(frozen=True)
class Calendar:
    """The rules: weekly periods, closures (inclusive London dates), extra sessions (UTC)
    and whose bank holidays count (None: the app's SHARON_BANK_HOLIDAYS, so that every
    calendar made inside the app, the dashboard's too, follows the setting)."""

    weekly: tuple[tuple[int, time, time], ...] = ()
    closures: tuple[tuple[date, date], ...] = ()
    sessions: tuple[Interval, ...] = ()
    nation: str | None = None
    _by_day: dict[int, list[tuple[time, time]]] = field(default_factory=dict, compare=False,
                                                         repr=False)

    def __post_init__(self) -> None:
        if self.nation is None:
            object.__setattr__(self, "nation", configured_nation())
        elif self.nation not in NATIONS:
            raise ValueError(f"unknown nation {self.nation!r}")
        for weekday, opens, closes in self.weekly:
            self._by_day.setdefault(weekday, []).append((opens, closes))

    def closed_day(self, day: date) -> bool:
        """Whether a London date falls in a closure."""
        return any(start <= day <= end for start, end in self.closures)

    def intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """Merged open periods that overlap [start, end), in UTC."""
        first = start.astimezone(LONDON).date() - timedelta(days=1)
        last = end.astimezone(LONDON).date() + timedelta(days=1)
        found: list[Interval] = []
        day = first
        while day <= last:
            if not self.closed_day(day) and bank_holiday(day, self.nation) is None:
                for opens, closes in self._by_day.get(day.weekday(), ()):
                    found.append((_local(day, opens), _local(day, closes)))
            day += timedelta(days=1)
        holes = [(_day_start(a), _day_start(b + timedelta(days=1))) for a, b in self.closures]
        found.extend(_subtract([s for s in self.sessions if s[1] > start and s[0] < end], holes))
        return [i for i in _merge(found) if i[1] > start and i[0] < end]

    def is_open(self, at: datetime) -> bool:
        """Is the Wall open at `at`?"""
        return any(s <= at < e for s, e in self.intervals(at, at + timedelta(seconds=1)))

    def next_change(self, at: datetime) -> datetime | None:
        """When the Wall next opens (if closed at `at`) or closes (if open); None: not scheduled."""
        step = timedelta(days=_CHUNK_DAYS)
        horizon = at + timedelta(days=HORIZON_DAYS)
        if self.is_open(at):
            # Follow back-to-back periods (a session straight after the day's hours) to the end.
            end = at
            while end < horizon:
                around = [e for s, e in self.intervals(end, end + step) if s <= end < e]
                if not around:
                    return end
                end = around[0]
            return None
        start = at
        while start < horizon:
            later = [s for s, _ in self.intervals(start, start + step) if s > at]
            if later:
                return min(later)
            start += step
        return None


@dataclass(frozen=True)
class Hours:
    """The Wall's state at one moment, as the page and the `status` event show it."""

    open: bool
    next_change: datetime | None


_STATEMENTS: tuple[sa.Select[Any], ...] | None = None


def _read() -> Calendar:
    from sharon.extensions import db
    from sharon.infra import clock
    from sharon.models import WallClosure, WallHours, WallSession

    global _STATEMENTS
    if _STATEMENTS is None:  # built once
        _STATEMENTS = (
            sa.select(WallHours.weekday, WallHours.opens, WallHours.closes),
            sa.select(WallClosure.starts_on, WallClosure.ends_on)
            .where(WallClosure.ends_on >= sa.bindparam("since_day")),
            sa.select(WallSession.starts_at, WallSession.ends_at)
            .where(WallSession.ends_at > sa.bindparam("since")))
    now = clock.now()
    since = now - timedelta(days=2)
    conn = db.session.connection()
    weekly_stmt, closures_stmt, sessions_stmt = _STATEMENTS
    weekly = tuple(conn.execute(weekly_stmt).all())
    closures = tuple(conn.execute(
        closures_stmt, {"since_day": now.astimezone(LONDON).date() - timedelta(days=2)}).all())
    sessions = tuple((r[0], r[1]) for r in conn.execute(sessions_stmt, {"since": since}))
    return Calendar(weekly=tuple((r[0], r[1], r[2]) for r in weekly),
                    closures=tuple((r[0], r[1]) for r in closures), sessions=sessions)


def load(fresh: bool = False) -> Calendar:
    """The rules from the database (weekly schedule, closures, extra sessions).

    Every message on the Wall asks, so each worker keeps them for a few seconds
    (`kept_rules`): the time each message is checked against is always its own, so the
    Wall still closes on the second; the services below forget them, so an edit counts
    here at once, and one made on another worker within kept_rules.TTL_SECONDS. `fresh`
    reads them now (the watcher does, every few seconds, which keeps the kept copy fresh
    too).
    """
    from sharon.infra import clock

    # Read relative to today, so a new London day reads them again.
    today = clock.now().astimezone(LONDON).date()
    return kept_rules.get(CALENDAR, today, _read, fresh=fresh)


def current(at: datetime | None = None, fresh: bool = False) -> Hours:
    """Is the Wall open now (or at `at`), and when does that change?"""
    from sharon.infra import clock

    at = at or clock.now()
    calendar = load(fresh)
    return Hours(open=calendar.is_open(at), next_change=calendar.next_change(at))


def is_open(at: datetime) -> bool:
    """Is the Wall open at `at`? (current() without working out the next change)"""
    return load().is_open(at)


# --- Changing the rules (staff pages and the CLI) ----------------------------------------

def london_to_utc(day: date, at: time) -> datetime:
    """A London wall-clock time as aware UTC (what the forms collect)."""
    return _local(day, at)


_SESSIONS_ONLY = "Only clinicians and admins can add or remove Wall sessions and closures."


def do_add_session(actor: Any, starts_at: datetime, ends_at: datetime, note: str = "") -> Any:
    """Add an extra session. It may not end in the past, nor fall in a closure."""
    from sharon.extensions import db
    from sharon.infra import clock
    from sharon.models import Audit, WallClosure, WallSession
    from sharon.moderation.services import record

    permissions.check(actor, Action.MANAGE_WALL_SESSIONS, _SESSIONS_ONLY)
    if ends_at <= starts_at:
        raise Refused("empty", "The session must end after it starts.")
    if ends_at <= clock.now():
        raise Refused("closed", "That session would already be over.")
    if ends_at - starts_at > timedelta(hours=24):
        raise Refused("too_long", "An extra session can last up to 24 hours.")
    first = starts_at.astimezone(LONDON).date()
    last = ends_at.astimezone(LONDON).date()
    clash = db.session.scalars(sa.select(WallClosure).where(
        WallClosure.starts_on <= last, WallClosure.ends_on >= first)).first()
    if clash is not None:
        raise Refused("closed", f"The Wall is closed then ({clash.reason}). Remove that closure "
                                "first if the session should go ahead.")
    note = clean_text(note).strip()
    session = WallSession(starts_at=starts_at, ends_at=ends_at, note=note[:200],
                          created_by=actor, created_at=clock.now())
    db.session.add(session)
    db.session.flush()
    kept_rules.forget(CALENDAR)
    record(actor, Audit.WALL_SESSION_ADD, "wall_session", session.id, note,
           starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat())
    return session


def do_add_closure(actor: Any, starts_on: date, ends_on: date, reason: str) -> Any:
    """Close the Wall on whole London dates, extra sessions included."""
    from sharon.extensions import db
    from sharon.infra import clock
    from sharon.models import Audit, WallClosure
    from sharon.moderation.services import record

    permissions.check(actor, Action.MANAGE_WALL_SESSIONS, _SESSIONS_ONLY)
    reason = clean_text(reason).strip()
    if not reason:
        raise Refused("empty", "Give a reason: members see it.")
    if ends_on < starts_on:
        raise Refused("empty", "The last day must be on or after the first day.")
    if ends_on < clock.now().astimezone(LONDON).date():
        raise Refused("closed", "Those dates are already over.")
    closure = WallClosure(starts_on=starts_on, ends_on=ends_on, reason=reason[:200],
                          created_by=actor, created_at=clock.now())
    db.session.add(closure)
    db.session.flush()
    kept_rules.forget(CALENDAR)
    record(actor, Audit.WALL_CLOSURE_ADD, "wall_closure", closure.id, reason,
           starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat())
    return closure


def do_remove(actor: Any, kind: str, item_id: int) -> None:
    """Remove an extra session ("session") or a closure ("closure")."""
    from sharon.extensions import db
    from sharon.models import Audit, WallClosure, WallSession
    from sharon.moderation.services import record

    permissions.check(actor, Action.MANAGE_WALL_SESSIONS, _SESSIONS_ONLY)
    if kind not in ("session", "closure"):
        raise Refused("not_found", "That has already been removed.")
    model = WallSession if kind == "session" else WallClosure
    item = db.session.get(model, item_id)
    if item is None:
        raise Refused("not_found", "That has already been removed.")
    db.session.delete(item)
    db.session.flush()
    kept_rules.forget(CALENDAR)
    record(actor, Audit(f"wall_{kind}_remove"), f"wall_{kind}", item_id)


def do_set_weekly(actor: Any, periods: Iterable[tuple[int, time, time]]) -> None:
    """Replace the weekly schedule (London times; one period per weekday from the page)."""
    from sharon.extensions import db
    from sharon.models import Audit, WallHours
    from sharon.moderation.services import record

    permissions.check(actor, Action.MANAGE_OFFICE_HOURS,
                      "Only admins can change the Wall's weekly hours.")
    periods = list(periods)
    for weekday, opens, closes in periods:
        if not 0 <= weekday <= 6 or opens >= closes:
            raise Refused("empty", f"{WEEKDAYS[weekday % 7]}: closing must be after opening.")
    db.session.execute(sa.delete(WallHours))
    db.session.add_all(WallHours(weekday=w, opens=o, closes=c) for w, o, c in periods)
    db.session.flush()
    kept_rules.forget(CALENDAR)
    record(actor, Audit.WALL_HOURS_SET, "wall_hours", 0,
           periods=[[w, o.strftime("%H:%M"), c.strftime("%H:%M")] for w, o, c in periods])


def upcoming(limit: int = 50) -> tuple[list[Any], list[Any]]:
    """Extra sessions not yet over, and closures not yet past, soonest first."""
    from sharon.extensions import db
    from sharon.infra import clock
    from sharon.models import WallClosure, WallSession

    now = clock.now()
    sessions = list(db.session.scalars(sa.select(WallSession).where(WallSession.ends_at > now)
                                       .order_by(WallSession.starts_at).limit(limit)))
    closures = list(db.session.scalars(
        sa.select(WallClosure).where(WallClosure.ends_on >= now.astimezone(LONDON).date())
        .order_by(WallClosure.starts_on).limit(limit)))
    return sessions, closures


def upcoming_bank_holidays(days: int = 120) -> list[tuple[date, str]]:
    """The next bank holidays of the app's nation, for the staff page (the Wall is closed
    on them)."""
    from sharon.infra import clock

    today = clock.now().astimezone(LONDON).date()
    nation = configured_nation()
    found = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        name = bank_holiday(day, nation)
        if name:
            found.append((day, name))
    return found
