"""What every template can use: permissions, crisis contacts, London times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, url_for
from werkzeug.routing import BuildError

from sharon.permissions import Action, can
from sharon.safety import CRISIS_CONTACTS

LONDON = ZoneInfo("Europe/London")


def london(value: datetime | None, fmt: str = "%-d %B %Y, %H:%M") -> str:
    """Show a stored UTC time as the wall-clock time in the UK."""
    if value is None:
        return ""
    return value.astimezone(LONDON).strftime(fmt)


def nav_link(endpoint: str) -> str | None:
    """The URL of an area if it exists yet, else None (the header says "coming soon")."""
    try:
        return url_for(endpoint)
    except BuildError:
        return None


def init_app(app: Flask) -> None:
    from sharon.forums import fragments

    fragments.init_app(app)
    app.jinja_env.filters["london"] = london
    app.jinja_env.globals.update(nav_link=nav_link, can=can, Action=Action)

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"crisis_contacts": CRISIS_CONTACTS, "unread_notifications": _unread}


def _unread() -> int:
    """The header's count of unread notifications: one small query, signed-in pages only."""
    from flask_login import current_user

    from sharon.forums.queries import unread_notifications

    return unread_notifications(current_user) if current_user.is_authenticated else 0
