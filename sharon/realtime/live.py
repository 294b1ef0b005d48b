"""The `/live` namespace: every page the moderating team has open listens here, so that
risk written anywhere (forums, the Wall, library discussions, urgent reports) reaches
them at once, not only on the Wall's page.

The team connects from every page. A member or carer connects only once they have written
to the team (sharon/inbox), for its replies, and joins only their own room: members'
pages otherwise open no socket (a thousand members' tabs would cost the Wall's worker for
nothing). Rooms: the team, and each person.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import session
from flask_socketio import ConnectionRefusedError, join_room

from sharon.extensions import db, socketio
from sharon.realtime import rooms

log = logging.getLogger(__name__)


def on_connect(auth: Any = None) -> None:
    """The signed-in moderating team (the team's room and their own), and members and
    carers who may write to the team (their own room only)."""
    from sharon.infra.sessions import user_for_session
    from sharon.permissions import Action, can

    try:
        user = user_for_session(session.get("_user_id"), fresh=True)
        if user is None:
            raise ConnectionRefusedError("Please sign in.", {"error": "unauthenticated"})
        if can(user, Action.VIEW_MODERATION_QUEUE):
            join_room(rooms.TEAM)
        elif not can(user, Action.ASK_THE_TEAM):
            raise ConnectionRefusedError("Live notices are for signed-in people.",
                                         {"error": "forbidden"})
        join_room(rooms.person(user.id))
    except sa.exc.SQLAlchemyError:
        log.warning("live alerts: refused a connection while the database cannot be reached")
        raise ConnectionRefusedError("Not available just now.", {"error": "unavailable"}) \
            from None
    finally:
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError:
            db.session.invalidate()


def register() -> None:
    """Add the /live namespace's handlers (from the app factory)."""
    socketio.on_event("connect", on_connect, namespace=rooms.LIVE)
