"""Categories, managed by admins."""

from __future__ import annotations

from sharon.content import clean_text
from sharon.extensions import db
from sharon.models import Category, CategoryAudience, Network
from sharon.refusals import Refused


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


def create(network_id: int, name: str, description: str, position: int,
           audience: str) -> Category:
    network, name = _check(network_id, name, audience)
    category = Category(network=network, name=name,
                        description=clean_text(description).strip()[:300],
                        position=position, audience=audience)
    db.session.add(category)
    db.session.flush()
    return category


def update(category: Category, network_id: int, name: str, description: str, position: int,
           audience: str) -> None:
    network, name = _check(network_id, name, audience)
    category.network, category.name = network, name
    category.description = clean_text(description).strip()[:300]
    category.position, category.audience = position, audience
    db.session.flush()
