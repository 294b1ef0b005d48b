"""The sanctions' part of "my data": warnings, mutes, suspensions and closures given to a
person: the kind, the reason they were shown and the dates. Never who in the team gave
or lifted one, nor the queue item it came from (the team's record). They go with the
account (ON DELETE CASCADE); the audit log's lines about them stay, as the team's record.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from sharon.models import Sanction, User
from sharon.mydata.registry import Area, Rows, batched, nothing_more
from sharon.mydata.registry import register as register_area


def export(user: User) -> Iterable[tuple[str, Rows]]:
    """Every sanction given to them, in the order given."""
    yield "sanctions.json", batched(
        sa.select(Sanction.id, Sanction.kind, Sanction.reason, Sanction.created_at,
                  Sanction.ends_at, Sanction.lifted_at, Sanction.acknowledged_at)
        .where(Sanction.user_id == user.id), Sanction.id)


def register() -> None:
    """Join the sanctions to "my data" (from the app factory)."""
    register_area(Area("sanctions", frozenset({"sanctions"}), export, nothing_more))
