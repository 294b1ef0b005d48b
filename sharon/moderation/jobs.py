"""The moderation queue's timed work, run by the scheduler (sharon/infra/scheduler.py):
risk flags that wait past their level's time while the team is on duty, and claims
left idle for longer than a claim holds."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from sharon.extensions import db
from sharon.infra import scheduler
from sharon.models import ModerationItem, User
from sharon.models.moderation import Audit
from sharon.moderation import alerts, services
from sharon.moderation.subjects import team_on_duty
from sharon.permissions import Action, roles_with

# Each limited, so that one run after a long pause stays short; the rest wait a turn.
BATCH = 200

_CLINICIAN_IDS = sa.select(User.id).where(User.role.in_(roles_with(Action.HANDLE_RISK)))


@scheduler.job("overdue-risk-alerts", every=timedelta(seconds=15))
def alert_overdue_risk_flags(now: datetime) -> None:
    """Alert the team once about each risk flag waiting past its level's time, while
    someone is on duty (the area that keeps duty, the Wall, says who is). Only one worker
    runs it at a time, and the flag's own conditional UPDATE alerts about it once even
    if a lease lapsed mid-run."""
    if team_on_duty(now) and alerts.announce_overdue(now, team_on_duty=True):
        db.session.commit()


@scheduler.job("lapsed-claims", every=timedelta(minutes=1))
def release_lapsed_claims(now: datetime) -> None:
    """Give back to the queue the items whose holder has done nothing with them for
    services.CLAIM_LAPSES, with a line in the audit log from SHaRON itself."""
    release_lapsed(now)
    db.session.commit()


def release_lapsed(now: datetime) -> int:
    """Release lapsed claims in the database (the queue already reads them as free, by
    `services.claim_of`; this keeps the rows, and every count read from them, honest).
    Returns how many.

    An escalated risk flag that a clinician took keeps its claim: `services.overdue`
    reads that claim as the record that the clinicians took it up, and releasing it
    would make the flag look untouched again."""
    cutoff = now - services.CLAIM_LAPSES
    lapsed = (ModerationItem.handled_at.is_(None), ModerationItem.claimed_by_id.is_not(None),
              ModerationItem.claimed_at <= cutoff)
    kept = sa.and_(ModerationItem.escalated_at.is_not(None),
                   ModerationItem.claimed_at >= ModerationItem.escalated_at,
                   ModerationItem.claimed_by_id.in_(_CLINICIAN_IDS))
    rows = db.session.execute(
        sa.select(ModerationItem.id, ModerationItem.subject_type, ModerationItem.subject_id,
                  ModerationItem.claimed_by_id)
        .where(*lapsed, sa.not_(kept)).order_by(ModerationItem.id).limit(BATCH)).all()
    count = 0
    for item_id, subject_type, subject_id, holder_id in rows:
        # Conditional: a holder who acted meanwhile renewed the claim and keeps it.
        released = db.session.execute(
            sa.update(ModerationItem)
            .where(ModerationItem.id == item_id, ModerationItem.claimed_by_id == holder_id,
                   *lapsed)
            .values(claimed_by_id=None, claimed_at=None)
            .execution_options(synchronize_session=False)).rowcount
        if released:
            services.record(None, Audit.QUEUE_ITEM_RELEASE, subject_type, subject_id,
                            item_id=item_id, holder_id=holder_id, lapsed=True)
            count += 1
    return count
