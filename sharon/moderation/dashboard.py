"""The team dashboard's figures: the queue now, who is on duty, how fast risk flags are
taken up, how the Wall is used, and how many members and carers take part.

Counting is done in the database, a handful of grouped queries for the whole page.
Weeks are London weeks starting on Monday; the database cannot place a time in a London
week by itself (SQLite has no time zones), so each query is given the weeks' first
instants, worked out here, and sorts its rows into them with one CASE. Medians are
worked out here from the month's risk flags (a few dozen rows), because SQLite has no
median and PostgreSQL's percentile_cont has no SQLite twin.

Who is on duty and when the Wall is open are the Wall's rules: this package may not name
the Wall's code, so the Wall lends them here (`register_wall`, from the app factory), as
it lends the queue its duty rule. Without them the page says so and shows the rest.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from sharon.extensions import db
from sharon.infra import charts
from sharon.infra.templating import LONDON, in_words
from sharon.models import (
    ModerationItem,
    Post,
    User,
    WallClosure,
    WallHours,
    WallMessage,
    WallSession,
)
from sharon.models.moderation import ItemKind, Level
from sharon.models.roles import Role

KINDS = (ItemKind.RISK, ItemKind.REPORT, ItemKind.HELD, ItemKind.CONVERSATION)
KIND_LABELS: dict[str, str] = {ItemKind.RISK: "Risk flags", ItemKind.REPORT: "Reports",
                               ItemKind.HELD: "Waiting for approval",
                               ItemKind.CONVERSATION: "Conversations"}
ONE_KIND_LABELS: dict[str, str] = {ItemKind.RISK: "Risk flag", ItemKind.REPORT: "Report",
                                   ItemKind.HELD: "Waiting for approval",
                                   ItemKind.CONVERSATION: "Conversation"}
LEVEL_LABELS: dict[str, str] = {Level.URGENT: "Urgent", Level.HIGH: "High", Level.NORMAL: "Normal"}
OLDEST_SHOWN = 5
WALL_WEEKS = 4
PEOPLE_WEEKS = 8
TAKING_PART = (Role.MEMBER, Role.CARER)


# --- What the Wall lends -----------------------------------------------------------------

@dataclass(frozen=True)
class WallRules:
    """The Wall's own rules, lent by the Wall so that none is written twice."""

    # The moderators on duty at a time, longest on duty first.
    on_duty: Callable[[datetime], Sequence[User]]
    # Whether the Wall is open at a time: a value with `.open` and `.next_change`.
    current: Callable[[datetime], Any]
    # The Wall's calendar made from its rules (keyword arguments weekly, closures and
    # sessions), with `.intervals(start, end)`: the open periods, in UTC.
    calendar: Callable[..., Any]


_WALL: list[WallRules] = []


def register_wall(on_duty: Callable[[datetime], Sequence[User]],
                  current: Callable[[datetime], Any], calendar: Callable[..., Any]) -> None:
    """Called by the area that keeps the Wall, from the app factory (idempotent): the
    dashboard shows duty and opening days by the Wall's rules, never a copy of them."""
    _WALL[:] = [WallRules(on_duty, current, calendar)]


def wall_rules() -> WallRules | None:
    """The rules the Wall lent, if it did."""
    return _WALL[0] if _WALL else None


# --- Counts other areas lend ------------------------------------------------------------

@dataclass(frozen=True)
class AreaCount:
    """An anonymous count an area lends the dashboard ("people using check-ins"): a
    number of people, never who they are."""

    label: str
    count: Callable[[], int]


_COUNTS: dict[str, AreaCount] = {}


def register_count(name: str, label: str, count: Callable[[], int]) -> None:
    """Called by an area from the app factory (idempotent): a count the dashboard shows
    under "Other features", worked out by the area, which this package may not name."""
    _COUNTS[name] = AreaCount(label, count)


# Below this, a count is shown as "fewer than 5": a count of one or two, beside who is in
# the community, could point at a person.
SMALLEST_COUNT_SHOWN = 5


def area_counts() -> list[tuple[str, str]]:
    """The counts areas lent, as (label, number in words), in the order they were
    registered; small numbers are not shown exactly."""
    shown = []
    for found in _COUNTS.values():
        number = found.count()
        shown.append((found.label, str(number) if number >= SMALLEST_COUNT_SHOWN or number == 0
                      else f"fewer than {SMALLEST_COUNT_SHOWN}"))
    return shown


# --- Plain words for times and weeks ----------------------------------------------------

@dataclass(frozen=True)
class Week:
    """A London week (Monday to Sunday) as the page names it, and where it starts in UTC."""

    monday: date
    starts: datetime
    current: bool

    @property
    def label(self) -> str:
        """The short name under a column: "23 Nov", or "This week" for the one under way."""
        return "This week" if self.current else f"{self.monday.day} {self.monday:%b}"

    @property
    def name(self) -> str:
        """The name in a table: the week's Monday, and "so far" for this week."""
        name = f"Week of {self.monday.day} {self.monday:%B %Y}"
        return name + " (so far)" if self.current else name


def weeks_to(now: datetime, count: int) -> list[Week]:
    """The last `count` London weeks, oldest first, the one under way included."""
    today = now.astimezone(LONDON).date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=back) for back in range(count - 1, -1, -1)]
    return [Week(monday, datetime.combine(monday, time(0), LONDON).astimezone(UTC),
                 monday == this_monday) for monday in mondays]


def _week_index(column: Any, weeks: Sequence[Week]) -> Any:
    """Which of `weeks` a time falls in (0 the oldest), as one CASE the database works out;
    -1 before the first."""
    return sa.case(*((column >= week.starts, index)
                     for index, week in reversed(list(enumerate(weeks)))), else_=-1)


# --- The queue now -----------------------------------------------------------------------

@dataclass(frozen=True)
class OpenRow:
    """Open items of one kind, by level."""

    kind: ItemKind
    by_level: dict[Level, int]

    @property
    def label(self) -> str:
        """The kind as the page names it."""
        return KIND_LABELS[self.kind]

    @property
    def total(self) -> int:
        """All open items of this kind."""
        return sum(self.by_level.values())


@dataclass(frozen=True)
class Waiting:
    """One of the items that has waited longest."""

    id: int
    kind: str
    level: str
    created_at: datetime
    waited: str

    @property
    def label(self) -> str:
        """The item as the page names it, "Risk flag, item 12"."""
        return f"{ONE_KIND_LABELS.get(self.kind, self.kind)}, item {self.id}"

    @property
    def level_label(self) -> str:
        """The level as the page names it."""
        return LEVEL_LABELS.get(self.level, self.level)


def open_items() -> list[OpenRow]:
    """Open items counted by kind and level: where the team's work is now."""
    counts = db.session.execute(
        sa.select(ModerationItem.kind, ModerationItem.level, sa.func.count())
        .where(ModerationItem.handled_at.is_(None))
        .group_by(ModerationItem.kind, ModerationItem.level)).all()
    found = {(kind, level): n for kind, level, n in counts}
    return [OpenRow(kind, {level: found.get((kind.value, level.value), 0) for level in Level})
            for kind in KINDS]


def oldest_waiting(now: datetime, limit: int = OLDEST_SHOWN) -> list[Waiting]:
    """The open items that have waited longest, whatever their level: nothing should be
    forgotten at the bottom of the queue."""
    rows = db.session.execute(
        sa.select(ModerationItem.id, ModerationItem.kind, ModerationItem.level,
                  ModerationItem.created_at)
        .where(ModerationItem.handled_at.is_(None))
        .order_by(ModerationItem.created_at, ModerationItem.id).limit(limit)).all()
    return [Waiting(id_, kind, level, created, in_words(now - created))
            for id_, kind, level, created in rows]


# --- Time to first response for risk flags ------------------------------------------------

@dataclass(frozen=True)
class Response:
    """How fast risk flags raised in the last `days` days were first taken up."""

    days: int
    flags: int
    still_waiting: int
    median: timedelta | None
    worst: timedelta | None

    @property
    def median_words(self) -> str:
        """The median in words, or a dash when there were no flags."""
        return in_words(self.median) if self.median is not None else "–"

    @property
    def worst_words(self) -> str:
        """The longest wait in words, or a dash when there were no flags."""
        return in_words(self.worst) if self.worst is not None else "–"


def risk_response(now: datetime, spans: Sequence[int] = (7, 30)) -> list[Response]:
    """Median and worst time from a risk flag being raised to someone in the team taking
    it up (claiming, escalating or closing it), for flags raised in each span of days. A
    flag nobody has taken up yet counts with its wait so far, so that a forgotten flag makes
    the figures worse rather than dropping out of them. A flag closed before first
    responses were recorded counts as taken up when it was closed."""
    since = now - timedelta(days=max(spans))
    answered = sa.func.coalesce(ModerationItem.first_response_at, ModerationItem.handled_at)
    rows = db.session.execute(
        sa.select(ModerationItem.created_at, answered.label("answered"))
        .where(ModerationItem.kind == ItemKind.RISK, ModerationItem.created_at >= since,
               ModerationItem.created_at <= now)).all()
    found = []
    for days in spans:
        start = now - timedelta(days=days)
        chosen = [(created, answered_at) for created, answered_at in rows if created >= start]
        waits = [(answered_at or now) - created for created, answered_at in chosen]
        found.append(Response(
            days, len(waits), sum(1 for _, answered_at in chosen if answered_at is None),
            statistics.median(waits) if waits else None, max(waits) if waits else None))
    return found


# --- The Wall --------------------------------------------------------------------------

@dataclass(frozen=True)
class WallWeek:
    """One week on the Wall: the days it was open and the messages written."""

    week: Week
    days_open: int | None  # None: the Wall lent no rules to count them by
    messages: int


def _calendar(rules: WallRules, start: datetime, end: datetime) -> Any:
    """The Wall's calendar with every closure and extra session that touches [start, end)
    (the Wall's own cached copy keeps only those still to come)."""
    first, last = start.astimezone(LONDON).date(), end.astimezone(LONDON).date()
    weekly = db.session.execute(sa.select(WallHours.weekday, WallHours.opens,
                                          WallHours.closes)).all()
    closures = db.session.execute(
        sa.select(WallClosure.starts_on, WallClosure.ends_on)
        .where(WallClosure.ends_on >= first, WallClosure.starts_on <= last)).all()
    sessions = db.session.execute(
        sa.select(WallSession.starts_at, WallSession.ends_at)
        .where(WallSession.ends_at > start, WallSession.starts_at < end)).all()
    return rules.calendar(weekly=tuple((w, o, c) for w, o, c in weekly),
                          closures=tuple((a, b) for a, b in closures),
                          sessions=tuple((s, e) for s, e in sessions))


def open_days(rules: WallRules, start: datetime, end: datetime) -> set[date]:
    """The London dates on which the Wall was open at some time in [start, end): what the
    office hours, bank holidays, closures and extra sessions allowed, by the Wall's own
    rules. The weekly hours are today's: changes to them are not kept, so past weeks are
    read with the hours that stand now."""
    days: set[date] = set()
    for opened, closed in _calendar(rules, start, end).intervals(start, end):
        opened, closed = max(opened, start), min(closed, end)
        if closed <= opened:
            continue
        day = opened.astimezone(LONDON).date()
        last = (closed - timedelta(microseconds=1)).astimezone(LONDON).date()
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def wall_weeks(now: datetime, count: int = WALL_WEEKS) -> list[WallWeek]:
    """Days the Wall was open and messages written on it, week by week: whether the Wall
    is used when it is there."""
    weeks = weeks_to(now, count)
    first = weeks[0].starts
    rules = wall_rules()
    days = open_days(rules, first, now) if rules else None
    written = (sa.select(_week_index(WallMessage.created_at, weeks).label("week"))
               .where(WallMessage.created_at >= first, WallMessage.created_at < now)
               .subquery())
    # Grouped through a subquery: PostgreSQL would not see two copies of the CASE, each
    # with its own parameters, as the same expression.
    messages = dict(db.session.execute(
        sa.select(written.c.week, sa.func.count()).group_by(written.c.week)).all())
    found = []
    for index, week in enumerate(weeks):
        sunday = week.monday + timedelta(days=6)
        found.append(WallWeek(
            week, None if days is None else sum(1 for d in days if week.monday <= d <= sunday),
            messages.get(index, 0)))
    return found


# --- Members and carers taking part --------------------------------------------------------

@dataclass(frozen=True)
class PeopleWeek:
    """Members and carers who wrote something in one week."""

    week: Week
    members: int
    carers: int


def active_people(now: datetime, count: int = PEOPLE_WEEKS) -> list[PeopleWeek]:
    """Distinct members and carers who wrote a forum post or a Wall message, week by
    week. There is no sign-in log, so reading without writing is not seen; people are
    counted under the role they have now."""
    weeks = weeks_to(now, count)
    first = weeks[0].starts
    writes = sa.union_all(
        sa.select(Post.author_id.label("user_id"), Post.created_at.label("at"))
        .where(Post.created_at >= first, Post.created_at < now),
        sa.select(WallMessage.author_id, WallMessage.created_at)
        .where(WallMessage.created_at >= first, WallMessage.created_at < now)).subquery()
    placed = (sa.select(_week_index(writes.c.at, weeks).label("week"), User.id.label("user_id"),
                        User.role.label("role"))
              .join(User, User.id == writes.c.user_id)
              .where(User.role.in_([role.value for role in TAKING_PART])).subquery())
    counts = db.session.execute(
        sa.select(placed.c.week, placed.c.role, sa.func.count(sa.distinct(placed.c.user_id)))
        .group_by(placed.c.week, placed.c.role)).all()
    found = {(week, role): n for week, role, n in counts}
    return [PeopleWeek(week, found.get((index, Role.MEMBER.value), 0),
                       found.get((index, Role.CARER.value), 0))
            for index, week in enumerate(weeks)]


# --- The page ----------------------------------------------------------------------------

def _pictures(queue: Sequence[OpenRow], wall: Sequence[WallWeek],
              people: Sequence[PeopleWeek]) -> dict[str, Markup]:
    return {
        "queue": charts.bars("chart-open", "Open items by kind (numbers in the table)",
                             [(row.label, row.total) for row in queue]),
        "wall": charts.columns(
            "chart-wall", "Wall messages written each week (numbers in the table)",
            [w.week.label for w in wall],
            [charts.Series("Messages", tuple(w.messages for w in wall), charts.BLUE)]),
        "people": charts.columns(
            "chart-people",
            "Members and carers who wrote something, each week (numbers in the table)",
            [p.week.label for p in people],
            [charts.Series("Members", tuple(p.members for p in people), charts.BLUE),
             charts.Series("Carers", tuple(p.carers for p in people), charts.PURPLE)]),
    }


def figures(now: datetime) -> dict[str, Any]:
    """Everything the dashboard shows, as of now."""
    queue = open_items()
    wall = wall_weeks(now)
    people = active_people(now)
    rules = wall_rules()
    return {
        "now": now,
        "queue": queue,
        "levels": list(Level),
        "level_labels": LEVEL_LABELS,
        "level_totals": {level: sum(row.by_level[level] for row in queue) for level in Level},
        "open_total": sum(row.total for row in queue),
        "oldest": oldest_waiting(now),
        "wall_known": rules is not None,
        "on_duty": rules.on_duty(now) if rules else [],
        "wall_now": rules.current(now) if rules else None,
        "responses": risk_response(now),
        "wall": wall,
        "days_open": sum(w.days_open or 0 for w in wall),
        "messages_total": sum(w.messages for w in wall),
        "people": people,
        "area_counts": area_counts(),
        "charts": _pictures(queue, wall, people),
    }
