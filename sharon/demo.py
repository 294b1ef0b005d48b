"""Demo data for trying SHaRON on a laptop. Never run it on a real service."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from sharon import passwords
from sharon.admin.services import NewAccount, create_account, create_network
from sharon.extensions import db
from sharon.invitations.services import NewInvitation, issue
from sharon.models import Network, Role, User

# Username, role, password. The passwords are public: this is demo data.
DEMO_ACCOUNTS: tuple[tuple[str, Role, str], ...] = (
    ("demo_member", Role.MEMBER, "stay-well-member"),
    ("demo_carer", Role.CARER, "stay-well-carer"),
    ("demo_peer", Role.PEER_SUPPORTER, "stay-well-peer"),
    ("demo_volunteer", Role.VOLUNTEER, "stay-well-volunteer"),
    ("demo_clinician", Role.CLINICIAN, "stay-well-clinician"),
    ("demo_admin", Role.ADMIN, "stay-well-admin"),
)
DEMO_NETWORKS = (("Perinatal", "For people who had therapy during or after pregnancy."),)


def seed(echo: Callable[[str], None]) -> None:
    """Create (or refresh) the demo accounts and content, then print how to sign in."""
    accounts = seed_accounts()
    db.session.commit()
    _, code = issue(accounts["demo_clinician"], NewInvitation(
        role=Role.MEMBER, network_ids=[n.id for n in db.session.scalars(sa.select(Network))],
        days=14, note="demo invitation"))
    db.session.commit()

    from sharon.forums.demo import seed as seed_forums

    seed_forums(echo)
    from pathlib import Path

    from flask import current_app

    from sharon.library.demo import seed_library

    if seed_library(accounts["demo_clinician"], Path(current_app.config["SHARON_MEDIA_DIR"])):
        echo("Added demo library resources (blogs and a captioned video).")
    db.session.commit()

    from sharon.wall.demo import seed_wall

    if seed_wall(accounts):
        echo("Added a past Wall session's messages (see /wall/history).")
    db.session.commit()

    from sharon.staying_well.demo import seed_staying_well

    if seed_staying_well(accounts["demo_member"]):
        echo("Gave demo_member a staying-well plan and three weeks of check-ins.")
    db.session.commit()

    echo("Demo accounts (sign in at /sign-in):")
    echo(f"  {'username':<16} {'role':<16} password")
    for username, role, password in DEMO_ACCOUNTS:
        echo(f"  {username:<16} {role.title:<16} {password}")
    echo(f"An invitation code to try joining at /join: {code}")


def seed_accounts() -> dict[str, User]:
    """Create or refresh the demo accounts for every role."""
    for name, description in DEMO_NETWORKS:
        if not db.session.scalar(sa.select(Network).where(Network.name == name)):
            create_network(None, name, description)
    first_network = db.session.scalars(sa.select(Network).order_by(Network.id)).first()
    users: dict[str, User] = {}
    for username, role, password in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.username_key == username))
        if user is None:
            networks = [first_network.id] if role in (Role.MEMBER, Role.CARER) else []
            user = create_account(None, NewAccount(username=username, role=role, password=password,
                                             network_ids=networks,
                                             real_name=f"Demo {role.title}"))
        else:
            user.password_hash = passwords.hash_password(password)
            user.role = role
        users[username] = user
    db.session.flush()
    return users
