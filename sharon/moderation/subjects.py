"""The kinds of thing an area puts in front of the moderating team, registered by the area.

The queue, the live alerts and the audit log know a subject only by its `subject_type`
name; everything else (what to call it, where it is seen, who in the team may see it, and
where a held one is approved or rejected) the owning area tells them here, from its own
`subjects.py`, called by the app factory. So the moderation package never names another
area's pages or models, and a new area joins the queue by registering its kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import User


@dataclass(frozen=True)
class Subject:
    """What the queue needs to know about one kind of subject."""

    name: str                  # the subject_type stored on items and audit lines
    label: str                 # what the team reads: "forum post", "Wall message"
    area: str                  # where it was written, for live alerts: "the forums"
    # Where a moderator sees it (None: nowhere to go, e.g. refused words that were kept).
    link: Callable[[int], str | None] | None = None
    # May this moderator see it? (None: every moderator may.)
    may_see: Callable[[User, int], bool] | None = None
    # Which of these subjects still wait for approval, and where approve/reject is sent.
    held: Callable[[Iterable[int]], set[int]] | None = None
    review_url: Callable[[int], str] | None = None


SUBJECTS: dict[str, Subject] = {}


def held_by_status(id_column: Any, status_column: Any,
                   held: str) -> Callable[[Iterable[int]], set[int]]:
    """A `Subject.held` for a table whose rows wait for approval in one status: which of
    these ids still do, in one query."""

    def still_held(ids: Iterable[int]) -> set[int]:
        wanted = list(ids)
        if not wanted:
            return set()
        return set(db.session.scalars(sa.select(id_column).where(
            id_column.in_(wanted), status_column == held)))

    return still_held


def register(*subjects: Subject) -> None:
    """Called by an area's subjects.register() from the app factory (idempotent)."""
    for subject in subjects:
        SUBJECTS[subject.name] = subject


# Whether anyone from the team is on duty at a time: the area that keeps duty (the Wall)
# registers its rule here, so risk flags can stand out when they wait while it is.
_DUTY: list[Callable[[datetime], bool]] = []


def register_duty(on_duty: Callable[[datetime], bool]) -> None:
    """Called by the area that keeps the team's duty (idempotent)."""
    if on_duty not in _DUTY:
        _DUTY.append(on_duty)


def team_on_duty(at: datetime) -> bool:
    """Is anyone from the moderating team on duty at this time?"""
    return any(on_duty(at) for on_duty in _DUTY)


def subject(name: str) -> Subject:
    """The registered kind, or a plain stand-in for one no area claims (old rows)."""
    return SUBJECTS.get(name) or Subject(name, name.replace("_", " "), "the site")
