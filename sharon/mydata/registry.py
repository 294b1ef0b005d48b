"""The hooks through which every area adds its rows to a person's export and erases them
when the account is deleted.

An area registers one `Area` from its own `mydata.py`, called by the app factory, as it
registers its kinds with the moderation queue. This package never names another area's
models, and tests/mydata/test_every_area_joins.py holds every table that points at a
person to either a hook's `tables` or `KEPT_FOR_THE_TEAM`, so a new table cannot be
left out of the export and the deletion without a test failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import User

# Rows per query: memory stays flat whatever a person has written.
BATCH = 500

Rows = Iterable[Mapping[str, Any]]


@dataclass(frozen=True)
class Area:
    """One area's part in "my data"."""

    name: str  # the folder in the zip: "forums"
    # Tables with a foreign key to users.id that this hook accounts for: what is in them
    # about the person is exported (or deliberately left out, said in the hook), and goes
    # when the account does.
    tables: frozenset[str]
    # (file name, rows) pairs; rows are read lazily, in batches (see `batched`).
    export: Callable[[User], Iterable[tuple[str, Rows]]]
    # Called before the person's row is deleted (the foreign keys then cascade or set
    # NULL). keep_posts False: what they wrote for others to read goes too.
    erase: Callable[[User, bool], None]


AREAS: dict[str, Area] = {}

# Tables that point at a person but are the team's own records, not the person's: kept
# when an account is deleted (the foreign key forgets the name), never exported.
KEPT_FOR_THE_TEAM: dict[str, str] = {
    "moderation_items": "the moderators' queue and how they handled it",
    "moderation_actions": "the audit log: the team's record, append-only",
    "resources": "library resources, written by the team",
    "watched_words": "watched words, kept by the team",
    "watch_examples": "example sentences for watched meanings, kept by the team",
    "wall_sessions": "extra Wall sessions, set by the team",
    "wall_closures": "Wall closures, set by the team",
    "wall_duty": "who in the team is on duty",
}


def register(area: Area) -> None:
    """Called by an area's mydata.register() from the app factory (idempotent)."""
    AREAS[area.name] = area


def nothing_more(_user: User, _keep_posts: bool) -> None:
    """An `erase` for an area whose rows all go with the person's row (ON DELETE
    CASCADE) or stay without their name (SET NULL)."""


def batched(query: sa.Select[Any], *keys: sa.ColumnElement[Any], size: int = BATCH,
            hide: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    """The rows of `query` as dicts, read `size` at a time by keyset on `keys` (columns
    the query selects, unlabelled, that together are unique), so no batch holds more
    than `size` rows and no query grows slower as the export goes on (as OFFSET would).
    `hide`: columns selected only to page by, left out of each row."""
    last: tuple[Any, ...] | None = None
    while True:
        page = query.order_by(*keys).limit(size)
        if last is not None:
            page = page.where(keys[0] > last[0] if len(keys) == 1
                              else sa.tuple_(*keys) > sa.tuple_(*last))
        rows = db.session.execute(page).all()
        # Hand the connection back between batches: a slow download must not hold one
        # of the worker's few connections for as long as it takes.
        db.session.commit()
        for row in rows:
            found = dict(row._mapping)
            for name in hide:
                del found[name]
            yield found
        if len(rows) < size:
            return
        mapping = rows[-1]._mapping
        last = tuple(mapping[key] for key in keys)
