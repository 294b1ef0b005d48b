"""What a member is told after writing to the team, wherever they wrote from (Ask the team,
or "Let the team know" on their staying-well plan), and the session flag that lets their
pages hear the reply. A module of its own so that no area imports another's views."""

from __future__ import annotations

from flask import flash, session

from sharon.inbox.services import Sent
from sharon.wall import duty as wall_duty

# In the session: this member's pages listen on /live for the team's replies.
LISTEN = "listen_for_team"
SENT = ("Your message is with the moderating team. They read messages during office hours, "
        "so a reply may take a while; you will see it in your notifications.")
CRISIS = ("It sounds like things may be hard right now. You don't have to wait for a reply: "
          "the people below can help straight away.")


def tell_member(sent: Sent) -> None:
    """Thank the member (with crisis contacts if their words spoke of risk), and from now
    on let their pages listen for the team's reply (templates/base.html loads live.js)."""
    listen_for_replies()
    if sent.crisis:
        flash(" ".join(filter(None, [CRISIS, wall_duty.when_the_team_is_back()])), "crisis")
    flash(SENT, "success")


def listen_for_replies() -> None:
    """Members' pages open no socket until they talk with the team: a thousand members'
    tabs would cost the Wall's worker for nothing. Once they do, the team's replies reach
    them live on any page (sharon/realtime/live.py lets them into their own room only)."""
    session[LISTEN] = True
