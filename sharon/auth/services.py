"""Signing in, with a per-username lock-out that does not reveal who exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from sharon import passwords
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import SignInThrottle, User
from sharon.refusals import Refused
from sharon.sanctions import services as sanctions

LOCKED_MESSAGE = (
    "Too many attempts to sign in with this username. For your safety, signing in is paused "
    "for {minutes} minutes. If you have forgotten your password, ask your therapist or the "
    "SHaRON team to help."
)
BAD_CREDENTIALS = "That username and password do not match. Please check them and try again."


@dataclass(frozen=True)
class LockoutPolicy:
    attempts: int
    minutes: int


def find_user(username: str) -> User | None:
    """The account with this username, ignoring case and outer spaces."""
    return db.session.scalar(sa.select(User).where(User.username_key == username.strip().lower()))


def _throttle(key: str) -> SignInThrottle:
    row = db.session.get(SignInThrottle, key)
    if row is None:
        row = SignInThrottle(username_key=key, failures=0)
        db.session.add(row)
    return row


def authenticate(username: str, password: str, policy: LockoutPolicy,
                 client: str = "") -> User:
    """Return the user for these credentials, or raise Refused.

    Failures are counted per username and client address, whether or not the
    username exists. Per address, because usernames are public: otherwise anyone
    could keep a moderator locked out by typing wrong passwords for them. (Guessing
    from many addresses is slowed by the per-address rate limit.) A locked name is
    refused before its password is looked at, so a right guess does not end a lock.
    """
    name = username.strip().lower()[:200]
    key = f"{name}|{client[:50]}"
    now = clock.now()
    throttle = db.session.get(SignInThrottle, key)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        raise Refused("locked", LOCKED_MESSAGE.format(minutes=policy.minutes))

    user = find_user(name)
    if user is None:
        passwords.spend_equal_time(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password)

    if not ok:
        row = _throttle(key)
        if row.failures == 0:
            # A new name's first failure. Two at once both insert it: the second's commit
            # fails on the key, and the view runs this again, to count on the first's row.
            row.failures = 1
        elif row.locked_until and row.locked_until <= now:
            row.failures = 1  # the last lock has ended: start counting afresh
            row.locked_until = None
        else:
            # Counted by the database, not from the copy this request read: failures sent
            # at the same moment each count, so they cannot buy extra guesses.
            row.failures = SignInThrottle.failures + 1
        row.last_failure_at = now
        db.session.flush()
        if row.failures >= policy.attempts:
            row.locked_until = now + timedelta(minutes=policy.minutes)
            db.session.flush()
            raise Refused("locked", LOCKED_MESSAGE.format(minutes=policy.minutes))
        db.session.flush()
        raise Refused("bad_credentials", BAD_CREDENTIALS)

    assert user is not None
    if not user.is_active:
        raise Refused("suspended", sanctions.suspended_message(user))
    sanctions.end_expired_suspension(user, now)
    if throttle is not None:
        db.session.delete(throttle)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_seen_at = now
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change a password and end every other session of this user."""
    if not passwords.verify_password(user.password_hash, current):
        raise Refused("bad_credentials", "Your current password is not right.")
    problems = passwords.problems(new, user.username)
    if problems:
        raise Refused("weak_password", " ".join(problems))
    user.password_hash = passwords.hash_password(new)
    user.session_version += 1
    db.session.flush()
