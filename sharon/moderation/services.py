"""The moderation queue and the audit log, used by the forums, the Wall and the library."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

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
    RiskLevel,
)
from sharon.moderation.subjects import subject
from sharon.permissions import Action
from sharon.refusals import Refused

# A risk flag's level moves its place in the queue with it.
QUEUE_LEVEL = {RiskLevel.HIGH: Level.URGENT, RiskLevel.MEDIUM: Level.HIGH,
               RiskLevel.LOW: Level.NORMAL}
# Without a detector's word, a risk flag's level follows how urgent its caller said it was.
RISK_LEVEL_OF = {Level.URGENT: RiskLevel.HIGH, Level.HIGH: RiskLevel.MEDIUM,
                 Level.NORMAL: RiskLevel.LOW}
# A claim lapses when its holder has done nothing with the item for this long.
CLAIM_LAPSES = timedelta(minutes=30)


def first_response(now: datetime) -> sa.ColumnElement[datetime]:
    """SQL for an UPDATE: the item's first response, or now if nobody has responded yet
    (typed, so the time is stored as UTC like every other)."""
    return sa.func.coalesce(ModerationItem.first_response_at,
                            sa.literal(now, ModerationItem.first_response_at.type))


def enqueue(kind: ItemKind, subject_type: str, subject_id: int, *, level: Level = Level.NORMAL,
            reason: str = "", detail: str = "", excerpt: str = "",
            reporter: User | None = None, author: User | None = None,
            risk_level: str = "") -> ModerationItem:
    """Put something in front of the moderating team. A risk flag carries a level (low,
    medium, high) from the detector (`risk_level`, the watched family's), or from `level`."""
    risk = None
    if kind == ItemKind.RISK:
        risk = (RiskLevel(risk_level) if risk_level in tuple(RiskLevel)
                else RISK_LEVEL_OF[level]).value
    item = ModerationItem(
        kind=kind, level=level, priority=LEVEL_ORDER[level], subject_type=subject_type,
        risk_level=risk,
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
    """Unhandled items, most urgent first, then longest waiting, with the people each
    card names (author, reporter, claimant) read in three queries, not three per item."""
    return db.session.scalars(
        sa.select(ModerationItem)
        .options(so.selectinload(ModerationItem.subject_author),
                 so.selectinload(ModerationItem.reporter),
                 so.selectinload(ModerationItem.claimed_by))
        .where(ModerationItem.handled_at.is_(None))
        .order_by(ModerationItem.priority, ModerationItem.created_at, ModerationItem.id)
        .limit(limit)
    ).all()


def open_reports(subject_type: str, subject_id: int) -> Sequence[ModerationItem]:
    """The unhandled reports about one subject, oldest first."""
    return db.session.scalars(
        sa.select(ModerationItem)
        .where(ModerationItem.subject_type == subject_type,
               ModerationItem.subject_id == subject_id,
               ModerationItem.kind == ItemKind.REPORT,
               ModerationItem.handled_at.is_(None))
        .order_by(ModerationItem.created_at, ModerationItem.id)
    ).all()


# How each area records hiding its content on its own, after reports: the audit lines
# that put a subject out of sight automatically, and those that end that state.
_AUTO_HIDE = (Audit.POST_AUTO_HIDE,)
_HIDE_ENDS = (Audit.POST_HIDE, Audit.POST_UNHIDE, Audit.POST_APPROVE, Audit.POST_REJECT)


def auto_hidden(subjects: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
    """Which of these (subject_type, subject_id) are hidden automatically after reports
    and not looked at since (their latest hide-or-show audit line is the automatic hide),
    in one query."""
    wanted = set(subjects)
    if not wanted:
        return set()
    lines = db.session.execute(
        sa.select(ModerationAction.subject_type, ModerationAction.subject_id,
                  ModerationAction.action)
        .where(ModerationAction.subject_id.in_({i for _, i in wanted}),
               ModerationAction.subject_type.in_({t for t, _ in wanted}),
               ModerationAction.action.in_([a.value for a in _AUTO_HIDE + _HIDE_ENDS]))
        .order_by(ModerationAction.created_at, ModerationAction.id)).all()
    latest = {(t, i): action for t, i, action in lines if (t, i) in wanted}
    return {key for key, action in latest.items()
            if action in {a.value for a in _AUTO_HIDE}}


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
        .values(handled_at=clock.now(), handled_by_id=by.id, outcome=outcome[:200],
                first_response_at=first_response(clock.now()))
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
    now = clock.now()
    closed = db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.id == item.id, ModerationItem.handled_at.is_(None),
               _free_for(by, now))
        .values(handled_at=now, handled_by_id=by.id, outcome=chosen.value,
                first_response_at=first_response(now))
        .execution_options(synchronize_session=False)).rowcount
    if not closed:  # someone else closed or claimed it first (two moderators at once)
        _refuse_taken(item, now)
    db.session.refresh(item)
    record(by, Audit.QUEUE_ITEM_HANDLE, item.subject_type, item.subject_id, reason=note,
           item_id=item.id, outcome=chosen.value, kind=str(item.kind))


# --- Claims ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """Who is working an item, and since when."""

    by: User
    since: datetime


def claim_of(item: ModerationItem, now: datetime) -> Claim | None:
    """The item's claim while it holds (its holder acted in the last 30 minutes)."""
    if item.claimed_by is None or item.claimed_at is None:
        return None
    if item.claimed_at <= now - CLAIM_LAPSES:
        return None
    return Claim(item.claimed_by, item.claimed_at)


def _free_for(by: User, now: datetime) -> sa.ColumnElement[bool]:
    """SQL: nobody else holds a live claim on the item. A clinician may always take over
    a risk flag: only they can close it, so nobody else's claim may keep them out."""
    free = sa.or_(ModerationItem.claimed_by_id.is_(None),
                  ModerationItem.claimed_by_id == by.id,
                  ModerationItem.claimed_at <= now - CLAIM_LAPSES)
    if permissions.can(by, Action.HANDLE_RISK):
        return sa.or_(free, ModerationItem.kind == ItemKind.RISK)
    return free


def _refuse_taken(item: ModerationItem, now: datetime) -> None:
    """Say why a change to an item did not happen: closed already, or someone has it."""
    db.session.refresh(item)
    if item.handled_at is not None:
        raise Refused("already_closed", "Someone else closed this item a moment ago.")
    held = claim_of(item, now)
    if held is not None:
        from sharon.infra.templating import LONDON

        raise Refused("claimed", f"{held.by.username} is working on this item "
                                 f"(since {held.since.astimezone(LONDON):%H:%M}).")
    raise Refused("already_closed", "This item changed a moment ago: look again.")


def _take(item: ModerationItem, by: User, now: datetime, **values: Any) -> None:
    """Claim (or renew the claim on) an open item that nobody else holds, with any other
    changes, in one conditional UPDATE: of two moderators at once, one wins."""
    taken = db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.id == item.id, ModerationItem.handled_at.is_(None),
               _free_for(by, now))
        .values(claimed_by_id=by.id, claimed_at=now,
                first_response_at=first_response(now),
                **values)
        .execution_options(synchronize_session=False)).rowcount
    if not taken:
        _refuse_taken(item, now)
    db.session.refresh(item)


def claim(item: ModerationItem, by: User) -> None:
    """Take an item to work on it: everyone else sees who has it and since when."""
    permissions.check(by, Action.VIEW_MODERATION_QUEUE, "Only the moderating team can do that.")
    _take(item, by, clock.now())
    record(by, Audit.QUEUE_ITEM_CLAIM, item.subject_type, item.subject_id, item_id=item.id)


def release(item: ModerationItem, by: User) -> None:
    """Give an item back to the queue (only its holder does; a lapsed claim needs none)."""
    permissions.check(by, Action.VIEW_MODERATION_QUEUE, "Only the moderating team can do that.")
    released = db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.id == item.id, ModerationItem.claimed_by_id == by.id)
        .values(claimed_by_id=None, claimed_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if not released:
        raise Refused("not_yours", "You are not working on this item.")
    db.session.refresh(item)
    record(by, Audit.QUEUE_ITEM_RELEASE, item.subject_type, item.subject_id, item_id=item.id)


# --- Risk levels and escalation ----------------------------------------------------------

def set_risk_level(item: ModerationItem, by: User, level: str) -> None:
    """Any moderator may change a risk flag's level; the queue's order follows it, and a
    flag raised to high alerts the team now."""
    permissions.check(by, Action.VIEW_MODERATION_QUEUE, "Only the moderating team can do that.")
    if item.kind != ItemKind.RISK:
        raise Refused("invalid", "Only risk flags have a risk level.")
    try:
        chosen = RiskLevel(level)
    except ValueError:
        raise Refused("invalid", "Choose low, medium or high.") from None
    was = item.risk_level
    if chosen.value == was:
        raise Refused("unchanged", f"This risk flag is already {chosen.value}.")
    queue_level = QUEUE_LEVEL[chosen]
    _take(item, by, clock.now(), risk_level=chosen.value, level=queue_level,
          priority=LEVEL_ORDER[queue_level], overdue_alerted_at=None)
    record(by, Audit.QUEUE_ITEM_LEVEL_SET, item.subject_type, item.subject_id,
           item_id=item.id, level=chosen.value, was=was)
    if queue_level == Level.URGENT:
        from sharon.moderation import alerts

        alerts.announce_item(item)


def escalate(item: ModerationItem, by: User, note: str = "") -> None:
    """A peer supporter or volunteer passes a risk flag to the clinicians, who are alerted
    now; it stays open until a clinician closes it."""
    permissions.check(by, Action.VIEW_MODERATION_QUEUE, "Only the moderating team can do that.")
    if item.kind != ItemKind.RISK:
        raise Refused("invalid", "Only risk flags are escalated to the clinicians.")
    if item.escalated_at is not None:
        raise Refused("already_escalated", "This risk flag is already with the clinicians.")
    note = " ".join(clean_text(note or "").split())
    if len(note) > NOTE_MAX:
        raise Refused("too_long", f"A note can be up to {NOTE_MAX} characters.")
    now = clock.now()
    # Not a claim: the flag is now the clinicians' to take. Once only (a second press, or
    # two people at once, escalates it once).
    escalated = db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.id == item.id, ModerationItem.handled_at.is_(None),
               ModerationItem.escalated_at.is_(None), _free_for(by, now))
        .values(escalated_at=now, claimed_by_id=None, claimed_at=None,
                first_response_at=first_response(now))
        .execution_options(synchronize_session=False)).rowcount
    if not escalated:
        db.session.refresh(item)
        if item.escalated_at is not None:
            raise Refused("already_escalated", "This risk flag is already with the clinicians.")
        _refuse_taken(item, now)
    db.session.refresh(item)
    record(by, Audit.QUEUE_ITEM_ESCALATE, item.subject_type, item.subject_id, reason=note,
           item_id=item.id)
    from sharon.moderation import alerts

    alerts.announce_escalation(item, by, note)


def overdue(item: ModerationItem, now: datetime, team_on_duty: bool) -> bool:
    """Has this open risk flag waited past its level's time while the team is on duty?"""
    if item.kind != ItemKind.RISK or item.handled_at is not None or not team_on_duty:
        return False
    if item.escalated_at is not None:
        # With the clinicians: waiting until one of them takes it.
        taken = (item.claimed_at is not None and item.claimed_at >= item.escalated_at
                 and permissions.can(item.claimed_by, Action.HANDLE_RISK))
        started = item.escalated_at
    else:
        taken, started = item.first_response_at is not None, item.created_at
    level = RiskLevel(item.risk_level or RiskLevel.MEDIUM)
    return not taken and now - started > level.within


def flag_refused_risk(author: User, place: str, text: str, matched: Sequence[str]) -> None:
    """Words were refused (blocked) but also spoke of risk: nothing is published, yet the
    team must still know someone may be struggling."""
    enqueue(ItemKind.RISK, f"refused_{place}", author.id, level=Level.URGENT,
            reason="risk words in a refused message: " + ", ".join(matched),
            excerpt=text[:300], author=author)
