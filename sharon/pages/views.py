"""Public pages: home, urgent help, community guidelines, privacy, accessibility."""

from __future__ import annotations

from flask import Blueprint, render_template

from sharon.safety import URGENT_LINE_FINDER

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html")


@bp.get("/help/urgent")
def crisis() -> str:
    return render_template("pages/crisis.html", urgent_line_finder=URGENT_LINE_FINDER)


@bp.get("/guidelines")
def guidelines() -> str:
    return render_template("pages/guidelines.html")


@bp.get("/privacy")
def privacy() -> str:
    return render_template("pages/privacy.html")


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("pages/accessibility.html")


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    return "ok", 200, {"Content-Type": "text/plain"}
