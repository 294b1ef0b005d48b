"""The floor under every SHaRON page, served as wsgi.py serves SHaRON: the same app, the
same server settings, and two pages that do nothing (bench/forum.py --floor):

- GET /_bench/empty: an empty answer from SHaRON's app, with no one signed in (its
  middleware, hooks and security headers);
- GET /_bench/signed-in: an empty answer for someone signed in (the signed session
  cookie, Flask-Login's user load, the permission check, the rate limiter's hook).

Nothing a page shows can cost less than these, so they say how close to the ceiling a
page can come. Run as `python bench/floor.py` with SHARON_PORT (and SHARON_DATABASE_URL);
never part of the app itself.
"""

import os
import sys
from pathlib import Path

import eventlet

eventlet.monkey_patch()
if os.environ.get("SHARON_DATABASE_URL", "").startswith("postgres"):
    from eventlet.support import psycopg2_patcher

    psycopg2_patcher.make_psycopg_green()

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sharon import create_app  # noqa: E402
from sharon.infra.serving import guard_websocket_frames, serve, tune_garbage_collector  # noqa: E402
from sharon.permissions import Action, require  # noqa: E402

app = create_app()


@app.get("/_bench/empty")
def empty() -> str:
    return ""


@app.get("/_bench/signed-in")
@require(Action.READ_COMMUNITY)
def signed_in() -> str:
    return ""


if __name__ == "__main__":
    tune_garbage_collector()
    guard_websocket_frames(app)
    config = app.config
    serve(app, config["SHARON_HOST"], config["SHARON_PORT"], "eventlet",
          max_connections=config["SHARON_MAX_CONNECTIONS"],
          socket_timeout=config["SHARON_SOCKET_TIMEOUT"])
