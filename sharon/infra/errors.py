"""Styled error pages that say what happened and what to do next.

Degrade, don't break: whatever fails, a person gets a page in plain words with the
crisis contacts on it, never a traceback. When the database (or Redis) is the thing
failing (down, unreachable, or the pool exhausted), the answer is a 503 drawn without
the normal layout, which would ask the database who is signed in and fail again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
import sqlalchemy as sa
from flask import Flask, current_app, render_template, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from sharon.safety import CRISIS_CONTACTS

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
    503: ("SHaRON is not available just now",
          "We cannot reach our records at the moment, so this page cannot be shown. Please try "
          "again in a few minutes. If you had just sent something, it has not been saved: "
          "please send it again then."),
}

HTTPS_TITLE = "SHaRON must be served over HTTPS"
HTTPS_MESSAGE = ("This page was asked for over a plain, unencrypted connection, so it has not "
                 "been shown and nothing was saved. Try the address again starting with "
                 "https://.")
HTTPS_DETAIL = ("For the people who run this service: serve SHaRON over HTTPS. If a reverse "
                "proxy handles HTTPS, set SHARON_PROXY_COUNT to the number of proxies in front "
                "and have them send X-Forwarded-Proto.")

# Seconds a browser or client is asked to wait before trying again after a 503.
RETRY_AFTER = "30"

# The last resort, when even the plain template cannot be drawn: no template, no
# url_for, nothing that can fail.
_CONTACTS_HTML = "".join(
    f'<li><strong>{c.name}</strong>: <a href="{c.href}">{c.how}</a></li>'
    for c in CRISIS_CONTACTS)
FALLBACK_HTML = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<title>{title} – SHaRON</title><link rel="stylesheet" href="/static/css/sharon.css">'
    '</head><body><main id="main" class="wrap"><h1>{title}</h1><p class="lead">{message}</p>'
    '<h2>If you need help now</h2><ul class="crisis-inline">' + _CONTACTS_HTML + '</ul>'
    '</main></body></html>'
)


def unavailable_service(error: BaseException | None) -> str | None:
    """Which service `error` (or what caused it) says cannot be used just now, if any:
    "database" when it is unreachable, has gone away mid-query, stayed locked too long
    or has no free pooled connection (sqlalchemy's TimeoutError); "Redis" when Redis
    cannot be reached. Such errors are the service's state, not a bug."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError |
                      sa.exc.TimeoutError):
            return "database"
        if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
            return "database"
        if isinstance(error, redis.ConnectionError | redis.TimeoutError):
            return "Redis"
        if isinstance(error, InternalServerError):
            error = error.original_exception
            continue
        error = error.__cause__ or error.__context__
    return None


class _OutageLog:
    """One log line when the database becomes unavailable, then at most one every
    `every` seconds saying how many requests it refused: an outage under load would
    otherwise write a line per request."""

    def __init__(self, every: float = 30.0) -> None:
        self.every = every
        self.lock = threading.Lock()
        self.last = float("-inf")
        self.refused = 0

    def note(self, service: str, error: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            self.refused += 1
            if now - self.last < self.every:
                return
            refused, self.refused, self.last = self.refused, 0, now
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        log.error("%s unavailable; answered %d request(s) with 503: %s: %s", service, refused,
                  type(error).__name__, detail[0] if detail else "")


outage_log = _OutageLog()


def _forget_session() -> None:
    """Give the request's connection back; quietly, since it may be the one that broke."""
    try:
        from sharon.extensions import db

        db.session.rollback()
    except Exception:  # the database may be the thing that broke
        log.debug("rollback after an error failed", exc_info=True)


def _static_url(filename: str) -> str:
    try:
        return url_for("static", filename=filename)
    except Exception:
        return f"/static/{filename}"


def plain_page(code: int, message: str | None = None, title: str | None = None,
               detail: str | None = None) -> tuple[str, int, dict[str, str]]:
    """The error page without the site's layout: it uses no current user, no session and
    no database, so it can be drawn whatever else is failing."""
    default_title, default = PAGES.get(code, PAGES[500])
    title = title or default_title
    headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    if code == 503:
        headers["Retry-After"] = RETRY_AFTER
    try:
        try:
            home = url_for("pages.home")
        except Exception:
            home = "/"
        # The template alone, without context processors: nothing it is given can fail.
        template = current_app.jinja_env.get_template("errors/plain.html")
        body = template.render(code=code, title=title, message=message or default,
                               detail=detail, crisis_contacts=CRISIS_CONTACTS, home_url=home,
                               static_url=_static_url)
    except Exception:
        log.exception("the plain error page could not be drawn")
        from markupsafe import escape

        body = FALLBACK_HTML.format(title=escape(title), message=escape(message or default))
    return body, code, headers


def https_required() -> tuple[str, int, dict[str, str]]:
    """The page for a plain-HTTP request in production. 403, not 400: the request is
    well formed and understood; the site refuses to answer it over this connection."""
    return plain_page(403, HTTPS_MESSAGE, title=HTTPS_TITLE, detail=HTTPS_DETAIL)


def unavailable(service: str, error: BaseException) -> tuple[str, int, dict[str, str]]:
    """The 503 page for a service (the database, Redis) that cannot be used just now."""
    _forget_session()
    outage_log.note(service, error)
    return plain_page(503)


def render(code: int, message: str | None = None) -> Any:
    """The error page in the site's layout, or the plain page if the layout fails."""
    try:
        title, default = PAGES.get(code, PAGES[500])
        return render_template("errors/error.html", code=code, title=title,
                               message=message or default), code
    except Exception as error:
        if service := unavailable_service(error):
            return unavailable(service, error)
        log.exception("the error page for %d could not be drawn", code)
        _forget_session()
        return plain_page(code, message)


def init_app(app: Flask) -> None:
    """Plain, kind error pages (and JSON for the socket's HTTP fallbacks)."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return render(400, "This form had expired or was sent from another site, so nothing "
                           "was saved. Please go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if code < 400:
            return error
        # Flask hands an error it could not handle elsewhere (an after_request function
        # failing, say) here as a 500 carrying the original.
        if code >= 500 and (service := unavailable_service(error)):
            return unavailable(service, error)
        # A rate limit with its own words (forum writes, reports) says what was not saved.
        limit = getattr(error, "limit", None)
        if code == 429 and limit is not None and limit.error_message:
            return render(429, error.description)
        return render(code)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> Any:
        try:
            if service := unavailable_service(error):
                return unavailable(service, error)
            log.exception("unhandled error")
            _forget_session()
            return render(500)
        except Exception:  # never let the error page itself fail
            return FALLBACK_HTML.format(title=PAGES[500][0], message=PAGES[500][1]), 500
