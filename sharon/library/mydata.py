"""The library's part of "my data": resources a person saved, and whether they helped.

Both go with the account (ON DELETE CASCADE); the library's counts of "did this help?"
are read from those rows, so they move on by themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from sharon.models import Resource, ResourceFeedback, SavedResource, User
from sharon.mydata.registry import Area, Rows, batched, nothing_more
from sharon.mydata.registry import register as register_area


def export(user: User) -> Iterable[tuple[str, Rows]]:
    """Saved resources and feedback, with each resource's title."""
    yield "saved.json", batched(
        sa.select(SavedResource.resource_id, Resource.title, SavedResource.saved_at)
        .join(Resource, Resource.id == SavedResource.resource_id)
        .where(SavedResource.user_id == user.id), SavedResource.resource_id)
    yield "feedback.json", batched(
        sa.select(ResourceFeedback.resource_id, Resource.title, ResourceFeedback.helped,
                  ResourceFeedback.answered_at)
        .join(Resource, Resource.id == ResourceFeedback.resource_id)
        .where(ResourceFeedback.user_id == user.id), ResourceFeedback.resource_id)


def register() -> None:
    """Join the library to "my data" (from the app factory)."""
    register_area(Area("library", frozenset({"saved_resources", "resource_feedback"}),
                       export, nothing_more))
