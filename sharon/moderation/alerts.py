"""Urgent items reach the moderating team live, wherever they were written.

`moderation.enqueue` calls `announce_item` for every urgent item, so no area has to
remember to: the alert goes to each member of the team who may see what it is about
(an area registers who may see its subjects, sharon/moderation/subjects.py: a post in a
carers' or another network's space is never shown to someone who cannot open it), on every page
they have open (`/live`), when the item's transaction commits.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ModerationItem, User
from sharon.models.moderation import Level
from sharon.moderation.subjects import subject
from sharon.permissions import Action, roles_with
from sharon.realtime import announce, rooms

_TEAM = sa.select(User).where(User.status == "active",
                              User.role.in_(roles_with(Action.MODERATE)))
_URGENT_OPEN = (sa.select(sa.func.count()).select_from(ModerationItem)
                .where(ModerationItem.handled_at.is_(None),
                       ModerationItem.level == Level.URGENT))


def urgent_count() -> int:
    """Open urgent items, for the count beside "Moderation" in the navigation."""
    return int(db.session.scalar(_URGENT_OPEN) or 0)


def alert_payload(item: ModerationItem) -> dict[str, Any]:
    """What the alert on a moderator's page shows, and where its links go."""
    about = subject(item.subject_type)
    return {"id": item.id, "kind": item.kind, "level": item.level, "area": about.area,
            "reason": item.reason, "excerpt": item.excerpt,
            "author": item.subject_author.username if item.subject_author else "",
            "url": about.link(item.subject_id) if about.link else None,
            "queue_url": "/moderation/"}


def announce_item(item: ModerationItem) -> None:
    """Alert every team member who may see the subject, and refresh everyone's count."""
    may_see = subject(item.subject_type).may_see
    payload = alert_payload(item)
    for moderator in db.session.scalars(_TEAM):
        if may_see is None or may_see(moderator, item.subject_id):
            announce("alert", payload, rooms.person(moderator.id), namespace=rooms.LIVE)
    announce("urgent", {"count": urgent_count()}, rooms.TEAM, namespace=rooms.LIVE)
