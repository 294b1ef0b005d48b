"""What every template can use: permissions, crisis contacts, London times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from flask import Flask, get_template_attribute, request, url_for
from markupsafe import Markup
from werkzeug.routing import BuildError

from sharon.infra import remembered
from sharon.models.forums import REACTIONS
from sharon.permissions import Action, can
from sharon.safety import CRISIS_CONTACTS

LONDON = ZoneInfo("Europe/London")


def london(value: datetime | None, fmt: str = "%-d %B %Y, %H:%M") -> str:
    """Show a stored UTC time as the wall-clock time in the UK."""
    if value is None:
        return ""
    return value.astimezone(LONDON).strftime(fmt)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def in_words(span: timedelta) -> str:
    """A length of time as people say it ("1 hour 5 minutes"), to the two largest units,
    so that nobody has to convert 65 minutes in their head (the queue's waiting times,
    the team's alerts, the dashboard)."""
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    whole_hours, mins = divmod(rest, 60)
    parts = [_plural(n, unit) for n, unit in ((days, "day"), (whole_hours, "hour"),
                                               (mins, "minute")) if n]
    return " ".join(parts[:2])


# Addresses outside SHaRON that the privacy and accessibility pages link to: templates
# hold no outside address (tests/pages/test_pages.py), so they are listed here.
OUTSIDE_LINKS = {
    "ico_complaints": "https://ico.org.uk/make-a-complaint/",
    "equality_advisory": "https://www.equalityadvisoryservice.com/",
}


def nav_link(endpoint: str) -> str | None:
    """The URL of an area if it exists yet, else None (the header says "coming soon")."""
    try:
        return url_for(endpoint)
    except BuildError:
        return None


def init_app(app: Flask) -> None:
    """Template globals and filters every page uses, and the remembered pieces."""
    remembered.init_app(app)
    app.jinja_env.filters["london"] = london
    app.jinja_env.globals.update(nav_link=nav_link, can=can, Action=Action,
                                  reaction_labels=REACTIONS, site_header=site_header,
                                  outside_links=OUTSIDE_LINKS)

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"crisis_contacts": CRISIS_CONTACTS}


class Header(NamedTuple):
    """Everything the site header shows: the key of its remembered piece."""

    area: str  # the blueprint of the page, marked as current in the navigation
    signed_in: bool
    username: str = ""
    unread: int = 0
    moderation: bool = False
    invitations: bool = False
    people: bool = False
    urgent: int = 0  # open urgent items, for the moderating team
    ask_team: bool = False  # members and carers: "Ask the team", and live notices
    staying_well: bool = False  # members and carers: their private staying-well plan


# Counts areas show in the header, registered by the app factory so that this module
# knows no area: "unread" (notifications, for everyone signed in) and "urgent" (open
# urgent items, for the moderating team).
HEADER_COUNTS: dict[str, Callable[[Any], int]] = {}


HEADER = remembered.declare("_header.html", "site_header", Header,
                          helpers=("url_for", "nav_link"))


def header_key() -> Header:
    """The one place the header's key is made; the unread count is one small query."""
    from flask_login import current_user

    area = (request.endpoint or "").split(".")[0]
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return Header(area, signed_in=False)
    team = can(user, Action.VIEW_MODERATION_QUEUE)
    unread, urgent = HEADER_COUNTS.get("unread"), HEADER_COUNTS.get("urgent")
    known = getattr(request, "_sharon_unread", None)  # see know_unread
    if known is not None:
        unread = lambda _user: known  # noqa: E731
    return Header(area, True, user.username, unread(user) if unread else 0, team,
                  can(user, Action.ISSUE_INVITATIONS), can(user, Action.VIEW_PRIVATE_DETAILS),
                  urgent(user) if team and urgent else 0, can(user, Action.ASK_THE_TEAM),
                  can(user, Action.KEEP_A_STAYING_WELL_PLAN))


def know_unread(count: int) -> None:
    """The reader's unread count, already read with the page's own statement (the thread
    page's, forums/queries.thread_page): the header uses it instead of asking again."""
    request._sharon_unread = count  # type: ignore[attr-defined]


def request_header() -> Header:
    """header_key(), worked out once per request: a page's ETag (sharon/infra/etags.py)
    and its header share one unread count."""
    # On the request, not on flask.g: an app context (and its g) may outlive a request.
    header = getattr(request, "_sharon_header", None)
    if header is None:
        header = request._sharon_header = header_key()  # type: ignore[attr-defined]
    return header


def site_header() -> Markup:
    """The header on every page, and for someone signed in the form its "Sign out"
    button submits, which holds their token and so is never remembered."""
    header = request_header()
    html = remembered.render(HEADER, header)
    if header.signed_in:
        html += get_template_attribute("_header.html", "sign_out_form")()
    return html
