"""What staying well lends the team's dashboard: how many people have check-ins turned
on. A count, never a name or an answer: check-ins are health data, theirs alone."""

from __future__ import annotations

from sharon.moderation import dashboard
from sharon.staying_well import services


def register() -> None:
    """Lend the dashboard its anonymous count (from the app factory)."""
    dashboard.register_count("check-ins", "People using weekly check-ins",
                             services.people_checking_in)
