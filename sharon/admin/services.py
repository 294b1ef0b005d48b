"""Accounts and networks that staff manage."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from sharon import passwords, permissions
from sharon.content import clean_text
from sharon.extensions import db
from sharon.infra import clock
from sharon.invitations.services import username_taken
from sharon.models import Audit, Network, Role, User
from sharon.moderation.services import record
from sharon.permissions import Action
from sharon.refusals import Refused
from sharon.validators import username_problem

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class NewAccount:
    username: str
    role: Role
    password: str
    email: str | None = None
    real_name: str | None = None
    network_ids: Sequence[int] = field(default_factory=tuple)


def create_account(by: User | None, info: NewAccount) -> User:
    """Create an account directly (staff accounts; the CLI). Members normally join by invitation."""
    permissions.check(by, Action.MANAGE_STAFF, "Only admins can create accounts.")
    problem = username_problem(info.username)
    if problem:
        raise Refused("invalid_username", problem)
    if username_taken(info.username):
        raise Refused("username_taken", "That username is already taken.")
    if info.email and not EMAIL_RE.match(info.email):
        raise Refused("invalid_email", "Enter an email address like name@example.org.")
    weak = passwords.problems(info.password, info.username)
    if weak:
        raise Refused("weak_password", " ".join(weak))
    networks = list(db.session.scalars(sa.select(Network).where(Network.id.in_(info.network_ids))))
    if not networks:
        # Staff look after every network unless told otherwise.
        networks = list(db.session.scalars(sa.select(Network)))
    now = clock.now()
    user = User(
        username=info.username,
        username_key=info.username.lower(),
        email=info.email or None,
        real_name=info.real_name or None,
        role=info.role,
        password_hash=passwords.hash_password(info.password),
        invited_by=by,
        networks=networks,
        created_at=now,
        guidelines_accepted_at=now,
    )
    db.session.add(user)
    db.session.flush()
    record(by, Audit.ACCOUNT_CREATE, "user", user.id, role=str(info.role),
           networks=[n.id for n in networks])
    return user


def set_networks(by: User, user: User, network_ids: Sequence[int]) -> None:
    """Which networks' spaces a person sees (at least one)."""
    permissions.check(by, Action.MANAGE_MEMBER_NETWORKS,
                      "Only clinicians and admins can change someone's networks.")
    networks = list(db.session.scalars(sa.select(Network).where(Network.id.in_(network_ids))))
    if not networks:
        raise Refused("invalid", "A person must belong to at least one network.")
    user.networks = networks
    db.session.flush()
    record(by, Audit.ACCOUNT_NETWORKS_SET, "user", user.id, networks=[n.id for n in networks])


def set_role(by: User, user: User, role: Role) -> None:
    """Change a staff member's role (never one's own, so there is always someone to undo it)."""
    permissions.check(by, Action.MANAGE_STAFF, "Only admins can change roles.")
    if user.id == by.id:
        raise Refused("forbidden", "You cannot change your own role.")
    was = user.role
    user.role = role
    db.session.flush()
    record(by, Audit.ACCOUNT_ROLE_SET, "user", user.id, role=str(role), was=str(was))


def slugify(name: str) -> str:
    """A network's name as it appears in links and the command line."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80]


def create_network(by: User | None, name: str, description: str = "") -> Network:
    """A new network (a service or team whose members share spaces)."""
    permissions.check(by, Action.MANAGE_NETWORKS, "Only admins can add networks.")
    name, description = clean_text(name).strip(), clean_text(description)
    if not 2 <= len(name) <= 80:
        raise Refused("invalid", "A network name needs 2 to 80 characters.")
    slug = slugify(name)
    exists = db.session.scalar(
        sa.select(sa.func.count()).select_from(Network).where(
            sa.or_(sa.func.lower(Network.name) == name.lower(), Network.slug == slug)
        )
    )
    if exists or not slug:
        raise Refused("duplicate", "There is already a network with that name.")
    network = Network(name=name, slug=slug, description=description.strip()[:500])
    db.session.add(network)
    db.session.flush()
    record(by, Audit.NETWORK_CREATE, "network", network.id, name=network.name)
    return network


def all_networks() -> list[Network]:
    """Every network, by name (for choosing)."""
    return list(db.session.scalars(sa.select(Network).order_by(Network.name)))


def list_users(query: str = "", limit: int = 200) -> list[User]:
    """People whose username contains the query, for the people page."""
    stmt = sa.select(User).order_by(User.username_key).limit(limit)
    if query:
        stmt = stmt.where(User.username_key.contains(query.lower(), autoescape=True))
    return list(db.session.scalars(stmt))
