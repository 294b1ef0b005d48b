"""The moderation queue and the audit log, used by the forums, the Wall and the library."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from sharon import permissions
from sharon.content import clean_text
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import User
from sharon.models.moderation import (
    LEVEL_ORDER,
    Audit,
    ItemKind,
    Level,
    ModerationAction,
    ModerationItem,
    Outcome,
)
from sharon.moderation.subjects import subject
from sharon.permissions import Action
from sharon.refusals import Refused


def enqueue(kind: ItemKind, subject_type: str, subject_id: int, *, level: Level = Level.NORMAL,
            reason: str = "", detail: str = "", excerpt: str = "",
            reporter: User | None = None, author: User | None = None) -> ModerationItem:
    """Put something in front of the moderating team."""
    item = ModerationItem(
        kind=kind, level=level, priority=LEVEL_ORDER[level], subject_type=subject_type,
        subject_id=subject_id, reason=reason[:100], detail=detail[:1000],
        excerpt=excerpt[:300], reporter=reporter, subject_author=author, created_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    if level == Level.URGENT:
        from sharon.moderation import alerts

        alerts.announce_item(item)
    return item


def record(actor: User | None, action: Audit, subject_type: str, subject_id: int,
           reason: str = "", **detail: Any) -> ModerationAction:
    """Write one line of the audit log (actor None: SHaRON itself, or the command line)."""
    entry = ModerationAction(actor=actor, action=Audit(action).value, subject_type=subject_type,
                             subject_id=subject_id, reason=reason[:500], detail=detail,
                             created_at=clock.now())
    db.session.add(entry)
    db.session.flush()
    return entry


def open_items(limit: int = 200) -> Sequence[ModerationItem]:
    """Unhandled items, most urgent first, then longest waiting."""
    return db.session.scalars(
        sa.select(ModerationItem)
        .where(ModerationItem.handled_at.is_(None))
        .order_by(ModerationItem.priority, ModerationItem.created_at, ModerationItem.id)
        .limit(limit)
    ).all()


def resolve(subject_type: str, subject_id: int, by: User, outcome: str) -> int:
    """Close the reports and approvals about this subject (it was hidden, approved or
    rejected); returns how many. Never a risk flag: a clinician closes that, because the
    person who wrote it may still need the team whatever became of the words."""
    return db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.subject_type == subject_type,
               ModerationItem.subject_id == subject_id,
               ModerationItem.kind != ItemKind.RISK,
               ModerationItem.handled_at.is_(None))
        .values(handled_at=clock.now(), handled_by_id=by.id, outcome=outcome[:200])
        .execution_options(synchronize_session=False)
    ).rowcount


def history(subject_type: str, subject_id: int) -> Sequence[ModerationAction]:
    """Every audit line about one subject, oldest first."""
    return db.session.scalars(
        sa.select(ModerationAction)
        .where(ModerationAction.subject_type == subject_type,
               ModerationAction.subject_id == subject_id)
        .order_by(ModerationAction.created_at, ModerationAction.id)
    ).all()


NOTE_MAX = 1000


def handle(item: ModerationItem, by: User, outcome: str, note: str = "") -> None:
    """Close a queue item with what was done about it (from the fixed list) and a note.

    Only clinicians close risk flags, and nothing still waiting for approval is closed
    here: approving or rejecting it closes its items, so it is never left held."""
    permissions.check(by, Action.VIEW_MODERATION_QUEUE, "Only the moderating team can do that.")
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise Refused("no_outcome", "Choose what was done before closing the item.") from None
    if item.kind == ItemKind.RISK:
        permissions.check(by, Action.HANDLE_RISK,
                          "Only clinicians close risk flags. Tell a clinician about it now.")
    about = subject(item.subject_type)
    if about.held is not None and item.subject_id in about.held([item.subject_id]):
        raise Refused("still_held", "This is still waiting for approval: approve or reject "
                                    "it, and its items close with it.")
    note = " ".join(clean_text(note or "").split())
    if len(note) > NOTE_MAX:
        raise Refused("too_long", f"A note can be up to {NOTE_MAX} characters.")
    closed = db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.id == item.id, ModerationItem.handled_at.is_(None))
        .values(handled_at=clock.now(), handled_by_id=by.id, outcome=chosen.value)
        .execution_options(synchronize_session=False)).rowcount
    if not closed:  # someone else closed it first (two moderators at once)
        raise Refused("already_closed", "Someone else closed this item a moment ago.")
    db.session.refresh(item)
    record(by, Audit.QUEUE_ITEM_HANDLE, item.subject_type, item.subject_id, reason=note,
           item_id=item.id, outcome=chosen.value, kind=str(item.kind))


def flag_refused_risk(author: User, place: str, text: str, matched: Sequence[str]) -> None:
    """Words were refused (blocked) but also spoke of risk: nothing is published, yet the
    team must still know someone may be struggling."""
    enqueue(ItemKind.RISK, f"refused_{place}", author.id, level=Level.URGENT,
            reason="risk words in a refused message: " + ", ".join(matched),
            excerpt=text[:300], author=author)
