"""Demo data for the Wall: a past session's conversation."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from sharon.content import render_plain
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import MessageStatus, User, WallMessage

PAST_SESSION: tuple[tuple[str, str], ...] = (
    ("demo_peer", "Good afternoon everyone, I'm on duty until five. How is everyone doing today?"),
    ("demo_member", "Hi! Had a wobbly morning but I used the breathing exercise from my "
                    "sessions and it helped."),
    ("demo_carer", "That's great to hear. My partner says the same about the breathing."),
    ("demo_peer", "Well done for noticing the wobble and doing something about it. "
                  "That's exactly the skill."),
    ("demo_member", "Does anyone have tips for sleep? I keep waking at 4am."),
    ("demo_clinician", "Lots of people find that. There's a sleep guide in the library: "
                       "https://www.nhs.uk/every-mind-matters/mental-health-issues/sleep/"),
    ("demo_volunteer", "Thanks all, the Wall closes in ten minutes. Take care until next time."),
)


def seed_wall(users: dict[str, User]) -> int:
    """Add yesterday's conversation once; returns how many messages were added."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)):
        return 0
    start = clock.now() - timedelta(days=1, hours=2)
    for minute, (username, body) in enumerate(PAST_SESSION):
        author = users.get(username)
        if author is None:
            continue
        db.session.add(WallMessage(author=author, body=body, body_html=str(render_plain(body)),
                                   status=MessageStatus.VISIBLE,
                                   created_at=start + timedelta(minutes=3 * minute)))
    db.session.flush()
    return len(PAST_SESSION)
