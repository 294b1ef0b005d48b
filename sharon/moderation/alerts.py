"""Urgent items reach the moderating team live, wherever they were written.

`moderation.enqueue` calls `announce_item` for every urgent item, so no area has to
remember to: the alert goes to each member of the team who may see what it is about
(an area registers who may see its subjects in AUDIENCES: a post in a carers' or
another network's space is never shown to someone who cannot open it), on every page
they have open (`/live`), when the item's transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ModerationItem, User
from sharon.models.moderation import Level
from sharon.models.roles import MODERATING_TEAM
from sharon.realtime import announce, rooms

# subject_type -> may this moderator see that subject? (absent: every moderator may)
AUDIENCES: dict[str, Callable[[User, int], bool]] = {}

_TEAM = sa.select(User).where(User.status == "active",
                              User.role.in_(sorted(r.value for r in MODERATING_TEAM)))
_URGENT_OPEN = (sa.select(sa.func.count()).select_from(ModerationItem)
                .where(ModerationItem.handled_at.is_(None),
                       ModerationItem.level == Level.URGENT))


def urgent_count() -> int:
    """Open urgent items, for the count beside "Moderation" in the navigation."""
    return int(db.session.scalar(_URGENT_OPEN) or 0)


def alert_payload(item: ModerationItem, area: str, url: str | None) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "level": item.level, "area": area,
            "reason": item.reason, "excerpt": item.excerpt,
            "author": item.subject_author.username if item.subject_author else "",
            "url": url, "queue_url": "/moderation/"}


def announce_item(item: ModerationItem, area: str, url: str | None) -> None:
    """Alert every team member who may see the subject, and refresh everyone's count."""
    may_see = AUDIENCES.get(item.subject_type)
    payload = alert_payload(item, area, url)
    for moderator in db.session.scalars(_TEAM):
        if may_see is None or may_see(moderator, item.subject_id):
            announce("alert", payload, rooms.person(moderator.id), namespace=rooms.LIVE)
    announce("urgent", {"count": urgent_count()}, rooms.TEAM, namespace=rooms.LIVE)
