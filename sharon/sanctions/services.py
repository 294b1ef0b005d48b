"""The sanctions ladder's rules: who may give which rung to whom, what each stops, and how
each ends by itself.

One ladder for the whole site (the Wall's mute is this mute). Each rung carries a reason
the member is shown in plain words, ends on time without anyone acting (`running` reads
the clock; nothing has to sweep), is listed in the member's history for the team, and
writes an audit line. Nobody sanctions an admin; only admins sanction the moderating team.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from sharon import permissions
from sharon.content import required_text
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import Audit, ModerationItem, Sanction, SanctionKind, Status, User
from sharon.moderation import services as moderation
from sharon.permissions import Action, role_may
from sharon.refusals import Refused

MAX_MUTE_MINUTES = 30 * 24 * 60
MAX_SUSPENSION = timedelta(days=366)
REASON_MAX = 500

# Who may give each rung (to a member or carer); the team needs SANCTION_TEAM as well.
GIVE = {SanctionKind.WARN: Action.SANCTION_MEMBERS, SanctionKind.MUTE: Action.SANCTION_MEMBERS,
        SanctionKind.SUSPEND: Action.SUSPEND_MEMBERS, SanctionKind.REMOVE: Action.SUSPEND_MEMBERS}

# Running mutes and unacknowledged warnings, for the posting checks: the Wall folds these
# into its one posting query, the forums ask `posting_refusal`.
MUTE_RUNNING = (Sanction.kind == SanctionKind.MUTE, Sanction.lifted_at.is_(None))
WARNING_OPEN = (Sanction.kind == SanctionKind.WARN, Sanction.lifted_at.is_(None),
                Sanction.acknowledged_at.is_(None))


def mute_ends_query(user_id: sa.ColumnElement[int] | int,
                    at: sa.ColumnElement[datetime] | datetime) -> sa.ScalarSelect[datetime]:
    """When this person's running mute ends (None: not muted), as a subquery."""
    return (sa.select(sa.func.max(Sanction.ends_at))
            .where(Sanction.user_id == user_id, *MUTE_RUNNING, Sanction.ends_at > at)
            .scalar_subquery())


def open_warnings_query(user_id: sa.ColumnElement[int] | int) -> sa.ScalarSelect[int]:
    """How many warnings this person has not yet acknowledged, as a subquery."""
    return (sa.select(sa.func.count()).select_from(Sanction)
            .where(Sanction.user_id == user_id, *WARNING_OPEN).scalar_subquery())


def minutes_left(ends: datetime, at: datetime) -> int:
    """Whole minutes until a time, at least 1 (what a muted person is told)."""
    return max(1, round((ends - at).total_seconds() / 60))


def muted_message(ends: datetime, at: datetime, reason: str = "") -> str:
    """What a muted person sees when they try to post, anywhere."""
    minutes = minutes_left(ends, at)
    if minutes < 120:
        left = f"another {minutes} minute{'s' if minutes != 1 else ''}"
    elif minutes < 48 * 60:
        left = f"another {round(minutes / 60)} hours"
    else:
        left = f"another {round(minutes / 1440)} days"
    said = f" Reason: {reason}" if reason else ""
    return f"A moderator has paused your posting for {left}.{said}"


WARNED_MESSAGE = ("The moderating team has sent you a message. Please read it and confirm "
                  "you have seen it before posting again: see Your account.")


def posting_refusal(user: User, at: datetime | None = None) -> Refused | None:
    """Why this person may not post right now (a mute or an unread warning), or None."""
    at = at or clock.now()
    ends, warnings = db.session.execute(sa.select(
        mute_ends_query(user.id, at), open_warnings_query(user.id))).one()
    if ends is not None:
        return Refused("muted", muted_message(ends, at, running_mute(user, at).reason))
    if warnings:
        return Refused("warned", WARNED_MESSAGE)
    return None


def check_may_post(user: User, at: datetime | None = None) -> None:
    """Refuse a post from someone muted, or with a warning they have not acknowledged."""
    refusal = posting_refusal(user, at)
    if refusal is not None:
        raise refusal


def running_mute(user: User, at: datetime | None = None) -> Sanction:
    """The mute that ends last, among those running (call when one is known to run)."""
    return running(user, SanctionKind.MUTE, at)[0]


def running(user: User, kind: SanctionKind | None = None,
            at: datetime | None = None) -> list[Sanction]:
    """This person's sanctions in force now, the one ending last first."""
    at = at or clock.now()
    query = sa.select(Sanction).where(Sanction.user_id == user.id, Sanction.lifted_at.is_(None))
    if kind is not None:
        query = query.where(Sanction.kind == kind)
    found = [s for s in db.session.scalars(query) if s.running(at)]
    far = datetime.max.replace(tzinfo=at.tzinfo)
    return sorted(found, key=lambda s: s.ends_at or far, reverse=True)


def history(user: User) -> Sequence[Sanction]:
    """Every sanction this person has had, newest first (the team's view)."""
    return db.session.scalars(sa.select(Sanction).where(Sanction.user_id == user.id)
                              .order_by(Sanction.created_at.desc(), Sanction.id.desc())).all()


def check_may_sanction(actor: User | None, target: User, kind: SanctionKind,
                       lifting: bool = False) -> None:
    """Nobody sanctions an admin or themselves; only admins sanction the team; the
    rung's own permission for everyone else. (Lifting one given before someone became
    an admin is allowed.)"""
    permissions.check(actor, GIVE[kind], _WHO_GIVES[kind])
    # Those who may sanction the team (admins) answer to nobody here: there would be no
    # one left to lift it.
    if role_may(target.role, Action.SANCTION_TEAM) and not lifting:
        raise Refused("forbidden", "Nobody can sanction an admin.")
    if actor is not None and target.id == actor.id:
        raise Refused("forbidden", "You cannot sanction yourself.")
    if role_may(target.role, Action.MODERATE):
        permissions.check(actor, Action.SANCTION_TEAM,
                          "Only admins can sanction members of the moderating team.")


_WHO_GIVES = {
    SanctionKind.WARN: "Only the moderating team can warn someone.",
    SanctionKind.MUTE: "Only the moderating team can mute someone.",
    SanctionKind.SUSPEND: "Only clinicians and admins can suspend an account.",
    SanctionKind.REMOVE: "Only clinicians and admins can close an account.",
}


def give(actor: User | None, target: User, kind: SanctionKind | str, reason: str, *,
         minutes: int | None = None, until: datetime | None = None,
         item: ModerationItem | None = None) -> Sanction:
    """Put someone on a rung of the ladder, with a reason they are shown.

    A mute needs its length in minutes; a suspension an end (`until`) or none (until
    lifted); a warning and a removal need neither."""
    try:
        kind = SanctionKind(kind)
    except ValueError:
        raise Refused("invalid", "Choose warn, mute, suspend or close the account.") from None
    check_may_sanction(actor, target, kind)
    reason = required_text(reason, REASON_MAX,
                           "Give a reason: the person is shown it, in these words.",
                           "Keep the reason under {limit} characters.")
    now = clock.now()
    ends: datetime | None = None
    if kind == SanctionKind.MUTE:
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
            raise Refused("empty", "Choose how long the mute lasts (at least 1 minute).")
        if minutes > MAX_MUTE_MINUTES:
            raise Refused("too_long", "A mute can last up to 30 days.")
        ends = now + timedelta(minutes=minutes)
    elif kind == SanctionKind.SUSPEND and until is not None:
        if until <= now:
            raise Refused("invalid", "A suspension must end in the future (or leave the end "
                                     "empty: until it is lifted).")
        if until - now > MAX_SUSPENSION:
            raise Refused("too_long", "A suspension with an end date can last up to a year; "
                                      "for longer, leave the end empty.")
        ends = until
    _lock(target)
    if is_closed(target):
        raise Refused("invalid", f"{target.username}'s account is already closed.")
    sanction = Sanction(user=target, kind=kind, reason=reason, by=actor, created_at=now,
                        ends_at=ends, item_id=item.id if item is not None else None)
    db.session.add(sanction)
    db.session.flush()
    if kind in (SanctionKind.SUSPEND, SanctionKind.REMOVE):
        settle_account(target, now)
        target.session_version += 1  # signed out everywhere; the Wall's sweep cuts them off
        db.session.flush()
    moderation.record(actor, Audit.SANCTION_GIVE, "user", target.id, reason, kind=str(kind),
                      ends_at=ends.isoformat() if ends else None, minutes=minutes,
                      sanction_id=sanction.id,
                      item_id=item.id if item is not None else None)
    return sanction


def lift(actor: User | None, sanction: Sanction, reason: str = "") -> None:
    """End a sanction early (a mistake, or the team changed its mind)."""
    check_may_sanction(actor, sanction.user, SanctionKind(sanction.kind), lifting=True)
    now = clock.now()
    _lock(sanction.user)
    if not sanction.running(now):
        raise Refused("not_running", "That has already ended.")
    lifted = db.session.execute(
        sa.update(Sanction).where(Sanction.id == sanction.id, Sanction.lifted_at.is_(None))
        .values(lifted_at=now, lifted_by_id=actor.id if actor else None)
        .execution_options(synchronize_session=False)).rowcount
    if not lifted:
        raise Refused("not_running", "That has already ended.")
    db.session.refresh(sanction)
    target = sanction.user
    if sanction.kind in (SanctionKind.SUSPEND, SanctionKind.REMOVE):
        settle_account(target, now)
    db.session.flush()
    moderation.record(actor, Audit.SANCTION_LIFT, "user", target.id, reason,
                      kind=sanction.kind, sanction_id=sanction.id)


def lift_all(actor: User | None, target: User, kind: SanctionKind, reason: str = "") -> int:
    """Lift every running sanction of one kind on this person; returns how many."""
    found = running(target, kind)
    for sanction in found:
        lift(actor, sanction, reason)
    return len(found)


def acknowledge(user: User, sanction_id: int) -> Sanction:
    """The member confirms they read a warning; they may post again."""
    sanction = db.session.get(Sanction, sanction_id)
    if sanction is None or sanction.user_id != user.id or sanction.kind != SanctionKind.WARN:
        raise Refused("not_found", "There is no such message for you.")
    if sanction.acknowledged_at is None:
        sanction.acknowledged_at = clock.now()
        db.session.flush()
    return sanction


def for_member(user: User, at: datetime | None = None) -> list[Sanction]:
    """What the member is shown on their account page: every rung in force on them."""
    return running(user, at=at)


def _lock(user: User) -> None:
    """Take the person's row until commit, so two changes to their sanctions at once (a
    suspension given while another is lifted) take turns and settle on the right state."""
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())


def settle_account(user: User, at: datetime) -> None:
    """Set the account's status from every suspension and closure in force: suspended
    while any runs, until the latest end (no end if any is open-ended or a closure)."""
    barring = [s for s in running(user, at=at)
               if s.kind in (SanctionKind.SUSPEND, SanctionKind.REMOVE)]
    if not barring:
        user.status, user.suspended_until = Status.ACTIVE, None
    elif any(s.ends_at is None for s in barring):
        user.status, user.suspended_until = Status.SUSPENDED, None
    else:
        user.status = Status.SUSPENDED
        user.suspended_until = max(s.ends_at for s in barring if s.ends_at is not None)
    db.session.flush()


def end_expired_suspension(user: User, at: datetime | None = None) -> None:
    """A suspension whose end has passed: make the account plainly active again (sign-in
    already works, by `User.is_active`; this keeps team lists and queries honest)."""
    at = at or clock.now()
    if user.status == Status.SUSPENDED and user.suspended_until is not None \
            and user.suspended_until <= at:
        settle_account(user, at)


def is_closed(user: User) -> bool:
    """Has the team closed this account (the ladder's top rung, not lifted)?"""
    return bool(running(user, SanctionKind.REMOVE))


def suspended_message(user: User) -> str:
    """What a suspended or removed person is told at sign-in, with the team's reason."""
    latest = db.session.scalars(
        sa.select(Sanction).where(Sanction.user_id == user.id,
                                  Sanction.kind.in_([SanctionKind.SUSPEND, SanctionKind.REMOVE]),
                                  Sanction.lifted_at.is_(None))
        .order_by(Sanction.created_at.desc()).limit(1)).first()
    from sharon.infra.templating import LONDON

    if latest is not None and latest.kind == SanctionKind.REMOVE:
        head = "This account has been closed by the SHaRON team."
    elif user.suspended_until is not None:
        head = ("This account is suspended until "
                f"{user.suspended_until.astimezone(LONDON):%A %d %B %Y, %H:%M}.")
    else:
        head = "This account is suspended until the SHaRON team lifts it."
    reason = f" Reason: {latest.reason}" if latest is not None else ""
    return (f"{head}{reason} If you think this is a mistake, please contact the SHaRON team. "
            "If you need help now, see 'Need urgent help?'.")
