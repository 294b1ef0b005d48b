"""ETags for the busiest pages: a repeat visit to an unchanged page costs a 304.

A page's ETag is a hash of versions that cover everything it shows to this reader,
worked out before anything is rendered:

- what the page is about, from the view: version counters that database triggers bump
  on every change (threads.version, categories.version, page_versions; migration
  e1a7b3c5d9f2), whatever route the change takes;
- who is reading: their id, role and status, the session's CSRF secret (a new session
  after signing out and in makes new ETags, and the page's tokens are the session's),
  the site header as it would be drawn for them (username, unread notifications,
  urgent items for the team, the links their role has), and the Wall's "listen for
  the team" flag;
- the address with its query string;
- the hour, because the tokens in a page expire (WTF_CSRF_TIME_LIMIT is 4 hours): a page
  answered 304 is never more than an hour older than a freshly drawn one;
- the build: the app's code, templates and static files, and its settings, so that a
  deploy changes every ETag.

A page with a flashed message waiting is sent without an ETag: the message is part of
that one response. Errors are never tagged: views abort before they ask for one.

Responses are `Cache-Control: private, no-cache`: a browser keeps the page but asks
every time, and no shared cache ever stores it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, make_response, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon.infra import clock, templating

ROOT = Path(__file__).resolve().parent.parent.parent
CACHE_CONTROL = "private, no-cache"
_HIDDEN_SETTINGS = ("SECRET", "PASSWORD", "TOKEN", "KEY", "DSN", "URL")


@cache
def _files_version() -> str:
    """The code, templates and static files as deployed: their names, sizes and times."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in ("sharon", "templates", "static"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(ROOT)}:{stat.st_size}:{stat.st_mtime_ns}\n"
                              .encode())
    return digest.hexdigest()


def build_version() -> str:
    """What a deploy changes: the files, and the app's own settings (never a secret)."""
    version = current_app.extensions.get("sharon.etags.build")
    if version is None:
        settings = sorted((name, repr(value)) for name, value in current_app.config.items()
                          if name.startswith("SHARON_")
                          and not any(word in name for word in _HIDDEN_SETTINGS))
        version = hashlib.blake2b(repr((_files_version(), settings)).encode(),
                                  digest_size=16).hexdigest()
        current_app.extensions["sharon.etags.build"] = version
    return version


def for_page(*versions: object) -> str | None:
    """The strong ETag of this request's page for the current reader, given the versions
    of what the page is about; None when the page must not be tagged."""
    if session.get("_flashes"):
        return None
    user = current_user._get_current_object()
    reader: tuple[object, ...] = ("anonymous",)
    if user.is_authenticated:
        reader = (user.id, user.role, user.status, session.get("csrf_token"),
                  session.get("listen_for_team"), templating.request_header())
    hour = int(clock.now().timestamp()) // 3600
    parts = (build_version(), request.full_path, hour, reader, versions)
    return '"' + hashlib.blake2b(repr(parts).encode(), digest_size=18).hexdigest() + '"'


def unchanged(etag: str | None) -> Response | None:
    """A 304 when the browser already holds this page (If-None-Match, weak comparison as
    RFC 9110 asks, lists and * included); None when the page must be drawn."""
    if etag is None or not request.if_none_match:
        return None
    if not request.if_none_match.contains_weak(etag.strip('"')):
        return None
    response = current_app.response_class(status=304)
    _tag(response, etag)
    return response


def send(body: str, etag: str | None) -> Response:
    """The drawn page, with its ETag (if any) and the header that makes browsers ask."""
    response = make_response(body)
    if etag is not None:
        _tag(response, etag)
    return response


def _tag(response: Response, etag: str) -> None:
    response.set_etag(etag.strip('"'))
    response.headers["Cache-Control"] = CACHE_CONTROL
