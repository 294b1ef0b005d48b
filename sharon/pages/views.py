"""Public pages: home, urgent help, community guidelines, privacy, accessibility."""

from __future__ import annotations

from flask import Blueprint, render_template

from sharon.safety import URGENT_LINE_FINDER

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """The home page."""
    return render_template("pages/home.html")


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


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """For load balancers and service monitors: answers without touching the database."""
    return "ok", 200, {"Content-Type": "text/plain"}
