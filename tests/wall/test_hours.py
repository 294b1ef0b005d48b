"""Office hours: the weekly schedule in London time, bank holidays, closures, extra sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from sharon.wall.hours import Calendar, bank_holiday

WEEKDAYS_9_TO_5 = tuple((day, time(9), time(17)) for day in range(5))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def calendar() -> Calendar:
    return Calendar(weekly=WEEKDAYS_9_TO_5)


@pytest.mark.parametrize(("at", "is_open", "change"), [
    # Friday before the March change (GMT): 09:00 London is 09:00 UTC.
    ("2026-03-27 08:59", False, "2026-03-27 09:00"),
    ("2026-03-27 16:59", True, "2026-03-27 17:00"),
    # Clocks go forward on Sunday 29 March 2026; Monday 30 March opens 09:00 BST = 08:00 UTC.
    ("2026-03-27 17:00", False, "2026-03-30 08:00"),
    ("2026-03-30 08:00", True, "2026-03-30 16:00"),
    ("2026-03-30 16:00", False, "2026-03-31 08:00"),
    # Clocks go back on Sunday 25 October 2026: Friday 23 closes 17:00 BST = 16:00 UTC…
    ("2026-10-23 15:59", True, "2026-10-23 16:00"),
    # …and Monday 26 opens 09:00 GMT = 09:00 UTC.
    ("2026-10-23 16:00", False, "2026-10-26 09:00"),
    ("2026-10-26 08:30", False, "2026-10-26 09:00"),
])
def test_summer_time_changes(calendar: Calendar, at: str, is_open: bool, change: str) -> None:
    assert calendar.is_open(utc(at)) is is_open
    assert calendar.next_change(utc(at)) == utc(change)


def test_christmas_and_substitute_bank_holidays(calendar: Calendar) -> None:
    # 2027: Christmas is a Saturday, so Monday 27 and Tuesday 28 are substitute bank holidays.
    assert bank_holiday(date(2027, 12, 27)) and bank_holiday(date(2027, 12, 28))
    assert calendar.is_open(utc("2027-12-24 12:00"))
    assert calendar.next_change(utc("2027-12-24 12:00")) == utc("2027-12-24 17:00")
    assert not calendar.is_open(utc("2027-12-27 12:00"))
    assert not calendar.is_open(utc("2027-12-28 12:00"))
    assert calendar.next_change(utc("2027-12-24 17:00")) == utc("2027-12-29 09:00")
    # New Year's Day 2027 is a Friday; Easter Monday 2027 is 29 March (and in BST).
    assert not calendar.is_open(utc("2027-01-01 12:00"))
    assert calendar.next_change(utc("2027-03-26 17:00")) == utc("2027-03-30 08:00")


def test_an_extra_session_opens_a_bank_holiday() -> None:
    session = (utc("2027-12-27 10:00"), utc("2027-12-27 11:30"))
    cal = Calendar(weekly=WEEKDAYS_9_TO_5, sessions=(session,))
    assert cal.is_open(utc("2027-12-27 10:00"))
    assert not cal.is_open(utc("2027-12-27 11:30"))
    assert cal.next_change(utc("2027-12-26 09:00")) == utc("2027-12-27 10:00")
    assert cal.next_change(utc("2027-12-27 10:15")) == utc("2027-12-27 11:30")


def test_a_closure_over_an_extra_session_closes_it() -> None:
    session = (utc("2026-12-05 10:00"), utc("2026-12-05 12:00"))  # a Saturday
    cal = Calendar(weekly=WEEKDAYS_9_TO_5, sessions=(session,),
                   closures=((date(2026, 12, 4), date(2026, 12, 7)),))
    assert not cal.is_open(utc("2026-12-05 11:00"))
    assert not cal.is_open(utc("2026-12-04 11:00"))  # Friday's regular hours too
    assert cal.next_change(utc("2026-12-03 17:00")) == utc("2026-12-08 09:00")
    # Without the closure the session would open.
    assert Calendar(weekly=WEEKDAYS_9_TO_5, sessions=(session,)).is_open(utc("2026-12-05 11:00"))


def test_a_session_running_on_from_the_days_hours_closes_at_its_end() -> None:
    cal = Calendar(weekly=WEEKDAYS_9_TO_5,
                   sessions=((utc("2026-12-01 17:00"), utc("2026-12-01 19:00")),))
    assert cal.next_change(utc("2026-12-01 16:00")) == utc("2026-12-01 19:00")


def test_a_week_with_no_hours_at_all() -> None:
    cal = Calendar()
    assert not cal.is_open(utc("2026-12-01 12:00"))
    assert cal.next_change(utc("2026-12-01 12:00")) is None
    only_next_month = Calendar(sessions=((utc("2027-01-20 10:00"), utc("2027-01-20 11:00")),))
    assert only_next_month.next_change(utc("2026-12-01 12:00")) == utc("2027-01-20 10:00")


def test_a_week_closed_by_a_closure_opens_the_week_after(calendar: Calendar) -> None:
    cal = Calendar(weekly=WEEKDAYS_9_TO_5, closures=((date(2026, 12, 7), date(2026, 12, 11)),))
    for day in range(7, 12):
        assert not cal.is_open(utc(f"2026-12-{day:02d} 12:00"))
    assert cal.next_change(utc("2026-12-04 17:00")) == utc("2026-12-14 09:00")


def test_a_far_future_opening_is_found_within_the_horizon() -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    cal = Calendar(sessions=((start + timedelta(days=300), start + timedelta(days=300, hours=1)),))
    assert cal.next_change(start) == start + timedelta(days=300)
