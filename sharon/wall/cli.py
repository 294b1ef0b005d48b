"""flask --app wsgi wall-session --minutes N: open the Wall now, to try it at any hour."""

from __future__ import annotations

from datetime import timedelta

import click

from sharon.cli import as_operator
from sharon.extensions import db
from sharon.infra import clock
from sharon.refusals import Refused
from sharon.wall import hours


@click.command("wall-session")
@click.option("--minutes", type=click.IntRange(1, 24 * 60), default=60, show_default=True,
              help="How long the extra session lasts, starting now.")
@click.option("--note", default="Extra session", show_default=True,
              help="Shown on the staff page.")
@as_operator
def wall_session(minutes: int, note: str) -> None:
    """Add an extra Wall session that starts now and lasts N minutes."""
    now = clock.now()
    try:
        session = hours.do_add_session(None, now, now + timedelta(minutes=minutes), note)
    except Refused as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from None
    db.session.commit()
    ends = session.ends_at.astimezone(hours.LONDON)
    click.echo(f"The Wall is open until {ends:%H:%M} UK time ({minutes} minutes).")
