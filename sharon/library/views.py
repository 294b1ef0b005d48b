"""The library's pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("library", __name__, url_prefix="/library")
