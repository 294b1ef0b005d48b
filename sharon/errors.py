"""Styled error pages that say what happened and what to do next."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PAGES = {
    400: ("Something was wrong with that request",
          "The page could not understand what was sent. Please go back and try again."),
    403: ("You do not have permission to see this page",
          "This page is for a different role. If you think you should be able to see it, "
          "please contact the SHaRON team."),
    404: ("Page not found",
          "If you typed the address, check it is correct. If you followed a link, the page may "
          "have been moved or removed."),
    405: ("That action is not allowed here", "Please go back and try again."),
    413: ("That is too large", "What you sent is larger than we accept. Please make it smaller."),
    429: ("Please slow down",
          "There have been too many attempts in a short time. Please wait a minute and try "
          "again."),
    500: ("Sorry, something went wrong on our side",
          "We have been told about it. Please try again in a few minutes."),
}


def init_app(app: Flask) -> None:
    def render(code: int, message: str | None = None) -> tuple[str, int]:
        title, default = PAGES.get(code, PAGES[500])
        return render_template("errors/error.html", code=code, title=title,
                               message=message or default), code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render(400, "This form had expired or was sent from another site, so nothing "
                           "was saved. Please go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        code = error.code or 500
        if code < 400:
            return error
        return render(code)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        log.exception("unhandled error")
        try:
            from sharon.extensions import db

            db.session.rollback()
        except Exception:  # pragma: no cover - the database may be the thing that broke
            log.exception("rollback failed")
        return render(500)
