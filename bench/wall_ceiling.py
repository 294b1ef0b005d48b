"""The ceiling for bench/wall.py: a bare Flask-SocketIO broadcast app, same server settings.

Run as `python bench/wall_ceiling.py PORT` with SHARON_ASYNC_MODE=eventlet|gevent.
"""

import os
import sys
from pathlib import Path

MODE = os.environ.get("SHARON_ASYNC_MODE", "eventlet")
if MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
else:
    from gevent import monkey

    monkey.patch_all()

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode=MODE, logger=False, engineio_logger=False)


@socketio.on("send", namespace="/wall")
def send(data):  # type: ignore[no-untyped-def]
    """Broadcast to everyone, like the Wall does, with nothing else."""
    socketio.emit("message", {"id": 0, "author": "x", "label": "", "body": data["body"],
                              "created_at": "", "reply_to": None, "pinned": False},
                  to=None, namespace="/wall")
    return {"ok": True}


@app.get("/healthz")
def healthz() -> str:
    return "ok"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from sharon.serving import tune_garbage_collector  # the same settings as wsgi.py

    tune_garbage_collector()
    socketio.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_output=False)
