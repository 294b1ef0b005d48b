"""How the Wall shows when a message was written, in one format everywhere: "08:15" for
today, "Thu 26 Nov, 08:15" for other days (with the year, "Thu 26 Nov 2025, 08:15", when
it is not this year), in UK time. static/js/wall.js writes the same for live messages.

The names are spelled out here rather than taken from strftime's %a and %b, which follow
the server's locale; the page's script spells them the same way for the same reason.
"""

from __future__ import annotations

from datetime import datetime

from sharon.infra import clock
from sharon.wall.hours import LONDON

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def message_time(value: datetime | None, now: datetime | None = None) -> str:
    """A message's time as the Wall shows it: "08:15" today, "Thu 26 Nov, 08:15" before."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    today = (now or clock.now()).astimezone(LONDON).date()
    at = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return at
    year = f" {local.year}" if local.year != today.year else ""
    return f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}{year}, {at}"


LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LONG_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def opening_words(value: datetime, now: datetime | None = None) -> str:
    """When the Wall next opens, as a person would say it: "today at 17:00", "tomorrow,
    Tuesday 1 December, at 09:00", or "on Thursday 3 December at 09:00" (UK time)."""
    local = value.astimezone(LONDON)
    today = (now or clock.now()).astimezone(LONDON).date()
    at = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return f"today at {at}"
    day = f"{LONG_DAYS[local.weekday()]} {local.day} {LONG_MONTHS[local.month - 1]}"
    if (local.date() - today).days == 1:
        return f"tomorrow, {day}, at {at}"
    return f"on {day} at {at}"
