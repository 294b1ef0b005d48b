"""Where real-time events go: two namespaces, and the rooms in each.

The server chooses every room, never the client.
"""

from __future__ import annotations

WALL = "/wall"        # the Wall's page
LIVE = "/live"        # every signed-in page: live alerts for the team, notices for one person

EVERYONE = "wall"     # in WALL: everyone on the Wall
TEAM = "moderators"   # in WALL and LIVE: the moderating team


def person(user_id: int) -> str:
    """One person, on every device and worker (in either namespace)."""
    return f"user:{user_id}"
