"""Demo data for the Wall: a past session's conversation, placed inside office hours."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from sharon.content import render_plain
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import MessageStatus, User, WallMessage
from sharon.wall import hours

# {greeting}, {until}, {earlier} and {closing} are filled in from the session's own times,
# so the conversation reads right whenever the last session was.
PAST_SESSION: tuple[tuple[str, str], ...] = (
    ("demo_peer", "{greeting} everyone, I'm on duty until {until}. How is everyone doing "
                  "today?"),
    ("demo_member", "Hi! Had a wobbly {earlier} but I used the breathing exercise from my "
                    "sessions and it helped."),
    ("demo_carer", "That's great to hear. My partner says the same about the breathing."),
    ("demo_peer", "Well done for noticing the wobble and doing something about it. "
                  "That's exactly the skill."),
    ("demo_member", "Does anyone have tips for sleep? I keep waking at 4am."),
    ("demo_clinician", "Lots of people find that. There's a guide in our library, \u201cGetting "
                       "back to sleep\u201d, and the NHS has good advice too: "
                       "https://www.nhs.uk/every-mind-matters/mental-health-issues/sleep/"),
    ("demo_volunteer", "Thanks all, the Wall closes in {closing}. Take care until next time."),
)
# How far back to look for a session, and how long the conversation lasts at most.
LOOK_BACK = timedelta(days=21)
LONGEST = timedelta(minutes=40)


def last_session(now: datetime) -> tuple[datetime, datetime] | None:
    """The most recent open period that has ended, by the Wall's own hours (None: none in
    the last three weeks)."""
    ended = [(s, e) for s, e in hours.load(fresh=True).intervals(now - LOOK_BACK, now)
             if e <= now]
    return ended[-1] if ended else None


def _clock_time(at: datetime) -> str:
    """5pm, 5:30pm: a London time as people write it in a chat."""
    local = at.astimezone(hours.LONDON)
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def _greeting(at: datetime) -> tuple[str, str]:
    """("Good morning", "start to the day") and so on, for a London time."""
    hour = at.astimezone(hours.LONDON).hour
    if hour < 12:
        return "Good morning", "start to the day"
    if hour < 18:
        return "Good afternoon", "morning"
    return "Good evening", "day"


def conversation(opens: datetime, closes: datetime) -> list[tuple[str, str, datetime]]:
    """The demo messages (username, text, time), in the last minutes of a session that ran
    from `opens` to `closes`: all inside it, the last a few minutes before it closed."""
    length = closes - opens
    last = closes - min(timedelta(minutes=10), length / 4)
    first = max(opens + length / 20, last - (LONGEST - timedelta(minutes=10)))
    step = (last - first) / (len(PAST_SESSION) - 1)
    greeting, earlier = _greeting(first)
    left = max(1, round((closes - last).total_seconds() / 60))
    words = {"greeting": greeting, "earlier": earlier, "until": _clock_time(closes),
             "closing": f"{left} minute{'s' if left != 1 else ''}"}
    return [(username, body.format(**words), (first + step * i).replace(microsecond=0))
            for i, (username, body) in enumerate(PAST_SESSION)]


def seed_wall(users: dict[str, User]) -> int:
    """Add the last session's conversation once; returns how many messages were added (none
    when the Wall had no open hours lately)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)):
        return 0
    session = last_session(clock.now())
    if session is None:
        return 0
    added = 0
    for username, body, at in conversation(*session):
        author = users.get(username)
        if author is None:
            continue
        db.session.add(WallMessage(author=author, body=body, body_html=str(render_plain(body)),
                                   status=MessageStatus.VISIBLE, created_at=at))
        added += 1
    db.session.flush()
    return added
