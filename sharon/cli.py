"""flask commands: init-db, create-user, invite, seed-demo.

Names and output are a contract: scripts and tests rely on them (the invite
command prints the code alone on its last line).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app

from sharon import permissions
from sharon.extensions import db
from sharon.models import Network, Role, User
from sharon.permissions import Action, can
from sharon.refusals import Refused


def init_app(app: Flask) -> None:
    """Register SHaRON's flask commands."""
    for command in (init_db, create_user, invite, seed_demo):
        app.cli.add_command(command)
    from sharon.wall.cli import wall_session

    app.cli.add_command(wall_session)


def as_operator(command: Callable[..., Any]) -> Callable[..., Any]:
    """Services called by this command act for the operator at the server's shell (actor
    None), who may do anything; everywhere else a service's actor must have permission."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with permissions.operator():
            return command(*args, **kwargs)

    return run


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema by applying every migration."""
    from flask_migrate import upgrade

    upgrade()
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


def _networks(slugs: tuple[str, ...]) -> list[Network]:
    if not slugs:
        return []
    found = list(db.session.scalars(sa.select(Network).where(Network.slug.in_(slugs))))
    missing = set(slugs) - {n.slug for n in found}
    if missing:
        known = ", ".join(db.session.scalars(sa.select(Network.slug))) or "none"
        raise click.UsageError(f"Unknown network(s): {', '.join(sorted(missing))}. "
                               f"Known: {known}.")
    return found


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]),
              help="The account's role.")
@click.option("--email", default=None, help="Private email address (staff only see it).")
@click.option("--real-name", default=None, help="Real name (staff only see it).")
@click.option("--network", "networks", multiple=True, metavar="SLUG",
              help="Network slug; repeat for several. Default: every network.")
@as_operator
def create_user(username: str, role: str, email: str | None, real_name: str | None,
                networks: tuple[str, ...]) -> None:
    """Create an account. The password comes from SHARON_PASSWORD, else a prompt."""
    from sharon.admin.services import NewAccount, create_account

    password = os.environ.get("SHARON_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_account(None, NewAccount(
            username=username, role=Role(role), password=password, email=email,
            real_name=real_name, network_ids=[n.id for n in _networks(networks)]))
    except Refused as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({Role(user.role).title}).")


@click.command("invite")
@click.option("--role", required=True, type=click.Choice(["member", "carer"]),
              help="Who the invitation is for.")
@click.option("--by", "by_username", required=True, metavar="USERNAME",
              help="The clinician or admin issuing it.")
@click.option("--network", "networks", multiple=True, metavar="SLUG",
              help="Network slug; repeat for several. Default: every network.")
@click.option("--days", type=click.IntRange(1, 90), default=None,
              help="Days until it expires (default SHARON_INVITE_DAYS).")
@click.option("--note", default="", help="Private note for staff.")
def invite(role: str, by_username: str, networks: tuple[str, ...], days: int | None,
           note: str) -> None:
    """Issue an invitation code; the code is printed alone on the last line."""
    from sharon.invitations.services import NewInvitation, issue

    by = db.session.scalar(sa.select(User).where(User.username_key == by_username.lower()))
    if by is None:
        raise click.ClickException(f"No account called {by_username!r}.")
    if not can(by, Action.ISSUE_INVITATIONS):
        raise click.ClickException(f"{by.username} is not allowed to issue invitations "
                                   "(clinicians and admins can).")
    chosen = _networks(networks) or list(db.session.scalars(sa.select(Network)))
    try:
        invitation, code = issue(by, NewInvitation(
            role=Role(role), network_ids=[n.id for n in chosen],
            days=days or current_app.config["SHARON_INVITE_DAYS"], note=note))
    except Refused as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from None
    db.session.commit()
    click.echo(f"Invitation for a {role}, networks: {', '.join(n.name for n in chosen)}; "
               f"expires {invitation.expires_at:%Y-%m-%d %H:%M} UTC.")
    click.echo(code)


@click.command("seed-demo")
@as_operator
def seed_demo() -> None:
    """Add demo accounts for every role, and demo content, to try SHaRON out."""
    from sharon import demo

    # Demo accounts have published passwords and staff roles: never on a live service.
    if current_app.config["SHARON_ENV"] == "production":
        raise click.ClickException(
            "seed-demo will not run with SHARON_ENV=production: its accounts have published "
            "passwords. Try SHaRON out on a separate installation in development mode.")
    demo.seed(click.echo)
