"""The sanctions ladder's timed work, run by the scheduler (sharon/infra/scheduler.py):
when a mute or a suspension reaches its end, the member is told, once.

A sanction already stops counting at its end without this (`Sanction.running` reads the
clock); the job only tells the person, in their notifications and on any page they have
open, and makes an ended suspension's account plainly active again."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from sharon.extensions import db
from sharon.infra import scheduler
from sharon.models import Notification, Sanction, SanctionKind, User
from sharon.realtime import announce, rooms
from sharon.sanctions import services

# What the member reads (templates/forums/notifications.html says the same).
ENDED = {
    SanctionKind.MUTE: ("mute_ended", "You can post again: the pause on your posting has ended."),
    SanctionKind.SUSPEND: ("suspension_ended", "Welcome back: your account's suspension has "
                                               "ended."),
}
# An end older than this is not news (the scheduler was stopped for a long time, or the
# sanction ended before there was a scheduler): it is not announced.
STALE = timedelta(days=1)
# Each run tells at most this many; the rest wait a turn.
BATCH = 200


@scheduler.job("sanctions-ending", every=timedelta(minutes=1))
def tell_ended_sanctions(now: datetime) -> None:
    """Tell each member whose mute or suspension has just ended."""
    tell_ended(now)
    db.session.commit()


def tell_ended(now: datetime) -> int:
    """Mark each mute or suspension that reached its end as told, and tell its member
    unless something else still stops them; returns how many were told. The mark is a
    conditional UPDATE, so each ending is told once, whichever worker runs this."""
    ended = db.session.scalars(
        sa.select(Sanction)
        .where(Sanction.kind.in_([SanctionKind.MUTE, SanctionKind.SUSPEND]),
               Sanction.lifted_at.is_(None), Sanction.end_told_at.is_(None),
               Sanction.ends_at <= now, Sanction.ends_at > now - STALE)
        .order_by(Sanction.ends_at, Sanction.id).limit(BATCH)).all()
    told = 0
    for sanction in ended:
        marked = db.session.execute(
            sa.update(Sanction)
            .where(Sanction.id == sanction.id, Sanction.end_told_at.is_(None),
                   Sanction.lifted_at.is_(None))
            .values(end_told_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if not marked:
            continue
        member = sanction.user
        kind = SanctionKind(sanction.kind)
        if kind == SanctionKind.SUSPEND:
            services.end_expired_suspension(member, now)
        if _still_stopped(member, kind, now):
            continue  # the ending that frees them will tell them
        _tell(member, sanction, kind, now)
        told += 1
    return told


def _still_stopped(member: User, kind: SanctionKind, now: datetime) -> bool:
    """Is this person still kept out by another sanction (or, after a mute, from posting
    by a mute or an unread warning)? Then "you can post again" would not be true."""
    barred = any(s.kind in (SanctionKind.SUSPEND, SanctionKind.REMOVE)
                 for s in services.running(member, at=now))
    if kind == SanctionKind.MUTE:
        return barred or services.posting_refusal(member, now) is not None
    return barred


def _tell(member: User, sanction: Sanction, kind: SanctionKind, now: datetime) -> None:
    notice, text = ENDED[kind]
    db.session.add(Notification(user_id=member.id, kind=notice, sanction_id=sanction.id,
                                created_at=now))
    db.session.flush()
    # Links outside a request need the site's address (SHARON_SITE_URL, set in production).
    url = (url_for("forums.notifications", _external=False)
           if current_app.config.get("SERVER_NAME") else None)
    announce("notice", {"id": f"sanction-ended-{sanction.id}", "text": text, "url": url,
                        "link": "Your notifications"},
             rooms.person(member.id), namespace=rooms.LIVE)
