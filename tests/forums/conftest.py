"""Forum fixtures: spaces in the default network, and helpers that post like a person."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.forums import services
from sharon.models import Category, Network, Post, Thread
from tests.factories import NetworkFactory
from tests.helpers import submit


@pytest.fixture
def network(app) -> Network:
    return db.session.scalars(sa.select(Network).order_by(Network.id)).first()


def make_category(network: Network, name: str, audience: str = "everyone",
                  position: int = 0) -> Category:
    category = Category(network=network, name=name, description=f"About {name}",
                        audience=audience, position=position)
    db.session.add(category)
    db.session.commit()
    return category


@pytest.fixture
def general(network) -> Category:
    return make_category(network, "Staying well", position=1)


@pytest.fixture
def carers_space(network) -> Category:
    return make_category(network, "Carers' corner", audience="carers", position=2)


@pytest.fixture
def team_space(network) -> Category:
    return make_category(network, "Team room", audience="team", position=3)


@pytest.fixture
def other_network_space(app) -> Category:
    return make_category(NetworkFactory(name="Perinatal", slug="perinatal"), "New parents")


def start_thread(user, category, title="A kind first thread", body="Hello everyone",
                 kind="chat", note=None) -> Thread:
    """Post through the service, as the page does, and commit."""
    outcome = services.create_thread(user, category, title, kind, body, note)
    db.session.commit()
    return outcome.post.thread


def add_reply(user, thread, body="Thank you for sharing") -> Post:
    outcome = services.reply(user, thread, body)
    db.session.commit()
    return outcome.post


def post_reply(client, thread_id: int, body: str, **extra):
    return submit(client, f"/forums/t/{thread_id}/reply", {"body": body, **extra},
                  page=f"/forums/t/{thread_id}")


def new_thread(client, category_id: int, title: str, body: str, kind: str = "support",
               **extra):
    return submit(client, f"/forums/c/{category_id}/new",
                  {"title": title, "body": body, "kind": kind, **extra})
