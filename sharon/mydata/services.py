"""The rules of "my data": the export, streamed as a zip, and deleting an account.

Both ask every registered area (sharon/mydata/registry.py), so neither names an area's
tables. The export reads in batches and writes the zip as it goes: nothing holds the
whole of it, whatever a person has written. Deletion checks, erases, then deletes the
person's row and flushes; the view commits and signs them out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from stream_zip import ZIP_32, stream_zip

from sharon import passwords, permissions
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import Audit, RetiredUsername, SignInThrottle, User
from sharon.moderation import services as moderation
from sharon.mydata.registry import AREAS, Rows
from sharon.permissions import Action
from sharon.refusals import Refused

# A deleted account's username cannot be taken again for this long, so nobody can pass
# themselves off as someone who has just left.
RETIRE_FOR = timedelta(days=90)

ONLY_MEMBERS = ("Downloading and deleting your data here is for members and carers. If you "
                "are on the team, please ask an admin: your account is part of the team's "
                "records.")
GONE = "This account has already been deleted."
WRONG_PASSWORD = "That is not your password. Please check it and try again."
WRONG_USERNAME = "Type your username exactly as it is shown above."
README = """\
Your data from SHaRON, downloaded {when} (UTC).

Each folder is one part of SHaRON, and each .json file in it is a list of records:
everything you wrote there, and everything SHaRON stores about you there.

account/   your profile (username, role, networks, email, when you joined), password
           reset codes you were given (when, never the code) and forms you sent
forums/    threads and posts you wrote (with earlier versions of edited posts),
           reactions, threads you follow and how far you read them, notifications,
           muted words, and reports you made
library/   resources you saved, and whether they helped
wall/      your messages on the Wall
inbox/     your conversations with the team ("Ask the team")
sanctions/ warnings, mutes and suspensions you were given, with the reason you were shown

Not included: the team's own notes (on invitations and in moderation), how the team
handled reports and flags, and which member of the team did what. If you want to know
more, please contact the team or your NHS trust's data protection officer.
"""


def check_may_use(user: User | None) -> None:
    """Members and carers only: the team's accounts are deleted by an admin, because what
    they did is part of the team's records (the audit log, the queue's history)."""
    permissions.check(user, Action.MANAGE_OWN_DATA, ONLY_MEMBERS)


# --- The export --------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _json_list(rows: Rows) -> Iterator[bytes]:
    # One record a line inside a JSON list: readable, and written as the rows arrive.
    yield b"["
    first = True
    for row in rows:
        yield (b"\n" if first else b",\n") + json.dumps(
            row, default=_plain, ensure_ascii=False).encode()
        first = False
    yield b"\n]\n"


def files(user_id: int) -> Iterator[tuple[str, Iterable[bytes]]]:
    """Every file of this person's export, as (path in the zip, its bytes as they come)."""
    # Read again here: the zip is made after the view has returned, when the request's
    # own session has been closed (stream_with_context brings back the request, not the
    # session), so the rows come through the session open while the zip is sent.
    user = db.session.get(User, user_id)
    if user is None:  # deleted in another tab since the button was pressed
        return
    yield "README.txt", [README.format(when=clock.now().strftime("%-d %B %Y %H:%M")).encode()]
    for area in AREAS.values():
        for name, rows in area.export(user):
            yield f"{area.name}/{name}", _json_list(rows)


def export(user: User) -> Iterator[bytes]:
    """This person's data as a zip, made as it is sent. Only ever their own: the person
    is the one signed in (the view passes current_user; there is no id to change)."""
    check_may_use(user)
    user_id = user.id
    modified = clock.now().replace(tzinfo=None)
    # ZIP_32 opens everywhere (Windows and macOS included); its 4 GiB limit is far
    # beyond what anyone can write here (a post is at most 10,000 characters).
    return stream_zip((name, modified, 0o600, ZIP_32, chunks)
                      for name, chunks in files(user_id))


def download_name(user: User) -> str:
    """The zip's file name: whose data, and from when."""
    return f"sharon-data-{user.username}-{clock.now():%Y-%m-%d}.zip"


# --- Deleting an account -----------------------------------------------------------------

def _still_there(user: User) -> User:
    # Read by id afresh: a second deletion, or one racing another, finds nothing. The
    # identity is read without loading, as the row may already be gone.
    identity = sa.inspect(user).identity
    if not identity:
        raise Refused("gone", GONE)
    found = db.session.execute(
        sa.select(User).where(User.id == identity[0]).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if found is None:
        raise Refused("gone", GONE)
    return found


def retire_username(username_key: str) -> None:
    """Keep a deleted account's username from being taken again for RETIRE_FOR."""
    now = clock.now()
    db.session.merge(RetiredUsername(username_key=username_key, retired_at=now,
                                     until=now + RETIRE_FOR))


def delete_account(user: User, username: str, password: str, keep_posts: bool) -> None:
    """Delete this person's account, at once. They confirm with their username and
    password. keep_posts: their forum posts stay, shown as by "a former member";
    otherwise their posts and Wall messages are removed first.

    Every area erases what is its own, then the person's row goes: the rows only about
    them go with it (ON DELETE CASCADE), and those that are others' or the team's
    records (replies to them, the audit log) stay without their name (SET NULL). The
    username is retired for 90 days. Refused, changing nothing, for a wrong username or
    password, for the team, and for an account already deleted.
    """
    user = _still_there(user)
    check_may_use(user)
    if username.strip().lower() != user.username_key:
        raise Refused("username", WRONG_USERNAME)
    if not passwords.verify_password(user.password_hash, password):
        raise Refused("bad_credentials", WRONG_PASSWORD)
    user_id, key = user.id, user.username_key
    for area in AREAS.values():
        area.erase(user, keep_posts)
    # Failed sign-ins against the name (with the addresses they came from).
    db.session.execute(sa.delete(SignInThrottle).where(
        SignInThrottle.username_key.startswith(f"{key}|", autoescape=True)))
    deleted = db.session.execute(
        sa.delete(User).where(User.id == user_id)
        .execution_options(synchronize_session=False)).rowcount
    if deleted != 1:  # another request deleted it a moment ago
        raise Refused("gone", GONE)
    db.session.expunge(user)
    retire_username(key)
    # For the team's record: an account went, by its owner's choice (no name: it is gone).
    moderation.record(None, Audit.ACCOUNT_DELETE, "user", user_id, keep_posts=keep_posts)
    db.session.flush()
