"""Urgent items reach the moderating team live, wherever they were written.

`moderation.enqueue` calls `announce_item` for every urgent item, so no area has to
remember to: the alert goes to each member of the team who may see what it is about
(an area registers who may see its subjects, sharon/moderation/subjects.py: a post in a
carers' or another network's space is never shown to someone who cannot open it), on every page
they have open (`/live`), when the item's transaction commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.infra.templating import in_words
from sharon.models import ModerationItem, User
from sharon.models.moderation import ItemKind, Level
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


def alert_payload(item: ModerationItem, title: str = "", why: str = "urgent") -> dict[str, Any]:
    """What the alert on a moderator's page shows, and where its links go; `why` (urgent,
    escalated, overdue) tells a page apart an item's later alerts from its first."""
    about = subject(item.subject_type)
    author = item.subject_author.username if item.subject_author else ""
    title = title or (f"Urgent: possible risk in {about.area}"
                      + (f" from {author}" if author else ""))
    return {"id": item.id, "kind": item.kind, "level": item.level, "area": about.area,
            "title": title, "why": why, "risk_level": item.risk_level,
            "reason": item.reason, "excerpt": item.excerpt,
            "author": item.subject_author.username if item.subject_author else "",
            "url": about.link(item.subject_id) if about.link else None,
            "queue_url": "/moderation/"}


def announce_item(item: ModerationItem, title: str = "", why: str = "urgent",
                  only: Action = Action.MODERATE) -> None:
    """Alert every team member (or only those who may do `only`) who may see the subject,
    and refresh everyone's count."""
    may_see = subject(item.subject_type).may_see
    payload = alert_payload(item, title, why)
    team = _TEAM.where(User.role.in_(roles_with(only)))
    for moderator in db.session.scalars(team):
        if may_see is None or may_see(moderator, item.subject_id):
            announce("alert", payload, rooms.person(moderator.id), namespace=rooms.LIVE)
    announce("urgent", {"count": urgent_count()}, rooms.TEAM, namespace=rooms.LIVE)


def announce_escalation(item: ModerationItem, by: User, note: str) -> None:
    """A risk flag passed to the clinicians: they are alerted now, wherever they are."""
    area = subject(item.subject_type).area
    title = f"Escalated to the clinicians by {by.username}: risk flag in {area}"
    if note:
        title += f" ({note[:120]})"
    announce_item(item, title, "escalated", only=Action.HANDLE_RISK)


_OVERDUE_CANDIDATES = (
    sa.select(ModerationItem)
    .options(so.selectinload(ModerationItem.claimed_by))  # asked of escalated flags
    .where(ModerationItem.kind == ItemKind.RISK, ModerationItem.handled_at.is_(None),
           ModerationItem.overdue_alerted_at.is_(None))
    .order_by(ModerationItem.created_at).limit(100))


def announce_overdue(now: datetime, team_on_duty: bool) -> int:
    """Alert the team, once, about each risk flag that has waited past its level's time
    while they are on duty; returns how many. Any worker may run it: the conditional
    UPDATE lets one of them alert about each flag."""
    from sharon.moderation import services  # services imports this module

    count = 0
    for item in db.session.scalars(_OVERDUE_CANDIDATES):
        if not services.overdue(item, now, team_on_duty):
            continue
        won = db.session.execute(
            sa.update(ModerationItem)
            .where(ModerationItem.id == item.id, ModerationItem.overdue_alerted_at.is_(None))
            .values(overdue_alerted_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if won:
            waited = in_words(now - (item.escalated_at or item.created_at))
            announce_item(item, f"Overdue: a {item.risk_level or 'medium'} risk flag in "
                                f"{subject(item.subject_type).area} has waited {waited}",
                          "overdue")
            count += 1
    return count
