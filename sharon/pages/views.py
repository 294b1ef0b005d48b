"""Public pages: home, urgent help, community guidelines, privacy, accessibility, the
welcome after joining and formatting help."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from sharon.forums import queries as forum_queries
from sharon.models.forums import CategoryAudience
from sharon.pages import home as for_members
from sharon.permissions import Action, require
from sharon.safety import URGENT_LINE_FINDER

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """The home page; for a signed-in person, the Wall now and what is new for them."""
    if not current_user.is_authenticated:
        return render_template("pages/home.html")
    user = current_user._get_current_object()
    return render_template("pages/home.html", wall_line=for_members.wall_line(),
                           new_threads=for_members.followed_with_new_replies(user),
                           new_resources=for_members.new_resources(user))


@bp.get("/help/urgent")
def crisis() -> str:
    """Urgent help: crisis lines, the service's own line and a way to find local NHS help."""
    return render_template("pages/crisis.html", urgent_line_finder=URGENT_LINE_FINDER)


@bp.get("/guidelines")
def guidelines() -> str:
    """The community guidelines everyone accepts on joining."""
    return render_template("pages/guidelines.html")


@bp.get("/privacy")
def privacy() -> str:
    """What SHaRON stores, who sees it, and for how long."""
    return render_template("pages/privacy.html")


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement."""
    return render_template("pages/accessibility.html")


@bp.get("/welcome")
@require(Action.READ_COMMUNITY)
def welcome() -> str:
    """The first page after joining (and later, from the home page): how SHaRON works,
    where help is, and one small first step."""
    return render_template("pages/welcome.html", say_hello=_say_hello())


def _say_hello() -> str:
    """Where a newcomer says hello: the first space open to everyone in their network,
    or the forums' front page when there is none."""
    for category in forum_queries.categories(current_user):
        if category.audience == CategoryAudience.EVERYONE:
            return url_for("forums.category", category_id=category.id)
    return url_for("forums.index")


@bp.get("/help/formatting")
def formatting() -> str:
    """What the post box understands, and what is removed (sharon/content.py)."""
    return render_template("pages/formatting.html")


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """For load balancers and service monitors: answers without touching the database."""
    return "ok", 200, {"Content-Type": "text/plain"}
