"""Who from the moderating team is on duty on the Wall, and every rule about it.

It exists so that duty is decided in one place: going on and off duty, the heartbeat
that keeps it alive (renewed by the worker holding one of the moderator's Wall sockets:
the watcher every few seconds, and any event from their socket), the lapse that ends it
when no worker renews it, its ending when the last Wall tab closes or the role is lost,
and what people are told about whether anyone is watching live. While nobody is on
duty, members' messages wait for approval (services.do_send asks, through
ON_DUTY_WHERE, in the same round trip as its other checks).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sharon.extensions import db
from sharon.infra import clock
from sharon.models import Audit, User, WallDuty
from sharon.moderation import services as moderation
from sharon.permissions import Action, can, roles_with
from sharon.refusals import Refused
from sharon.wall import hours
from sharon.wall.presence import presence

# Duty counts while a worker holding one of the moderator's Wall sockets renews it (every
# few seconds, watcher.WATCH_SECONDS): a worker that dies takes its moderators off duty
# within this long, and members' messages are held again.
DUTY_LAPSE = timedelta(seconds=20)

# Built once, not per message: the Wall asks these for every message sent.
ON_DUTY_WHERE = (
    WallDuty.until > sa.bindparam("at"), WallDuty.heartbeat_at > sa.bindparam("alive_after"),
    User.status == "active",
    # Someone who lost their moderating role is off duty, whatever their duty row says.
    User.role.in_(roles_with(Action.MODERATE)))
_ON_DUTY = (sa.select(User).join(WallDuty, WallDuty.user_id == User.id)
            .where(*ON_DUTY_WHERE).order_by(WallDuty.since, User.id))
_ON_DUTY_IDS = (sa.select(User.id).join(WallDuty, WallDuty.user_id == User.id)
                .where(*ON_DUTY_WHERE).order_by(WallDuty.since, User.id))
_HEARTBEAT = (sa.update(WallDuty).where(WallDuty.user_id.in_(sa.bindparam("ids", expanding=True)))
              .values(heartbeat_at=sa.bindparam("at")))


def params(at: datetime | None) -> dict[str, datetime]:
    """The values ON_DUTY_WHERE is asked with."""
    at = at or clock.now()
    return {"at": at, "alive_after": at - DUTY_LAPSE}


def heartbeat(user_ids: set[int], at: datetime | None = None) -> None:
    """Renew the duty of moderators whose Wall sockets this worker holds."""
    if user_ids:
        db.session.connection().execute(_HEARTBEAT, {"ids": sorted(user_ids),
                                                     "at": at or clock.now()})


def on_duty(at: datetime | None = None) -> Sequence[User]:
    """The moderators on duty now, longest on duty first."""
    return db.session.scalars(_ON_DUTY, params(at)).all()


def on_duty_ids(at: datetime | None = None) -> list[int]:
    """Who is on duty now (a fresh heartbeat), for the watcher and status."""
    return list(db.session.connection().execute(_ON_DUTY_IDS, params(at)).scalars())


def is_on_duty(user: User) -> bool:
    """Whether this person is on duty now."""
    return user.id in on_duty_ids()


# --- Going on and off duty --------------------------------------------------------------

def do_duty(actor: User, on: Any) -> bool:
    """Go on or off duty. Duty ends by itself when the Wall closes."""
    if not can(actor, Action.GO_ON_DUTY):
        raise Refused("forbidden", "Only the moderating team can go on duty.")
    if not isinstance(on, bool):
        raise Refused("empty", "Say whether you are going on or off duty.")
    now = clock.now()
    duty = db.session.get(WallDuty, actor.id)
    if on:
        state = hours.current(now)
        if not state.open:
            raise Refused("closed", "The Wall is closed, so there is no duty to go on.")
        until = state.next_change or now + timedelta(hours=12)
        if duty is None:
            db.session.add(WallDuty(user_id=actor.id, since=now, until=until, heartbeat_at=now))
        else:
            if duty.until <= now or duty.heartbeat_at is None or \
                    duty.heartbeat_at <= now - DUTY_LAPSE:
                duty.since = now  # lapsed: this is a new spell of duty
            duty.until, duty.heartbeat_at = until, now
    elif duty is not None:
        db.session.delete(duty)
    db.session.flush()
    moderation.record(actor, Audit.WALL_DUTY_START if on else Audit.WALL_DUTY_END, "user", actor.id)
    return on


def end_duty(user_id: int, why: str) -> bool:
    """Take someone off duty without their asking (they left, or lost the role)."""
    duty = db.session.get(WallDuty, user_id)
    if duty is None:
        return False
    db.session.delete(duty)
    db.session.flush()
    moderation.record(None, Audit.WALL_DUTY_END, "user", user_id, why)
    return True


def left_the_wall(user_id: int, still_here: bool) -> bool:
    """A moderator's Wall socket has gone (closed, or cut off by the sweep). If it was
    their last Wall tab on any worker (`still_here`: another on this one), they go off
    duty: nobody should be listed, and counted on, as watching the Wall from a closed
    tab. Returns whether their duty ended."""
    if still_here:
        return False
    if presence().elsewhere(user_id):  # still watching through another worker
        return False
    return end_duty(user_id, "left the Wall")


# --- Is anyone watching? ----------------------------------------------------------------

def _when(moment: datetime) -> str:
    from sharon.infra.templating import london

    return london(moment, "%A %-d %B at %H:%M")


# Every forum page shows team_watch(): worked out at most every few seconds per worker.
_WATCH_SECONDS = 5.0
_watch: tuple[float, str] = (0.0, "")


def team_watch() -> str:
    """One calm line for the forums: is anyone from the team watching live, and if not,
    when they next are (the Wall's calendar and duty)."""
    global _watch
    now = time.monotonic()
    if now >= _watch[0]:
        _watch = (now + _WATCH_SECONDS, _team_watch(clock.now()))
    return _watch[1]


def forget_team_watch() -> None:
    """Drop the cached "is anyone watching" answer (after duty changes)."""
    global _watch
    _watch = (0.0, "")


def _team_watch(at: datetime) -> str:
    state = hours.current(at)
    if state.open and on_duty_ids(at):
        return "Someone from the moderating team is watching live on the Wall now."
    if state.open:
        return ("The Wall is open, but nobody from the moderating team is on duty just now; "
                "they read the forums regularly.")
    if state.next_change is None:
        return "Nobody from the moderating team is watching live just now."
    return ("Nobody from the moderating team is watching live just now: the Wall next opens "
            f"on {_when(state.next_change)}.")


def when_the_team_is_back(at: datetime | None = None) -> str:
    """For someone who wrote words of risk while nobody is watching live."""
    state = hours.current(at or clock.now())
    if state.open and on_duty_ids(at):
        return ""
    if state.open or state.next_change is None:
        return "The moderating team will read what you wrote as soon as they can."
    return ("Nobody from the moderating team is watching live just now: they will read what "
            f"you wrote when the Wall next opens, on {_when(state.next_change)}.")
