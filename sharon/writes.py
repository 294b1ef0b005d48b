"""How views commit what a form asked for: calmly through unique-key races, and once per
submission.

Services check a unique rule ("that username is taken") and then insert. Two requests
at the same moment can both pass the check; the database's unique key then stops the
second, at its insert or at its commit, with an IntegrityError. `save` rolls back and
runs the same work again: its ordinary check now sees the row the other request
committed, and refuses exactly as it would have a moment later. (Under READ COMMITTED on
PostgreSQL, and with SQLite's single writer, a fresh transaction sees that row.)

`save_once` also stores the form's one-time token (sharon.forms.OnceForm) as the first
write of the transaction, so a second submission of the same form waits for the first,
finds its token taken, and is sent to what the first made (AlreadySent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import sqlalchemy as sa
from flask import flash, redirect, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from sharon.extensions import db
from sharon.infra import clock
from sharon.models import Submission, User
from sharon.refusals import Refused

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 3
CONFLICT = ("Someone else changed this at the same moment, so nothing was saved. Please "
            "try again.")
SENT_TWICE = ("This form had already been sent, so nothing new was made: here is what it "
              "made.")
# A token cannot come back after this: the form's CSRF token has expired long before.
KEEP_TOKENS = timedelta(days=1)


def save(work: Callable[[], T]) -> T:
    """Run `work` (service calls, which flush) and commit; after a unique-key collision,
    roll back and run it again. Refused and AlreadySent pass through, uncommitted."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            result = work()
            db.session.commit()
            return result
        except IntegrityError as error:
            db.session.rollback()
            log.info("unique key taken by a concurrent request (attempt %d): %s", attempt,
                     type(error.orig).__name__)
    # The same key, three times: no ordinary check covers it. Say so kindly, not as a 500.
    log.warning("gave up after %d unique-key collisions", ATTEMPTS)
    raise Refused("conflict", CONFLICT)


class AlreadySent(Exception):
    """The form's token was used before; `location` is what that submission made."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location

    def response(self, fallback: str = "pages.home", message: str = SENT_TWICE) -> Response:
        """Roll back (nothing of this request is kept) and show what the first one made."""
        db.session.rollback()
        flash(message, "info")
        return redirect(self.location or url_for(fallback), 303)


def claim(token: str, user: User | None) -> Submission:
    """Mark the token used: the first write of the transaction, so that a concurrent
    submission of the same form waits here, then collides (and `save` runs it again)."""
    earlier = db.session.get(Submission, token)
    if earlier is not None:
        raise AlreadySent(earlier.location)
    user_id = user.id if user is not None else None
    row = Submission(token=token, user_id=user_id, location="", created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    # This person's tokens (or, when joining, visitors') from before their forms' CSRF
    # tokens expired are no use.
    owner = Submission.user_id == user_id if user_id is not None else \
        Submission.user_id.is_(None)
    db.session.execute(sa.delete(Submission).where(
        owner, Submission.created_at < clock.now() - KEEP_TOKENS))
    return row


def save_once(token: str, user: User | None, work: Callable[[], T],
              location: Callable[[T], str]) -> T:
    """`save`, claiming the form's token first and remembering where `work`'s result is."""

    def attempt() -> T:
        row = claim(token, user)
        result = work()
        row.location = location(result)[:500]
        return result

    return save(attempt)
