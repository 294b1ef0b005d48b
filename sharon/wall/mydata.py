"""The Wall's part of "my data": a person's own Wall messages.

Kept messages stay as by "former member" (the author becomes NULL with the account).
Removed ones are deleted outright: the Wall keeps no "removed" placeholder, and a
reply to one simply loses its "in reply to" (ON DELETE SET NULL). Pages already open
show them until they are next loaded.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import User, WallMessage
from sharon.mydata.registry import Area, Rows, batched
from sharon.mydata.registry import register as register_area


def export(user: User) -> Iterable[tuple[str, Rows]]:
    """Their messages, whether shown, held, hidden or turned down (not why: that is the
    team's)."""
    yield "messages.json", batched(
        sa.select(WallMessage.id, WallMessage.body.label("text"), WallMessage.reply_to_id,
                  WallMessage.status, WallMessage.created_at)
        .where(WallMessage.author_id == user.id), WallMessage.id)


def erase(user: User, keep_posts: bool) -> None:
    """Remove their Wall messages unless they chose to keep what they wrote."""
    if not keep_posts:
        db.session.execute(sa.delete(WallMessage).where(WallMessage.author_id == user.id)
                           .execution_options(synchronize_session=False))


def register() -> None:
    """Join the Wall to "my data" (from the app factory)."""
    register_area(Area("wall", frozenset({"wall_messages"}), export, erase))
