"""Entry point: `python wsgi.py` serves SHaRON with eventlet's (or gevent's) own server.

Monkey patching must happen before anything else is imported, and only when
this file runs as the server: `flask --app wsgi …` commands import it too and
must keep working unpatched.
"""

import os

if __name__ == "__main__":
    _mode = os.environ.get("SHARON_ASYNC_MODE", "eventlet")
    if _mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
        if os.environ.get("SHARON_DATABASE_URL", "").startswith("postgres"):
            # psycopg2 is a C extension: eventlet greens it through its wait callback.
            from eventlet.support import psycopg2_patcher

            psycopg2_patcher.make_psycopg_green()
    elif _mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
        if os.environ.get("SHARON_DATABASE_URL", "").startswith("postgres"):
            from sharon.infra.green import make_psycopg2_gevent_green

            make_psycopg2_gevent_green()

from sharon import create_app  # noqa: E402

app = create_app()


def main() -> None:
    """Serve on SHARON_HOST:SHARON_PORT until stopped."""
    from sharon.infra import scheduler
    from sharon.infra.serving import guard_websocket_frames, serve, tune_garbage_collector

    tune_garbage_collector()
    guard_websocket_frames(app)
    # Timed work (reminders, sanctions ending, claims lapsing): a green task per worker,
    # here and not in create_app, so `flask` commands and tests never start it.
    scheduler.start(app)
    config = app.config
    host, port, mode = config["SHARON_HOST"], config["SHARON_PORT"], config["SHARON_ASYNC_MODE"]
    print(f"SHaRON is serving on http://{host}:{port} ({mode})", flush=True)
    if mode == "threading":  # Werkzeug's development server, for trying things out
        from sharon.extensions import socketio

        socketio.run(app, host=host, port=port, log_output=False, use_reloader=False,
                     debug=False, allow_unsafe_werkzeug=True)
        return
    # Not socketio.run: it cannot turn off eventlet's debug mode, which sends a traceback
    # to whoever's request failed (sharon/infra/serving.py).
    serve(app, host, port, mode, max_connections=config["SHARON_MAX_CONNECTIONS"],
          socket_timeout=config["SHARON_SOCKET_TIMEOUT"])


if __name__ == "__main__":
    main()
