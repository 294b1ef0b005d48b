"""Forgotten passwords: one-time reset codes from the team, and links sent by mail.

A clinician or admin issues a code for one person (shown once, like an invitation); the
person types their username, the code and a new password. Where the trust has set up
outgoing mail, a person can also ask for a link to their email address. Either way only
the code's SHA-256 is stored, a code works once, for its own account only, and not after
it expires; using one ends every session of that account.

A staff code is 16 characters from Crockford's base32 alphabet (80 random bits), short
enough to read out over the phone. With that much entropy, a day's life, single use and a
rate limit on the form, a fast hash is enough: nobody can guess their way to a stored
hash, or online to a live code. Mail links carry 256 bits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from sharon import codes, passwords, permissions
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import Audit, PasswordReset, SignInThrottle, User
from sharon.moderation.services import record
from sharon.permissions import Action
from sharon.refusals import Refused
from sharon.sanctions import services as sanctions

# Crockford's base32 (sharon.codes), shared with invitation codes.
ALPHABET = codes.ALPHABET
CODE_LENGTH = 16  # 4 groups of 4: 80 bits
STAFF_CODE_LIFE = timedelta(hours=24)
MAIL_LINK_LIFE = timedelta(hours=1)
MAIL_ACCOUNTS = 5  # most accounts one address is sent links for at once

NO_MATCH = ("That username and reset code do not match. Check both are typed exactly as "
            "you were given them. If they still do not work, ask your therapist or the "
            "SHaRON team for a new code.")
USED = ("This reset code has already been used, or a newer code has replaced it. Each code "
        "works once. Ask your therapist or the SHaRON team for a new one.")
WITHDRAWN = ("This code no longer works, because the account or the person who issued it "
             "has changed since. Please ask the SHaRON team for a new code.")
EXPIRED = ("This reset code has expired: codes work for 24 hours. Ask your therapist or the "
           "SHaRON team for a new one.")
LINK_SPENT = ("This link has expired or has already been used. Links work once, for one "
              "hour. You can ask for a new one.")


normalise_code = codes.normalise


def hash_code(code: str) -> str:
    """Codes are stored only as this hash, so a leaked database holds no usable code."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def hash_token(token: str) -> str:
    """Mail tokens are stored only as this hash (they are compared exactly, unnormalised)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_code() -> str:
    """A new staff code, easy to read aloud: XXXX-XXXX-XXXX-XXXX."""
    return codes.grouped(codes.random_characters(CODE_LENGTH))


def may_issue_for(by: User | None, user: User) -> bool:
    """Whether this person may give `user` a reset code: clinicians and admins for members
    and carers, admins only for the team (a clinician must not take over an admin)."""
    if not permissions.can(by, Action.ISSUE_PASSWORD_RESETS):
        return False
    if permissions.role_may(user.role, Action.MODERATE) and \
            not permissions.can(by, Action.MANAGE_STAFF):
        return False
    return by is not None and by.id != user.id


def _void_open(user: User, via: str | None = None) -> None:
    """Older unused codes stop working once a newer one is made (or one is used)."""
    query = sa.update(PasswordReset).where(PasswordReset.user_id == user.id,
                                           PasswordReset.used_at.is_(None))
    if via is not None:
        query = query.where(PasswordReset.via == via)
    db.session.execute(query.values(used_at=clock.now())
                       .execution_options(synchronize_session=False))


def issue(by: User, user: User) -> tuple[PasswordReset, str]:
    """Make a reset code for `user`; returns it with the plain code, which is never stored.
    Any older unused code for them, by either route, stops working."""
    permissions.check(by, Action.ISSUE_PASSWORD_RESETS,
                      "Only clinicians and admins can issue password reset codes.")
    if permissions.role_may(user.role, Action.MODERATE):
        permissions.check(by, Action.MANAGE_STAFF,
                          "Only admins can issue reset codes for the team's accounts.")
    if user.id == by.id:
        raise Refused("forbidden", "You cannot issue a reset code for yourself. Change your "
                      "password from your account page instead.")
    if not user.is_active:
        raise Refused("inactive", "This account is suspended or closed, so a reset code "
                      "would not work. Lift the suspension first.")
    _void_open(user)
    code = new_code()
    now = clock.now()
    reset = PasswordReset(user_id=user.id, code_hash=hash_code(code), via="staff",
                          created_by_id=by.id, created_at=now, expires_at=now + STAFF_CODE_LIFE)
    db.session.add(reset)
    db.session.flush()
    record(by, Audit.PASSWORD_RESET_ISSUE, "user", user.id, reset=reset.id)
    return reset, code


def accounts_for_email(address: str) -> list[User]:
    """The active accounts with this email address (ignoring case), for a mailed link."""
    key = address.strip().lower()
    if not key or "@" not in key:
        return []
    found = db.session.scalars(sa.select(User).where(sa.func.lower(User.email) == key)
                               .order_by(User.id).limit(MAIL_ACCOUNTS))
    return [user for user in found if user.is_active]


def issue_by_mail(user: User) -> str:
    """A new mail token for `user`; returns the plain token for the link. Older mail links
    stop working, but not a code from the team: someone who knows a person's address must
    not be able to cancel the code their therapist has just given them."""
    _void_open(user, via="email")
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(PasswordReset(user_id=user.id, code_hash=hash_token(token), via="email",
                                 created_at=now, expires_at=now + MAIL_LINK_LIFE))
    db.session.flush()
    # Actor None: SHaRON sent it, at a visitor's request. Staff can see when links went out.
    record(None, Audit.PASSWORD_RESET_SEND, "user", user.id)
    return token


@dataclass(frozen=True)
class CodeReset:
    username: str
    code: str
    password: str


def _find(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(
        User.username_key == username.strip().lower()[:200]))


def _matching(user: User | None, wanted_hash: str, via: str) -> PasswordReset | None:
    """This account's reset whose hash matches, compared in constant time. Looked up by
    account, never by hash alone, so a code only ever works for the account it was for."""
    if user is None:
        return None
    found = None
    for reset in db.session.scalars(sa.select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.via == via)):
        if hmac.compare_digest(reset.code_hash, wanted_hash):
            found = reset
    return found


def _set_password(user: User, reset: PasswordReset, password: str, spent: str) -> None:
    """Claim the reset, then change the password and end every session."""
    now = clock.now()
    if not user.is_active:
        raise Refused("suspended", sanctions.suspended_message(user))
    weak = passwords.problems(password, user.username)
    if weak:
        raise Refused("weak_password", " ".join(weak))
    # A conditional update, so that the same code sent twice at the same moment (on
    # SQLite or PostgreSQL) changes the password once: the second finds it used.
    claimed = db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None),
               PasswordReset.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Refused("used", spent)
    _void_open(user)  # the other route's code, if any, is no longer needed
    user.password_hash = passwords.hash_password(password)
    user.session_version += 1  # every session, on every device, ends
    # A lock-out from the forgotten password's failed tries would stop the new one.
    db.session.execute(sa.delete(SignInThrottle).where(
        SignInThrottle.username_key.startswith(f"{user.username_key}|", autoescape=True)))
    db.session.flush()
    # Recorded with the person as actor: the trail from "code issued by" to "code used"
    # is what shows a handed-over code reached the right person, or did not.
    record(user, Audit.PASSWORD_RESET_USE, "user", user.id, via=reset.via, reset=reset.id)


def reset_with_code(info: CodeReset) -> User:
    """Set a new password with a code from the team. Refused with one message for a wrong
    code, a wrong username, or a code for someone else; then plainly if it was used or
    has expired (only someone holding the right code and username learns that)."""
    user = _find(info.username)
    reset = _matching(user, hash_code(info.code), "staff")
    if user is None or reset is None or len(normalise_code(info.code)) != CODE_LENGTH:
        raise Refused("no_match", NO_MATCH)
    if reset.used_at is not None:
        raise Refused("used", USED)
    if reset.expires_at <= clock.now():
        raise Refused("expired", EXPIRED)
    # Asked again at use: the person who issued it must still be allowed to (a member
    # promoted to the team since, or a clinician who has left, voids the code).
    issuer = db.session.get(User, reset.created_by_id) if reset.created_by_id else None
    if not may_issue_for(issuer, user):
        raise Refused("expired", WITHDRAWN)
    _set_password(user, reset, info.password, USED)
    return user


def open_link(token: str) -> PasswordReset:
    """The live mail reset this link's token names, or Refused."""
    if not 20 <= len(token) <= 100:
        raise Refused("used", LINK_SPENT)
    reset = db.session.scalar(sa.select(PasswordReset).where(
        PasswordReset.code_hash == hash_token(token), PasswordReset.via == "email"))
    if reset is None or reset.used_at is not None or reset.expires_at <= clock.now():
        raise Refused("used", LINK_SPENT)
    return reset


def reset_with_link(token: str, password: str) -> User:
    """Set a new password from a mailed link."""
    reset = open_link(token)
    user = reset.user
    _set_password(user, reset, password, LINK_SPENT)
    return user


def open_code_for(user: User) -> PasswordReset | None:
    """The team's code for this person that still works, if any (for the people page)."""
    return db.session.scalar(sa.select(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.via == "staff",
        PasswordReset.used_at.is_(None), PasswordReset.expires_at > clock.now())
        .order_by(PasswordReset.created_at.desc()).limit(1))
