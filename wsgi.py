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
            from sharon.green import make_psycopg2_gevent_green

            make_psycopg2_gevent_green()

from sharon import create_app  # noqa: E402
from sharon.extensions import socketio  # noqa: E402

app = create_app()


def main() -> None:
    """Serve on SHARON_HOST:SHARON_PORT until stopped."""
    from sharon.serving import tune_garbage_collector

    tune_garbage_collector()
    host = app.config["SHARON_HOST"]
    port = app.config["SHARON_PORT"]
    print(f"SHaRON is serving on http://{host}:{port} ({app.config['SHARON_ASYNC_MODE']})",
          flush=True)
    socketio.run(app, host=host, port=port, log_output=False, use_reloader=False, debug=False,
                 allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
