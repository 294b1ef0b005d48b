"""Categories, managed by admins."""

from __future__ import annotations

from sharon import permissions
from sharon.content import clean_text
from sharon.extensions import db
from sharon.models import Audit, Category, CategoryAudience, Network, User
from sharon.moderation.services import record
from sharon.permissions import Action
from sharon.refusals import Refused

_ONLY_ADMINS = "Only admins can change the forum's categories."


def _check(network_id: int, name: str, audience: str) -> tuple[Network, str]:
    network = db.session.get(Network, network_id)
    if network is None:
        raise Refused("invalid", "Choose a network.")
    name = " ".join(clean_text(name).split())
    if not 2 <= len(name) <= 80:
        raise Refused("invalid", "A category name needs 2 to 80 characters.")
    if audience not in set(CategoryAudience):
        raise Refused("invalid", "Choose who can see the category.")
    return network, name


def create(by: User | None, network_id: int, name: str, description: str, position: int,
           audience: str) -> Category:
    """A new category in a network, for everyone there, carers or the team."""
    permissions.check(by, Action.MANAGE_CATEGORIES, _ONLY_ADMINS)
    network, name = _check(network_id, name, audience)
    category = Category(network=network, name=name,
                        description=clean_text(description).strip()[:300],
                        position=position, audience=audience)
    db.session.add(category)
    db.session.flush()
    record(by, Audit.CATEGORY_CREATE, "category", category.id, name=name, audience=audience)
    return category


def update(by: User, category: Category, network_id: int, name: str, description: str,
           position: int, audience: str) -> None:
    """Rename, move or re-audience a category."""
    permissions.check(by, Action.MANAGE_CATEGORIES, _ONLY_ADMINS)
    network, name = _check(network_id, name, audience)
    category.network, category.name = network, name
    category.description = clean_text(description).strip()[:300]
    category.position, category.audience = position, audience
    db.session.flush()
    record(by, Audit.CATEGORY_UPDATE, "category", category.id, name=name, audience=audience)
