"""The Wall's pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("wall", __name__, url_prefix="/wall")
