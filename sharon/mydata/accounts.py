"""The account's own part of "my data": the profile, password reset codes and forms sent.

Left out on purpose: the note the team wrote on the invitation (a clinician's note, for
the team), who issued it (the member hears from "the SHaRON team", as everywhere else),
the password hash, and failed sign-ins against the username (the addresses they came
from may be anyone's; they are deleted with the account).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Invitation, PasswordReset, Submission, User
from sharon.mydata.registry import Area, Rows, batched
from sharon.mydata.registry import register as register_area


def _profile(user: User) -> Iterator[dict[str, Any]]:
    joined_with = db.session.scalar(
        sa.select(Invitation.used_at).where(Invitation.used_by_id == user.id)
        .order_by(Invitation.id).limit(1))
    yield {
        "username": user.username,
        "role": user.role_enum.title,
        "networks": [network.name for network in user.networks],
        "email": user.email,
        "real_name": user.real_name,
        "status": user.status,
        "suspended_until": user.suspended_until,
        "joined": user.created_at,
        "joined_with_an_invitation_on": joined_with,
        "guidelines_accepted": user.guidelines_accepted_at,
        "last_seen": user.last_seen_at,
    }


def export(user: User) -> Iterable[tuple[str, Rows]]:
    """The profile, the password reset codes they were given (never the code), and the
    forms they sent (where each led; the one-time tokens are of no use to anyone)."""
    yield "profile.json", _profile(user)
    yield "password_resets.json", batched(
        sa.select(PasswordReset.id, PasswordReset.via, PasswordReset.created_at,
                  PasswordReset.expires_at, PasswordReset.used_at)
        .where(PasswordReset.user_id == user.id), PasswordReset.id)
    yield "forms_sent.json", batched(
        sa.select(Submission.token, Submission.created_at, Submission.location)
        .where(Submission.user_id == user.id), Submission.token, hide=("token",))


def erase(user: User, _keep_posts: bool) -> None:
    """The invitation they joined with keeps its record (who issued it, when) but not the
    clinician's note, which is about them and often names them."""
    db.session.execute(sa.update(Invitation).where(Invitation.used_by_id == user.id)
                       .values(note="").execution_options(synchronize_session=False))


def register() -> None:
    """Join the account to "my data" (from the app factory). Its row is deleted by
    sharon.mydata.services.delete_account itself, after every area's erase."""
    register_area(Area(
        "account",
        frozenset({"users", "user_networks", "password_resets", "submissions",
                   "invitations"}),
        export, erase))
