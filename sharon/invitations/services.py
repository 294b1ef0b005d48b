"""Invitation codes: issue, redeem, revoke.

A code is 16 characters from Crockford's base32 alphabet (80 random bits) in 4 groups of
4, then a check character (sharon.codes): short enough to copy from a printed slip, and
a typing slip is caught before anything is looked up. Only its SHA-256 is stored. With
80 bits, single use, an expiry and a rate limit on the join form, a fast hash is enough:
nobody can guess their way to a stored hash, or online to a live code.

Codes issued before (32 characters of RFC 4648 base32, 160 bits) keep working until they
expire: they are told apart by their length and hashed as they always were.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from sharon import codes, passwords, permissions
from sharon.content import clean_text
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import (
    Audit,
    Invitation,
    InvitationStatus,
    Network,
    RetiredUsername,
    Role,
    User,
)
from sharon.models.roles import INVITABLE_ROLES
from sharon.moderation.services import record
from sharon.permissions import Action, can, roles_with
from sharon.refusals import Refused
from sharon.validators import imitation_problem, skeleton, username_problem

CODE_LENGTH = 16  # 4 groups of 4: 80 bits, then a check character
LEGACY_LENGTH = 32  # the older codes: 160 bits in RFC 4648 base32

REFUSALS = {
    "invalid": "We could not find that invitation code. Check it is typed exactly as your "
    "therapist gave it to you, or ask them for a new one.",
    "mistyped": "Check the code: one character looks wrong. Compare it carefully with the "
    "code your therapist gave you. The letters O, I and L are never used, so 0 and 1 are "
    "always numbers.",
    "wrong_length": "That code has {count} letters and numbers, but an invitation code has "
    "17: four groups of four, then one more. Check none are missing or extra.",
    InvitationStatus.USED: "This invitation code has already been used. Each code works once. "
    "If you already have an account, sign in instead; otherwise ask your therapist for a new "
    "code.",
    InvitationStatus.EXPIRED: "This invitation code has expired. Please ask your therapist for a "
    "new one.",
    InvitationStatus.REVOKED: "This invitation code has been withdrawn. Please ask your "
    "therapist for a new one.",
}


def _legacy_normalised(code: str) -> str:
    return re.sub(r"[^A-Z2-7]", "", code.upper())


def normalise_code(code: str) -> str:
    """People copy codes with spaces, dashes and lower case: accept all of them. An older
    32-character code keeps its own alphabet (it may hold O, I and L)."""
    legacy = _legacy_normalised(code)
    if len(legacy) == LEGACY_LENGTH and len(codes.normalise(code)) != CODE_LENGTH + 1:
        return legacy
    return codes.normalise(code)


def hash_code(code: str) -> str:
    """Codes are stored only as this hash, so a leaked database holds no usable code."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def new_code() -> str:
    """A new code, easy to copy and read aloud: XXXX-XXXX-XXXX-XXXX-C (C checks the rest)."""
    body = codes.random_characters(CODE_LENGTH)
    return codes.grouped(body) + "-" + codes.check_character(body)


def code_problem(code: str) -> Refused | None:
    """What is wrong with a code's shape, found without looking anything up: a wrong
    check character means a typing slip, which the person can put right themselves."""
    normalised = normalise_code(code)
    if len(normalised) == LEGACY_LENGTH and normalised == _legacy_normalised(code):
        return None
    if len(normalised) == CODE_LENGTH + 1:
        return None if codes.check_passes(normalised) else \
            Refused("mistyped", REFUSALS["mistyped"])
    if CODE_LENGTH - 3 <= len(normalised) <= CODE_LENGTH + 4:
        return Refused("wrong_length", REFUSALS["wrong_length"].format(count=len(normalised)))
    return Refused("invalid", REFUSALS["invalid"])


@dataclass(frozen=True)
class NewInvitation:
    role: Role
    network_ids: Sequence[int]
    days: int
    note: str = ""


def issue(by: User, info: NewInvitation) -> tuple[Invitation, str]:
    """Create an invitation; returns it with the plain code, which is never stored."""
    permissions.check(by, Action.ISSUE_INVITATIONS,
                      "Only clinicians and admins can issue invitations.")
    if info.role not in INVITABLE_ROLES:
        raise Refused("forbidden", "Invitations can be for members or carers only.")
    if not 1 <= info.days <= 90:
        raise Refused("invalid", "An invitation must last between 1 and 90 days.")
    networks = list(
        db.session.scalars(sa.select(Network).where(Network.id.in_(info.network_ids)))
    )
    if not networks or len(networks) != len(set(info.network_ids)):
        raise Refused("invalid", "Choose at least one network for this invitation.")
    code = new_code()
    invitation = Invitation(
        code_hash=hash_code(code),
        role=info.role,
        note=clean_text(info.note).strip()[:500],
        created_by=by,
        created_at=clock.now(),
        expires_at=clock.now() + timedelta(days=info.days),
        networks=networks,
    )
    db.session.add(invitation)
    db.session.flush()
    record(by, Audit.INVITATION_ISSUE, "invitation", invitation.id, role=str(info.role),
           days=info.days)
    return invitation, code


def check(code: str) -> Invitation:
    """The open invitation for this code, or Refused with a reason the person can act on."""
    problem = code_problem(code)
    if problem is not None:
        raise problem
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.code_hash == hash_code(code))
    )
    if invitation is None:
        raise Refused("invalid", REFUSALS["invalid"])
    status = invitation.status
    if status != InvitationStatus.OPEN:
        raise Refused(status, REFUSALS[status])
    return invitation


@dataclass(frozen=True)
class Redemption:
    code: str
    username: str
    password: str
    accepted_guidelines: bool
    email: str | None = None


RETIRED = ("That username belonged to an account that was deleted recently, so nobody can "
           "take it for a while. Please choose another.")


def username_retired(username: str) -> bool:
    """Whether a deleted account's username is still held back (sharon.mydata: 90 days),
    so nobody can pass themselves off as someone who has just left: look-alikes too
    ("R1ver", "river_" for "river"). The list is short (90 days of leavers), so each
    name's skeleton is compared here rather than stored."""
    wanted = skeleton(username)
    return any(skeleton(name) == wanted for name in db.session.scalars(
        sa.select(RetiredUsername.username_key).where(RetiredUsername.until > clock.now())))


def username_taken(username: str) -> bool:
    """Whether a username is in use or still retired, ignoring case (staff accounts are
    checked with this too)."""
    in_use = db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.username_key == username.lower())
    ) > 0
    return in_use or username_retired(username)


def team_usernames() -> list[str]:
    """The moderating team's names, which nobody joining may imitate."""
    return list(db.session.scalars(sa.select(User.username).where(
        User.role.in_(roles_with(Action.MODERATE)))))


def redeem(info: Redemption) -> User:
    """Create the account an invitation promises. Nothing is written if any rule fails."""
    invitation = check(info.code)
    problem = username_problem(info.username)
    if problem:
        raise Refused("invalid_username", problem)
    if username_taken(info.username):
        raise Refused("username_taken", RETIRED if username_retired(info.username) else
                      "That username is already taken. Please choose another.")
    problem = imitation_problem(info.username, team_usernames())
    if problem:
        raise Refused("invalid_username", problem)
    weak = passwords.problems(info.password, info.username)
    if weak:
        raise Refused("weak_password", " ".join(weak))
    if not info.accepted_guidelines:
        raise Refused("guidelines", "Please read and accept the community guidelines to join.")

    now = clock.now()
    # Claim the code with a conditional update so that two people racing with the
    # same code cannot both succeed, on SQLite or PostgreSQL.
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Refused(InvitationStatus.USED, REFUSALS[InvitationStatus.USED])

    user = User(
        username=info.username,
        username_key=info.username.lower(),
        email=(info.email or None),
        role=invitation.role,
        password_hash=passwords.hash_password(info.password),
        invited_by_id=invitation.created_by_id,
        networks=list(invitation.networks),
        created_at=now,
        last_seen_at=now,
        guidelines_accepted_at=now,
    )
    db.session.add(user)
    db.session.flush()
    invitation.used_at = now
    invitation.used_by_id = user.id
    db.session.flush()
    return user


def revoke(by: User, invitation: Invitation) -> None:
    """Withdraw an open invitation: one's own, or (admins) anyone's."""
    permissions.check(by, Action.ISSUE_INVITATIONS,
                      "Only clinicians and admins can withdraw invitations.")
    if invitation.created_by_id != by.id and not can(by, Action.MANAGE_STAFF):
        raise Refused("forbidden", "You can only withdraw invitations you issued.")
    if invitation.status != InvitationStatus.OPEN:
        raise Refused("not_open", "Only open invitations can be withdrawn.")
    invitation.revoked_at = clock.now()
    invitation.revoked_by_id = by.id
    db.session.flush()
    record(by, Audit.INVITATION_REVOKE, "invitation", invitation.id)


def listed_for(user: User, see_all: bool) -> list[Invitation]:
    """Invitations this person issued, or every invitation for those who see all."""
    query = sa.select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    if not see_all:
        query = query.where(Invitation.created_by_id == user.id)
    return list(db.session.scalars(query.limit(500)))
